"""Optional experiment tracking for training runs: TensorBoard and/or Weights & Biases behind one small class.

    logger = RunLogger(out_dir, tensorboard=True, wandb=True, wandb_project="digit-cgan", config=vars(args))
    logger.scalars({"loss/d": 0.9, "loss/g": 1.2}, step)
    logger.image("samples", grid, step)  # (1, H, W) in [0, 1]
    logger.summary(metrics)  # evaluate()'s dict: nested keys become "metrics/judges/A/precision" and the like
    logger.close()

TensorBoard writes to OUT_DIR/tensorboard; W&B to OUT_DIR/wandb (WANDB_MODE=offline needs no account or network:
sync later with `wandb sync OUT_DIR/wandb/offline-run-*`). A logger with neither enabled does nothing, so the
training loop calls it unconditionally. Both packages are imported only when asked for.
"""

from pathlib import Path

import numpy as np
import torch

INSTALL_HINT = "pip install -r requirements-train.txt"
WANDB_ID_FILE = "wandb_run_id.txt"  # in OUT_DIR, so that --resume continues the same W&B run


class MissingPackageError(ImportError):
    """A tracking backend was asked for but its package is not installed; the message says how to install it."""


def flatten(metrics: dict, prefix: str = "") -> dict[str, float]:
    """Numeric leaves of a nested dict (lists included) as {"a/b/0": value}; strings and None are left out."""
    flat = {}
    items = metrics.items() if isinstance(metrics, dict) else enumerate(metrics)
    for key, value in items:
        name = f"{prefix}{key}"
        if isinstance(value, dict | list | tuple):
            flat |= flatten(value, name + "/")
        elif isinstance(value, int | float | np.number) and not isinstance(value, bool):
            flat[name] = float(value)
    return flat


def _open_tensorboard(out_dir: Path, resume_step: int):
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError as e:
        raise MissingPackageError(f"--tensorboard needs the tensorboard package: {INSTALL_HINT}") from e
    # purge_step drops events logged after the checkpoint by the interrupted run
    return SummaryWriter(out_dir / "tensorboard", purge_step=resume_step or None)


def _open_wandb(out_dir: Path, project: str | None, run_name: str | None, config: dict, resume_step: int):
    try:
        import wandb
    except ImportError as e:
        raise MissingPackageError(f"--wandb needs the wandb package: {INSTALL_HINT}") from e
    id_file = out_dir / WANDB_ID_FILE
    # a resumed training run continues its W&B run; a fresh one (step 0) starts a new W&B run
    run_id = id_file.read_text().strip() if resume_step and id_file.exists() else None
    run = wandb.init(project=project, name=run_name, config=config, dir=out_dir, id=run_id, resume="allow",
                     reinit="create_new")
    id_file.write_text(run.id + "\n")
    return run


class RunLogger:
    """Scalars, images and final metrics to TensorBoard and/or W&B (either, both or neither)."""

    def __init__(self, out_dir, tensorboard: bool = False, wandb: bool = False, wandb_project: str | None = None,
                 wandb_run_name: str | None = None, config: dict | None = None, resume_step: int = 0):
        self.out_dir = Path(out_dir)
        if tensorboard or wandb:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        self.last_step = resume_step
        self.tb = _open_tensorboard(self.out_dir, resume_step) if tensorboard else None
        self.wandb_run = None
        if wandb:
            self.wandb_run = _open_wandb(self.out_dir, wandb_project, wandb_run_name, config or {}, resume_step)

    @property
    def enabled(self) -> bool:
        """Whether any backend is on."""
        return self.tb is not None or self.wandb_run is not None

    def scalars(self, values: dict[str, float], step: int) -> None:
        """Log {name: number} at `step`, e.g. {"loss/d": 0.93}."""
        self.last_step = max(self.last_step, step)
        values = {name: float(v) for name, v in values.items()}
        if self.tb:
            for name, value in values.items():
                self.tb.add_scalar(name, value, step)
        if self.wandb_run:
            self.wandb_run.log(values, step=step)

    def image(self, name: str, grid: torch.Tensor, step: int) -> None:
        """Log a grayscale image `grid` (1, H, W) with values in [0, 1] at `step`."""
        if grid.ndim != 3 or grid.shape[0] != 1:
            raise ValueError(f"expected a (1, H, W) image, got shape {tuple(grid.shape)}")
        self.last_step = max(self.last_step, step)
        grid = grid.detach().float().cpu().clamp(0, 1)
        if self.tb:
            self.tb.add_image(name, grid, step)
        if self.wandb_run:
            import wandb

            pixels = (grid[0].numpy() * 255).round().astype(np.uint8)  # (H, W): W&B shows uint8 as it is
            self.wandb_run.log({name: wandb.Image(pixels, mode="L")}, step=step)

    def summary(self, metrics: dict) -> None:
        """Record the final metrics, nested dicts flattened to names like "metrics/judges/A/recall"."""
        flat = flatten(metrics, prefix="metrics/")  # the prefix keeps "samples" (a count) apart from the image
        if self.tb:
            for name, value in flat.items():
                self.tb.add_scalar(name, value, self.last_step)
        if self.wandb_run:
            self.wandb_run.summary.update(flat)

    def close(self) -> None:
        """Flush and close every backend (safe to call twice)."""
        if self.tb:
            self.tb.close()
            self.tb = None
        if self.wandb_run:
            self.wandb_run.finish()
            self.wandb_run = None
