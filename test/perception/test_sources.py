"""Frame sources on real files: video, images, folders, rosbag2 (MCAP and sqlite3)."""

from __future__ import annotations

import pathlib

import cv2
import numpy as np
import pytest
import skimage.data
from face_check import VIDEO_DIR

from emo_perception.perception.sources import SourceConfig, SourceError, open_source, resize

VTEST = VIDEO_DIR / "vtest.avi"


def test_video_stamps_follow_frame_index_and_fps() -> None:
    src = open_source(str(VTEST), SourceConfig(max_frames=5))
    frames = list(src)
    assert src.nominal_fps == pytest.approx(10.0)
    assert [f.index for f in frames] == [0, 1, 2, 3, 4]
    assert [f.stamp for f in frames] == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4])
    assert frames[0].image.shape == (576, 768, 3)
    assert not np.array_equal(frames[0].image, frames[4].image)


def test_only_cameras_and_streams_count_as_live(tmp_path: pathlib.Path) -> None:
    # camera_node holds a file source until its consumers have subscribed, never a live one
    from emo_perception.perception.sources import VideoSource

    assert not open_source(str(VTEST), SourceConfig(max_frames=1)).live
    cv2.imwrite(str(tmp_path / "a.png"), np.zeros((8, 8, 3), np.uint8))
    assert not open_source(str(tmp_path)).live
    for spec, device, live in (("rtsp://cam.local/stream", None, True),
                               ("/dev/video0", None, True), ("0", 0, True),
                               (str(VTEST), None, False)):
        assert VideoSource.is_live(spec, device) is live, spec


def test_resize_fps_override_and_loop(tmp_path: pathlib.Path) -> None:
    cv2.imwrite(str(tmp_path / "a.png"), skimage.data.astronaut()[:, :, ::-1])
    src = open_source(str(tmp_path / "a.png"),
                      SourceConfig(fps=4.0, loop=True, max_frames=3, resize_width=64,
                                   resize_height=48))
    frames = list(src)
    assert [f.image.shape for f in frames] == [(48, 64, 3)] * 3
    assert [f.stamp for f in frames] == pytest.approx([0.0, 0.25, 0.5])


def test_resize_averages_only_when_shrinking_below_half() -> None:
    image = skimage.data.astronaut()[:, :, ::-1].copy()  # 512x512
    assert resize(image, 512, 512) is image
    mild = resize(image, 448, 448)
    np.testing.assert_array_equal(
        mild, cv2.resize(image, (448, 448), interpolation=cv2.INTER_LINEAR))
    small = resize(image, 128, 128)  # bilinear would sample 1 pixel in 16 and alias
    np.testing.assert_array_equal(
        small, cv2.resize(image, (128, 128), interpolation=cv2.INTER_AREA))


def test_folder_sorted_converts_channels_and_counts_corrupt(tmp_path: pathlib.Path) -> None:
    astro = skimage.data.astronaut()[:, :, ::-1]
    cv2.imwrite(str(tmp_path / "b_gray.png"), skimage.data.camera())
    cv2.imwrite(str(tmp_path / "c_bgra.png"), cv2.cvtColor(astro, cv2.COLOR_BGR2BGRA))
    cv2.imwrite(str(tmp_path / "a_color.jpg"), astro)
    (tmp_path / "bb_broken.png").write_bytes(b"\x89PNG not really an image")
    (tmp_path / "notes.txt").write_text("ignored: not an image extension")
    src = open_source(str(tmp_path))
    frames = list(src)
    assert src.kind == "images"
    assert [f.image.shape for f in frames] == [(512, 512, 3)] * 3
    assert src.corrupt == 1
    gray = frames[1].image
    assert np.array_equal(gray[:, :, 0], gray[:, :, 2])  # the gray file, as BGR


