"""The training recipe's defaults, in one place: train_cgan.py's command line and the notebook both read them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Recipe:
    """Optimiser, loss-weight and EMA settings of the bundled weights (each is a train_cgan.py flag)."""

    batch_size: int = 64
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)  # Adam: low first momentum, as GANs usually need
    ema_decay: float = 0.999
    aux_weight_d: float = 1.0  # D's auxiliary classifier loss on real images
    aux_weight_g: float = 0.2  # G's: higher reads more surely as the digit, at the cost of variety
