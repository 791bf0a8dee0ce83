"""PyTorch side of test/model.torchParity.test.ts: full-batch Adam steps of the thesis CNN from
given initial weights on given data, with everything the test compares written back as .npy.

Run with /usr/bin/python3 (Debian's python3-torch 1.13, python3-numpy):
    python3 scripts/reference/cnn_parity.py --dir DIR --steps N [--record 3] [--lr 0.001] [--global-max]
(--global-max: the network with global max pooling over time, thesis_cnn(global_max=True)).

Reads from DIR:  x.npy (float32 [batch][40][100], channels-first), y.npy (int64 [batch]),
                 init_0.npy .. init_7.npy (the 8 parameters in model.parameters() order, PyTorch's
                 layouts: conv [out][in][k], linear [out][in], biases [out]).
Writes to DIR:   logits.npy (float32 [batch][2], at the initial weights), and for k = 1..record
                 grad<k>_0..7.npy (step k's gradients of the mean cross-entropy) and step<k>_0..7.npy
                 (the parameters after Adam step k); final_0..7.npy (after the last step); prints
                 one JSON line: {"losses": [loss before each step], "torch": version, "initMaxAbs":
                 [largest |value| of each parameter of a fresh thesis_cnn() under torch.manual_seed(0)]}
                 (PyTorch's own initialisation, to compare its distribution with ours).
Each step is zero_grad, forward on the whole batch, CrossEntropyLoss (mean), backward, Adam
(torch.optim.Adam with PyTorch's defaults but lr), as the thesis trains.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from thesis_cnn import thesis_cnn  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--steps", type=int, required=True)
    ap.add_argument("--record", type=int, default=3, help="save the parameters after each of the first RECORD steps")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--global-max", action="store_true", help="second pool: AdaptiveMaxPool1d(1)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    fresh = list(thesis_cnn().parameters())
    init_max_abs = [float(p.detach().abs().max()) for p in fresh]
    d = args.dir
    x = torch.from_numpy(np.load(os.path.join(d, "x.npy")))
    y = torch.from_numpy(np.load(os.path.join(d, "y.npy")))
    model = thesis_cnn(x.shape[1], x.shape[2], global_max=args.global_max)
    params = list(model.parameters())
    with torch.no_grad():
        for i, p in enumerate(params):
            init = torch.from_numpy(np.load(os.path.join(d, f"init_{i}.npy")))
            if tuple(init.shape) != tuple(p.shape):
                raise SystemExit(f"init_{i}.npy has shape {tuple(init.shape)}, the model's parameter {tuple(p.shape)}")
            p.copy_(init)
    optimizer = torch.optim.Adam(params, lr=args.lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    losses = []
    for step in range(1, args.steps + 1):
        optimizer.zero_grad()
        logits = model(x)
        loss = loss_fn(logits, y)
        loss.backward()
        if step == 1:
            np.save(os.path.join(d, "logits.npy"), logits.detach().numpy())
        if step <= args.record:
            for i, p in enumerate(params):
                np.save(os.path.join(d, f"grad{step}_{i}.npy"), p.grad.numpy())
        optimizer.step()
        losses.append(float(loss))
        if step <= args.record:
            for i, p in enumerate(params):
                np.save(os.path.join(d, f"step{step}_{i}.npy"), p.detach().numpy())
    for i, p in enumerate(params):
        np.save(os.path.join(d, f"final_{i}.npy"), p.detach().numpy())
    print(json.dumps({"losses": losses, "torch": torch.__version__, "initMaxAbs": init_max_abs}))


if __name__ == "__main__":
    main()
