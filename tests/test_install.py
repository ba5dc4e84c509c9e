"""The library installs like any Python package: importable from any directory, with its bundled classifier."""

import os
import subprocess
import sys
import zipfile

from .helpers import ROOT

CHECK = """
import model
from model import DigitGenerator
from model.classifier import MnistClassifier
G = DigitGenerator.from_pretrained({weights!r})
MnistClassifier.from_pretrained()  # the shipped evaluation classifier, found as package data
print(model.__file__, G.generate(7, seed=42).shape)
"""


def clean_env() -> dict:
    """This process's environment without PYTHONPATH, so only the installed package can be found."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def test_the_installed_library_imports_from_another_directory(tmp_path):
    out = subprocess.run([sys.executable, "-c", CHECK.format(weights=str(ROOT / "weights"))], cwd=tmp_path,
                         env=clean_env(), capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    path, shape = out.stdout.split(maxsplit=1)
    assert path == str(ROOT / "model" / "__init__.py") and shape.strip() == "(1, 28, 28)"


def test_the_wheel_holds_the_library_and_its_classifier_but_not_the_app(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True, timeout=300)
    (wheel,) = tmp_path.glob("digit_cgan-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"model/__init__.py", "model/networks.py", "model/assets/mnist_classifier/model.safetensors",
            "model/assets/mnist_classifier/config.json"} <= names
    assert not any(name.startswith(("tests/", "webapp/", "weights/", "app.py")) for name in names)
