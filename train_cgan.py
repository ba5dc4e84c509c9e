"""Train the class-conditional GAN on MNIST.

    python train_cgan.py --preset quick                      # 9-20 min on a 2-core CPU with its evaluation, ~3 on a GPU
    python train_cgan.py --preset full --save-dir weights    # the shipped weights: 37-65 min on a 2-core CPU
    python train_cgan.py --max-steps 20 --train-subset 512   # smoke test

Recipe: the non-saturating logistic loss, spectral-norm projection discriminator
with an auxiliary classifier trained on real images (the quick preset's reads its last map by position), a
mode-seeking term on G, class-conditional BatchNorm generator whose tanh output is scaled and clipped (an exactly
black background), Adam, linear LR decay over the second half, EMA of the generator weights (the EMA copy is what
gets saved).
"""

import argparse
import json
import math
import os
import random
import shlex
import shutil
import sys
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DistributedSampler
from tqdm import tqdm

from model.atomic import save_pretrained_atomic
from model.card import write_card
from model.checkpoint import latest_checkpoint, load_checkpoint, save_checkpoint
from model.data import DATA_DIR_ENV, MnistNotFoundError, epoch_order, load_mnist, to_model_range
from model.ema import ema_decay, recalibrate_bn, update_ema
from model.evaluate import SAMPLES_PER_DIGIT, evaluate, format_table
from model.grids import digit_grid, ema_grid, epochs_overview, save_png
from model.losses import GAN_LOSSES, pair_labels
from model.networks import POOLINGS, DiscriminatorConfig, GeneratorConfig
from model.progress import plot_losses, progress_gif
from model.publish import HubPushError, push_folder, require_token
from model.rarity import RarityWeights
from model.recipe import PRESETS
from model.runtime import check_free_space, check_writable, in_ddp_job, log, pick_device
from model.tracking import MissingPackageError, RunLogger
from model.train_state import GanTrainState
from model.train_steps import discriminator_step, generator_step

MAX_ROLLBACKS = 3



def by_preset(field: str, text: str = "") -> str:
    """A flag's help: what it does, then its value in each preset."""
    values = ", ".join(f"{name} {getattr(recipe, field)}" for name, recipe in PRESETS.items())
    return f"{text} ({values})".strip()


