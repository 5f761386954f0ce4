"""Audio sources: a sound card through PortAudio (sounddevice) or a WAV file, in chunks.

Every source yields :class:`AudioChunk` values (mono float32, sample rate, stamp in seconds).
``StreamResampler`` converts a chunked stream to another rate with the same samples a
whole-signal ``scipy.signal.resample_poly`` would give (overlap-save with a short hold-back).
"""

from __future__ import annotations

import math
import pathlib
import queue
import time
from dataclasses import dataclass
from typing import Iterator

import numpy as np
from scipy.io import wavfile
from scipy.signal import resample_poly


class CaptureError(RuntimeError):
    """The audio source cannot be opened or read (message is one line)."""


@dataclass(frozen=True)
class AudioChunk:
    """A block of mono audio. ``stamp`` is the time of the first sample, in seconds."""

    samples: np.ndarray  # float32, shape (n,), nominal range [-1, 1]
    sample_rate: int
    stamp: float

    @property
    def duration(self) -> float:
        return len(self.samples) / float(self.sample_rate)


def to_mono_float32(data: np.ndarray) -> np.ndarray:
    """Integer or float PCM, (n,) or (n, channels) -> mono float32 in [-1, 1] scale."""
    data = np.asarray(data)
    if data.dtype.kind not in "iuf":
        raise ValueError(f"audio samples must be integer or float, got dtype {data.dtype}")
    if data.dtype.kind == "i":
        data = data.astype(np.float32) / float(np.iinfo(data.dtype).max)
    elif data.dtype.kind == "u":  # 8-bit WAV is unsigned, centred on 128
        data = (data.astype(np.float32) - 128.0) / 128.0
    else:
        data = data.astype(np.float32, copy=False)
    if data.ndim == 2:
        data = data.mean(axis=1, dtype=np.float32)
    elif data.ndim != 1:
        raise ValueError(f"audio must be 1-D or (samples, channels), got shape {data.shape}")
    return data


