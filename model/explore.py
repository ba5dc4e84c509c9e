"""Latent-space tools: one handwriting across all digits, morphs between (digit, seed) pairs, latent sliders.

Every function validates its inputs like DigitGenerator.generate and returns uint8 images (N, 28, 28).
"""

import math

import numpy as np
import torch

from .sampling import (
    NUM_DIGITS,
    check_digits,
    check_psi,
    check_seed,
    class_embeddings,
    latents_for_seeds,
    render,
    truncate,
)

MAX_FRAMES = 64
MAX_STYLE_SEEDS = 16
NUM_DIRECTIONS = 4
DIRECTIONS_SEED = 20241121  # fixed, so a slider position means the same thing on every machine
MAX_OFFSET = 3.0


def style_grid(generator, seeds, psi: float = 1.0) -> np.ndarray:
    """Digits 0-9 from each seed's latent (style fixed, class varied): (len(seeds) * 10, 28, 28), row-major."""
    seeds = list(seeds)
    if not 1 <= len(seeds) <= MAX_STYLE_SEEDS:
        raise ValueError(f"give 1 to {MAX_STYLE_SEEDS} seeds, got {len(seeds)}")
    seeds = [check_seed(s) for s in seeds]
    psi = check_psi(psi)
    z = truncate(latents_for_seeds(seeds, generator.config.z_dim), psi).repeat_interleave(NUM_DIGITS, dim=0)
    e = class_embeddings(generator, list(range(NUM_DIGITS)) * len(seeds))
    return render(generator, z, e)


def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Spherical interpolation between vectors a and b (D,) at fractions t (N,): (N, D); exact at t = 0 and 1."""
    cos = torch.dot(a, b) / (a.norm() * b.norm())
    omega = torch.arccos(cos.clamp(-1.0, 1.0))
    if omega.abs() < 1e-4:  # (nearly) parallel: linear interpolation is the limit
        return torch.lerp(a, b, t[:, None])
    t = t[:, None]
    return (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / torch.sin(omega)


def morph(generator, start: tuple[int, int], end: tuple[int, int], frames: int = 16, psi: float = 1.0) -> np.ndarray:
    """Frames from (digit, seed) `start` to `end`: slerp of the latents, lerp of the class embeddings."""
    if isinstance(frames, bool) or not isinstance(frames, int) or not 2 <= frames <= MAX_FRAMES:
        raise ValueError(f"frames must be an integer from 2 to {MAX_FRAMES}, got {frames!r}")
    (digit_a, seed_a), (digit_b, seed_b) = start, end
    digits = check_digits([digit_a, digit_b], None)
    seeds = [check_seed(seed_a), check_seed(seed_b)]
    psi = check_psi(psi)
    z_a, z_b = truncate(latents_for_seeds(seeds, generator.config.z_dim), psi)
    e_a, e_b = class_embeddings(generator, digits)
    # t computed as i / (frames - 1) makes the first and last fractions exactly 0.0 and 1.0
    t = torch.tensor([i / (frames - 1) for i in range(frames)], dtype=torch.float32)
    z = slerp(z_a, z_b, t)
    z[0], z[-1] = z_a, z_b  # bit-exact endpoints, whatever the rounding inside slerp
    return render(generator, z, torch.lerp(e_a, e_b, t[:, None]))


def directions(z_dim: int) -> torch.Tensor:
    """NUM_DIRECTIONS fixed orthonormal directions in latent space: (NUM_DIRECTIONS, z_dim)."""
    q, _ = np.linalg.qr(np.random.default_rng(DIRECTIONS_SEED).standard_normal((z_dim, NUM_DIRECTIONS)))
    return torch.from_numpy(q.T.astype(np.float32))


def explore(generator, digit: int, seed: int, offsets, psi: float = 1.0) -> np.ndarray:
    """One image (1, 28, 28): the seed's latent moved by offsets[k] along fixed direction k."""
    offsets = list(offsets)
    if len(offsets) != NUM_DIRECTIONS or not all(
            isinstance(o, (int, float)) and not isinstance(o, bool) and math.isfinite(o) and abs(o) <= MAX_OFFSET
            for o in offsets):
        raise ValueError(f"offsets must be {NUM_DIRECTIONS} numbers from -{MAX_OFFSET} to {MAX_OFFSET}, "
                         f"got {offsets!r}")
    digits = check_digits(digit, 1)
    psi = check_psi(psi)
    z = latents_for_seeds([check_seed(seed)], generator.config.z_dim)
    z = truncate(z + torch.tensor(offsets, dtype=torch.float32) @ directions(generator.config.z_dim), psi)
    return render(generator, z, class_embeddings(generator, digits))
