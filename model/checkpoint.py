"""Rotating training checkpoints, written atomically and loaded with weights_only=True."""

import os
from pathlib import Path

import torch

from .atomic import atomic_path

CHECKPOINT_GLOB = "step_*.pt"


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
