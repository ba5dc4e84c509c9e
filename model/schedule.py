"""The learning-rate schedule: constant for the first half of training, then linear decay to zero."""

import torch


def lr_factor(step: int, total: int) -> float:
    """The multiplier of the base learning rate at `step` of `total`: decaying at the end gives sharper strokes."""
    half = total // 2
    return 1.0 if step < half else max(0.0, (total - step) / max(1, total - half))


def half_then_linear(optimizer: torch.optim.Optimizer, total_steps: int) -> torch.optim.lr_scheduler.LambdaLR:
    """A scheduler applying lr_factor over `total_steps` (step it once per training step)."""
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: lr_factor(step, total_steps))
