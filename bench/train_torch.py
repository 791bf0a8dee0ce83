"""PyTorch reference timing for bench/train.ts: the thesis's CNN on synthetic [n][40][100] clips.

Prints one JSON object: seconds per epoch (best and median over `--repeats` timed epochs, wall
clock and process CPU time) at each requested batch size, plus torch's version and thread count.
Run with /usr/bin/python3.
"""
import argparse
import json
import time

import torch
from torch import nn


class ThesisCnn(nn.Module):
    """Conv1d 40->16 k3 p1, ReLU, MaxPool 2, Conv1d 16->32 k3 p1, ReLU, MaxPool 2, 800->64 ReLU, 64->2."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(40, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool1d(2),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(32 * 25, 64), nn.ReLU(), nn.Linear(64, 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def epoch_seconds(x: torch.Tensor, y: torch.Tensor, batch: int, epochs: int, seed: int) -> list:
    torch.manual_seed(seed)
    model = ThesisCnn()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    n = x.shape[0]
    times = []
    cpu_times = []
    for _ in range(epochs + 1):  # the first epoch is warm-up
        t0 = time.perf_counter()
        c0 = time.process_time()
        order = torch.randperm(n) if batch < n else torch.arange(n)
        for start in range(0, n, batch):
            idx = order[start:start + batch]
            opt.zero_grad()
            loss = loss_fn(model(x[idx] if batch < n else x), y[idx] if batch < n else y)
            loss.backward()
            opt.step()
            loss.item()
        times.append(time.perf_counter() - t0)
        cpu_times.append(time.process_time() - c0)
    return times[1:], cpu_times[1:]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clips", type=int, default=2000)
    ap.add_argument("--batches", default="32,full")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads; 0 = torch's default")
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(args.clips, 40, 100, generator=g)
    y = torch.randint(0, 2, (args.clips,), generator=g)
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "clips": args.clips, "results": {}}
    for b in args.batches.split(","):
        batch = args.clips if b == "full" else int(b)
        wall, cpu = epoch_seconds(x, y, batch, args.repeats, 0)
        t = sorted(wall)
        c = sorted(cpu)
        out["results"][b] = {"best": t[0], "median": t[len(t) // 2], "all": wall,
                             "cpuBest": c[0], "cpuMedian": c[len(c) // 2]}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
