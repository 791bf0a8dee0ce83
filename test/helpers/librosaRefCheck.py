"""test/librosaReference.test.ts's check of scripts/reference/librosa_ref.py against the committed
test/fixtures/librosa, with numpy only (librosa itself is not installable on the build machines).

Rebuilds from the committed arrays, with the generator's own helpers, every index.json entry that
does not need librosa (statistics, .npy bytes, signal metadata and parameters, decoded native
signals, resampler differences, frame sums, top_db floor counts, the JSON layout) and prints one JSON
line: the list of mismatches (empty when all agree).

    python3 test/helpers/librosaRefCheck.py <repository root>
"""
import hashlib
import importlib.util
import json
import os
import sys
import tempfile

import numpy as np

root = sys.argv[1]
fixtures = os.path.join(root, "test", "fixtures", "librosa")
generator = os.path.join(root, "scripts", "reference", "librosa_ref.py")
spec = importlib.util.spec_from_file_location("librosa_ref", generator)
ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ref)
with open(os.path.join(fixtures, "index.json")) as f:
    text = f.read()
index = json.loads(text)
mismatches = []


def same(label, ours, theirs):
    if ours != theirs:
        mismatches.append(f"{label}: generator {str(ours)[:200]} != index.json {str(theirs)[:200]}")


def load(name):
    return np.load(os.path.join(fixtures, name))


same("generator", "scripts/reference/librosa_ref.py", index["generator"])
same("params", ref.PARAMS, index["params"])
same("layout", json.dumps(index, indent=1) + "\n", text)
out = tempfile.mkdtemp()
for entry, (sid, make, description, fmt, rate, channels, frames) in zip(index["signals"], ref.SIGNALS):
    wav = make()
    same(f"{sid} id", sid, entry["id"])
    same(f"{sid} description", description, entry["description"])
    same(f"{sid} wav", {"file": f"{sid}.wav", "format": fmt, "sr": rate, "channels": channels, "frames": frames,
                        "sha256": hashlib.sha256(wav).hexdigest()}, entry["wav"])
    if fmt.endswith("float32, 3.0 s"):
        native = np.frombuffer(wav[58:], "<f4")
    else:  # PCM16 as libsndfile reads it, mono = float32 mean of the channels
        pcm = np.frombuffer(wav[44:], "<i2").reshape(-1, channels).astype(np.float32) / 32768
        native = pcm.mean(axis=1) if channels > 1 else pcm[:, 0]
    same(f"{sid} y_native_mono", {"shape": list(native.shape), "first16": [float(v) for v in native[:16]],
                                  **ref.stats(native)}, entry["y_native_mono"])
    for key, value in entry.items():
        if isinstance(value, dict) and value.get("file", "").endswith(".npy"):
            rebuilt = ref.save(out, value["file"], load(value["file"]))
            same(f"{sid} {key}", rebuilt, {k: value[k] for k in rebuilt})
            with open(os.path.join(out, value["file"]), "rb") as a:
                with open(os.path.join(fixtures, value["file"]), "rb") as b:
                    same(f"{value['file']} bytes", a.read() == b.read(), True)
    y = load(entry["y"]["file"])
    for key in ("y_fft", "y_polyphase"):
        if key in entry:
            same(f"{sid} {key} vs soxr", ref.difference(load(entry[key]["file"]), y), entry[key]["vs_soxr_hq"])
    db = load(entry["mel_db"]["file"])
    same(f"{sid} clipping", [float(db.max()) - 80.0, int((db <= db.max() - 80.0).sum())],
         [entry["mel_db"]["clipped_at"], entry["mel_db"]["n_clipped"]])
    sums = entry["stft_mag"]["frame_sums"]
    for key, part in (("stft_mag_head", slice(0, 20)), ("stft_mag_tail", slice(len(sums) - 4, len(sums)))):
        s = load(entry[key]["file"])
        ours = [float(s[:, t].astype(np.float64).sum()) for t in range(s.shape[1])]
        same(f"{sid} {key} frame sums", ours, sums[part])
        same(f"{sid} {key} frames", [part.start, part.stop], entry[key]["frames"])
print(json.dumps(mismatches))