def parse_args(argv=None):
    """The command line, with the preset's recipe filled in for every recipe flag not given."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_recipe_flags(p.add_argument_group("recipe (a flag not given takes the preset's value, in parentheses)"))
    add_run_flags(p.add_argument_group("data, output and hardware"))
    add_publish_flags(p.add_argument_group("logging, evaluation and the Hub"))
    args = p.parse_args(argv)
    for key, value in asdict(PRESETS[args.preset]).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    args.betas = tuple(args.betas)
    if messages := bad_values(args):
        p.error("; ".join(messages))  # exits with status 2 and the usage line, before any data is read
    return args


def add_recipe_flags(group) -> None:
    """The preset and the recipe flags that override it (model/recipe.py)."""
    group.add_argument("--preset", choices=PRESETS, default="quick",
                       help="the recipe (model/recipe.py) whose settings fill every flag not given (default: quick)")
    group.add_argument("--epochs", type=int, help=by_preset("epochs"))
    group.add_argument("--batch-size", type=int, help=by_preset("batch_size"))
    group.add_argument("--lr-g", type=float, help=by_preset("lr_g"))
    group.add_argument("--lr-d", type=float, help=by_preset("lr_d"))
    group.add_argument("--betas", type=float, nargs=2, help=by_preset("betas", "Adam's beta1 beta2"))
    group.add_argument("--ema-decay", type=float, help=by_preset("ema_decay"))
    group.add_argument("--aux-weight-d", type=float,
                       help=by_preset("aux_weight_d", "D's classifier loss on real images"))
    group.add_argument("--aux-weight-g", type=float, help=by_preset("aux_weight_g", "G's classifier loss on its fakes"))
    group.add_argument("--gan-loss", choices=GAN_LOSSES,
                       help=by_preset("gan_loss", "the realness loss: hinge, or logistic (the non-saturating loss)"))
    group.add_argument("--d-steps", type=int,
                       help=by_preset("d_steps", "D updates per G update (n_dis), each on its own batch; an epoch "
                                                 "is one pass of D over the data, so G gets 1/d-steps as many updates"))
    group.add_argument("--r1", type=float,
                       help=by_preset("r1", "weight (gamma) of an R1 penalty on D's gradient at reals; 0 is none"))
    group.add_argument("--mode-seeking", type=float,
                       help=by_preset("mode_seeking", "weight of G's mode-seeking term, which rewards varied styles"))
    group.add_argument("--z-dim", type=int, help=by_preset("z_dim"))
    group.add_argument("--g-channels", type=int, help=by_preset("g_channels"))
    group.add_argument("--g-attention", action=argparse.BooleanOptionalAction,
                       help=by_preset("g_attention", "a self-attention block in G at 14x14 (SAGAN), so each position "
                                                     "can draw on the whole digit"))
    group.add_argument("--output-gain", type=float,
                       help=by_preset("output_gain", "G's tanh output times this, clipped to [-1, 1]; 1 is plain tanh"))
    group.add_argument("--d-channels", type=int, help=by_preset("d_channels"))
    group.add_argument("--d-pooling", choices=POOLINGS,
                       help=by_preset("d_pooling", "how D's last 3x3 map becomes its features: sum over positions, "
                                                   "or a linear map weighing each one"))
    group.add_argument("--twin-classifier", action=argparse.BooleanOptionalAction,
                       help=by_preset("twin_classifier", "a twin classifier head in D that learns the fakes' digits "
                                                         "(TAC-GAN): G's auxiliary term then asks for each digit's "
                                                         "variety, not its clearest examples"))
    group.add_argument("--d-minibatch-std", type=float,
                       help=by_preset("d_minibatch_std", "weight of a minibatch-stddev channel in D (ProGAN), which "
                                                         "shows D how varied each group of 4 images is; 0 is none"))
    group.add_argument("--rarity-weight", type=float, metavar="ALPHA",
                       help=by_preset("rarity_weight", "weigh every image's realness loss, real or fake, by its "
                                                       "style's rarity to the power ALPHA (model/rarity.py); 0 is "
                                                       "none"))


def add_run_flags(group) -> None:
    """Where the data comes from and the outputs go, the device, checkpoints and resume."""
    group.add_argument("--seed", type=int, default=0,
                       help="seeds the weights, the data order and the noise: on a CPU with the same --threads, "
                            "the same seed trains the same weights (default 0)")
    group.add_argument("--max-steps", type=int, help="stop after this many steps (for smoke tests)")
    group.add_argument("--data-dir", help=f"MNIST folder (default: ${DATA_DIR_ENV} or ~/.cache/digit-cgan/mnist)")
    group.add_argument("--train-subset", type=int, help="train on the first N images only (for tests)")
    group.add_argument("--out-dir", default="runs/cgan", help="run folder: samples/, checkpoints/")
    group.add_argument("--save-dir", help="where save_pretrained writes the generator (default: OUT_DIR/generator)")
    group.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N (under torchrun: each rank's GPU)")
    group.add_argument("--amp", choices=["off", "on", "auto"], default="off",
                       help="bf16 autocast: off = fp32 (on an H200, bf16 was no faster for these small networks: "
                            "docs/training.md); on = on any device; auto = on CUDA where supported")
    group.add_argument("--compile", action="store_true", help="torch.compile the generator and discriminator")
    group.add_argument("--threads", type=int, help="CPU threads for torch (default: torch's choice)")
    group.add_argument("--checkpoint-every", type=int, default=500,
                       help="steps between checkpoints (and every epoch)")
    group.add_argument("--keep", type=int, default=3, help="checkpoints to keep")
    group.add_argument("--resume", action="store_true", help="continue from the newest checkpoint in OUT_DIR")
    group.add_argument("--skip-nonfinite", action="store_true",
                       help=f"on a NaN/inf loss, roll back to the last checkpoint, new noise "
                            f"({MAX_ROLLBACKS} times max)")


def add_publish_flags(group) -> None:
    """Experiment logging, the final evaluation, the progress bar and pushing to the Hub."""
    group.add_argument("--push-to-hub", metavar="OWNER/NAME", help="push the saved generator to this Hub repo")
    group.add_argument("--private", action="store_true", help="with --push-to-hub: create the repo as private")
    group.add_argument("--hub-revision", help="with --push-to-hub: branch to commit to (default main)")
    group.add_argument("--commit-message", help="with --push-to-hub: commit message")
    group.add_argument("--tensorboard", action="store_true",
                       help="also log scalars and grids to OUT_DIR/tensorboard")
    group.add_argument("--wandb", action="store_true",
                       help="also log losses, grids and metrics to Weights & Biases (WANDB_MODE=offline: no account)")
    group.add_argument("--wandb-project", default="digit-cgan", help="with --wandb: the W&B project")
    group.add_argument("--wandb-run-name", help="with --wandb: the run's name (default: W&B picks one)")
    group.add_argument("--no-eval", action="store_true", help="skip the final evaluation (about 2 minutes on a CPU)")
    group.add_argument("--eval-samples-per-digit", type=int, default=SAMPLES_PER_DIGIT,
                       help=f"samples per digit for the final evaluation (default {SAMPLES_PER_DIGIT}: the published "
                            "figures use it; fewer is faster and noisier)")
    group.add_argument("--no-progress", action="store_true", help="no progress bar (logs a line per epoch)")


def bad_values(args) -> list[str]:
    """What is wrong with the numeric flags: one message per flag, naming what it allows (empty when all is well)."""
    def whole(low: int) -> tuple:
        """The rule for a count (argparse has made it a whole number already)."""
        return lambda v: v >= low, f"a whole number of at least {low}"

    above_zero = (lambda v: math.isfinite(v) and v > 0, "a finite number above 0")
    zero_or_more = (lambda v: math.isfinite(v) and v >= 0, "a finite number of 0 or more")
    rules = {
        "--epochs": whole(1), "--d-steps": whole(1), "--max-steps": whole(1), "--z-dim": whole(1),
        "--d-channels": whole(1), "--train-subset": whole(1), "--threads": whole(1), "--checkpoint-every": whole(1),
        "--keep": whole(1),
        # checked now, not after hours of training: the evaluation compares with at most 1,000 test images per digit
        "--eval-samples-per-digit": (lambda v: 10 <= v <= SAMPLES_PER_DIGIT,
                                     f"a whole number from 10 to {SAMPLES_PER_DIGIT}"),
        "--batch-size": (lambda v: v >= 2, "at least 2 (BatchNorm and the mode-seeking pairs need two images)"),
        "--g-channels": (lambda v: v >= 4, "at least 4 (it is halved twice on the way to 28x28)"),
        "--seed": (lambda v: 0 <= v < 2**32, "a whole number from 0 to 2**32 - 1 (NumPy's seed range)"),
        "--lr-g": above_zero, "--lr-d": above_zero, "--output-gain": above_zero,
        "--aux-weight-d": zero_or_more, "--aux-weight-g": zero_or_more, "--mode-seeking": zero_or_more,
        "--d-minibatch-std": zero_or_more, "--r1": zero_or_more, "--rarity-weight": zero_or_more,
        "--betas": (lambda v: all(0 <= b < 1 for b in v), "two numbers from 0 up to (not including) 1"),
        "--ema-decay": (lambda v: 0 <= v < 1, "from 0 up to (not including) 1"),
    }
    messages = []
    for flag, (ok, allowed) in rules.items():
        value = getattr(args, flag.removeprefix("--").replace("-", "_"))
        if value is not None and not ok(value):
            messages.append(f"argument {flag}: must be {allowed}, got {value}")
    return messages


def setup_processes(device_name: str, batch_size: int) -> tuple[bool, int, int, torch.device]:
    """(distributed, world size, rank, device). Under torchrun: one process per GPU (NCCL) or per CPU worker (gloo)."""
    world, rank = int(os.environ.get("WORLD_SIZE", "1")), int(os.environ.get("RANK", "0"))
    device = pick_device(device_name)
    # every torchrun job (it sets LOCAL_RANK) is a DDP job, one process too: on a one-GPU machine that is how NCCL
    # and DDP get tested; other launchers that set WORLD_SIZE > 1 are DDP jobs as before
    if not (world > 1 or "LOCAL_RANK" in os.environ):
        return False, 1, 0, device  # one process, rank 0 whatever RANK says: it logs and writes the files
    if device.type == "cuda":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", rank % torch.cuda.device_count())))
        torch.cuda.set_device(device)
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    if batch_size % world:
        sys.exit(f"error: --batch-size {batch_size} must be divisible by the {world} processes")
    if batch_size // world < 2:  # each process's BatchNorm and mode-seeking pairs need two images
        sys.exit(f"error: --batch-size {batch_size} must give each of the {world} processes at least 2 images")
    return True, world, rank, device


def use_bf16(amp: str, device: torch.device) -> bool:
    """Whether to train under bf16 autocast: --amp on, or auto on a GPU that supports it."""
    bf16_ok = device.type != "cuda" or torch.cuda.is_bf16_supported()
    if amp == "on" and not bf16_ok:
        sys.exit(f"error: --amp on: this GPU ({torch.cuda.get_device_name(device)}) does not support bf16")
    return amp == "on" or (amp == "auto" and device.type == "cuda" and bf16_ok)


@dataclass(frozen=True)
class TrainingData:
    """The whole training set in memory, and how the run walks through it."""

    images: torch.Tensor  # (N, 1, 28, 28) in [-1, 1], on the run's device
    labels: torch.Tensor  # (N,), on the run's device too
    sampler: DistributedSampler | None  # this process's share of each epoch under DDP; None in one process
    steps_per_epoch: int
    total_steps: int
    rarity: RarityWeights | None  # --rarity-weight's weights, None without it


def load_training_set(data_dir, subset: int | None, device) -> tuple[torch.Tensor, torch.Tensor]:
    """All training images (N, 1, 28, 28) in [-1, 1] and labels (N,) on `device`: MNIST fits in memory."""
    try:
        images, labels = load_mnist(data_dir, train=True)
    except MnistNotFoundError as e:
        sys.exit(f"error: {e}")
    if subset:
        images, labels = images[:subset], labels[:subset]
    return to_model_range(images).to(device), labels.to(device)


def restore(state: GanTrainState, path: Path) -> None:
    """Load a checkpoint into `state`, or exit saying why it does not fit."""
    try:
        state.load_state_dict(load_checkpoint(path))
    except ValueError as e:
        sys.exit(f"error: {path}: {e}")


def roll_back(state: GanTrainState, ckpt_dir: Path, args, rollbacks: int, losses: dict) -> int:
    """After a non-finite loss: exit with the step and last good checkpoint, or (--skip-nonfinite) restore that
    checkpoint with fresh noise. Returns the new rollback count."""
    last = latest_checkpoint(ckpt_dir)
    if not (args.skip_nonfinite and last is not None and rollbacks < MAX_ROLLBACKS):
        parts = ", ".join(f"loss_{name} {value.item()}" for name, value in losses.items() if name in ("d", "g"))
        sys.exit(f"error: non-finite loss at step {state.step + 1} ({parts}); last good checkpoint: "
                 f"{last or 'none yet'}. "
                 "Lower the learning rates, or use --skip-nonfinite to roll back and go on.")
    restore(state, last)
    rollbacks += 1
    state.noise_rng.manual_seed(args.seed + 1_000_003 * rollbacks)  # the same noise would fail the same way
    log(f"warning: non-finite loss; rolled back to {last} (step {state.step}), rollback {rollbacks}")
    return rollbacks


def checkpoint(state: GanTrainState, ckpt_dir: Path, args) -> None:
    """Save a rotating checkpoint, unless a weight has gone non-finite (it must never become the 'last good' one)."""
    bad = [name for m in (state.G, state.D) for name, p in m.named_parameters() if not torch.isfinite(p).all()]
    if bad:
        sys.exit(f"error: non-finite weights at step {state.step} ({', '.join(bad[:3])}); last good "
                 f"checkpoint: {latest_checkpoint(ckpt_dir) or 'none yet'}")
    save_checkpoint(state.state_dict(args=vars(args)), ckpt_dir, state.step, args.keep)


def open_logger(args, out_dir: Path, step: int, is_main: bool) -> RunLogger:
    """TensorBoard and/or W&B as asked (rank 0 only), continuing at `step` after a resume; exits if not installed."""
    try:
        return RunLogger(out_dir, tensorboard=args.tensorboard and is_main, wandb=args.wandb and is_main,
                         wandb_project=args.wandb_project, wandb_run_name=args.wandb_run_name, config=vars(args),
                         resume_step=step)
    except MissingPackageError as e:
        sys.exit(f"error: {e}")


def save_generator(state: GanTrainState, out_dir: Path, save_dir: Path, train_info: dict) -> None:
    """Write the run's overview, GIF and loss plot, then the EMA generator (BatchNorm recalibrated) to save_dir."""
    grids = sorted((out_dir / "samples").glob("epoch_*.png"))
    save_png(epochs_overview(grids), out_dir / "samples" / "overview.png")
    progress_gif(grids, out_dir / "samples" / "progress.gif")
    if state.history:
        plot_losses(state.history, out_dir / "samples" / "losses.png")
    recalibrate_bn(state.G_ema)
    save_pretrained_atomic(state.G_ema.cpu(), save_dir)
    save_png(digit_grid(state.G_ema), save_dir / "samples.png")
    shutil.copyfile(out_dir / "samples" / "overview.png", save_dir / "overview.png")
    (save_dir / "training.json").write_text(json.dumps(train_info, indent=2) + "\n")
    print(f"saved generator to {save_dir} after {state.step} steps in {train_info['wall_clock_s']}s")


