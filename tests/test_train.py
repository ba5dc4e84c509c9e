"""Run the real train_cgan.py on a small slice of the real MNIST files and check what it writes."""

import json
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict

import pytest
import torch
from PIL import Image
from safetensors.torch import load_file

from model import DigitGenerator
from model.checkpoint import load_checkpoint
from model.evaluate import FLOOR_DRAWS
from model.recipe import PRESETS
from train_cgan import parse_args

from .helpers import ROOT, TINY, train


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory, mnist_dir):
    out = tmp_path_factory.mktemp("run")
    result = train(out, "--epochs", "2", "--checkpoint-every", "5", "--keep", "2", "--data-dir", str(mnist_dir),
                   "--tensorboard", "--wandb", "--wandb-run-name", "tiny", WANDB_MODE="offline")
    return out, result.stdout


def test_the_preset_fills_every_recipe_flag_not_given(tiny_run):
    """The default preset (quick) is what trains, except where a flag was given: TINY's batch and widths."""
    out, _ = tiny_run
    args = json.loads((out / "generator" / "training.json").read_text())["args"]
    given = {"epochs": 2, "batch_size": 32, "g_channels": 32, "d_channels": 16, "z_dim": 16}
    expected = json.loads(json.dumps(asdict(PRESETS["quick"]) | given))  # as JSON writes it: tuples become lists
    assert args["preset"] == "quick" and {key: args[key] for key in expected} == expected
    assert json.loads((out / "generator" / "config.json").read_text())["channels"] == 32


