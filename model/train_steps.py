"""One optimisation step of each network, as train_cgan.py and the notebook call them."""

from contextlib import contextmanager

import torch

from .losses import discriminator_loss, generator_loss, mode_seeking_loss, r1_penalty


def discriminator_step(D, opt_d, real: torch.Tensor, real_labels: torch.Tensor, fake: torch.Tensor,
                       fake_labels: torch.Tensor, aux_weight: float, use_amp: bool = False,
                       joint_batch: bool = False, gan_loss: str = "hinge", r1: float = 0.0,
                       real_weight: torch.Tensor | None = None,
                       fake_weight: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
    """Update D once on real images (B, 1, 28, 28) and detached fakes; returns the detached loss parts.

    A D with a twin classifier head (TAC-GAN) also learns to classify the fakes as their requested digits.
    joint_batch scores real and fake in one forward pass, as DistributedDataParallel needs one forward per backward.
    r1 > 0 adds r1 / 2 times the R1 penalty (D's squared gradient at the real images).
    real_weight, fake_weight: the rarity weights (B,) of the reals and of the fakes in the realness loss
    (model/rarity.py); None weighs every image alike.
    """
    fake = fake.detach()  # D's loss must not reach G
    if r1:
        real = real.detach().requires_grad_(True)  # the penalty differentiates D's score by the real pixels
    with torch.autocast(real.device.type, dtype=torch.bfloat16, enabled=use_amp):
        if joint_batch:
            scores, logits, twin_logits = D(torch.cat([real, fake]), torch.cat([real_labels, fake_labels]), segments=2)
            (real_score, fake_score), real_logits = scores.float().chunk(2), logits[: len(real)].float()
            fake_twin_logits = None if twin_logits is None else twin_logits[len(real) :].float()
        else:
            real_score, real_logits, _ = D(real, real_labels)
            fake_score, _, fake_twin_logits = D(fake, fake_labels)
        loss, parts = discriminator_loss(real_score, fake_score, real_logits, real_labels, aux_weight,
                                         fake_twin_logits, fake_labels, gan_loss, real_weight, fake_weight)
    if r1:
        penalty = r1_penalty(real_score, real)
        loss, parts["r1"] = loss + r1 / 2 * penalty, penalty.detach()
    opt_d.zero_grad(set_to_none=True)
    loss.backward()
    opt_d.step()
    return parts


def generator_step(D, opt_g, fake: torch.Tensor, fake_labels: torch.Tensor, aux_weight: float,
                   use_amp: bool = False, z: torch.Tensor | None = None,
                   mode_seeking: float = 0.0, gan_loss: str = "hinge",
                   fake_weight: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
    """Update G once through D's judgement of `fake` (still attached to G's graph); returns the loss parts. D's
    weights get no gradient, so under DDP pass D itself, not its DDP wrapper (which would wait for their gradients).

    mode_seeking > 0 adds that weight times mode_seeking_loss(fake, z): the fakes' labels must be pair_labels'.
    fake_weight: the fakes' rarity weights (B,) in the realness loss (model/rarity.py); None weighs them alike.
    """
    if mode_seeking and z is None:
        raise ValueError(f"mode_seeking={mode_seeking} needs z, the latents (B, z_dim) that drew `fake`")
    with frozen(D):
        with torch.autocast(fake.device.type, dtype=torch.bfloat16, enabled=use_amp):
            fake_score, fake_logits, fake_twin_logits = D(fake, fake_labels)
            loss, parts = generator_loss(fake_score, fake_logits, fake_labels, aux_weight, fake_twin_logits, gan_loss,
                                         fake_weight)
        if mode_seeking:
            diversity = mode_seeking_loss(fake, z)
            loss = loss + mode_seeking * diversity
            parts["ms"] = diversity.detach()
        opt_g.zero_grad(set_to_none=True)
        loss.backward()
    opt_g.step()
    return parts


@contextmanager
def frozen(module):
    """Within the block, module's parameters need no gradient. G's loss needs D's gradient by its input only: D's
    weight gradients would take ~10% of a CPU step and be thrown away (D's own step starts with zero_grad)."""
    params = [p for p in module.parameters() if p.requires_grad]
    for p in params:
        p.requires_grad_(False)
    try:
        yield module
    finally:
        for p in params:
            p.requires_grad_(True)
