"""Temporary per-person track ids linking faces and bodies across frames.

A person in one frame is a body with the face inside its box, a body alone, or a face
alone. People are matched to live tracks greedily by box overlap (IoU), falling back to
centre distance relative to the box size; a track that misses ``max_missed`` frames in
a row ends. Ids are temporary (REP-155 style), never derived from appearance:
``deterministic_ids`` numbers them p1, p2, ... in order of first appearance so replays
reproduce; otherwise each id carries a random run token so ids from different runs
never collide.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from emo_perception.config import check_settings, setting
from emo_perception.perception.types import Body, Box, Face, Landmarks, StageStats


@dataclass
class TrackerConfig:
    """Association thresholds and track lifetime."""

    max_missed: int = setting(15, "frames a track survives without a detection", range=(0, 10000))
    min_iou: float = setting(0.2, "boxes overlapping at least this much match", range=(0.01, 1.0))
    max_center_distance: float = setting(0.6, "else: centre distance / box diagonal below this",
                                         range=(0.01, 10.0))
    deterministic_ids: bool = setting(False,
                                      "ids p1, p2, ... in order of appearance (reproducible "
                                      "replays)")

    def __post_init__(self) -> None:
        check_settings(self)


@dataclass
class Track:
    """A person followed across frames."""

    track_id: str
    face_box: Box | None
    body_box: Box | None
    first_seen: float
    last_seen: float
    hits: int = 1
    missed: int = 0

    @property
    def box(self) -> Box:
        return self.face_box or self.body_box  # type: ignore[return-value]


@dataclass
class _Person:
    face: Face | None
    body: Body | None


def _inside(inner: Box, outer: Box) -> bool:
    cx, cy = inner.center
    return outer.x <= cx <= outer.x + outer.w and outer.y <= cy <= outer.y + outer.h


def _similarity(a: Box, b: Box, min_iou: float, max_dist: float) -> float:
    """Match score: 1 + IoU for overlapping boxes, else (0, 1] falling with centre
    distance relative to the box diagonal; 0 means "not the same person"."""
    iou = a.iou(b)
    if iou >= min_iou:
        return 1.0 + iou
    (ax, ay), (bx, by) = a.center, b.center
    diag = math.hypot(max(a.w, b.w), max(a.h, b.h)) or 1.0
    dist = math.hypot(ax - bx, ay - by) / diag
    return 0.0 if dist >= max_dist else 1.0 - dist / max_dist


class PersonTracker:
    """Assigns ``track_id`` to the faces and bodies of each :class:`Landmarks`.

    Input: the landmarks of one frame; output: the tracks seen in it (``update``). The ids
    are written onto that frame's faces and bodies, which the stages after it read.
    """

    def __init__(self, cfg: TrackerConfig | None = None) -> None:
        self.cfg = cfg or TrackerConfig()
        self.tracks: list[Track] = []
        self._processed = 0  # frames matched
        self._skipped = 0  # failed frames (no landmarks): tracks left as they were
        self._counter = 0
        self._token = "" if self.cfg.deterministic_ids else secrets.token_hex(2)

    def _new_id(self) -> str:
        self._counter += 1
        return f"p{self._counter}" if not self._token else f"p{self._token}-{self._counter}"

    @staticmethod
    def _people(lm: Landmarks) -> list[_Person]:
        people = [_Person(None, b) for b in lm.bodies]
        for face in sorted(lm.faces, key=lambda f: -f.score):
            owners = [p for p in people if p.face is None and p.body is not None
                      and _inside(face.box, p.body.box)]
            if owners:
                # Prefer the body whose nose keypoint is closest to the face centre.
                fx, fy = face.box.center
                owner = min(owners, key=lambda p: math.hypot(
                    float(p.body.keypoints[0, 0]) - fx, float(p.body.keypoints[0, 1]) - fy))
                owner.face = face
            else:
                people.append(_Person(face, None))
        return people

    def _score(self, person: _Person, track: Track) -> float:
        args = (self.cfg.min_iou, self.cfg.max_center_distance)
        if person.face is not None and track.face_box is not None:
            return _similarity(person.face.box, track.face_box, *args)
        if person.body is not None and track.body_box is not None:
            return _similarity(person.body.box, track.body_box, *args)
        box = person.face.box if person.face is not None else person.body.box
        return _similarity(box, track.box, *args)

    def update(self, lm: Landmarks) -> list[Track]:
        """Match this frame's people to tracks; sets ``track_id`` on faces and bodies.

        Returns the tracks seen in this frame, in a stable order (by id creation).
        """
        if not lm.ok:
            # A failed frame tells nothing about who is there: keep tracks as they are.
            self._skipped += 1
            return []
        self._processed += 1
        people = self._people(lm)
        pairs = sorted(((self._score(p, t), i, j) for i, p in enumerate(people)
                        for j, t in enumerate(self.tracks)), key=lambda x: (-x[0], x[1], x[2]))
        used_p: set[int] = set()
        used_t: set[int] = set()
        matched: dict[int, Track] = {}
        for score, i, j in pairs:
            if score <= 0 or i in used_p or j in used_t:
                continue
            used_p.add(i)
            used_t.add(j)
            matched[i] = self.tracks[j]
        seen: list[Track] = []
        # New people in reading order (left to right) so deterministic ids are stable.
        order = sorted(range(len(people)), key=lambda i: self._box_of(people[i]).center)
        for i in order:
            person = people[i]
            track = matched.get(i)
            face_box = person.face.box if person.face else None
            body_box = person.body.box if person.body else None
            if track is None:
                track = Track(self._new_id(), face_box, body_box, lm.stamp, lm.stamp)
                self.tracks.append(track)
            else:
                track.face_box = face_box or (track.face_box if body_box is None else None)
                track.body_box = body_box or track.body_box
                track.last_seen = lm.stamp
                track.hits += 1
                track.missed = 0
            if person.face is not None:
                person.face.track_id = track.track_id
            if person.body is not None:
                person.body.track_id = track.track_id
            seen.append(track)
        seen_ids = {t.track_id for t in seen}
        for track in self.tracks:
            if track.track_id not in seen_ids:
                track.missed += 1
        self.tracks = [t for t in self.tracks if t.missed <= self.cfg.max_missed]
        return sorted(seen, key=lambda t: self.tracks.index(t))

    @staticmethod
    def _box_of(person: _Person) -> Box:
        return person.face.box if person.face is not None else person.body.box

    def reset(self) -> None:
        """Forget every track (ids keep counting up)."""
        self.tracks = []

    def forget(self, track_id: str) -> None:
        """End ``track_id`` now (unknown ids are fine): it leaves :attr:`tracks`, so
        :class:`TrackEnds` reports it and the later stages drop it too; the person, if
        still there, gets a new id."""
        self.tracks = [t for t in self.tracks if t.track_id != track_id]

    def stage_stats(self) -> StageStats:
        """Frames matched; failed frames (no landmarks to match) count as skipped."""
        return StageStats(processed=self._processed, skipped=self._skipped)


class TrackEnds:
    """The one rule by which per-track state is dropped, offline and live: a track ends
    when the tracker stops listing it (``max_missed`` frames without a detection).

    Feed it the ids the tracker lists after each frame (``PersonTracker.tracks`` offline;
    the ``tracks`` topic live, which lists every live track); it returns those that ended.
    """

    def __init__(self) -> None:
        self._live: set[str] = set()
        self.ended = 0  # tracks ended so far

    def update(self, live_ids: Iterable[str]) -> list[str]:
        live = set(live_ids)
        gone = sorted(self._live - live)
        self._live = live
        self.ended += len(gone)
        return gone