@pytest.mark.parametrize("flags, message", [
    (["--epochs", "0"], "argument --epochs: must be a whole number of at least 1, got 0"),
    (["--batch-size", "1"], "argument --batch-size: must be at least 2"),
    (["--lr-d", "nan"], "argument --lr-d: must be a finite number above 0, got nan"),
    (["--betas", "0.5", "1"], "argument --betas: must be two numbers from 0 up to (not including) 1, got (0.5, 1.0)"),
    (["--ema-decay", "1.5"], "argument --ema-decay: must be from 0 up to (not including) 1, got 1.5"),
    (["--mode-seeking", "-0.1"], "argument --mode-seeking: must be a finite number of 0 or more, got -0.1"),
    (["--seed", "-1"], "argument --seed: must be a whole number from 0 to 2**32 - 1"),
    (["--g-channels", "3"], "argument --g-channels: must be at least 4"),
    (["--output-gain", "inf"], "argument --output-gain: must be a finite number above 0, got inf"),
    (["--d-pooling", "mean"], "argument --d-pooling: invalid choice: 'mean'"),
    (["--d-minibatch-std", "-1"], "argument --d-minibatch-std: must be a finite number of 0 or more, got -1.0"),
    (["--r1", "-0.5"], "argument --r1: must be a finite number of 0 or more, got -0.5"),
    (["--d-steps", "0"], "argument --d-steps: must be a whole number of at least 1, got 0"),
    (["--rarity-weight", "-2"], "argument --rarity-weight: must be a finite number of 0 or more, got -2.0"),
    (["--gan-loss", "wgan"], "argument --gan-loss: invalid choice: 'wgan'"),
    (["--eval-samples-per-digit", "2000"], "argument --eval-samples-per-digit: must be a whole number from 10 to 1000"),
    (["--epochs", "0", "--keep", "0"], "--epochs: must be a whole number of at least 1, got 0; argument --keep"),
    (["--preset", "full", "--keep", "0"], "argument --keep: must be a whole number of at least 1, got 0"),
])
def test_a_bad_flag_is_refused_by_name_before_anything_runs(flags, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse_args(flags)
    assert exit_info.value.code == 2  # argparse's usage error, not a traceback from inside training
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("preset", PRESETS)
def test_each_preset_gives_its_recipe_and_a_flag_wins(preset):
    assert {key: getattr(parse_args(["--preset", preset]), key) for key in asdict(PRESETS[preset])} == \
        asdict(PRESETS[preset])
    assert parse_args(["--preset", preset, "--lr-d", "1e-3", "--betas", "0.1", "0.9"]).lr_d == 1e-3
    assert parse_args(["--preset", preset, "--betas", "0.1", "0.9"]).betas == (0.1, 0.9)


def test_help_lists_the_recipe_flags_in_their_own_group_with_each_presets_value(capsys):
    """--help's recipe group holds --preset and exactly the flags a preset fills, each showing every preset's value."""
    with pytest.raises(SystemExit):
        parse_args(["--help"])
    recipe_group = capsys.readouterr().out.split("\nrecipe ")[1].split("\n\n")[0]
    flags = {word.rstrip(",") for word in recipe_group.split() if word.startswith("--")}
    assert flags - {"--preset", "--no-twin-classifier", "--no-g-attention"} == {"--" + key.replace("_", "-") for key in
                                                            asdict(PRESETS["quick"])}
    assert f"(quick {PRESETS['quick'].epochs}, full {PRESETS['full'].epochs})" in recipe_group


def test_writes_a_grid_per_epoch_and_an_overview(tiny_run):
    out, _ = tiny_run
    grids = sorted(p.name for p in (out / "samples").glob("epoch_*.png"))
    assert grids == ["epoch_001.png", "epoch_002.png"]
    with Image.open(out / "samples" / "epoch_001.png") as grid:
        assert grid.mode == "L" and grid.size == (10 * 30 + 2, 10 * 30 + 2)  # 10 x 10 digits of 28 px, 2 px pad
    with Image.open(out / "samples" / "overview.png") as overview:
        assert overview.size == (2 * 32, 302)  # one 32-px column per epoch


def test_writes_a_progress_gif_a_loss_plot_and_tensorboard_events(tiny_run):
    out, _ = tiny_run
    with Image.open(out / "samples" / "progress.gif") as gif:
        assert gif.n_frames == 2  # one frame per epoch
    with Image.open(out / "samples" / "losses.png") as plot:
        assert plot.format == "PNG" and plot.size[0] > 500
    assert list((out / "tensorboard").glob("events.out.tfevents.*"))


def test_wandb_offline_run_is_written_for_a_later_sync(tiny_run):
    out, stdout = tiny_run
    (run_dir,) = (out / "wandb").glob("offline-run-*")  # what `wandb sync OUT_DIR/wandb/offline-run-*` uploads
    run_id = (out / "wandb_run_id.txt").read_text().strip()
    (records,) = run_dir.glob(f"run-{run_id}.wandb")
    data = records.read_bytes()
    assert data.startswith(b":W&B") and b"loss/aux_g" in data and b"samples" in data and b"tiny" in data
    assert b"loss/ms" in data  # the mode-seeking term of the quick preset


def test_rotates_checkpoints_and_stores_the_model_config(tiny_run):
    out, _ = tiny_run
    ckpts = sorted(p.name for p in (out / "checkpoints").glob("*.pt"))
    assert ckpts == ["step_0000015.pt", "step_0000016.pt"]  # 8 steps/epoch; every 5 and each epoch end; keep 2
    state = load_checkpoint(out / "checkpoints" / "step_0000016.pt")
    assert state["step"] == 16 and state["g_config"]["channels"] == 32
    assert state["d_config"] == {"num_classes": 10, "channels": 16, "pooling": PRESETS["quick"].d_pooling,
                                 "twin_classifier": PRESETS["quick"].twin_classifier,
                                 "minibatch_std": PRESETS["quick"].d_minibatch_std}


def test_saves_a_loadable_generator_with_ema_weights(tiny_run):
    out, stdout = tiny_run
    assert "saved generator" in stdout
    G = DigitGenerator.from_pretrained(str(out / "generator"))
    assert G.config.channels == 32
    assert G.generate([0, 9], seed=1).shape == (2, 28, 28)
    saved = load_file(out / "generator" / "model.safetensors")
    ema = load_checkpoint(out / "checkpoints" / "step_0000016.pt")["G_ema"]
    assert torch.equal(saved["fc.weight"], ema["fc.weight"])  # the EMA copy is what gets saved
    assert (out / "generator" / "samples.png").is_file()
    info = json.loads((out / "generator" / "training.json").read_text())
    assert info["steps"] == 16 and info["images_per_second"] > 0
    assert info["images_per_second_after_warmup"] is None  # 16 steps: none left after the 20 warm-up steps


def test_evaluation_goes_to_metrics_json_training_json_and_the_model_card(tmp_path, mnist_dir):
    out = tmp_path / "run"
    cmd = [sys.executable, str(ROOT / "train_cgan.py"), "--out-dir", str(out), *[a for a in TINY if a != "--no-eval"],
           "--max-steps", "4", "--data-dir", str(mnist_dir), "--eval-samples-per-digit", "20", "--mode-seeking", "0.3",
           "--output-gain", "1.5", "--d-pooling", "linear", "--twin-classifier", "--d-minibatch-std", "0.5",
           "--g-attention", "--gan-loss", "logistic", "--r1", "0.1"]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True, timeout=300)
    metrics = json.loads((out / "generator" / "metrics.json").read_text())
    assert metrics["samples"] == 200 and set(metrics["judges"]) == {"A", "B"}
    for judge in metrics["judges"].values():
        assert {"accuracy", "frechet_distance", "precision", "recall", "per_digit_frechet_distance",
                "real_floor_precision", "real_floor_recall"} <= set(judge)
    assert json.loads((out / "generator" / "training.json").read_text())["metrics"] == metrics
    card = (out / "generator" / "README.md").read_text()
    assert "recall" in card and f"{metrics['judges']['B']['recall']:.3f}" in card
    assert "mode-seeking term (MSGAN) weight 0.3 on G" in card  # the card says how the run was trained
    assert "non-saturating logistic loss, R1 penalty (gamma 0.1) on D at real images" in card
    assert "tanh output times 1.5 clipped to [-1, 1]" in card
    assert "(width 16 at 14x14; its last 3x3 map read by a linear layer that weighs each position" in card
    state = load_checkpoint(out / "checkpoints" / "step_0000004.pt")  # the flag reached the network it trained
    assert state["d_config"]["pooling"] == "linear" and any(key.startswith("pool.") for key in state["D"])
    assert state["d_config"]["twin_classifier"] and any(key.startswith("twin_head.") for key in state["D"])
    assert "less a twin classifier's on the fakes, TAC-GAN" in card and "a twin classifier head learns" in card
    assert state["d_config"]["minibatch_std"] == 0.5 and "a minibatch-stddev channel (ProGAN) weighted 0.5" in card
    assert f"averaged over {FLOOR_DRAWS} random draws" in card  # how the floor beside each figure was drawn
    assert json.loads((out / "generator" / "config.json").read_text())["output_gain"] == 1.5
    assert json.loads((out / "generator" / "config.json").read_text())["attention"] is True
    assert "parameters; a self-attention block at 14x14)" in card
    assert "recall" in result.stdout  # the table is printed too


