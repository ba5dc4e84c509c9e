"""Sample grids (one row per digit) and the across-epochs overview, saved as PNG with torchvision."""

import copy
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torchvision.utils import make_grid

from .atomic import atomic_path
from .ema import recalibrate_bn
from .sampling import NUM_DIGITS, generate_images

PAD = 2


def digit_grid(generator, seeds_per_row: int = 10, psi: float = 1.0) -> torch.Tensor:
    """Grid image (1, H, W) in [0, 1]: row d holds digit d for seeds 0..seeds_per_row-1, as G.generate draws them."""
    rows = [torch.from_numpy(generate_images(generator, d, seed=0, count=seeds_per_row, psi=psi))
            for d in range(NUM_DIGITS)]
    images = torch.cat(rows).unsqueeze(1).float() / 255  # (10*S, 1, 28, 28)
    return make_grid(images, nrow=seeds_per_row, padding=PAD)[:1]


def ema_grid(G_ema, seeds_per_row: int = 10) -> torch.Tensor:
    """digit_grid of the EMA generator as it would be saved now: BatchNorm recalibrated on a copy, because averaged
    weights no longer fit the statistics G collected, and the EMA itself goes on training."""
    snapshot = copy.deepcopy(G_ema)
    recalibrate_bn(snapshot)
    return digit_grid(snapshot, seeds_per_row)


def save_png(image: torch.Tensor, path: str | Path) -> None:
    """Save a (1, H, W) [0, 1] image as a greyscale PNG atomically."""
    pixels = image[0].mul(255).round().clamp(0, 255).to(torch.uint8).numpy()
    with atomic_path(path) as tmp:
        Image.fromarray(pixels).save(tmp, format="PNG")  # 2-D uint8: mode L


def epochs_overview(grid_paths: list[Path], max_columns: int = 12) -> torch.Tensor:
    """One column per epoch (evenly spaced, at most max_columns): the first sample of each digit from its grid."""
    if len(grid_paths) > max_columns:
        step = (len(grid_paths) - 1) / (max_columns - 1)
        grid_paths = [grid_paths[round(i * step)] for i in range(max_columns)]
    columns = []
    for path in grid_paths:
        with Image.open(path) as img:
            grid = torch.from_numpy(np.array(img.convert("L")))  # (H, W)
        columns.append(grid[None, :, : 28 + 2 * PAD].float() / 255)  # (1, H, 32): the seed-0 column
    return torch.cat(columns, dim=2)  # (1, H, 32 * epochs)
