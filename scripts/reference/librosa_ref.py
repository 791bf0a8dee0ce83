#!/usr/bin/env python3
"""Regenerate test/fixtures/librosa: the librosa outputs the TypeScript port is tested against.

Needs (the reference stack of test/fixtures/librosa/README.md): librosa 0.10.2.post1 (same code
as 0.10.2), numpy 1.24.2, scipy 1.10.1, soundfile 0.12.1 / libsndfile 1.2.0, soxr 0.3.7 (librosa's
default resampler, soxr_hq), Python 3.11.2, numpy.fft as librosa's FFT backend (the default).
index.json records these versions, so it is byte-identical only with exactly this stack; the
arrays need the same librosa code, numpy/scipy FFTs and libsoxr.

    python3 scripts/reference/librosa_ref.py --out /tmp/librosa-ref
    diff -r /tmp/librosa-ref test/fixtures/librosa   # expect only README.md (not generated)

--signals-only writes just the four WAV files and needs only numpy. Every output file is written
by this script; index.json's parameters (`PARAMS`) are the ones passed to librosa below.
"""
import argparse
import hashlib
import json
import os
import struct
import sys

import numpy as np

SR = 22050
PARAMS = {
    "sr": SR, "n_fft": 2048, "hop_length": 512, "win_length": 2048,
    "window": "hann (periodic, scipy.signal.get_window fftbins=True)", "center": True,
    "pad_mode": "constant (zeros)", "n_mels": 128, "fmin": 0.0, "fmax": SR / 2, "htk": False,
    "mel_norm": "slaney", "power": 2.0, "power_to_db": {"ref": 1.0, "amin": 1e-10, "top_db": 80.0},
    "n_mfcc": 40, "dct_type": 2, "dct_norm": "ortho", "lifter": 0,
    "load": {"mono": True, "dtype": "float32", "res_type": "soxr_hq"}, "time_stretch_rate": 1.25,
}
STRETCH = PARAMS["time_stretch_rate"]


# ---- the four test signals (numpy only) -------------------------------------------------------

def pcm16(x):
    """round(clip(x, -1, 1) * 32767) as little-endian int16 (numpy rounds half to even)."""
    return np.round(np.clip(x, -1.0, 1.0) * 32767).astype("<i2")


def wav_bytes(samples, rate, channels, float32=False):
    """A WAV file: canonical 44-byte PCM16 header, or for float32 an 18-byte fmt chunk + fact."""
    data = samples.tobytes()
    frames = len(data) // (channels * (4 if float32 else 2))
    if float32:
        fmt = struct.pack("<HHIIHHH", 3, channels, rate, rate * 4 * channels, 4 * channels, 32, 0)
        extra = b"fact" + struct.pack("<II", 4, frames)
    else:
        fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * 2 * channels, 2 * channels, 16)
        extra = b""
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + extra + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def signal_a():
    t = np.arange(66150) / 22050
    x = 0.4 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 1234 * t)
    x[2500::5000] += 0.3
    return wav_bytes(pcm16(x), 22050, 1)


def signal_b():
    x = np.clip(np.random.default_rng(0).standard_normal(66150) * 0.1, -0.99, 0.99)
    return wav_bytes(x.astype("<f4"), 22050, 1, float32=True)


def signal_c():
    t = np.arange(88200) / 44100
    duration, f0, f1 = 2.0, 50.0, 18000.0
    k = np.log(f1 / f0)
    sweep = np.sin(2 * np.pi * f0 * duration / k * (np.exp(t * k / duration) - 1))
    left = pcm16(0.5 * sweep)
    right = pcm16(0.25 * sweep + 0.2 * np.sin(2 * np.pi * 660 * t))
    return wav_bytes(np.stack([left, right], axis=1), 44100, 2)


def signal_d():
    n = np.arange(24000)
    t = n / 16000
    fade = np.where(n < 1600, 0.5 - 0.5 * np.cos(np.pi * n / 1600), 1.0)  # 0.1 s raised cosine
    x = (0.3 * np.sin(2 * np.pi * 300 * t) + 0.15 * np.sin(2 * np.pi * 2500 * t)) * fade
    x = x + 0.01 * np.random.default_rng(1).standard_normal(24000)
    x[-4800:] = 0.0  # the last 0.3 s: exact digital silence
    return wav_bytes(pcm16(x), 16000, 1)


