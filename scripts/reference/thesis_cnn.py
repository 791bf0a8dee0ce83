"""The thesis's 1D CNN in PyTorch: the one definition shared by the Python reference scripts
(bench/train_torch.py, scripts/reference/cnn_parity.py) and the weight layout they exchange with
soundcheck-ts (src/model/torchLayout.ts).

Input `[batch][40 MFCC][100 frames]` (channels-first, the layout of features.npy / X_train.npy):
Conv1d(40->16, k=3, pad=1) -> ReLU -> MaxPool1d(2) -> Conv1d(16->32, k=3, pad=1) -> ReLU ->
MaxPool1d(2) -> Flatten (32*25 = 800, index c*25 + t) -> Linear(800->64) -> ReLU -> Linear(64->2),
logits. Its 8 parameters, in `model.parameters()` order, are the 8 trainable weights of
src/model/cnn.ts in the same order (conv1 weight, bias, conv2 weight, bias, dense weight, bias,
logits weight, bias); torchLayout.ts converts between the two layouts.
"""
from torch import nn

N_MFCC = 40
FRAMES = 100


def thesis_cnn(n_mfcc: int = N_MFCC, frames: int = FRAMES, global_max: bool = False) -> nn.Sequential:
    """A fresh thesis CNN (PyTorch's default initialisation from the current torch seed).

    global_max: the second pool takes the maximum over all time steps left (AdaptiveMaxPool1d(1),
    soundcheck-ts's timePooling "global-max"), so Flatten gives 32 values and Linear is 32->64.
    """
    return nn.Sequential(
        nn.Conv1d(n_mfcc, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool1d(2),
        nn.Conv1d(16, 32, kernel_size=3, padding=1), nn.ReLU(),
        nn.AdaptiveMaxPool1d(1) if global_max else nn.MaxPool1d(2),
        nn.Flatten(), nn.Linear(32 if global_max else 32 * (frames // 4), 64), nn.ReLU(), nn.Linear(64, 2),
    )