def test_resume_after_sigkill_ends_with_identical_weights(tmp_path, mnist_dir):
    """Kill a real run right after its first checkpoint, resume it, and compare with an uninterrupted run."""
    args = ["--train-subset", "1024", "--epochs", "2", "--checkpoint-every", "5", "--data-dir", str(mnist_dir)]
    train(tmp_path / "reference", *args)
    out = tmp_path / "killed"
    cmd = [sys.executable, str(ROOT / "train_cgan.py"), "--out-dir", str(out), *TINY, *args]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while not (out / "checkpoints" / "step_0000005.pt").exists():
        assert proc.poll() is None and time.time() < deadline, "training ended before its first checkpoint"
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (out / "generator" / "model.safetensors").exists(), "the run finished before it could be killed"
    resumed = train(out, *args, "--resume")
    assert "resumed from" in resumed.stdout
    reference = load_file(tmp_path / "reference" / "generator" / "model.safetensors")
    result = load_file(out / "generator" / "model.safetensors")
    assert reference.keys() == result.keys()
    for key in reference:
        assert torch.equal(reference[key], result[key]), key


def test_d_steps_updates_g_after_every_so_many_d_updates_and_resumes_mid_group_exactly(tmp_path, mnist_dir):
    """--d-steps 3 over 7 steps: D takes 7 Adam steps and G 2 (after D's 3rd and 6th). A run resumed from step 4,
    inside a group of D's turns, ends with the same weights as the run that went straight through."""
    args = ["--max-steps", "7", "--d-steps", "3", "--checkpoint-every", "4", "--keep", "5", "--data-dir", mnist_dir]
    straight = train(tmp_path / "straight", *args)
    assert "lr_scheduler.step()" not in straight.stderr  # G's schedule moving before its first update is no fault
    state = load_checkpoint(tmp_path / "straight" / "checkpoints" / "step_0000007.pt")
    assert [state[opt]["state"][0]["step"].item() for opt in ("opt_d", "opt_g")] == [7, 2]
    assert "non-saturating logistic loss, 3 D updates per G update" in \
        (tmp_path / "straight" / "generator" / "README.md").read_text()
    (tmp_path / "resumed" / "checkpoints").mkdir(parents=True)
    shutil.copy(tmp_path / "straight" / "checkpoints" / "step_0000004.pt", tmp_path / "resumed" / "checkpoints")
    assert "resumed from" in train(tmp_path / "resumed", *args, "--resume").stdout
    for name in ("G", "D", "G_ema"):
        resumed = load_checkpoint(tmp_path / "resumed" / "checkpoints" / "step_0000007.pt")[name]
        for key, value in state[name].items():
            assert torch.equal(value, resumed[key]), (name, key)


