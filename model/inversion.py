"""GAN inversion: find the latent (the handwriting) with which the generator redraws a given 28x28 digit.

The class stays fixed to the chosen digit; only the latent moves. The loss compares pixels and the project's MNIST
classifier's features, so stroke style counts and not only overlap. Starts are the latents of fixed seeds (the best
few of many, scored in one batch), then Adam refines them together; everything is seeded and batch sizes are fixed,
so one drawing always gives the same latent and the same pixels on a given machine and thread count.
"""

from dataclasses import dataclass

import numpy as np
import torch

from .data import to_model_range
from .sampling import NUM_DIGITS, check_digits, class_embeddings, latents_for_seeds, render


@dataclass(frozen=True)
class InversionSettings:
    """How hard to search; the defaults meet the benchmark's quality bar within its time budget on 2 CPU cores."""

    candidates: int = 64  # latents of seeds first_seed.. scored in one batch without gradients
    starts: int = 4  # the best candidates refined together
    steps: int = 20  # Adam steps (30: pixel error 0.025 instead of 0.029 with an earlier generator, ~0.12 s more)
    lr: float = 0.1
    feature_weight: float = 1.0  # classifier features vs pixels (both normalised to about 1 for a poor match)
    prior_weight: float = 0.1  # keeps the latent's mean square near 1, where the generator's training latents lie
    first_seed: int = 0


DEFAULT_SETTINGS = InversionSettings()


@dataclass(frozen=True)
class Inversion:
    """A found handwriting: its latent, the generator's redrawing of the target, and how close that is."""

    digit: int
    latent: torch.Tensor  # (z_dim,)
    reconstruction: np.ndarray  # uint8 (28, 28)
    pixel_error: float  # mean absolute pixel difference from the target, 0 (same) to 1
    feature_similarity: float  # cosine similarity of the classifier's features of target and reconstruction


def invert(generator, classifier, target: np.ndarray, digit: int,
           settings: InversionSettings = DEFAULT_SETTINGS) -> Inversion:
    """The latent whose `digit` best redraws `target`, an MNIST-style uint8 (28, 28) white-on-black digit."""
    (digit,) = check_digits(digit, 1)
    if target.shape != (28, 28) or target.dtype != np.uint8:
        raise ValueError(f"target must be a uint8 (28, 28) digit, got {target.dtype} {target.shape}")
    was_training = generator.training, classifier.training
    generator.eval()  # BatchNorm and dropout in inference behaviour while searching
    classifier.eval()
    try:
        z = _search(generator, classifier, torch.from_numpy(target), digit, settings)  # (z_dim,)
    finally:
        generator.train(was_training[0])
        classifier.train(was_training[1])
    reconstruction = style_digits(generator, z)[digit]
    return Inversion(digit, z, reconstruction, *closeness(classifier, target, reconstruction))


def style_digits(generator, latent: torch.Tensor) -> np.ndarray:
    """Digits 0-9 from one latent (z_dim,), drawn exactly as the style rows draw a seed's: uint8 (10, 28, 28)."""
    z = latent.reshape(1, -1).repeat_interleave(NUM_DIGITS, dim=0)  # (10, z_dim), like explore.style_grid
    return render(generator, z, class_embeddings(generator, range(NUM_DIGITS)))


def closeness(classifier, target: np.ndarray, reconstruction: np.ndarray) -> tuple[float, float]:
    """(mean absolute pixel difference in [0, 1], cosine similarity of classifier features) of two uint8 digits."""
    pixel_error = float(np.abs(target.astype(np.float32) - reconstruction.astype(np.float32)).mean() / 255)
    with torch.inference_mode():
        images = to_model_range(torch.from_numpy(np.stack([target, reconstruction])))  # (2, 1, 28, 28)
        a, b = classifier.eval().features(images)
        similarity = float(torch.nn.functional.cosine_similarity(a, b, dim=0))
    return pixel_error, similarity


def _search(generator, classifier, target: torch.Tensor, digit: int, s: InversionSettings) -> torch.Tensor:
    """Score the seeded candidates, refine the best `starts` with Adam, return the best latent (z_dim,)."""
    x = to_model_range(target[None])  # (1, 1, 28, 28)
    candidates = latents_for_seeds(range(s.first_seed, s.first_seed + s.candidates), generator.config.z_dim)
    with torch.no_grad():  # not inference_mode: these tensors take part in the gradient steps below
        target_features = classifier.features(x)  # (1, F)
        embedding = generator.class_embed.weight[digit].clone()  # (embed_dim,)
    with torch.inference_mode():
        scores = _loss(generator, classifier, candidates, embedding, x, target_features, s)  # (candidates,)
    best = torch.argsort(scores, stable=True)[: s.starts]
    z = candidates[best].clone().requires_grad_(True)  # (starts, z_dim)
    optimiser = torch.optim.Adam([z], lr=s.lr)
    for _ in range(s.steps):
        loss = _loss(generator, classifier, z, embedding, x, target_features, s).sum()
        # gradients for z only: the networks' weights are neither changed nor given .grad
        (z.grad,) = torch.autograd.grad(loss, [z])
        optimiser.step()
    with torch.inference_mode():
        final = _loss(generator, classifier, z.detach(), embedding, x, target_features, s)  # (starts,)
    return z.detach()[int(torch.argmin(final))].clone()


def _loss(generator, classifier, z, embedding, x, target_features, s: InversionSettings) -> torch.Tensor:
    """Per-latent loss (B,): pixel MSE + weighted feature MSE (relative to the target's) + latent prior."""
    images = generator.synthesize(z, embedding.expand(len(z), -1))  # (B, 1, 28, 28)
    pixels = (images - x).square().mean(dim=(1, 2, 3))  # (B,)
    features = (classifier.features(images) - target_features).square().mean(dim=1)  # (B,)
    features = features / target_features.square().mean().clamp_min(1e-6)
    prior = (z.square().mean(dim=1) - 1).square()  # (B,)
    return pixels + s.feature_weight * features + s.prior_weight * prior
