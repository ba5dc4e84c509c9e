"""Image augmentations on batches in the model's range [-1, 1] (background -1), drawn from an explicit generator
so that a seeded run draws the same ones again: the judges' training and D's consistency penalty use them."""

import math

import torch
import torch.nn.functional as F


def random_shift(x: torch.Tensor, rng: torch.Generator, max_shift: int = 2) -> torch.Tensor:
    """Shift each image (B, C, H, W) by a whole number of pixels, up to max_shift in x and y (fill: background -1)."""
    b, _, h, w = x.shape
    padded = F.pad(x, (max_shift,) * 4, value=-1.0)  # (B, C, H + 2s, W + 2s)
    dx, dy = torch.randint(0, 2 * max_shift + 1, (2, b), generator=rng, device=rng.device).to(x.device)
    rows = (dy[:, None] + torch.arange(h, device=x.device))[:, None, :, None]  # (B, 1, H, 1)
    cols = (dx[:, None] + torch.arange(w, device=x.device))[:, None, None, :]  # (B, 1, 1, W)
    batch = torch.arange(b, device=x.device)[:, None, None, None]
    channel = torch.arange(x.shape[1], device=x.device)[None, :, None, None]
    return padded[batch, channel, rows, cols]  # (B, C, H, W)


def random_affine(x: torch.Tensor, rng: torch.Generator, max_degrees: float = 12.0,
                  scale: tuple[float, float] = (0.9, 1.1), max_shift: float = 2.0) -> torch.Tensor:
    """Rotate, scale and shift each image at random (bilinear, background -1 outside the frame)."""
    b = x.shape[0]
    u = torch.rand(4, b, generator=rng)
    angle = (2 * u[0] - 1) * math.radians(max_degrees)
    zoom = scale[0] + (scale[1] - scale[0]) * u[1]
    shift = (2 * u[2:] - 1) * max_shift * 2 / x.shape[-1]  # pixels -> [-1, 1] grid units
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom  # the grid maps output to input: inverse zoom
    theta = torch.stack([torch.stack([cos, -sin, shift[0]], 1), torch.stack([sin, cos, shift[1]], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)  # (B, 28, 28, 2)
    # grid_sample fills with 0 outside the frame, so sample x + 1 (background 0) and shift back
    return F.grid_sample(x + 1, grid, mode="bilinear", padding_mode="zeros", align_corners=False) - 1
