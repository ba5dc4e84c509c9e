"""Train the class-conditional GAN on MNIST.

    python train_cgan.py --preset quick                      # ~15 min on a 2-core CPU
    python train_cgan.py --preset full --save-dir weights    # the shipped weights
    python train_cgan.py --max-steps 20 --train-subset 512   # smoke test

Recipe: hinge loss, spectral-norm projection discriminator with an auxiliary classifier
trained on real images, class-conditional BatchNorm generator, Adam, linear LR decay over
the second half, EMA of the generator weights (the EMA copy is what gets saved).
"""

import argparse
import copy
import json
import os
import random
import shlex
import shutil
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DistributedSampler
from tqdm import tqdm

from model.card import write_card
from model.checkpoint import (
    latest_checkpoint,
    load_checkpoint,
    save_checkpoint,
    save_pretrained_atomic,
)
from model.data import DATA_DIR_ENV, MnistNotFoundError, load_mnist, to_model_range
from model.evaluate import evaluate, format_table
from model.grids import digit_grid, epochs_overview, save_png
from model.networks import (
    DigitGenerator,
    Discriminator,
    DiscriminatorConfig,
    GeneratorConfig,
)
from model.progress import plot_losses, progress_gif
from model.publish import HubPushError, push_folder, require_token
from model.training import (
    check_writable,
    log,
    lr_factor,
    numpy_state,
    pick_device,
    recalibrate_bn,
    set_numpy_state,
    update_ema,
)

