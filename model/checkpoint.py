"""Atomic file writes and rotating training checkpoints (loaded with weights_only=True)."""

import contextlib
import os
import tempfile
from pathlib import Path

import torch

CHECKPOINT_GLOB = "step_*.pt"


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike):
    """Yield a temp path next to `path`; on success rename it over `path`, so readers never see a partial file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, 0o644)  # mkstemp makes 0600 files; saved weights and images are meant to be shared
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def save_checkpoint(state: dict, folder: str | os.PathLike, step: int, keep: int) -> Path:
    """Write folder/step_NNNNNNN.pt atomically and delete all but the newest `keep` checkpoints."""
    path = Path(folder) / f"step_{step:07d}.pt"
    with atomic_path(path) as tmp:
        torch.save(state, tmp)
    for old in sorted(Path(folder).glob(CHECKPOINT_GLOB))[:-keep]:
        old.unlink()
    return path


def latest_checkpoint(folder: str | os.PathLike) -> Path | None:
    """The newest step_*.pt in folder, or None."""
    found = sorted(Path(folder).glob(CHECKPOINT_GLOB))
    return found[-1] if found else None


def load_checkpoint(path: str | os.PathLike) -> dict:
    """Load a training checkpoint without unpickling arbitrary objects."""
    return torch.load(path, map_location="cpu", weights_only=True)


def save_pretrained_atomic(model, folder: str | os.PathLike, **kwargs) -> None:
    """model.save_pretrained into a temp folder, then rename each file into place (each write is atomic)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".save-") as tmp:
        model.save_pretrained(tmp, **kwargs)
        for f in Path(tmp).iterdir():
            os.chmod(f, 0o644)
            os.replace(f, folder / f.name)
