"""Atomic file writes: readers (and a crash mid-write) never see a partial file."""

import contextlib
import os
import tempfile
from pathlib import Path


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


def save_pretrained_atomic(model, folder: str | os.PathLike, **kwargs) -> None:
    """model.save_pretrained into a temp folder, then rename each file into place (each write is atomic)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".save-") as tmp:
        model.save_pretrained(tmp, **kwargs)
        for f in Path(tmp).iterdir():
            os.chmod(f, 0o644)
            os.replace(f, folder / f.name)