def evaluate_and_publish(G_ema, save_dir: Path, args, command: str, logger: RunLogger) -> None:
    """Score the saved generator, write its model card (README.md), and push the folder if asked to."""
    if not args.no_eval:
        metrics = evaluate(G_ema, args.data_dir, samples_per_digit=args.eval_samples_per_digit)
        (save_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
        # the run's record keeps its result too, so one file says what a command achieved and in how long
        train_info = json.loads((save_dir / "training.json").read_text()) | {"metrics": metrics}
        (save_dir / "training.json").write_text(json.dumps(train_info, indent=2) + "\n")
        print(format_table(metrics))
        logger.summary(metrics)
    write_card(save_dir)
    if args.push_to_hub:
        try:
            info = push_folder(save_dir, args.push_to_hub, private=args.private, revision=args.hub_revision,
                               commit_message=args.commit_message or f"Train: {command}")
        except HubPushError as e:
            sys.exit(f"error: {e} (the generator is saved in {save_dir}; push it with python -m model.push)")
        print(f"pushed to {args.push_to_hub}: commit {info.oid}")


def check_push_token() -> None:
    """Exit now, not after hours of training, if --push-to-hub has no Hugging Face token to push with."""
    try:
        require_token()
    except HubPushError as e:
        sys.exit(f"error: {e}")


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and torch's global RNGs (network init; the training noise has its own generator)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def resume_latest(state: GanTrainState, ckpt_dir: Path, seed: int, rank: int) -> None:
    """Restore the newest checkpoint in ckpt_dir, or exit if there is none.

    The checkpoint holds rank 0's noise state: rank 0 goes on with it, and the other ranks of a DDP job restart
    theirs from a seed of their rank and the step.
    """
    path = latest_checkpoint(ckpt_dir)
    if path is None:
        sys.exit(f"error: --resume given but there is no checkpoint in {ckpt_dir}")
    restore(state, path)
    if rank:
        state.noise_rng.manual_seed(seed + 7919 * rank + state.step)
    log(f"resumed from {path} at step {state.step}")


def log_start(state: GanTrainState, device, total_steps: int, steps_per_epoch: int, batch_size: int,
              use_amp: bool) -> None:
    """Log where and how long the run trains (and in how many processes, in a DDP job), and the networks' sizes."""
    processes = dist.get_world_size() if in_ddp_job() else 0
    how = f" x {processes} process{'es' * (processes > 1)} ({dist.get_backend()})" if processes else ""
    how += " with bf16 autocast" if use_amp else ""
    n_g, n_d = (sum(p.numel() for p in m.parameters()) for m in (state.G, state.D))
    log(f"training on {device}{how} for {total_steps} steps ({steps_per_epoch} per epoch, batch {batch_size}); "
        f"G {n_g:,} params, D {n_d:,}")


def throughput(steps: int, steady_steps: int, batch_size: int, t0: float, t_warm: float | None, t_end: float) -> dict:
    """Images per second over the run's steps (from t0), and over those after the warm-up (from t_warm; None if
    it had none)."""
    after_warmup = round(steady_steps * batch_size / max(t_end - t_warm, 1e-9)) if steady_steps > 0 else None
    return {"images_per_second": round(steps * batch_size / max(t_end - t0, 1e-9)),
            "images_per_second_after_warmup": after_warmup}


class Networks(NamedTuple):
    """G and D as the training loop calls them: G and D wrapped in DDP under torchrun, all three compiled when asked."""

    G: torch.nn.Module
    D: torch.nn.Module  # for D's own step
    D_for_g: torch.nn.Module  # for G's step: D never wrapped in DDP, as G's loss needs no gradient of D's weights


def build_networks(args, total_steps: int, rank: int, device, distributed: bool) -> tuple[GanTrainState, Networks]:
    """The training state for the flags (networks, optimisers, schedules, noise), and G and D as the loop calls them."""
    g_config = GeneratorConfig(z_dim=args.z_dim, channels=args.g_channels, output_gain=args.output_gain,
                               attention=args.g_attention)
    d_config = DiscriminatorConfig(channels=args.d_channels, pooling=args.d_pooling,
                                   twin_classifier=args.twin_classifier, minibatch_std=args.d_minibatch_std)
    state = GanTrainState.create(g_config, d_config, lr_g=args.lr_g, lr_d=args.lr_d, betas=args.betas,
                                 total_steps=total_steps, noise_seed=args.seed + 7919 * rank, device=device)
    G_train, D_train = (DDP(state.G), DDP(state.D)) if distributed else (state.G, state.D)
    D_for_g = state.D  # G's step needs no gradient of D's weights, so it calls D unwrapped (no DDP all-reduce)
    if args.compile:
        G_train, D_train = torch.compile(G_train), torch.compile(D_train)
        D_for_g = torch.compile(D_for_g) if distributed else D_train
    return state, Networks(G_train, D_train, D_for_g)


@dataclass(frozen=True)
class Run:
    """One process's view of a training run: its flags, device, place in a DDP job and output folders."""

    args: argparse.Namespace
    command: str  # the command line as given, for the records and the Hub commit message
    device: torch.device
    distributed: bool
    world: int
    rank: int
    batch: int  # images per process and step: the effective batch stays --batch-size
    use_amp: bool
    out_dir: Path
    save_dir: Path
    ckpt_dir: Path

    @property
    def is_main(self) -> bool:
        """Whether this is rank 0, which alone logs and writes files."""
        return self.rank == 0


def start_run(argv=None) -> Run:
    """Parse the flags, join the DDP job if there is one, check the folders, and seed the global RNGs."""
    args = parse_args(argv)
    command = "python train_cgan.py " + shlex.join(sys.argv[1:] if argv is None else argv)
    if args.push_to_hub:
        check_push_token()
    distributed, world, rank, device = setup_processes(args.device, args.batch_size)
    if args.r1 and (distributed or args.compile):  # both refuse the penalty's gradient of a gradient
        sys.exit(f"error: --r1 does not run under {'torchrun (DDP)' if distributed else '--compile'}: "
                 "the penalty needs a second-order gradient that it does not support")
    out_dir = Path(args.out_dir)
    save_dir = Path(args.save_dir or out_dir / "generator")
    run = Run(args=args, command=command, device=device, distributed=distributed, world=world, rank=rank,
              batch=args.batch_size // world, use_amp=use_bf16(args.amp, device), out_dir=out_dir, save_dir=save_dir,
              ckpt_dir=out_dir / "checkpoints")
    if run.is_main:
        check_writable(out_dir / "samples", run.ckpt_dir, run.save_dir)
    if args.threads:
        torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    return run


def prepare_data(run: Run) -> TrainingData:
    """Load MNIST and size the run: batches are slices of a per-epoch permutation of the whole training set."""
    args = run.args
    images, labels = load_training_set(args.data_dir, args.train_subset, run.device)  # (N, 1, 28, 28), (N,)
    sampler = DistributedSampler(range(len(images)), run.world, run.rank, seed=args.seed, drop_last=True) \
        if run.distributed else None
    steps_per_epoch = (len(sampler) if run.distributed else len(images)) // run.batch
    if steps_per_epoch == 0:
        sys.exit(f"error: batch size {args.batch_size} is larger than the {len(images)} training images")
    total_steps = min(args.epochs * steps_per_epoch, args.max_steps or sys.maxsize)
    rarity = None
    if args.rarity_weight:
        t0 = time.time()
        try:
            rarity = RarityWeights(images, labels, args.rarity_weight)
        except ValueError as e:
            sys.exit(f"error: --rarity-weight: {e}")
        log(f"rarity weights (alpha {args.rarity_weight}) of {len(images)} training images in {time.time() - t0:.0f}s")
    return TrainingData(images, labels, sampler, steps_per_epoch, total_steps, rarity)


def noise_batch(state: GanTrainState, run: Run) -> tuple[torch.Tensor, torch.Tensor]:
    """Latents (B, z_dim) and requested digits (B,) for G, from the run's own noise generator."""
    g_config = state.G.config
    z = torch.randn(run.batch, g_config.z_dim, generator=state.noise_rng, device=run.device)  # (B, z_dim)
    fake_labels = torch.randint(0, g_config.num_classes, (run.batch,), generator=state.noise_rng, device=run.device)
    if run.args.mode_seeking:  # the mode-seeking term compares two latents of one digit: pairs share a label
        fake_labels = pair_labels(fake_labels)
    return z, fake_labels


def log_and_checkpoint(state: GanTrainState, run: Run, losses: dict, epoch: int, epoch_done: bool, bar: tqdm,
                       logger: RunLogger) -> None:
    """Log the losses every 20 steps, checkpoint, and at the end of each epoch draw the fixed-seed grid."""
    if state.step % 20 == 0 or epoch_done:
        # with --d-steps > 1, G's parts are from its latest update (nan before its first one after a resume)
        row = {name: losses[name].item() if name in losses else math.nan for name in ("d", "g", "aux_d", "aux_g")}
        bar.set_postfix({k: f"{v:.3f}" for k, v in row.items()})
        state.history.append([state.step, *row.values()])
        logger.scalars({f"loss/{name}": value.item() for name, value in losses.items()}, state.step)
    if run.is_main and (state.step % run.args.checkpoint_every == 0 or epoch_done):
        checkpoint(state, run.ckpt_dir, run.args)
    if run.is_main and epoch_done:
        grid = ema_grid(state.G_ema)  # (1, H, W): row d is digit d for seeds 0-9, as G.generate draws them
        save_png(grid, run.out_dir / "samples" / f"epoch_{epoch + 1:03d}.png")
        logger.image("samples", grid, state.step)


def train(state: GanTrainState, nets: Networks, run: Run, data: TrainingData, logger: RunLogger) -> dict:
    """The training loop, from state.step to data.total_steps; returns where it started and its timing, for the
    run's record (training.json)."""
    args, steps_per_epoch, total_steps = run.args, data.steps_per_epoch, data.total_steps
    t0, start_step = time.time(), state.step
    warm_steps, t_warm = 20, None  # throughput after the first steps leaves out torch.compile's compilation
    bar = tqdm(total=total_steps, initial=state.step, disable=args.no_progress or not run.is_main, unit="step",
               dynamic_ncols=True)
    orders, rollbacks, g_losses = {}, 0, {}
    if args.d_steps > 1:  # G's schedule counts every step, so it moves before G's first update: harmless, as its
        # factor depends on the step alone (model/schedule.py), but torch warns of a skipped value
        warnings.filterwarnings("ignore", r"Detected call of `lr_scheduler\.step\(\)` before `optimizer\.step\(\)`")
    while state.step < total_steps:
        epoch, pos = divmod(state.step, steps_per_epoch)
        if epoch not in orders:
            orders = {epoch: epoch_order(epoch, len(data.images), args.seed, data.sampler)}
        idx = orders[epoch][pos * run.batch : (pos + 1) * run.batch].to(run.device)
        real = data.images[idx].contiguous(memory_format=torch.channels_last)  # (B, 1, 28, 28)
        real_labels = data.labels[idx]  # (B,)
        z, fake_labels = noise_batch(state, run)  # (B, z_dim), (B,)
        g_turn = state.step % args.d_steps == args.d_steps - 1  # G updates after every d_steps-th D update
        with torch.autocast(run.device.type, dtype=torch.bfloat16, enabled=run.use_amp), \
                torch.set_grad_enabled(g_turn):  # on D's turns alone the fakes need no graph through G
            fake = nets.G(z, fake_labels)  # (B, 1, 28, 28)

        # rarity weights (--rarity-weight): each real and fake image's realness term, by how rare its style is
        real_weight, fake_weight = (data.rarity.of_reals(idx), data.rarity.of_fakes(fake, fake_labels)) \
            if data.rarity else (None, None)

        # (1) update D: realness of real and fake images + auxiliary classification of the real ones
        losses = discriminator_step(nets.D, state.opt_d, real, real_labels, fake, fake_labels, args.aux_weight_d,
                                    run.use_amp, joint_batch=run.distributed, gan_loss=args.gan_loss, r1=args.r1,
                                    real_weight=real_weight, fake_weight=fake_weight)
        # (2) update G: fool D, be classified as the requested digit (and draw it differently for each z)
        if g_turn:
            g_losses = generator_step(nets.D_for_g, state.opt_g, fake, fake_labels, args.aux_weight_g, run.use_amp, z,
                                      args.mode_seeking, args.gan_loss, fake_weight)
            losses |= g_losses

        # (3) a non-finite loss stops the run, or (--skip-nonfinite) rolls back to the last checkpoint
        if not torch.isfinite(sum(losses.values())):
            rollbacks = roll_back(state, run.ckpt_dir, args, rollbacks, losses)
            bar.n = state.step
            bar.refresh()
            continue
        losses = g_losses | losses  # the log shows G's latest losses on D's turns alone

        # (4) EMA of G's weights (when G has changed), then the learning-rate schedules
        if g_turn:
            update_ema(state.G_ema, state.G, ema_decay(state.step // args.d_steps, args.ema_decay))
        state.sched_g.step()
        state.sched_d.step()
        state.step += 1
        bar.update(1)
        if state.step == start_step + warm_steps:
            t_warm = time.time()

        # (5) log, checkpoint, and at the end of each epoch draw the fixed-seed grid
        epoch_done = state.step % steps_per_epoch == 0 or state.step == total_steps
        log_and_checkpoint(state, run, losses, epoch, epoch_done, bar, logger)
        if run.is_main and epoch_done and args.no_progress:  # the bar is off: one line per epoch instead
            _, loss_d, loss_g, *_ = state.history[-1]  # logged at every epoch's end
            print(f"epoch {epoch + 1}: step {state.step}/{total_steps}, {time.time() - t0:.0f}s, "
                  f"loss_d {loss_d:.3f} loss_g {loss_g:.3f}", flush=True)
    bar.close()
    t_end = time.time()
    steady_steps = state.step - start_step - warm_steps  # t_warm is set once warm_steps steps have run
    return {"resumed_from_step": start_step or None,
            "wall_clock_s": round(t_end - t0),  # of this process: from resumed_from_step on, if it resumed
            **throughput(state.step - start_step, steady_steps, args.batch_size, t0, t_warm, t_end)}


def finish(state: GanTrainState, run: Run, timing: dict, logger: RunLogger) -> None:
    """Rank 0, after training: save the EMA generator with the run's record, evaluate it, write its card, push it."""
    threads = torch.get_num_threads()
    if run.distributed and run.device.type == "cpu":  # the other processes have ended: evaluate on all their cores
        torch.set_num_threads(run.world * threads)
    args = run.args
    save_generator(state, run.out_dir, run.save_dir, {
        "command": run.command, "steps": state.step, "epochs": args.epochs, **timing, "device": str(run.device),
        "processes": run.world, "threads": threads, "args": vars(args)})
    evaluate_and_publish(state.G_ema, run.save_dir, args, run.command, logger)
    logger.close()


def main(argv=None):
    """Set up, train, save, evaluate and (optionally) push; see the module docstring."""
    run = start_run(argv)
    args = run.args

    data = prepare_data(run)
    # networks, optimisers, schedules and noise: everything a checkpoint holds (rank 0's noise as single-process)
    state, nets = build_networks(args, data.total_steps, run.rank, run.device, run.distributed)
    if run.is_main:
        check_free_space(run.out_dir, state.checkpoint_bytes(), args.keep)
    if args.resume:
        resume_latest(state, run.ckpt_dir, args.seed, run.rank)
    logger = open_logger(args, run.out_dir, state.step, run.is_main)
    log_start(state, run.device, data.total_steps, data.steps_per_epoch, args.batch_size, run.use_amp)

    timing = train(state, nets, run, data, logger)
    if run.distributed:
        dist.destroy_process_group()
    if run.is_main:
        finish(state, run, timing, logger)


if __name__ == "__main__":
    main()
