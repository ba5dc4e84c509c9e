"""Helpers for train_cgan.py: devices, output checks, RNG state, EMA, BatchNorm recalibration, LR schedule."""

import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch


def log(message: str) -> None:
    """Print from rank 0 only (every process of a torchrun job runs this script)."""
    if int(os.environ.get("RANK", "0")) == 0:
        print(message, flush=True)


def check_writable(*folders: Path) -> None:
    """Create the output folders and write a probe file in each, so a bad path fails before training."""
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as e:
            sys.exit(f"error: cannot write to {folder}: {e.strerror or e}")


def numpy_state() -> list:
    """NumPy's global RNG state as plain lists and numbers (loadable with weights_only=True)."""
    name, keys, pos, has_gauss, cached = np.random.get_state()
    return [name, keys.tolist(), pos, has_gauss, cached]


def set_numpy_state(state: list) -> None:
    name, keys, pos, has_gauss, cached = state
    np.random.set_state((name, np.array(keys, dtype=np.uint32), pos, has_gauss, cached))


def pick_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def lr_factor(step: int, total: int) -> float:
    """Constant for the first half, then linear decay to zero: sharper strokes at the end."""
    half = total // 2
    return 1.0 if step < half else max(0.0, (total - step) / max(1, total - half))


@torch.no_grad()
def update_ema(ema, model, decay: float) -> None:
    for p_ema, p in zip(ema.parameters(), model.parameters(), strict=True):
        p_ema.lerp_(p, 1 - decay)
    for b_ema, b in zip(ema.buffers(), model.buffers(), strict=True):
        b_ema.copy_(b)


@torch.no_grad()
def recalibrate_bn(generator, batches: int = 20, batch_size: int = 256) -> None:
    """Re-estimate BatchNorm statistics for the (EMA) weights, from a fixed RNG so it is reproducible."""
    rng = torch.Generator().manual_seed(1234)
    for m in generator.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None  # cumulative average over the calibration batches
    generator.train()
    device = next(generator.parameters()).device
    for _ in range(batches):
        z = torch.randn(batch_size, generator.config.z_dim, generator=rng).to(device)
        labels = torch.randint(0, generator.config.num_classes, (batch_size,), generator=rng).to(device)
        generator(z, labels)
    for m in generator.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.momentum = 0.1
    generator.eval()