def test_rarity_weights_change_the_training_and_are_named_on_the_card(tmp_path, mnist_dir):
    """--rarity-weight 2 trains other weights than the same run without it (everything else, noise included, is
    the same), and the card says how the losses were weighted; too few images of a digit is refused by name."""
    args = ["--max-steps", "3", "--data-dir", mnist_dir]
    train(tmp_path / "plain", *args)
    train(tmp_path / "weighted", *args, "--rarity-weight", "2")
    plain, weighted = (load_file(tmp_path / name / "generator" / "model.safetensors") for name in ("plain", "weighted"))
    assert any(not torch.equal(plain[key], weighted[key]) for key in plain)
    assert "realness terms weighted by rarity (alpha 2.0, real and fake alike)" in \
        (tmp_path / "weighted" / "generator" / "README.md").read_text()
    refused = train(tmp_path / "few", *args, "--rarity-weight", "2", "--train-subset", "40", "--batch-size", "8",
                    check=False)
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert "error: --rarity-weight: rarity weights need more than 5 training images of each digit" in refused.stderr


def test_resume_without_a_checkpoint_fails_clearly(tmp_path, mnist_dir):
    result = train(tmp_path, "--max-steps", "2", "--resume", "--data-dir", str(mnist_dir), check=False)
    assert result.returncode != 0 and "no checkpoint" in result.stderr


def test_resume_from_a_checkpoint_of_another_kind_of_device_fails_clearly(tmp_path, mnist_dir):
    """A checkpoint whose noise generator is a CUDA one (16 bytes of state) resumed on the CPU: a clear error."""
    train(tmp_path, "--max-steps", "2", "--data-dir", str(mnist_dir))
    path = tmp_path / "checkpoints" / "step_0000002.pt"
    ckpt = torch.load(path, weights_only=True)
    ckpt["noise_rng"] = torch.zeros(16, dtype=torch.uint8)  # what torch.Generator("cuda").get_state() holds
    torch.save(ckpt, path)
    result = train(tmp_path, "--max-steps", "2", "--resume", "--data-dir", str(mnist_dir), check=False)
    assert result.returncode != 0 and "another kind of device than this run's (cpu)" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_data_fails_with_advice(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = train(tmp_path / "run", "--max-steps", "2", "--data-dir", str(empty), check=False)
    assert result.returncode != 0
    assert "train-images-idx3-ubyte.gz" in result.stderr and str(empty) in result.stderr


def test_non_finite_loss_stops_with_the_step_and_the_last_good_checkpoint(tmp_path, mnist_dir):
    result = train(tmp_path, "--max-steps", "4", "--lr-g", "1e30", "--lr-d", "1e30", "--data-dir", str(mnist_dir),
                   check=False)
    assert result.returncode != 0
    assert "non-finite loss at step 1" in result.stderr and "last good checkpoint: none yet" in result.stderr
    assert not list((tmp_path / "checkpoints").glob("*.pt"))  # nothing broken was saved


def test_checkpoint_with_broken_weights_is_rolled_back_at_most_three_times(tmp_path, mnist_dir):
    train(tmp_path, "--epochs", "1", "--checkpoint-every", "4", "--data-dir", str(mnist_dir))
    path = tmp_path / "checkpoints" / "step_0000008.pt"
    state = load_checkpoint(path)
    state["G"]["fc.weight"].fill_(float("nan"))
    torch.save(state, path)
    result = train(tmp_path, "--epochs", "2", "--checkpoint-every", "4", "--data-dir", str(mnist_dir), "--resume",
                   "--skip-nonfinite", check=False)
    assert result.stdout.count("rolled back to") == 3
    assert result.returncode != 0 and "non-finite loss at step 9" in result.stderr


def test_unwritable_output_folder_fails_before_training(tmp_path, mnist_dir):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = train(blocker / "run", "--max-steps", "2", "--data-dir", str(mnist_dir), check=False)
    assert result.returncode != 0 and "cannot write to" in result.stderr and "training on" not in result.stdout


def test_torchrun_with_two_gloo_processes(tmp_path, mnist_dir):
    """Two CPU processes under torchrun (DDP, gloo, DistributedSampler): rank 0 alone logs and writes files."""
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
           str(ROOT / "train_cgan.py"), "--out-dir", str(tmp_path), *TINY, "--epochs", "2", "--threads", "1",
           "--checkpoint-every", "100", "--data-dir", str(mnist_dir)]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.count("training on cpu x 2 processes (gloo)") == 1
    assert result.stdout.count("saved generator") == 1
    # 256 images, 2 ranks x 16 per rank = the same effective batch of 32: 8 steps per epoch
    assert sorted(p.name for p in (tmp_path / "checkpoints").glob("*.pt")) == ["step_0000008.pt", "step_0000016.pt"]
    assert sorted(p.name for p in (tmp_path / "samples").glob("epoch_*.png")) == ["epoch_001.png", "epoch_002.png"]
    assert not list(tmp_path.rglob("*.tmp"))
    record = json.loads((tmp_path / "generator" / "training.json").read_text())
    assert (record["processes"], record["threads"], record["steps"]) == (2, 1, 16)  # threads per process
    assert DigitGenerator.from_pretrained(str(tmp_path / "generator")).generate(3, seed=0).shape == (1, 28, 28)


