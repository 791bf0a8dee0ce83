#!/usr/bin/env python3
"""librosa's side of bench/features.ts: librosa.feature.mfcc (40 coefficients, librosa 0.10 defaults:
n_fft 2048, hop 512, 128 Slaney mels, power_to_db top_db 80, ortho DCT-II) of each clip, cut or
zero-padded to 100 frames, as soundcheck's MfccExtractor.features() computes it.

    python3 scripts/reference/librosa_features_bench.py clips.npy --clips 500 --repeats 3

clips.npy: float32 [k][samples] at 22050 Hz (bench/features.ts writes the clips it times); clip i of
a pass is row i % k. Timing is process CPU time (all threads), best and median pass, after a warm-up
of 20 clips. Prints one JSON object.
"""
import argparse
import json
import time

import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("clips_npy")
    parser.add_argument("--clips", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    import librosa

    clips = np.load(args.clips_npy)

    def features(y):
        m = librosa.feature.mfcc(y=y, sr=22050, n_mfcc=40)[:, :100]
        return np.pad(m, ((0, 0), (0, 100 - m.shape[1])))

    for i in range(20):
        features(clips[i % len(clips)])
    per_clip = []
    for _ in range(args.repeats):
        c0 = time.process_time()
        for i in range(args.clips):
            features(clips[i % len(clips)])
        per_clip.append((time.process_time() - c0) * 1000 / args.clips)
    print(json.dumps({"librosa": librosa.__version__, "numpy": np.__version__, "clips": args.clips,
                      "msPerClipBest": min(per_clip), "msPerClipMedian": float(np.median(per_clip))}))


if __name__ == "__main__":
    main()