def _write_bag(path: pathlib.Path, storage: str) -> None:
    from rosbags.rosbag2 import StoragePlugin, Writer
    from rosbags.typesys import Stores, get_typestore

    store = get_typestore(Stores.ROS2_JAZZY)
    Image = store.types["sensor_msgs/msg/Image"]
    Compressed = store.types["sensor_msgs/msg/CompressedImage"]
    Header = store.types["std_msgs/msg/Header"]
    Time = store.types["builtin_interfaces/msg/Time"]
    astro = cv2.resize(skimage.data.astronaut()[:, :, ::-1], (64, 64))
    plugin = StoragePlugin.MCAP if storage == "mcap" else StoragePlugin.SQLITE3
    with Writer(path, version=9, storage_plugin=plugin) as writer:
        raw = writer.add_connection("/camera/image_raw", Image.__msgtype__, typestore=store)
        comp = writer.add_connection("/camera/compressed", Compressed.__msgtype__,
                                     typestore=store)
        for i, (enc, img) in enumerate([("bgr8", astro), ("rgb8", astro[:, :, ::-1]),
                                        ("mono8", astro[:, :, 1]), ("bgr8", astro[:10])]):
            h, w = img.shape[:2]
            step = w * (1 if img.ndim == 2 else 3)
            if i == 3:  # corrupt: header says 64 rows, data holds 10
                h = 64
            msg = Image(Header(Time(100 + i, 500_000_000), "cam"), h, w, enc, 0, step,
                        np.ascontiguousarray(img).reshape(-1))
            writer.write(raw, (100 + i) * 10**9, store.serialize_cdr(msg, Image.__msgtype__))
        ok, jpg = cv2.imencode(".jpg", astro)
        msg = Compressed(Header(Time(7, 0), "cam"), "jpeg", jpg.reshape(-1))
        writer.write(comp, 7 * 10**9, store.serialize_cdr(msg, Compressed.__msgtype__))


@pytest.mark.parametrize("storage", ["mcap", "sqlite3"])
def test_rosbag2_image_topics(tmp_path: pathlib.Path, storage: str) -> None:
    bag = tmp_path / "bag"
    _write_bag(bag, storage)
    src = open_source(str(bag), SourceConfig(topic="/camera/image_raw"))
    frames = list(src)
    assert src.kind == "bag"
    assert [f.stamp for f in frames] == pytest.approx([100.5, 101.5, 102.5])
    assert src.corrupt == 1
    # bgr8 and rgb8 decode to the same picture; mono8 becomes 3 equal channels.
    assert np.array_equal(frames[0].image, frames[1].image)
    assert np.array_equal(frames[2].image[:, :, 0], frames[2].image[:, :, 2])
    comp = list(open_source(str(bag), SourceConfig(topic="/camera/compressed")))
    assert len(comp) == 1 and comp[0].stamp == pytest.approx(7.0)
    assert comp[0].image.shape == (64, 64, 3)
    with pytest.raises(SourceError, match="no image topic '/nope'"):
        open_source(str(bag), SourceConfig(topic="/nope"))


def test_unreadable_inputs_raise_one_line_source_errors(tmp_path: pathlib.Path) -> None:
    fake = tmp_path / "clip.avi"
    fake.write_text("this is not a video")
    empty = tmp_path / "empty"
    empty.mkdir()
    bad_image = tmp_path / "x.png"
    bad_image.write_bytes(b"garbage")
    for spec, pattern in [(str(tmp_path / "missing.mp4"), "does not exist"),
                          (str(fake), "cannot"), (str(empty), "no image files"),
                          (str(bad_image), "cannot decode"), ("97", "camera 97")]:
        with pytest.raises(SourceError, match=pattern) as info:
            open_source(spec)
        assert "\n" not in str(info.value)


def test_config_validation_messages() -> None:
    with pytest.raises(ValueError, match="resize_width and resize_height"):
        SourceConfig(resize_width=10)
    with pytest.raises(ValueError, match="max_frames"):
        SourceConfig(max_frames=-1)