MAX_ROLLBACKS = 3
PRESETS = {
    "quick": dict(epochs=4),
    "full": dict(epochs=20),
}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--preset", choices=PRESETS, default="quick", help="epochs budget (default: quick)")
    p.add_argument("--epochs", type=int, help="overrides the preset")
    p.add_argument("--max-steps", type=int, help="stop after this many steps (for smoke tests)")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr-g", type=float, default=2e-4)
    p.add_argument("--lr-d", type=float, default=2e-4)
    p.add_argument("--betas", type=float, nargs=2, default=(0.5, 0.999))
    p.add_argument("--ema-decay", type=float, default=0.999)
    p.add_argument("--aux-weight-d", type=float, default=1.0, help="auxiliary classifier loss on real images (D)")
    p.add_argument("--aux-weight-g", type=float, default=0.2, help="auxiliary classifier loss on fakes (G)")
    p.add_argument("--z-dim", type=int, default=64)
    p.add_argument("--g-channels", type=int, default=128)
    p.add_argument("--d-channels", type=int, default=64)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data-dir", help=f"MNIST folder (default: ${DATA_DIR_ENV} or ~/.cache/digit-cgan/mnist)")
    p.add_argument("--train-subset", type=int, help="train on the first N images only (for tests)")
    p.add_argument("--out-dir", default="runs/cgan", help="run folder: samples/, checkpoints/")
    p.add_argument("--save-dir", help="where save_pretrained writes the generator (default: OUT_DIR/generator)")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N (under torchrun: each rank's GPU)")
    p.add_argument("--amp", choices=["auto", "on", "off"], default="auto",
                   help="bf16 autocast: auto = on CUDA where supported; on = on any device (CPU too)")
    p.add_argument("--compile", action="store_true", help="torch.compile the generator and discriminator")
    p.add_argument("--threads", type=int, help="CPU threads for torch (default: torch's choice)")
    p.add_argument("--checkpoint-every", type=int, default=500, help="steps between checkpoints (and every epoch)")
    p.add_argument("--keep", type=int, default=3, help="checkpoints to keep")
    p.add_argument("--resume", action="store_true", help="continue from the newest checkpoint in OUT_DIR")
    p.add_argument("--push-to-hub", metavar="OWNER/NAME", help="push the saved generator to this Hub repo")
    p.add_argument("--private", action="store_true", help="with --push-to-hub: create the repo as private")
    p.add_argument("--hub-revision", help="with --push-to-hub: branch to commit to (default main)")
    p.add_argument("--commit-message", help="with --push-to-hub: commit message")
    p.add_argument("--tensorboard", action="store_true", help="also log scalars and grids to OUT_DIR/tensorboard")
    p.add_argument("--skip-nonfinite", action="store_true",
                   help=f"on a NaN/inf loss, roll back to the last checkpoint, new noise ({MAX_ROLLBACKS} times max)")
    p.add_argument("--no-eval", action="store_true", help="skip the final evaluation (10k samples, ~30 s on CPU)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (logs a line per epoch)")
    args = p.parse_args(argv)
    for key, value in PRESETS[args.preset].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    return args


def main(argv=None):
    args = parse_args(argv)
    command = "python train_cgan.py " + shlex.join(sys.argv[1:] if argv is None else argv)
    if args.push_to_hub:
        try:
            require_token()  # fail now, not after hours of training
        except HubPushError as e:
            sys.exit(f"error: {e}")
    # under torchrun: one process per GPU (NCCL) or per CPU worker (gloo); rank 0 alone logs and writes files
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    distributed, is_main = world > 1, rank == 0
    device = pick_device(args.device)
    if distributed:
        if device.type == "cuda":
            device = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
            torch.cuda.set_device(device)
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
        if args.batch_size % world:
            sys.exit(f"error: --batch-size {args.batch_size} must be divisible by the {world} processes")
    batch = args.batch_size // world  # per process; the effective batch stays --batch-size
    bf16_ok = device.type != "cuda" or torch.cuda.is_bf16_supported()
    if args.amp == "on" and not bf16_ok:
        sys.exit(f"error: --amp on: this GPU ({torch.cuda.get_device_name(device)}) does not support bf16")
    use_amp = args.amp == "on" or (args.amp == "auto" and device.type == "cuda" and bf16_ok)

    out_dir = Path(args.out_dir)
    save_dir = Path(args.save_dir or out_dir / "generator")
    ckpt_dir = out_dir / "checkpoints"
    if is_main:
        check_writable(out_dir / "samples", ckpt_dir, save_dir)
    if args.threads:
        torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)

    # data: the whole training set fits in memory; batches are sliced from a per-epoch permutation
    try:
        images, labels = load_mnist(args.data_dir, train=True)
    except MnistNotFoundError as e:
        sys.exit(f"error: {e}")
    if args.train_subset:
        images, labels = images[: args.train_subset], labels[: args.train_subset]
    real_all = to_model_range(images).to(device)  # (N, 1, 28, 28)
    labels_all = labels.to(device)
    sampler = DistributedSampler(range(len(real_all)), world, rank, seed=args.seed, drop_last=True) \
        if distributed else None
    steps_per_epoch = (len(sampler) if distributed else len(real_all)) // batch
    if steps_per_epoch == 0:
        sys.exit(f"error: batch size {args.batch_size} is larger than the {len(real_all)} training images")
    total_steps = args.epochs * steps_per_epoch
    if args.max_steps:
        total_steps = min(total_steps, args.max_steps)

    g_config = GeneratorConfig(z_dim=args.z_dim, channels=args.g_channels)
    d_config = DiscriminatorConfig(channels=args.d_channels)
    G = DigitGenerator(g_config).to(device)
    D = Discriminator(d_config).to(device).to(memory_format=torch.channels_last)
    G_ema = copy.deepcopy(G).eval()
    opt_g = torch.optim.Adam(G.parameters(), lr=args.lr_g, betas=tuple(args.betas))
    opt_d = torch.optim.Adam(D.parameters(), lr=args.lr_d, betas=tuple(args.betas))
    sched_g = torch.optim.lr_scheduler.LambdaLR(opt_g, lambda s: lr_factor(s, total_steps))
    sched_d = torch.optim.lr_scheduler.LambdaLR(opt_d, lambda s: lr_factor(s, total_steps))
    noise_rng = torch.Generator(device=device).manual_seed(args.seed + 7919 * rank)  # rank 0: as single-process
    G_train = DDP(G) if distributed else G
    D_train = DDP(D) if distributed else D
    if args.compile:
        G_train, D_train = torch.compile(G_train), torch.compile(D_train)
    step = 0
    history = []  # rows [step, loss_d, loss_g, aux_d, aux_g] for the loss plot

    # a full disk found after an hour of training is an hour lost: check for room for the checkpoints first
    n_g, n_d = (sum(p.numel() for p in m.parameters()) for m in (G, D))
    checkpoint_bytes = 4 * (4 * n_g + 3 * n_d)  # G, EMA and Adam's two moments for G; D and its two moments
    needed = checkpoint_bytes * (args.keep + 1) + 50 * 2**20
    free = shutil.disk_usage(out_dir).free if is_main else needed
    if free < needed:
        sys.exit(f"error: not enough free disk space in {out_dir}: about {needed / 2**20:.0f} MiB needed for "
                 f"{args.keep} checkpoints and samples, {free / 2**20:.0f} MiB free")
    rollbacks = 0

    def state_dict():
        return {
            "step": step, "g_config": asdict(g_config), "d_config": asdict(d_config), "args": vars(args),
            "G": G.state_dict(), "D": D.state_dict(), "G_ema": G_ema.state_dict(),
            "opt_g": opt_g.state_dict(), "opt_d": opt_d.state_dict(),
            "sched_g": sched_g.state_dict(), "sched_d": sched_d.state_dict(),
            "noise_rng": noise_rng.get_state(), "torch_rng": torch.get_rng_state(),
            "python_rng": random.getstate(), "numpy_rng": numpy_state(), "history": history,
        }

    def restore(path):
        nonlocal step, history
        ckpt = load_checkpoint(path)
        if ckpt["g_config"] != asdict(g_config) or ckpt["d_config"] != asdict(d_config):
            sys.exit(f"error: {path} was trained with a different model config: {ckpt['g_config']}")
        for module, key in ((G, "G"), (D, "D"), (G_ema, "G_ema"), (opt_g, "opt_g"), (opt_d, "opt_d"),
                            (sched_g, "sched_g"), (sched_d, "sched_d")):
            module.load_state_dict(ckpt[key])
        noise_rng.set_state(ckpt["noise_rng"])
        torch.set_rng_state(ckpt["torch_rng"])
        random.setstate(ckpt["python_rng"])
        set_numpy_state(ckpt["numpy_rng"])
        history, step = ckpt["history"], ckpt["step"]

    if args.resume:
        path = latest_checkpoint(ckpt_dir)
        if path is None:
            sys.exit(f"error: --resume given but there is no checkpoint in {ckpt_dir}")
        restore(path)
        if distributed:  # the checkpoint holds rank 0's noise state; the other ranks restart theirs
            noise_rng.manual_seed(args.seed + 7919 * rank + step)
        log(f"resumed from {path} at step {step}")

    writer = None
    if args.tensorboard and is_main:
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            sys.exit("error: --tensorboard needs the tensorboard package: pip install -r requirements-train.txt")
        writer = SummaryWriter(out_dir / "tensorboard", purge_step=step or None)

    how = (f" x {world} processes" if distributed else "") + (" with bf16 autocast" if use_amp else "")
    log(f"training on {device}{how} for {total_steps} steps ({steps_per_epoch} per epoch, batch {args.batch_size}); "
        f"G {sum(p.numel() for p in G.parameters()):,} params, D {sum(p.numel() for p in D.parameters()):,}")
    t0, start_step = time.time(), step
    warm_steps, t_warm = 20, None  # throughput after the first steps leaves out torch.compile's compilation
    bar = tqdm(total=total_steps, initial=step, disable=args.no_progress or not is_main, unit="step",
               dynamic_ncols=True)
    while step < total_steps:
        epoch, pos = divmod(step, steps_per_epoch)
        # the data order depends only on (seed, epoch), so a resumed run sees the same batches
        if distributed:  # each rank takes its own shard of a shared per-epoch shuffle
            sampler.set_epoch(epoch)
            order = torch.tensor(list(sampler))
        else:
            order = torch.randperm(len(real_all), generator=torch.Generator().manual_seed(args.seed * 100_003 + epoch))
        while pos < steps_per_epoch and step < total_steps:
            idx = order[pos * batch : (pos + 1) * batch].to(device)
            real = real_all[idx].contiguous(memory_format=torch.channels_last)  # (B, 1, 28, 28)
            real_labels = labels_all[idx]  # (B,)
            z = torch.randn(batch, g_config.z_dim, generator=noise_rng, device=device)
            fake_labels = torch.randint(0, g_config.num_classes, (batch,), generator=noise_rng, device=device)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_amp):
                fake = G_train(z, fake_labels)  # (B, 1, 28, 28)

                # (1) update D: hinge loss on real/fake + auxiliary classification of real images
                if distributed:  # DDP wants one forward per backward: real and fake in one batch
                    scores, logits = D_train(torch.cat([real, fake.detach()]), torch.cat([real_labels, fake_labels]))
                    (real_score, fake_score), real_logits = scores.float().chunk(2), logits[:batch].float()
                else:
                    real_score, real_logits = D_train(real, real_labels)
                    fake_score, _ = D_train(fake.detach(), fake_labels)
                loss_adv_d = F.relu(1 - real_score).mean() + F.relu(1 + fake_score).mean()
                loss_aux_d = F.cross_entropy(real_logits.float(), real_labels)
            opt_d.zero_grad(set_to_none=True)
            (loss_adv_d + args.aux_weight_d * loss_aux_d).backward()
            opt_d.step()

            # (2) update G: fool D and be classified as the requested digit
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_amp):
                fake_score, fake_logits = D_train(fake, fake_labels)
                loss_adv_g = -fake_score.float().mean()
                loss_aux_g = F.cross_entropy(fake_logits.float(), fake_labels)
            opt_g.zero_grad(set_to_none=True)
            (loss_adv_g + args.aux_weight_g * loss_aux_g).backward()
            opt_g.step()

            # non-finite losses: stop (or, with --skip-nonfinite, roll back to the last checkpoint with new noise)
            if not torch.isfinite(loss_adv_d + loss_aux_d + loss_adv_g + loss_aux_g):
                last = latest_checkpoint(ckpt_dir)
                if not (args.skip_nonfinite and last is not None and rollbacks < MAX_ROLLBACKS):
                    sys.exit(f"error: non-finite loss at step {step + 1} (loss_d {loss_adv_d.item()}, "
                             f"loss_g {loss_adv_g.item()}); last good checkpoint: {last or 'none yet'}. "
                             "Lower the learning rates, or use --skip-nonfinite to roll back and go on.")
                restore(last)
                rollbacks += 1
                noise_rng.manual_seed(args.seed + 1_000_003 * rollbacks)  # the same noise would fail the same way
                log(f"warning: non-finite loss; rolled back to {last} (step {step}), rollback {rollbacks}")
                bar.n = step
                bar.refresh()
                break

            # (3) EMA of G (warm-up: short memory at first, so early EMA is not stuck at init)
            update_ema(G_ema, G, min(args.ema_decay, (1 + step) / (10 + step)))
            sched_g.step()
            sched_d.step()
            step += 1
            pos += 1
            if step == start_step + warm_steps:
                t_warm = time.time()
            bar.update(1)
            if step % 20 == 0 or pos == steps_per_epoch:  # log every 20 steps and at each epoch end
                losses = dict(d=loss_adv_d.item(), g=loss_adv_g.item(),
                              aux_d=loss_aux_d.item(), aux_g=loss_aux_g.item())
                bar.set_postfix({k: f"{v:.3f}" for k, v in losses.items()})
                history.append([step, *losses.values()])
                if writer:
                    for name, value in losses.items():
                        writer.add_scalar(f"loss/{name}", value, step)
            if is_main and (step % args.checkpoint_every == 0 or pos == steps_per_epoch or step == total_steps):
                bad = [name for m in (G, D) for name, p in m.named_parameters() if not torch.isfinite(p).all()]
                if bad:  # never let a broken model become the "last good" checkpoint
                    sys.exit(f"error: non-finite weights at step {step} ({', '.join(bad[:3])}); last good "
                             f"checkpoint: {latest_checkpoint(ckpt_dir) or 'none yet'}")
                save_checkpoint(state_dict(), ckpt_dir, step, args.keep)

        if pos < steps_per_epoch and step < total_steps:
            continue  # rolled back mid-epoch: go on from the restored step
        if not is_main:
            continue
        # end of epoch (or of a --max-steps run): the fixed-seed grid, from a BN-recalibrated copy of the EMA weights
        grid_model = copy.deepcopy(G_ema)
        recalibrate_bn(grid_model)
        grid = digit_grid(grid_model)
        save_png(grid, out_dir / "samples" / f"epoch_{epoch + 1:03d}.png")
        if writer:
            writer.add_image("samples", grid, step)
        if args.no_progress:
            print(f"epoch {epoch + 1}: step {step}/{total_steps}, {time.time() - t0:.0f}s, "
                  f"loss_d {loss_adv_d.item():.3f} loss_g {loss_adv_g.item():.3f}", flush=True)
    bar.close()
    t_end = time.time()
    images_per_second = (step - start_step) * args.batch_size / max(t_end - t0, 1e-9)
    steady_steps = step - start_step - warm_steps  # t_warm is set once warm_steps steps have run
    steady_images_per_second = steady_steps * args.batch_size / max(t_end - t_warm, 1e-9) if steady_steps > 0 else None
    if distributed:
        dist.destroy_process_group()
    if not is_main:
        return

    # save: overview across epochs, then the generator (EMA weights, recalibrated BN) with save_pretrained
    grids = sorted((out_dir / "samples").glob("epoch_*.png"))
    save_png(epochs_overview(grids), out_dir / "samples" / "overview.png")
    progress_gif(grids, out_dir / "samples" / "progress.gif")
    if history:
        plot_losses(history, out_dir / "samples" / "losses.png")
    if writer:
        writer.close()
    recalibrate_bn(G_ema)
    save_pretrained_atomic(G_ema.cpu(), save_dir)
    save_png(digit_grid(G_ema), save_dir / "samples.png")
    shutil.copyfile(out_dir / "samples" / "overview.png", save_dir / "overview.png")
    train_info = {"command": command, "steps": step, "epochs": args.epochs, "wall_clock_s": round(time.time() - t0),
                  "images_per_second": round(images_per_second),
                  "images_per_second_after_warmup": steady_images_per_second and round(steady_images_per_second),
                  "device": str(device), "threads": torch.get_num_threads(), "args": vars(args)}
    (save_dir / "training.json").write_text(json.dumps(train_info, indent=2) + "\n")
    print(f"saved generator to {save_dir} after {step} steps in {time.time() - t0:.0f}s")

    # evaluate with the project's classifier and write the model card (README.md) next to the weights
    if not args.no_eval:
        metrics = evaluate(G_ema, args.data_dir)
        (save_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
        print(format_table(metrics))
    write_card(save_dir)
    if args.push_to_hub:
        try:
            info = push_folder(save_dir, args.push_to_hub, private=args.private, revision=args.hub_revision,
                               commit_message=args.commit_message or f"Train: {command}")
        except HubPushError as e:
            sys.exit(f"error: {e} (the generator is saved in {save_dir}; push it with python -m model.push)")
        print(f"pushed to {args.push_to_hub}: commit {info.oid}")


if __name__ == "__main__":
    main()
