"""Shared fixtures: a small random generator, the MNIST folder, and the repo root."""

from pathlib import Path

import pytest
import torch

from model import DigitGenerator, GeneratorConfig
from model.data import prepare_mnist, resolve_data_dir

ROOT = Path(__file__).resolve().parent.parent


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
