"""Where a training run runs: the device, rank-0-only logging, and checks that fail fast before any training."""

import shutil
import sys
import tempfile
from pathlib import Path

import torch
import torch.distributed as dist


def in_ddp_job() -> bool:
    """Whether this process belongs to a set-up torch.distributed process group (a torchrun job)."""
    return dist.is_available() and dist.is_initialized()


def log(message: str) -> None:
    """Print from rank 0 only (every process of a torchrun job runs the training script); a process outside a DDP
    job always prints, whatever RANK its environment holds."""
    if not in_ddp_job() or dist.get_rank() == 0:
        print(message, flush=True)


def pick_device(name: str) -> torch.device:
    """'auto' is CUDA when available, else the CPU; anything else is passed to torch.device."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def check_writable(*folders: Path) -> None:
    """Create the output folders and write a probe file in each, so a bad path fails before training."""
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as e:
            sys.exit(f"error: cannot write to {folder}: {e.strerror or e}")


def check_free_space(folder: Path, checkpoint_bytes: int, keep: int) -> None:
    """Exit with a clear message unless `folder` has room for `keep` checkpoints (+1 being written) and samples."""
    # a full disk found after an hour of training is an hour lost
    needed = checkpoint_bytes * (keep + 1) + 50 * 2**20
    free = shutil.disk_usage(folder).free
    if free < needed:
        sys.exit(f"error: not enough free disk space in {folder}: about {needed / 2**20:.0f} MiB needed for "
                 f"{keep} checkpoints and samples, {free / 2**20:.0f} MiB free")