# id, generator, description, wav format, native rate, channels, frames (as index.json has them)
SIGNALS = [
    ("a_tones_clicks", signal_a, "3.0 s @ 22050: 440 Hz (0.4) + 1234 Hz (0.2) + one-sample clicks (+0.3) every "
     "5000 samples starting at 2500. PCM16 mono.", "22050 Hz mono PCM16, 3.0 s", 22050, 1, 66150),
    ("b_noise", signal_b, "3.0 s @ 22050 of Gaussian white noise, sigma 0.1, numpy default_rng(0).standard_normal, "
     "clipped to +-0.99. float32 mono.", "22050 Hz mono IEEE float32, 3.0 s", 22050, 1, 66150),
    ("c_sweep_stereo", signal_c, "2.0 s @ 44100 stereo PCM16. Left: 0.5 * exponential (log) sine sweep 50 Hz -> "
     "18 kHz. Right: 0.25 * the same sweep + 0.2 * 660 Hz tone. Above 11.025 kHz the sweep tests the resampler's "
     "anti-alias filter.", "44100 Hz stereo PCM16, 2.0 s", 44100, 2, 88200),
    ("d_short_16k", signal_d, "1.5 s @ 16000 PCM16 mono: 300 Hz (0.3) + 2500 Hz (0.15) under a raised-cosine "
     "fade-in of 0.1 s, + noise (default_rng(1), sigma 0.01), then the last 0.3 s exact digital silence "
     "(exercises top_db clipping). Resampled up to 22050 it has 33075 samples = 65 frames (< 100).",
     "16000 Hz mono PCM16, 1.5 s", 16000, 1, 24000),
]


# ---- index.json helpers (numpy only) ----------------------------------------------------------

def stats(a):
    """min/max/mean/std/sum/l2 of an array, in float64."""
    d = np.asarray(a).astype(np.float64)
    return {"min": float(d.min()), "max": float(d.max()), "mean": float(d.mean()), "std": float(d.std()),
            "sum": float(d.sum()), "l2": float(np.sqrt((d * d).sum()))}


def save(out, name, array, **extra):
    """Write `array` as float32 .npy and return its index entry (file, shape, stats, extra)."""
    array = np.ascontiguousarray(array, dtype="<f4")
    np.save(os.path.join(out, name), array)
    return {"file": name, "shape": list(array.shape), **stats(array), **extra}


def difference(ours, ref):
    """Largest |ours - ref| (float64) and that over the largest |ref|."""
    ours, ref = np.asarray(ours, np.float64), np.asarray(ref, np.float64)
    max_abs = float(np.abs(ours - ref).max())
    return {"max_abs": max_abs, "max_abs_over_max_ref": max_abs / float(np.abs(ref).max())}


# ---- librosa ------------------------------------------------------------------------------------

