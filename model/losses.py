"""The GAN's losses: hinge loss for realness, plus the auxiliary classifier's cross-entropy (AC-GAN).

D learns to classify real images only; G is rewarded when D's classifier head reads its fakes as the requested
digit. The weight of that term on G trades variety (low) for how surely each digit reads as its class (high).
"""

import torch
import torch.nn.functional as F


def discriminator_loss(real_score: torch.Tensor, fake_score: torch.Tensor, real_logits: torch.Tensor,
                       real_labels: torch.Tensor, aux_weight: float) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """D's total loss and its parts: hinge on real (B,) and fake (B,) scores + aux_weight * classification of reals."""
    adversarial = F.relu(1 - real_score).mean() + F.relu(1 + fake_score).mean()
    auxiliary = F.cross_entropy(real_logits.float(), real_labels)
    return adversarial + aux_weight * auxiliary, {"d": adversarial.detach(), "aux_d": auxiliary.detach()}


def generator_loss(fake_score: torch.Tensor, fake_logits: torch.Tensor, fake_labels: torch.Tensor,
                   aux_weight: float) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """G's total loss and its parts: raise D's score of the fakes + aux_weight * classification as the asked digit."""
    adversarial = -fake_score.float().mean()
    auxiliary = F.cross_entropy(fake_logits.float(), fake_labels)
    return adversarial + aux_weight * auxiliary, {"g": adversarial.detach(), "aux_g": auxiliary.detach()}
