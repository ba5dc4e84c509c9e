"""The training recipes, in one place: train_cgan.py's presets (each field is a flag, and a flag given wins)
and the notebook read them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Recipe:
    """Length, optimiser, loss-weight, EMA and network-width settings of one training preset."""

    epochs: int = 20
    batch_size: int = 64
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)  # Adam: low first momentum, as GANs usually need
    ema_decay: float = 0.999
    aux_weight_d: float = 1.0  # D's auxiliary classifier loss on real images
    aux_weight_g: float = 0.2  # G's: higher reads more surely as the digit, at the cost of variety
    z_dim: int = 64
    g_channels: int = 128  # the generator's width at 7x7 (see GeneratorConfig)
    d_channels: int = 64  # the discriminator's width at 14x14 (see DiscriminatorConfig)


PRESETS = {
    # Tuned for about 15 minutes on a 2-core CPU. At the same wall time, compared at a fixed budget
    # (benchmarks/README.md): a discriminator half as wide trains ~1.45x more images/s, and Adam without first-moment
    # momentum (beta1 = 0) at twice the learning rates learns faster than the full preset's settings.
    "quick": Recipe(epochs=2, lr_g=4e-4, lr_d=4e-4, betas=(0.0, 0.99), d_channels=32),
    # The bundled weights' recipe.
    "full": Recipe(),
}
