"""Seeded, validated sampling: one RNG per seed, so image i of a batch with seed s equals the image of seed s + i."""

import math
import numbers
from collections.abc import Sequence

import numpy as np
import torch

NUM_DIGITS = 10
SEED_LIMIT = 2**63  # seeds are in [0, 2**63) so they fit a signed 64-bit integer everywhere
MAX_COUNT = 10_000  # per call; larger jobs loop over seeds (memory grows linearly with count)
CHUNK = 512  # images per forward pass, to bound peak memory
# Forward batches are padded to a multiple of PAD_TO: for small or odd batch sizes the CPU math libraries pick
# other kernels whose rounding can move a pixel by one grey level, so an image would depend on its batch.
PAD_TO = 16


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_seed(seed, count: int = 1) -> int:
    """Return seed as int if seed..seed+count-1 are all valid seeds, else raise ValueError."""
    if not _is_int(seed):
        raise ValueError(f"seed must be an integer in [0, 2**63), got {seed!r} ({type(seed).__name__})")
    seed = int(seed)
    if seed < 0 or seed + count > SEED_LIMIT:
        last = "" if count == 1 else f" (and seed + count - 1 = {seed + count - 1})"
        raise ValueError(f"seed must be an integer in [0, 2**63), got {seed}{last}")
    return seed


def check_count(count) -> int:
    """Return count as int if 1 <= count <= MAX_COUNT, else raise ValueError."""
    if not _is_int(count) or not 1 <= count <= MAX_COUNT:
        raise ValueError(f"count must be an integer from 1 to {MAX_COUNT}, got {count!r}")
    return int(count)


def check_digits(digit, count: int | None) -> list[int]:
    """Per-image digit list from an int or a sequence of ints in 0-9, else raise ValueError."""
    if _is_int(digit):
        digits = [digit]
        if count is not None:
            digits = digits * check_count(count)
    elif isinstance(digit, (Sequence, np.ndarray)) and not isinstance(digit, (str, bytes)):
        digits = list(np.asarray(digit).ravel()) if isinstance(digit, np.ndarray) else list(digit)
        if not digits:
            raise ValueError("digit sequence is empty; give at least one digit from 0 to 9")
        if count is not None and check_count(count) != len(digits):
            raise ValueError(f"count={count} does not match the {len(digits)} digits given")
        check_count(len(digits))
    else:
        raise ValueError(f"digit must be an integer 0-9 or a sequence of them, got {digit!r}")
    for d in digits:
        if not _is_int(d) or not 0 <= d < NUM_DIGITS:
            raise ValueError(f"digit must be an integer from 0 to 9, got {d!r}")
    return [int(d) for d in digits]


def check_psi(psi) -> float:
    """Return the truncation psi as float if it is a finite number in [0, 1], else raise ValueError."""
    if isinstance(psi, bool) or not isinstance(psi, numbers.Real) or not math.isfinite(psi) or not 0 <= psi <= 1:
        raise ValueError(f"psi (truncation) must be a number from 0 to 1, got {psi!r}")
    return float(psi)


def latents_for_seeds(seeds: Sequence[int], z_dim: int) -> torch.Tensor:
    """Standard-normal latents, one NumPy PCG64 stream per seed (bit-identical on every platform): (N, z_dim)."""
    z = np.stack([np.random.default_rng(s).standard_normal(z_dim, dtype=np.float32) for s in seeds])
    return torch.from_numpy(z)


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """Generator output in [-1, 1], (N, 1, H, W) -> uint8 (N, H, W), white digit on black."""
    return ((images[:, 0] + 1) * 127.5).round().clamp(0, 255).to(torch.uint8).cpu().numpy()


def truncate(z: torch.Tensor, psi: float) -> torch.Tensor:
    """Truncation trick: the latent prior is N(0, I), whose mean is 0, so pulling towards it scales z by psi."""
    return z if psi == 1.0 else z * psi


def render(generator, z: torch.Tensor, embeddings: torch.Tensor) -> np.ndarray:
    """uint8 images (N, 28, 28) from latents (N, z_dim) and class embeddings (N, embed_dim), in eval mode."""
    device = next(generator.parameters()).device
    was_training = generator.training
    generator.eval()
    try:
        with torch.inference_mode():
            return np.concatenate([_render_padded(generator, z[i : i + CHUNK].to(device),
                                                  embeddings[i : i + CHUNK].to(device))
                                   for i in range(0, len(z), CHUNK)])
    finally:
        generator.train(was_training)


def _render_padded(generator, z: torch.Tensor, embeddings: torch.Tensor) -> np.ndarray:
    """One forward pass, zero-padded to a multiple of PAD_TO rows (rows do not interact in eval mode)."""
    n, pad = len(z), -len(z) % PAD_TO
    if pad:
        z, embeddings = torch.cat([z, z.new_zeros(pad, z.shape[1])]), \
            torch.cat([embeddings, embeddings.new_zeros(pad, embeddings.shape[1])])
    return to_uint8(generator.synthesize(z, embeddings)[:n])


def class_embeddings(generator, digits: Sequence[int]) -> torch.Tensor:
    """The generator's class embeddings for these digits: (N, embed_dim)."""
    with torch.inference_mode():
        return generator.class_embed.weight.detach().cpu()[torch.tensor(list(digits), dtype=torch.long)]


def generate_images(generator, digit, seed: int = 0, count: int | None = None, psi: float = 1.0) -> np.ndarray:
    """Validated, seeded generation with `generator`; see DigitGenerator.generate."""
    digits = check_digits(digit, count)
    seed = check_seed(seed, len(digits))
    psi = check_psi(psi)
    z = truncate(latents_for_seeds(range(seed, seed + len(digits)), generator.config.z_dim), psi)
    return render(generator, z, class_embeddings(generator, digits))
