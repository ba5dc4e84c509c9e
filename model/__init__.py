"""Class-conditional GAN for MNIST digits: networks, seeded sampling, data, hub I/O and evaluation."""

from . import explore
from .loading import GeneratorLoadError
from .networks import (
           DigitGenerator,
           Discriminator,
           DiscriminatorConfig,
           GeneratorConfig,
)
from .sampling import MAX_COUNT, SEED_LIMIT

__all__ = ["explore", "DigitGenerator", "Discriminator", "DiscriminatorConfig", "GeneratorConfig", "GeneratorLoadError",
           "MAX_COUNT", "SEED_LIMIT"]
