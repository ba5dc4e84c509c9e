"""The generator that gets saved: an exponential moving average (EMA) of G's weights, with its BatchNorm
statistics re-estimated, because averaged weights no longer match the running statistics G collected."""

import torch


def ema_decay(step: int, decay: float) -> float:
    """The decay at `step`: short memory at first (warm-up), so early EMA weights are not stuck at the init."""
    return min(decay, (1 + step) / (10 + step))


@torch.no_grad()
def update_ema(ema, model, decay: float) -> None:
    """Move ema's parameters towards model's by (1 - decay); copy its buffers (BatchNorm statistics) as they are."""
    ema_params, params = list(ema.parameters()), list(model.parameters())
    ema_buffers, buffers = list(ema.buffers()), list(model.buffers())
    if len(ema_params) != len(params) or len(ema_buffers) != len(buffers):
        raise ValueError("update_ema: ema and model must be the same network")
    # one multi-tensor kernel per list, not one per tensor: on a GPU each launch costs more than the arithmetic
    if params:  # the multi-tensor ops refuse empty lists
        torch._foreach_lerp_(ema_params, params, 1 - decay)
    if buffers:
        torch._foreach_copy_(ema_buffers, buffers)


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