def reference(out):
    import librosa
    import scipy.fftpack

    p = PARAMS
    stft_args = dict(n_fft=p["n_fft"], hop_length=p["hop_length"], win_length=p["win_length"], window="hann",
                     center=p["center"], pad_mode="constant")
    mel_args = dict(sr=SR, n_mels=p["n_mels"], fmin=p["fmin"], fmax=p["fmax"], htk=p["htk"], norm=p["mel_norm"])
    db_args = dict(ref=p["power_to_db"]["ref"], amin=p["power_to_db"]["amin"])

    def melspectrogram(y):
        return librosa.feature.melspectrogram(y=y, power=p["power"], **stft_args, **mel_args)

    def mfcc(mel, top_db=p["power_to_db"]["top_db"]):
        # what librosa.feature.mfcc(y=y, sr=22050, n_mfcc=40) computes, with the mel spectrogram kept
        s_db = librosa.power_to_db(mel, **db_args, top_db=top_db)
        return librosa.feature.mfcc(S=s_db, n_mfcc=p["n_mfcc"], dct_type=p["dct_type"], norm=p["dct_norm"],
                                    lifter=p["lifter"])

    signals = []
    for sid, _, description, fmt, rate, channels, frames in SIGNALS:
        path = os.path.join(out, f"{sid}.wav")
        with open(path, "rb") as f:
            sha = hashlib.sha256(f.read()).hexdigest()
        native, _ = librosa.load(path, sr=None, mono=True)
        y, _ = librosa.load(path, sr=SR, mono=True, res_type=p["load"]["res_type"])
        e = {"id": sid, "description": description,
             "wav": {"file": f"{sid}.wav", "format": fmt, "sr": rate, "channels": channels, "frames": frames,
                     "sha256": sha},
             "y_native_mono": {"shape": list(native.shape), "first16": [float(v) for v in native[:16]],
                               **stats(native)},
             "y": save(out, f"{sid}.y.npy", y, resampled=rate != SR)}
        mel = melspectrogram(y)
        m = mfcc(mel)
        if rate != SR:
            for res_type in ("fft", "polyphase"):
                other, _ = librosa.load(path, sr=SR, mono=True, res_type=res_type)
                e[f"y_{res_type}"] = save(out, f"{sid}.y_{res_type}.npy", other, vs_soxr_hq=difference(other, y),
                                          mfcc_vs_soxr_hq=difference(mfcc(melspectrogram(other)), m))
        s = np.abs(librosa.stft(y, **stft_args))
        e["stft_mag"] = {"shape": list(s.shape), "dtype_librosa": "complex64", **stats(s),
                         "frame_sums": [float(s[:, t].astype(np.float64).sum()) for t in range(s.shape[1])]}
        n = s.shape[1]
        e["stft_mag_head"] = save(out, f"{sid}.stft_mag.head20.npy", s[:, :20], frames=[0, 20])
        e["stft_mag_tail"] = save(out, f"{sid}.stft_mag.tail4.npy", s[:, n - 4:], frames=[n - 4, n])
        e["mel"] = save(out, f"{sid}.mel.npy", mel)
        db = librosa.power_to_db(mel, **db_args, top_db=p["power_to_db"]["top_db"])
        floor = db.max() - p["power_to_db"]["top_db"]
        e["mel_db"] = save(out, f"{sid}.mel_db.npy", db, clipped_at=float(db.max()) - p["power_to_db"]["top_db"],
                           n_clipped=int((db <= floor).sum()))
        dct64 = scipy.fftpack.dct(db.astype(np.float64), axis=-2, type=2, norm="ortho")[: p["n_mfcc"]]
        no_floor = mfcc(mel, top_db=None)
        e["mfcc40"] = save(out, f"{sid}.mfcc40.npy", m, librosa_float32_dct_vs_float64_dct=difference(m, dct64),
                           vs_top_db_None=difference(no_floor, m))
        if sid == "a_tones_clicks":
            stretched = librosa.effects.time_stretch(y, rate=STRETCH)
            e["time_stretch_1.25"] = save(out, f"{sid}.time_stretch_1.25.npy", stretched,
                                          expected_len=int(round(len(y) / STRETCH)))
        signals.append(e)
    basis = librosa.filters.mel(n_fft=p["n_fft"], **mel_args)
    return signals, save(out, "mel_basis_sr22050_nfft2048_nmels128.npy", basis)


def versions():
    import librosa
    import scipy
    import soundfile
    import soxr

    # librosa does not expose its commit: this is the one of its git tag 0.10.2.post1
    return {"librosa": librosa.__version__, "librosa_commit": "c295e2ada7c307bc55765b1fc72ef5c1cb7cbbac",
            "numpy": np.__version__, "scipy": scipy.__version__, "soundfile": soundfile.__version__,
            "libsndfile": soundfile.__libsndfile_version__, "soxr": soxr.__version__,
            "libsoxr": soxr.__libsoxr_version__, "python": sys.version.split()[0],
            "fft_backend": "numpy.fft"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures",
                                                      "librosa"))
    parser.add_argument("--signals-only", action="store_true", help="write only the WAV files (numpy only)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for sid, make, *_ in SIGNALS:
        with open(os.path.join(args.out, f"{sid}.wav"), "wb") as f:
            f.write(make())
    if args.signals_only:
        return
    signals, basis = reference(args.out)
    index = {"generator": "scripts/reference/librosa_ref.py", "versions": versions(), "params": PARAMS,
             "npy_format": "NumPy .npy v1.0, dtype '<f4', C order, shapes as librosa returns them",
             "signals": signals, "mel_basis": basis}
    with open(os.path.join(args.out, "index.json"), "w") as f:
        f.write(json.dumps(index, indent=1) + "\n")


if __name__ == "__main__":
    main()
