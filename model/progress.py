"""Training progress you can watch: an animated GIF of the per-epoch grids and a loss-curve plot."""

from pathlib import Path

from matplotlib.figure import Figure
from PIL import Image

from .atomic import atomic_path
from .images import to_gif

LOSS_NAMES = ("loss_d", "loss_g", "aux_d", "aux_g")


def progress_gif(grid_paths: list[Path], path: Path, duration_ms: int = 500) -> None:
    """Animated GIF with one frame per epoch grid (the last one held longer), written atomically."""
    frames = [Image.open(p).convert("L") for p in grid_paths]
    durations = [duration_ms] * (len(frames) - 1) + [duration_ms * 4]
    with atomic_path(path) as tmp:
        Path(tmp).write_bytes(to_gif(frames, duration_ms=durations))


def plot_losses(history: list[list[float]], path: Path) -> None:
    """Loss curves from rows [step, loss_d, loss_g, aux_d, aux_g] as a PNG, written atomically."""
    steps = [row[0] for row in history]
    # a bare Figure draws with the Agg canvas: no pyplot state, no backend switch for the caller (e.g. a notebook)
    fig = Figure(figsize=(10, 3.5), layout="constrained")
    adv, aux = fig.subplots(1, 2)
    for i, name in enumerate(LOSS_NAMES):
        ax = adv if i < 2 else aux
        ax.plot(steps, [row[i + 1] for row in history], label=name, linewidth=0.8)
    adv.set_title("hinge losses")
    aux.set_title("auxiliary classifier losses")
    aux.set_yscale("log")
    for ax in (adv, aux):
        ax.set_xlabel("step")
        ax.legend()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