def test_torchrun_with_one_process_is_a_ddp_job(tmp_path, mnist_dir):
    """One process under torchrun still sets up the process group and DDP (how a one-GPU machine tests NCCL)."""
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=1",
           str(ROOT / "train_cgan.py"), "--out-dir", str(tmp_path), *TINY, "--max-steps", "3",
           "--data-dir", str(mnist_dir)]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "training on cpu x 1 process (gloo) for 3 steps" in result.stdout
    assert json.loads((tmp_path / "generator" / "training.json").read_text())["processes"] == 1


def test_r1_under_torchrun_is_refused_before_training_and_says_why(tmp_path, mnist_dir):
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=1",
           str(ROOT / "train_cgan.py"), "--out-dir", str(tmp_path), *TINY, "--max-steps", "3", "--r1", "1",
           "--data-dir", str(mnist_dir)]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0 and "training on" not in result.stdout
    assert "error: --r1 does not run under torchrun (DDP): the penalty needs a second-order gradient" in result.stderr


def test_a_single_process_is_rank_0_whatever_rank_says(tmp_path, mnist_dir):
    """A RANK left in the environment (by a scheduler, say) without a DDP job must not stop the run writing files."""
    result = train(tmp_path, "--max-steps", "2", "--data-dir", str(mnist_dir), RANK="3")
    assert "training on cpu for 2 steps" in result.stdout and "saved generator" in result.stdout
    assert (tmp_path / "generator" / "model.safetensors").exists()