def read_wav(path: str | pathlib.Path) -> tuple[np.ndarray, int]:
    """Read a WAV file as mono float32; one-line :class:`CaptureError` when unreadable."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise CaptureError(f"audio file not found: {path}")
    try:
        rate, data = wavfile.read(str(path))
    except (ValueError, OSError) as exc:
        raise CaptureError(f"cannot read WAV file {path}: {exc}") from exc
    return to_mono_float32(data), int(rate)


def write_wav(path: str | pathlib.Path, samples: np.ndarray, sample_rate: int) -> None:
    """Write mono float audio as 16-bit PCM (clipped to [-1, 1])."""
    pcm = np.clip(np.nan_to_num(samples), -1.0, 1.0)
    wavfile.write(str(path), int(sample_rate), (pcm * 32767.0).astype(np.int16))


class WavSource:
    """Chunks of a WAV file, either as fast as possible or paced at real time."""

    def __init__(self, path: str | pathlib.Path, block_size: int = 1600,
                 realtime: bool = False, start_stamp: float = 0.0) -> None:
        if block_size <= 0:
            raise ValueError(f"block_size must be positive, got {block_size}")
        if pathlib.Path(path).suffix.lower() == ".wav":
            self.samples, self.sample_rate = read_wav(path)
        else:
            from emo_perception.voice.offline import VoiceInputError, load_audio

            try:
                self.samples, self.sample_rate = load_audio(path)
            except VoiceInputError as exc:
                raise CaptureError(str(exc)) from None
        self.block_size = int(block_size)
        self.realtime = bool(realtime)
        self.start_stamp = float(start_stamp)

    def __iter__(self) -> Iterator[AudioChunk]:
        t_wall = time.monotonic()
        for begin in range(0, len(self.samples), self.block_size):
            block = self.samples[begin:begin + self.block_size]
            offset = begin / self.sample_rate
            if self.realtime:
                # Pace on the end of the block: a microphone delivers it only then.
                delay = t_wall + offset + len(block) / self.sample_rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            yield AudioChunk(block.copy(), self.sample_rate, self.start_stamp + offset)


class MicSource:
    """A PortAudio input stream through ``sounddevice`` (imported only here).

    Chunks are queued by the PortAudio callback and read with :meth:`read`; when the
    consumer is too slow the oldest chunk is dropped and counted in ``dropped``.
    """

    def __init__(self, device: str | int | None = None, sample_rate: int = 16000,
                 channels: int = 1, block_size: int = 1600, queue_size: int = 50) -> None:
        try:
            import sounddevice as sd
        except OSError as exc:  # sounddevice raises OSError when libportaudio is absent
            raise CaptureError(
                f"PortAudio library not found ({exc}); install it: apt-get install libportaudio2"
            ) from exc
        self._queue: queue.Queue[AudioChunk] = queue.Queue(maxsize=max(1, queue_size))
        self.dropped = 0
        self.overflows = 0
        self.sample_rate = int(sample_rate)
        dev = None if device in (None, "", -1) else device
        try:
            self._stream = sd.InputStream(
                device=dev, samplerate=sample_rate, channels=channels, blocksize=block_size,
                dtype="float32", callback=self._callback)
            self._stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            name = "default input device" if dev is None else f"input device {dev!r}"
            msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise CaptureError(f"PortAudio cannot open the {name}: {msg} "
                               f"({_count_inputs(sd)} input devices found)") from exc
        self._t0_wall = time.time()

    def _callback(self, indata: np.ndarray, frames: int, time_info: object,
                  status: object) -> None:
        if status:
            self.overflows += 1
        chunk = AudioChunk(to_mono_float32(indata.copy()), self.sample_rate, time.time()
                           - frames / self.sample_rate)
        try:
            self._queue.put_nowait(chunk)
        except queue.Full:
            try:
                self._queue.get_nowait()
                self.dropped += 1
            except queue.Empty:
                pass
            self._queue.put_nowait(chunk)

    def read(self, timeout: float = 1.0) -> AudioChunk | None:
        """The next chunk, or ``None`` after ``timeout`` seconds without one."""
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        self._stream.stop()
        self._stream.close()


def _count_inputs(sd: object) -> int:
    try:
        return sum(1 for d in sd.query_devices() if d["max_input_channels"] > 0)
    except sd.PortAudioError:
        return 0


class StreamResampler:
    """Chunked polyphase resampling equal (inside float error) to whole-signal resample_poly."""

    def __init__(self, rate_in: int, rate_out: int) -> None:
        if rate_in <= 0 or rate_out <= 0:
            raise ValueError(f"sample rates must be positive, got {rate_in} -> {rate_out}")
        g = math.gcd(int(rate_in), int(rate_out))
        self.up, self.down = int(rate_out) // g, int(rate_in) // g
        # resample_poly's default FIR spans 10*max(up, down) taps each side at the upsampled
        # rate; the margin is that support in input samples, rounded to whole output phases.
        half = int(math.ceil(10 * max(self.up, self.down) / self.up)) + 2
        self._margin = int(math.ceil(half / self.down)) * self.down
        self._buf = np.zeros(0, dtype=np.float32)
        self._buf_start = 0  # absolute input index of _buf[0]; always a multiple of down
        self._n_in = 0
        self._n_out = 0  # absolute output samples already emitted

    def _emit(self, last_out: int) -> np.ndarray:
        if last_out <= self._n_out or len(self._buf) == 0:
            return np.zeros(0, dtype=np.float32)
        y = resample_poly(self._buf, self.up, self.down).astype(np.float32)
        first = self._buf_start * self.up // self.down
        out = y[self._n_out - first:last_out - first]
        self._n_out += len(out)
        keep_from = (self._n_out * self.down) // self.up - self._margin
        keep_from = max(self._buf_start, (keep_from // self.down) * self.down)
        self._buf = self._buf[keep_from - self._buf_start:]
        self._buf_start = keep_from
        return out

    def process(self, x: np.ndarray) -> np.ndarray:
        """Feed input samples; return the output samples that are now final."""
        if self.up == self.down:
            return np.asarray(x, dtype=np.float32)
        self._buf = np.concatenate([self._buf, np.asarray(x, dtype=np.float32)])
        self._n_in += len(x)
        # Output m sits at input time m*down/up; it is final once the filter's right
        # support lies inside the data received.
        last_out = max(0, ((self._n_in - self._margin) * self.up) // self.down)
        return self._emit(last_out)

    def flush(self) -> np.ndarray:
        """The remaining output (the stream is treated as ended with zeros)."""
        if self.up == self.down:
            return np.zeros(0, dtype=np.float32)
        return self._emit(-(-self._n_in * self.up // self.down))
