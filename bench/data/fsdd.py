"""Free Spoken Digit Dataset: checksummed wav files and MFCC features."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from bench.data.checksums import verify_file
from bench.errors import DataError

# sha256 of the SHA256SUMS file itself (one line per wav, sorted), from shared/data/README.md.
FSDD_SUMS_SHA256 = "04e1baae96c6a26e39c623f2b01d0182ddae627ba0ac02a3cdc17ba2af99fd9b"
NATIVE_RATE_HZ = 8000


def read_fsdd_sums(fsdd_dir: Path) -> dict[str, str]:
    """Verified map ``recordings/<name>.wav`` -> sha256 from ``SHA256SUMS``."""
    sums_path = fsdd_dir / "SHA256SUMS"
    verify_file(sums_path, FSDD_SUMS_SHA256)
    sums = {}
    for line in sums_path.read_text().splitlines():
        sha, name = line.split(maxsplit=1)
        sums[name] = sha
    return sums


def recording_name(digit: int, speaker: str, take: int) -> str:
    """Relative path of one recording inside the FSDD folder."""
    return f"recordings/{digit}_{speaker}_{take}.wav"


def verify_recording(fsdd_dir: Path, name: str, sums: dict[str, str]) -> str:
    """Verify one recording against ``SHA256SUMS``; return its sha256."""
    if name not in sums:
        raise DataError(f"{fsdd_dir / 'SHA256SUMS'} lists no {name}")
    return verify_file(fsdd_dir / name, sums[name])


def read_recording(path: Path) -> np.ndarray:
    """The samples of one wav at its native rate, float32 in [-1, 1]."""
    import soundfile

    samples, native = soundfile.read(path, dtype="float32")
    if native != NATIVE_RATE_HZ or samples.ndim != 1:
        raise DataError(f"{path}: expected mono {NATIVE_RATE_HZ} Hz audio, got {native} Hz, shape {samples.shape}")
    return samples


def mfcc_image(path: Path, decimation: int, n_mfcc: int, n_frames: int, rate_hz: int) -> np.ndarray:
    """MFCC of one wav as an ``(n_mfcc, n_frames)`` float32 array (:func:`mfcc_of` its samples)."""
    return mfcc_of(read_recording(path), decimation, n_mfcc, n_frames, rate_hz)


def mfcc_of(
    samples: np.ndarray, decimation: int, n_mfcc: int, n_frames: int, rate_hz: int, n_fft: int | None = None,
    hop_length: int | None = None,
) -> np.ndarray:
    """MFCC of native-rate samples as an ``(n_mfcc, n_frames)`` float32 array.

    Every ``decimation``-th sample is kept, librosa's MFCC taken with ``sr=rate_hz`` (and
    ``n_fft`` / ``hop_length`` when given; other settings librosa's defaults), then frames
    are right-padded with zeros or cut to ``n_frames``.
    """
    frames = {k: v for k, v in {"n_fft": n_fft, "hop_length": hop_length}.items() if v is not None}
    import librosa

    with warnings.catch_warnings():
        # Short clips are zero-padded to librosa's default n_fft, as the protocol intends.
        warnings.filterwarnings("ignore", message="n_fft=.* is too large", category=UserWarning)
        mfcc = librosa.feature.mfcc(y=samples[::decimation], sr=rate_hz, n_mfcc=n_mfcc, **frames)
    out = np.zeros((n_mfcc, n_frames), dtype=np.float32)
    width = min(n_frames, mfcc.shape[1])
    out[:, :width] = mfcc[:, :width]
    return out

