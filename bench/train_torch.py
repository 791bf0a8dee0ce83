"""PyTorch reference timing for bench/train.ts: the thesis's CNN on synthetic [n][40][100] clips.

Two modes (run with /usr/bin/python3):
  default   time `--repeats` epochs (after one warm-up epoch) per batch setting and print one JSON
            object: seconds per epoch, best and median, wall clock and process CPU time.
  --serve   read batch settings ("32", "full") from stdin, one per line; for each, train one epoch
            (the model and optimizer of that setting persist between requests, the first request
            of a setting also runs a warm-up epoch) and print one JSON line {"wall": s, "cpu": s}.
            bench/train.ts uses this to interleave PyTorch epochs with its own, so both see the
            same load on a shared machine. Prints {"ready": ...} once the data is built.
"""
import argparse
import json
import os
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts", "reference"))
from thesis_cnn import thesis_cnn  # noqa: E402  (the one PyTorch definition of the thesis CNN)


class Trainer:
    """One model + Adam(1e-3) + cross-entropy, trained an epoch at a time (shuffled mini-batches)."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, batch: int, seed: int = 0) -> None:
        torch.manual_seed(seed)
        self.x, self.y, self.batch = x, y, batch
        self.model = thesis_cnn()
        self.opt = torch.optim.Adam(self.model.parameters(), lr=1e-3)
        self.loss_fn = nn.CrossEntropyLoss()

    def epoch(self) -> tuple:
        """Train one epoch; returns (wall seconds, process CPU seconds)."""
        t0 = time.perf_counter()
        c0 = time.process_time()
        n = self.x.shape[0]
        full = self.batch >= n
        order = torch.arange(n) if full else torch.randperm(n)
        for start in range(0, n, self.batch):
            idx = order[start:start + self.batch]
            self.opt.zero_grad()
            loss = self.loss_fn(self.model(self.x if full else self.x[idx]), self.y if full else self.y[idx])
            loss.backward()
            self.opt.step()
            loss.item()
        return time.perf_counter() - t0, time.process_time() - c0


def batch_size(setting: str, clips: int) -> int:
    return clips if setting == "full" else int(setting)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clips", type=int, default=2000)
    ap.add_argument("--batches", default="32,full")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads; 0 = torch's default")
    ap.add_argument("--serve", action="store_true")
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(args.clips, 40, 100, generator=g)
    y = torch.randint(0, 2, (args.clips,), generator=g)
    info = {"torch": torch.__version__, "threads": torch.get_num_threads(), "clips": args.clips}

    if args.serve:
        print(json.dumps({"ready": info}), flush=True)
        trainers = {}
        for line in sys.stdin:
            setting = line.strip()
            if not setting:
                continue
            if setting not in trainers:
                trainers[setting] = Trainer(x, y, batch_size(setting, args.clips))
                trainers[setting].epoch()  # warm-up
            wall, cpu = trainers[setting].epoch()
            print(json.dumps({"wall": wall, "cpu": cpu}), flush=True)
        return

    out = dict(info, results={})
    for setting in args.batches.split(","):
        trainer = Trainer(x, y, batch_size(setting, args.clips))
        trainer.epoch()  # warm-up
        runs = [trainer.epoch() for _ in range(args.repeats)]
        wall = sorted(r[0] for r in runs)
        cpu = sorted(r[1] for r in runs)
        out["results"][setting] = {"best": wall[0], "median": wall[len(wall) // 2], "all": [r[0] for r in runs],
                                   "cpuBest": cpu[0], "cpuMedian": cpu[len(cpu) // 2]}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
