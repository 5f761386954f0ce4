"""De-identification checked from outside by independent face detectors, on real faces.

The checker (Haar cascades + a separate mediapipe full-range detector, also on upscaled
crops) must find the faces in the originals, and must find none after de-identification,
in every mode. Fail-closed paths are exercised with injected detector faults, timeouts
and malformed frames.
"""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest
from face_check import VIDEO_DIR, IndependentDetector, lfw_faces, real_photos

from emo_perception.perception.deid import MODES, DeidConfig, Deidentifier
from emo_perception.perception.landmarks import LandmarkConfig, LandmarkDetector
from emo_perception.perception.pipeline import PerceptionPipeline, PipelineConfig
from emo_perception.perception.types import Frame, Landmarks


@pytest.fixture(scope="module")
def checker() -> IndependentDetector:
    return IndependentDetector()


def _megamind(indices: list[int]) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(VIDEO_DIR / "Megamind.avi"))
    out = []
    for i in indices:
        cap.set(cv2.CAP_PROP_POS_FRAMES, i)
        ok, image = cap.read()
        assert ok
        out.append(image)
    cap.release()
    return out


@pytest.fixture(scope="module")
def cases(checker):
    """(name, image, landmarks, face regions the checker finds in the original)."""
    images = list(real_photos().items())
    images += [(f"lfw{i}", im) for i, im in enumerate(lfw_faces()) if i % 6 == 0]
    images += [(f"megamind{i}", im) for i, im in zip((60, 240), _megamind([60, 240]))]
    det = LandmarkDetector(LandmarkConfig(static_image_mode=True, segmentation=True,
                                          parallel=False))
    out = []
    for name, image in images:
        lm = det.process(Frame(image, 0.0, 0))
        assert lm.ok and lm.faces, f"our detector misses the face in {name}"
        out.append((name, image, lm, checker.faces(image)))
    det.close()
    return out


def test_checker_finds_the_faces_in_the_originals(cases, checker) -> None:
    # Without this the "no face after de-id" tests below could not fail.
    found = [name for name, image, lm, _ in cases
             if checker.found_in(image, [f.box for f in lm.faces])]
    missed = sorted({n for n, *_ in cases} - set(found))
    # The checker is weaker than our detector on 25x25 LFW crops; it must still see
    # nearly all of them, and every photo and video frame.
    assert len(missed) <= len(cases) // 10, missed
    assert all(n.startswith("lfw") for n in missed), missed


@pytest.mark.parametrize("mode", MODES)
def test_no_face_survives_deid(cases, checker, mode: str) -> None:
    deid = Deidentifier(DeidConfig(mode=mode))
    leaks = []
    for name, image, lm, regions in cases:
        result = deid.apply(image, lm)
        assert result.image is not None and result.image.shape == image.shape
        assert not result.fail_closed
        hits = checker.found_in(result.image, regions + [f.box for f in lm.faces])
        if hits:
            leaks.append((name, hits[:2]))
    assert leaks == []
    assert deid.stats.frames == len(cases) and deid.stats.fail_closed == 0
    assert deid.stats.faces_masked >= len(cases)


def test_hold_keeps_masking_a_lost_face(cases, checker) -> None:
    name, image, lm, regions = cases[0]
    deid = Deidentifier(DeidConfig(mode="pixelate", hold_frames=2))
    deid.apply(image, lm)
    lost = Landmarks(lm.stamp, lm.index, lm.width, lm.height)  # detector lost the face
    for _ in range(2):
        out = deid.apply(image, lost).image
        assert checker.found_in(out, regions) == []
    assert deid.stats.held == 2
    # after hold_frames the face is no longer masked (the detector says nobody is there)
    out = deid.apply(image, lost).image
    assert np.array_equal(out, image)


@pytest.mark.parametrize("on_failure", ["obscure", "block"])
def test_failed_landmarks_fail_closed(cases, checker, on_failure: str) -> None:
    deid = Deidentifier(DeidConfig(mode="blur", on_failure=on_failure))
    for name, image, lm, regions in cases[:3]:
        failed = Landmarks(lm.stamp, lm.index, lm.width, lm.height, ok=False, error="boom")
        result = deid.apply(image, failed)
        assert result.fail_closed and result.reason == "boom"
        if on_failure == "block":
            assert result.image is None
        else:
            assert result.image.shape == image.shape
            assert checker.found_in(result.image, regions) == []
    assert deid.stats.fail_closed == 3
    assert deid.stats.blocked == (3 if on_failure == "block" else 0)


class RaisingDetector(LandmarkDetector):
    def _run_face_mesh(self, rgb):
        raise RuntimeError("injected mesh failure")


class SlowDetector(LandmarkDetector):
    def _run_face_finder(self, rgb):
        time.sleep(0.25)
        return super()._run_face_finder(rgb)


@pytest.mark.parametrize("fault", [RaisingDetector, SlowDetector])
def test_pipeline_with_faulty_detector_outputs_nothing_identifying(checker, fault) -> None:
    cfg = PipelineConfig(landmarks=LandmarkConfig(timeout_ms=150))
    pipe = PerceptionPipeline(cfg, detector=fault(cfg.landmarks))
    photos = real_photos()
    frames = [Frame(im, i * 0.1, i) for i, im in enumerate(photos.values())]
    results = list(pipe.run(frames))
    pipe.close()
    for frame, r in zip(frames, results):
        assert r.deid.fail_closed and not r.landmarks.ok
        assert checker.faces(frame.image), "checker must see the face in the input"
        assert checker.found_in(r.deid.image, checker.faces(frame.image)) == []
        assert r.affects == [] and r.persons == []
    assert pipe.deid.stats.fail_closed == len(frames)


def test_odd_inputs_are_converted_or_fail_closed(checker) -> None:
    astro = real_photos()["astronaut"]
    pipe = PerceptionPipeline(PipelineConfig(analysis=False))
    gray = cv2.cvtColor(astro, cv2.COLOR_BGR2GRAY)
    bgra = cv2.cvtColor(astro, cv2.COLOR_BGR2BGRA)
    for i, image in enumerate([gray, bgra, gray[:, :, None]]):
        r = pipe.process_image(image, 0.1 * i, i)
        assert r.deid.image is not None and r.deid.image.shape == (512, 512, 3)
        assert checker.found_in(r.deid.image, checker.faces(astro)) == []
    assert pipe.deid.stats.converted == 3
    odd = [astro.astype(np.float32) / 255.0,  # float image
           astro[:, :, :2].copy(),  # two channels
           np.zeros((0, 0, 3), np.uint8),  # empty
           astro[:1, :1].copy(),  # 1x1 pixel
           np.zeros((4,), np.uint8),  # not an image at all
           None]
    for i, image in enumerate(odd):
        r = pipe.process_image(image, 1.0 + i, 10 + i)
        assert r.deid.fail_closed, i
        if r.deid.image is not None:
            # no usable pixels to mosaic: a flat gray frame of the input's size
            assert r.deid.image.shape[:2] == image.shape[:2] and np.ptp(r.deid.image) == 0
    stats = pipe.deid.stats
    assert stats.fail_closed == len(odd) and stats.blocked >= 3
    # a frame with landmarks of another size must not pass through either
    lm = Landmarks(0.0, 0, 100, 100)
    assert pipe.deid.apply(astro, lm).fail_closed
    pipe.close()
