"""MNIST through torchvision, from a configurable folder that may hold just the four official .gz files."""

import gzip
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import torch
from torchvision.datasets import MNIST

DATA_DIR_ENV = "MNIST_DATA_DIR"
DEFAULT_DATA_DIR = Path.home() / ".cache" / "digit-cgan" / "mnist"

# md5 of each decompressed official file, to catch truncated or wrong files before training on them
RAW_FILES = {
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}


class MnistNotFoundError(FileNotFoundError):
    """MNIST is neither in the data folder nor downloadable; the message says where to put the files."""


def resolve_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """The data folder: the argument, else $MNIST_DATA_DIR, else ~/.cache/digit-cgan/mnist."""
    return Path(data_dir or os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR).expanduser()


def _has_raw(root: Path) -> bool:
    return all((root / "MNIST" / "raw" / name).is_file() for name in RAW_FILES)


def _find_gz(folder: Path) -> dict[str, Path] | None:
    for where in (folder, folder / "MNIST" / "raw"):
        found = {name: where / f"{name}.gz" for name in RAW_FILES}
        if all(p.is_file() for p in found.values()):
            return found
    return None


def _extract(gz_files: dict[str, Path], root: Path) -> None:
    """Decompress into root/MNIST/raw (where torchvision reads), atomically, checking each md5."""
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for name, src in gz_files.items():
        if (raw / name).is_file():
            continue
        with tempfile.NamedTemporaryFile(dir=raw, delete=False) as tmp:
            try:
                with gzip.open(src, "rb") as f:
                    shutil.copyfileobj(f, tmp)
            except (OSError, EOFError) as e:
                os.unlink(tmp.name)
                raise MnistNotFoundError(
                    f"{src} is not a readable gzip file ({e}); replace it with the official file") from None
        md5 = hashlib.md5(Path(tmp.name).read_bytes()).hexdigest()
        if md5 != RAW_FILES[name]:
            os.unlink(tmp.name)
            raise MnistNotFoundError(f"{src} does not decompress to the official MNIST file (md5 {md5})")
        os.replace(tmp.name, raw / name)


def prepare_mnist(data_dir=None, download: bool = True) -> Path:
    """Make sure torchvision can read MNIST and return the root to give it (may be a cache if data_dir is read-only)."""
    folder = resolve_data_dir(data_dir)
    if _has_raw(folder):
        return folder
    gz_files = _find_gz(folder)
    if gz_files is not None:
        root = folder if os.access(folder, os.W_OK) else DEFAULT_DATA_DIR / "extracted"
        if not _has_raw(root):
            _extract(gz_files, root)
        return root
    if download:
        try:
            MNIST(folder, train=True, download=True)
            MNIST(folder, train=False, download=True)
            return folder
        except Exception as e:  # any network or disk failure ends in the same advice
            reason = f"download failed: {e}"
    else:
        reason = "download is disabled"
    names = ", ".join(f"{n}.gz" for n in RAW_FILES)
    raise MnistNotFoundError(
        f"MNIST not found in {folder} and {reason}. Put the four official files ({names}) in that folder, "
        f"or point --data-dir / ${DATA_DIR_ENV} at a folder that has them."
    )


def load_mnist(data_dir=None, train: bool = True, download: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """MNIST as tensors: images uint8 (N, 28, 28), labels int64 (N,); train=False gives the 10k test set."""
    dataset = MNIST(prepare_mnist(data_dir, download), train=train, download=False)
    return dataset.data, dataset.targets


def to_model_range(images: torch.Tensor) -> torch.Tensor:
    """uint8 (N, 28, 28) -> float (N, 1, 28, 28) in [-1, 1], the generator's output range."""
    return images.unsqueeze(1).float().div(127.5).sub(1)


def epoch_order(epoch: int, n: int, seed: int, sampler=None) -> torch.Tensor:
    """The order of the n training images in `epoch`: a function of (seed, epoch) only, so a resumed run sees the
    same batches. With a DistributedSampler, this rank's shard of a shuffle shared by all ranks."""
    if sampler is not None:
        sampler.set_epoch(epoch)
        return torch.tensor(list(sampler))
    return torch.randperm(n, generator=torch.Generator().manual_seed(seed * 100_003 + epoch))