def test_torchrun_resumed_from_an_earlier_checkpoint_ends_with_identical_weights(tmp_path, mnist_dir):
    """A torchrun job resumed from a checkpoint half way ends as it did the first time: rank 0 keeps the noise
    stream the checkpoint saved (only the other ranks restart theirs)."""
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=1",
           str(ROOT / "train_cgan.py"), "--out-dir", str(tmp_path), *TINY, "--epochs", "2", "--checkpoint-every",
           "5", "--keep", "10", "--data-dir", str(mnist_dir)]
    first = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr[-2000:]
    reference = load_file(tmp_path / "generator" / "model.safetensors")
    later = [p for p in (tmp_path / "checkpoints").glob("*.pt") if p.name != "step_0000005.pt"]
    assert sorted(p.name for p in later) == ["step_0000008.pt", "step_0000010.pt", "step_0000015.pt",
                                             "step_0000016.pt"]
    for path in later:  # as if the job had stopped after step 5
        path.unlink()
    (tmp_path / "generator" / "model.safetensors").unlink()
    resumed = subprocess.run(cmd + ["--resume"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "at step 5" in resumed.stdout + resumed.stderr
    result = load_file(tmp_path / "generator" / "model.safetensors")
    assert reference.keys() == result.keys()
    for key in reference:
        assert torch.equal(reference[key], result[key]), key


def test_r1_with_compile_is_refused_before_training_and_says_why(tmp_path, mnist_dir):
    result = train(tmp_path, "--max-steps", "2", "--r1", "1", "--compile", "--data-dir", str(mnist_dir), check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "error: --r1 does not run under --compile: the penalty needs a second-order gradient" in result.stderr
    assert not (tmp_path / "checkpoints").exists() or not any((tmp_path / "checkpoints").iterdir())


def max_change(a: dict, b: dict) -> float:
    """Largest absolute difference over the floating-point tensors of two state dicts."""
    return max((a[k] - b[k]).abs().max().item() for k in a if a[k].is_floating_point())


def test_compiled_training_follows_eager_training(tmp_path, mnist_dir):
    """--compile (torch.compile, inductor on CPU here) trains the same model: after 6 steps the weights differ
    from an eager run's by far less than one training step moves them."""
    common = ["--max-steps", "6", "--checkpoint-every", "1", "--keep", "2", "--threads", "2",
              "--data-dir", str(mnist_dir)]
    train(tmp_path / "eager", *common)
    result = train(tmp_path / "compiled", *common, "--compile", check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    eager = [load_checkpoint(tmp_path / "eager" / "checkpoints" / f"step_000000{s}.pt") for s in (5, 6)]
    compiled = load_checkpoint(tmp_path / "compiled" / "checkpoints" / "step_0000006.pt")
    for net in ("G", "D"):
        one_step = max_change(eager[0][net], eager[1][net])
        assert one_step > 1e-3  # the runs really train
        assert max_change(compiled[net], eager[1][net]) < 0.1 * one_step, net


def small_filesystem(tmp_path) -> list[str] | None:
    """A command prefix that runs a command with a 2 MiB tmpfs mounted at tmp_path/small, or None if this
    machine does not allow mounting (needs root or user namespaces)."""
    folder = tmp_path / "small"
    folder.mkdir()
    prefix = ["unshare", "-m", "sh", "-c", f"mount -t tmpfs -o size=2m tmpfs {folder} && exec \"$0\" \"$@\""]
    try:
        probe = subprocess.run([*prefix, "df", "-k", str(folder)], capture_output=True, text=True, timeout=30)
    except OSError:
        return None
    return prefix if probe.returncode == 0 and "tmpfs" in probe.stdout else None


def test_full_disk_fails_before_training(tmp_path, mnist_dir):
    prefix = small_filesystem(tmp_path)
    if prefix is None:
        pytest.skip("cannot mount a small tmpfs here (needs root or unprivileged user namespaces)")
    cmd = [*prefix, sys.executable, str(ROOT / "train_cgan.py"), "--out-dir", str(tmp_path / "small" / "run"),
           *TINY, "--max-steps", "2", "--data-dir", str(mnist_dir)]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert "not enough free disk space" in result.stderr and "MiB free" in result.stderr
    assert "training on" not in result.stdout


def test_bf16_autocast_path_trains_on_cpu(tmp_path, mnist_dir):
    """--amp on runs the mixed-precision code (bf16 autocast) that a GPU would, here on the CPU: it trains, stays
    finite, saves a loadable generator, and really computes in bf16 (its weights differ from an fp32 run's)."""
    common = ["--max-steps", "6", "--checkpoint-every", "6", "--data-dir", str(mnist_dir)]
    bf16 = train(tmp_path / "bf16", *common, "--amp", "on")
    train(tmp_path / "fp32", *common)
    assert "with bf16 autocast" in bf16.stdout
    G = DigitGenerator.from_pretrained(str(tmp_path / "bf16" / "generator"))
    assert G.generate([0, 9], seed=1).shape == (2, 28, 28)
    a, b = (load_checkpoint(tmp_path / run / "checkpoints" / "step_0000006.pt")["G"] for run in ("bf16", "fp32"))
    assert all(torch.isfinite(t).all() for t in a.values() if t.is_floating_point())
    assert max_change(a, b) > 1e-4
