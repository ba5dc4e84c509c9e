"""Plain helpers the tests share (fixtures live in conftest.py): the repository root, the screenshot folder and
served-PNG reading."""

import os
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", ROOT / "artifacts"))  # browser screenshots, kept by CI


def load_png(path) -> np.ndarray:
    """The pixels of a served digit image, which must be a greyscale PNG."""
    with Image.open(path) as img:
        assert img.format == "PNG" and img.mode == "L", (path, img.format, img.mode)
        return np.asarray(img)
