"""Plain helpers the tests share (fixtures live in conftest.py): the repository root, the screenshot folder,
served-PNG reading and a tiny training run."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", ROOT / "artifacts"))  # browser screenshots, kept by CI
TINY_NETWORKS = ["--train-subset", "256", "--batch-size", "32", "--g-channels", "32", "--d-channels", "16",
                 "--z-dim", "16"]  # train_cgan.py's data and network flags for a run of seconds
TINY = [*TINY_NETWORKS, "--threads", "1", "--no-progress", "--no-eval"]  # and its run flags, for the tests' runs


def train(out_dir, *extra, check=True, **env) -> subprocess.CompletedProcess:
    """Run train_cgan.py with TINY's flags and `extra` into out_dir (raising on failure when check)."""
    cmd = [sys.executable, str(ROOT / "train_cgan.py"), "--out-dir", str(out_dir), *TINY, *map(str, extra)]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=check, timeout=300,
                          env=dict(os.environ, **env))


def load_png(path) -> np.ndarray:
    """The pixels of a served digit image, which must be a greyscale PNG."""
    with Image.open(path) as img:
        assert img.format == "PNG" and img.mode == "L", (path, img.format, img.mode)
        return np.asarray(img)
