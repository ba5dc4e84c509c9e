"""Shared fixtures and helpers: a small random generator, the MNIST folder, PNG reading."""

import numpy as np
import pytest
import torch
from PIL import Image

from model import DigitGenerator, GeneratorConfig
from model.data import prepare_mnist, resolve_data_dir


def load_png(path) -> np.ndarray:
    """The pixels of a served digit image, which must be a greyscale PNG."""
    with Image.open(path) as img:
        assert img.format == "PNG" and img.mode == "L", (path, img.format, img.mode)
        return np.asarray(img)


@pytest.fixture(scope="session")
def tiny_generator():
    """An untrained but fixed generator: enough to test shapes, seeds and I/O quickly."""
    torch.manual_seed(0)
    return DigitGenerator(GeneratorConfig(channels=32, z_dim=16, embed_dim=8)).eval()


@pytest.fixture(scope="session")
def mnist_dir():
    """The MNIST folder ($MNIST_DATA_DIR; CI points it at ../shared/mnist), downloaded first if it is empty."""
    prepare_mnist()
    return resolve_data_dir()
