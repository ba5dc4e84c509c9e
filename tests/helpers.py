"""Plain helpers the tests share (fixtures live in conftest.py): the repository root and served-PNG reading."""

from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent


def load_png(path) -> np.ndarray:
    """The pixels of a served digit image, which must be a greyscale PNG."""
    with Image.open(path) as img:
        assert img.format == "PNG" and img.mode == "L", (path, img.format, img.mode)
        return np.asarray(img)
