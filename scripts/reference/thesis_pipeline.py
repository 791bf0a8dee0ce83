#!/usr/bin/env python3
"""The thesis pipeline in Python (librosa + numpy + scikit-learn + PyTorch): the reference that
bench/pipeline.ts times against `soundcheck pipeline --preset thesis`.

Same five stages, folders and parameters as the TypeScript `thesis` preset (src/config/pipeline.ts):

  1. clean     broken recordings -> 3 s chunks, normal recordings whole; librosa.load at 22050 Hz,
               written as PCM16 WAV (soundfile)
  2. augment   the nine augmentations of every broken chunk, written as PCM16 WAV; then the MFCC
     + MFCC    (librosa.feature.mfcc, 40 coefficients, cut or zero-padded to 100 frames) of every
               normal, broken and augmented clip, read back from the files -> features.npy, labels.npy
  3. split     train_test_split(test_size=0.2, random_state=42) over the rows
  4. train     the thesis CNN (thesis_cnn.py); Adam(lr 1e-3), cross-entropy, full batch, 50 epochs,
               torch.manual_seed(42)
  5. evaluate  accuracy, classification report and confusion matrix (scikit-learn) on the test rows

Usage (needs librosa 0.10, soundfile, numpy, scikit-learn, torch):

    python3 scripts/reference/thesis_pipeline.py --data <folder with broken_audio/ and normal_audio/>

Everything generated goes under --data (as the TypeScript pipeline's folders; raw folders are only
read). Prints one line per stage, then as the last line one JSON object with the seconds per stage.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

SR = 22050
CHUNK_SECONDS = 3
N_MFCC, FRAMES = 40, 100
AUG = {"noise_std": 0.01, "compress_drive": 0.8, "stretch_rate": 1.25, "eq_hz": (300, 3000), "clip_level": 0.95,
       "scale_gain": 0.8, "pad_seconds": 0.7, "mask_hz": (1000, 3000)}
EPOCHS, LEARNING_RATE, SEED = 50, 1e-3, 42


def wav_names(folder):
    return sorted(f for f in os.listdir(folder) if f.lower().endswith(".wav") and not f.startswith("."))


def fresh(folder):
    os.makedirs(folder, exist_ok=True)
    for f in os.listdir(folder):
        os.remove(os.path.join(folder, f))
    return folder


def clean(data):
    import librosa
    import soundfile

    broken_out = fresh(os.path.join(data, "broken_audio_samples"))
    normal_out = fresh(os.path.join(data, "normal_audio_samples"))
    size = CHUNK_SECONDS * SR
    for name in wav_names(os.path.join(data, "broken_audio")):
        y, _ = librosa.load(os.path.join(data, "broken_audio", name), sr=SR)
        for i in range(len(y) // size):
            path = os.path.join(broken_out, f"{name[:-4]}_chunk_{i}.wav")
            soundfile.write(path, y[i * size:(i + 1) * size], SR, subtype="PCM_16")
    for name in wav_names(os.path.join(data, "normal_audio")):
        y, _ = librosa.load(os.path.join(data, "normal_audio", name), sr=SR)
        soundfile.write(os.path.join(normal_out, name), y, SR, subtype="PCM_16")


def zero_band(y, low, high, inside):
    spectrum = np.fft.rfft(y)
    f = np.fft.rfftfreq(len(y), 1 / SR)
    spectrum[((f >= low) & (f <= high)) if inside else ((f < low) | (f > high))] = 0
    return np.fft.irfft(spectrum, n=len(y))


def augmentations(y, rng):
    """The nine augmentations of the thesis, in its order, as (name, signal)."""
    import librosa

    pad = int(np.round(AUG["pad_seconds"] * SR))
    return [
        ("noise", y + AUG["noise_std"] * rng.standard_normal(len(y))),
        ("reverse", y[::-1]),
        ("compress", np.tanh(AUG["compress_drive"] * y)),
        ("stretch", librosa.effects.time_stretch(y, rate=AUG["stretch_rate"])),
        ("eq", zero_band(y, *AUG["eq_hz"], inside=False)),
        ("clip", np.clip(y, -AUG["clip_level"], AUG["clip_level"])),
        ("scale", y * AUG["scale_gain"]),
        ("pad", np.pad(y, (pad, pad))),
        ("freqmask", zero_band(y, *AUG["mask_hz"], inside=True)),
    ]


def mfcc_of(path):
    """MFCC [40][100] of a file: librosa.feature.mfcc, cut to 100 frames or zero-padded on the right."""
    import librosa

    y, _ = librosa.load(path, sr=SR)
    m = librosa.feature.mfcc(y=y, sr=SR, n_mfcc=N_MFCC)[:, :FRAMES]
    return np.pad(m, ((0, 0), (0, FRAMES - m.shape[1])))


def augment_and_extract(data):
    import soundfile

    aug_out = fresh(os.path.join(data, "augmented_broken_audio_samples"))
    normal_dir, broken_dir = os.path.join(data, "normal_audio_samples"), os.path.join(data, "broken_audio_samples")
    normal = [os.path.join(normal_dir, f) for f in wav_names(normal_dir)]
    broken = [os.path.join(broken_dir, f) for f in wav_names(broken_dir)]
    rng = np.random.default_rng(SEED)
    augmented = []
    for path in broken:
        y, _ = soundfile.read(path, dtype="float32")
        for name, z in augmentations(y, rng):
            out = os.path.join(aug_out, f"{name}_{os.path.basename(path)}")
            soundfile.write(out, z, SR, subtype="PCM_16")
            augmented.append(out)
    files = normal + broken + augmented
    x = np.stack([mfcc_of(f) for f in files]).astype(np.float32)
    labels = np.array([0] * len(normal) + [1] * (len(broken) + len(augmented)), dtype=np.int64)
    processed = os.path.join(data, "processed_data")
    os.makedirs(processed, exist_ok=True)
    np.save(os.path.join(processed, "features.npy"), x)
    np.save(os.path.join(processed, "labels.npy"), labels)
    return x, labels


def split(data, x, labels):
    from sklearn.model_selection import train_test_split

    parts = train_test_split(x, labels, test_size=0.2, random_state=SEED)
    for name, a in zip(["X_train", "X_test", "y_train", "y_test"], parts):
        np.save(os.path.join(data, "processed_data", f"{name}.npy"), a)
    return parts


def train(data, x_train, y_train, epochs):
    import torch

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from thesis_cnn import thesis_cnn  # the one PyTorch definition of the network (scripts/reference/)

    torch.manual_seed(SEED)
    model = thesis_cnn()
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    loss_fn = torch.nn.CrossEntropyLoss()
    x, y = torch.from_numpy(x_train), torch.from_numpy(y_train)
    losses = []
    for _ in range(epochs):  # full batch, as the thesis
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(float(loss))
    os.makedirs(os.path.join(data, "models"), exist_ok=True)
    torch.save(model.state_dict(), os.path.join(data, "models", "cnn_model.pt"))
    return model, losses


def evaluate(data, model, x_test, y_test):
    import torch
    from sklearn.metrics import accuracy_score, classification_report, confusion_matrix

    with torch.no_grad():
        predicted = model(torch.from_numpy(x_test)).argmax(dim=1).numpy()
    report = {
        "accuracy": float(accuracy_score(y_test, predicted)),
        "classification_report": classification_report(y_test, predicted, labels=[0, 1], output_dict=True,
                                                        target_names=["normal", "broken"], zero_division=0),
        "confusion_matrix": confusion_matrix(y_test, predicted, labels=[0, 1]).tolist(),
    }
    os.makedirs(os.path.join(data, "reports"), exist_ok=True)
    with open(os.path.join(data, "reports", "python_metrics.json"), "w") as f:
        json.dump(report, f, indent=1)
    return report


def main():
    parser = argparse.ArgumentParser(description="the thesis pipeline in Python, timed per stage")
    parser.add_argument("--data", required=True, help="folder with broken_audio/ and normal_audio/")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args()
    import librosa
    import sklearn
    import torch

    seconds = {}

    def timed(stage, fn, *a):
        t0 = time.perf_counter()
        out = fn(*a)
        seconds[stage] = time.perf_counter() - t0
        print(f"{stage:<12}{seconds[stage]:9.2f} s", file=sys.stderr)
        return out

    timed("clean", clean, args.data)
    x, labels = timed("preprocess", augment_and_extract, args.data)
    x_train, x_test, y_train, y_test = timed("split", split, args.data, x, labels)
    model, losses = timed("train", train, args.data, x_train, y_train, args.epochs)
    report = timed("evaluate", evaluate, args.data, model, x_test, y_test)
    seconds["total"] = sum(seconds.values())
    print(json.dumps({"bench": "pipeline-python", "rows": int(x.shape[0]), "epochs": args.epochs,
                      "seconds": {k: round(v, 3) for k, v in seconds.items()}, "final_loss": losses[-1],
                      "accuracy": report["accuracy"], "torch_threads": torch.get_num_threads(),
                      "versions": {"librosa": librosa.__version__, "numpy": np.__version__,
                                   "sklearn": sklearn.__version__, "torch": torch.__version__}}))


if __name__ == "__main__":
    main()
