"""The GAN's losses: the non-saturating logistic loss for realness (both presets'; or the hinge loss), either
optionally with an R1 penalty on D's gradient at real images (Mescheder et al. 2018), plus the auxiliary
classifier's cross-entropy (AC-GAN), optionally corrected by a twin classifier (TAC-GAN), plus an optional
mode-seeking term on G (MSGAN).

D learns to classify real images only; G is rewarded when D's classifier head reads its fakes as the requested
digit. The weight of that term on G trades variety (low) for how surely each digit reads as its class (high):
the term asks for the digits a classifier is surest of, not for every way the digit is written. The twin
classifier (Gong et al. 2019) learns to tell the fakes' requested digits apart; G's term subtracts its
cross-entropy, and the difference asks G to match each digit's real variety rather than its clearest examples.
The mode-seeking term (Mao et al. 2019) pushes the other way too: two latents of one digit should give two
different images, so G cannot draw one style for every z (mode collapse).

The realness terms can weigh each image, real or fake, by the rarity of its style (--rarity-weight; model/rarity.py).
"""

import torch
import torch.nn.functional as F

GAN_LOSSES = ("hinge", "logistic")


def check_gan_loss(gan_loss: str) -> None:
    """Raise ValueError, naming the choices, unless gan_loss is one of GAN_LOSSES."""
    if gan_loss not in GAN_LOSSES:
        raise ValueError(f"gan_loss must be one of {', '.join(GAN_LOSSES)}, got {gan_loss!r}")


def weighted_mean(values: torch.Tensor, weights: torch.Tensor | None) -> torch.Tensor:
    """The mean of values (B,), each times its weight (B,) when weights are given (rarity weights have mean 1)."""
    return values.mean() if weights is None else (weights * values).mean()


def realness_losses(real_score: torch.Tensor, fake_score: torch.Tensor, gan_loss: str,
                    real_weight: torch.Tensor | None = None, fake_weight: torch.Tensor | None = None) -> torch.Tensor:
    """D's adversarial loss on real (B,) and fake (B,) scores, each image's term times its weight when given (rarity
    weights, model/rarity.py). Hinge stops pushing a score once it is past its margin (real > 1, fake < -1); the
    logistic loss keeps pushing every score, more weakly the surer D is."""
    check_gan_loss(gan_loss)
    if gan_loss == "hinge":
        return weighted_mean(F.relu(1 - real_score), real_weight) + weighted_mean(F.relu(1 + fake_score), fake_weight)
    return (weighted_mean(F.softplus(-real_score.float()), real_weight)
            + weighted_mean(F.softplus(fake_score.float()), fake_weight))


def discriminator_loss(real_score: torch.Tensor, fake_score: torch.Tensor, real_logits: torch.Tensor,
                       real_labels: torch.Tensor, aux_weight: float, fake_twin_logits: torch.Tensor | None = None,
                       fake_labels: torch.Tensor | None = None, gan_loss: str = "hinge",
                       real_weight: torch.Tensor | None = None,
                       fake_weight: torch.Tensor | None = None) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """D's total loss and its parts: realness_losses on real (B,) and fake (B,) scores (weighted, when given the
    weights) + aux_weight * classification of reals (+ aux_weight * the twin head's classification of the fakes,
    when given its logits)."""
    adversarial = realness_losses(real_score, fake_score, gan_loss, real_weight, fake_weight)
    auxiliary = F.cross_entropy(real_logits.float(), real_labels)
    total, parts = adversarial + aux_weight * auxiliary, {"d": adversarial.detach(), "aux_d": auxiliary.detach()}
    if fake_twin_logits is not None:
        twin = F.cross_entropy(fake_twin_logits.float(), fake_labels)
        total, parts["twin_d"] = total + aux_weight * twin, twin.detach()
    return total, parts


def generator_loss(fake_score: torch.Tensor, fake_logits: torch.Tensor, fake_labels: torch.Tensor,
                   aux_weight: float, fake_twin_logits: torch.Tensor | None = None, gan_loss: str = "hinge",
                   fake_weight: torch.Tensor | None = None) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """G's total loss and its parts: raise D's score of the fakes (hinge: its mean; logistic: -log sigmoid of each,
    the non-saturating loss; each fake's term times its weight, when given) + aux_weight * classification as the
    asked digit (- aux_weight * the twin head's, when given its logits)."""
    check_gan_loss(gan_loss)
    fake_score = fake_score.float()
    adversarial = weighted_mean(-fake_score if gan_loss == "hinge" else F.softplus(-fake_score), fake_weight)
    auxiliary = F.cross_entropy(fake_logits.float(), fake_labels)
    total, parts = adversarial + aux_weight * auxiliary, {"g": adversarial.detach(), "aux_g": auxiliary.detach()}
    if fake_twin_logits is not None:
        twin = F.cross_entropy(fake_twin_logits.float(), fake_labels)
        total, parts["twin_g"] = total - aux_weight * twin, twin.detach()
    return total, parts


def r1_penalty(real_score: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """R1: the mean over the batch of |d score / d image|^2 at the real images (B, 1, 28, 28), which must require
    grad and have given real_score (B,). It keeps D flat where the real data is, so G is not pushed past it."""
    (grad,) = torch.autograd.grad(real_score.float().sum(), real, create_graph=True)  # (B, 1, 28, 28)
    return grad.float().pow(2).sum(dim=(1, 2, 3)).mean()


def mode_seeking_loss(fake: torch.Tensor, z: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """MSGAN's term: 1 / mean(image distance / latent distance) over the pairs (i, i + B/2) of the batch.

    fake (B, 1, 28, 28) and z (B, z_dim) come from one G call whose labels repeat, so each pair shares a digit and
    the term rewards G for drawing the digit differently from different latents. Lower is more varied.
    """
    half = len(fake) // 2
    image_distance = (fake[:half] - fake[half : 2 * half]).float().abs().mean(dim=(1, 2, 3))  # (B/2,)
    latent_distance = (z[:half] - z[half : 2 * half]).float().abs().mean(dim=1)  # (B/2,)
    return 1 / ((image_distance / latent_distance).mean() + eps)


def pair_labels(labels: torch.Tensor) -> torch.Tensor:
    """The labels (B,) with the second half a copy of the first, as mode_seeking_loss's pairs need."""
    half = len(labels) // 2
    paired = labels.clone()
    paired[half : 2 * half] = labels[:half]
    return paired
