"""The benchmark scripts themselves, run for real on small inputs: they must start, measure, and report."""

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from benchmarks.judge_disagreement import distance_parts
from benchmarks.load_test import arrival_times, highest_rate_within_targets
from model.data import load_mnist

from .helpers import ROOT, TINY_NETWORKS, train


@pytest.mark.parametrize("app", ["benchmarks/floor_app.py", "benchmarks/floor_app.py --json"])
def test_load_test_against_the_floor_app_reports_latency_and_no_errors(app):
    out = subprocess.run([sys.executable, "-m", "benchmarks.load_test", "--app", app, "--clients", "2",
                          "--requests", "6", "--count", "16", "--no-download", "--warmup", "4",
                          "--p50-target", "0.001"],  # no server answers in a microsecond
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "warm-up: 4 requests in " in out.stdout and out.stdout.count("errors 0\n") == 2, out.stdout
    report = r"2 clients \(back to back\), 6 requests .*\np50 \d+ ms, p99 \d+ ms, .* errors 0\n"
    assert re.search(report, out.stdout), out.stdout
    assert "CPU per request: clients" in out.stdout and "server" in out.stdout
    assert "targets (p50 <= 0.001 ms, p99 <= 1000 ms, 0 errors): missed\n" in out.stdout, out.stdout


def test_load_test_at_several_rates_reports_each_and_the_highest_within_the_targets():
    out = subprocess.run([sys.executable, "-m", "benchmarks.load_test", "--app", "benchmarks/floor_app.py --json",
                          "--clients", "3", "--requests", "8", "--rate", "20,10", "--no-download",
                          "--p50-target", "60000", "--p99-target", "60000"],  # a minute: met on any machine
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    for rate in (20, 10):
        run = rf"3 clients \({rate} req/s offered\), 8 requests .*\np50 \d+ ms, .* errors 0\ntargets .*: met\n"
        assert re.search(run, out.stdout), out.stdout
    assert out.stdout.endswith("targets held up to 20 req/s offered\n"), out.stdout


def test_load_test_refuses_rates_that_are_not_positive_numbers():
    for bad in ("0", "-5", "nan", "10,x", ""):
        out = subprocess.run([sys.executable, "-m", "benchmarks.load_test", "--rate", bad], cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 2 and "--rate: must be positive numbers of requests per second" in out.stderr, bad


def test_arrival_times_are_a_poisson_process_at_the_rate_asked():
    due = arrival_times(4000, rate=10)
    gaps = np.diff([0.0, *due])
    assert (gaps > 0).all() and due == arrival_times(4000, rate=10)  # increasing, and the same in every run
    assert 0.095 < gaps.mean() < 0.105 and 0.09 < gaps.std() < 0.11  # exponential gaps: mean = std = 1 / rate


def test_the_highest_rate_within_the_targets_needs_every_run_up_to_it_to_meet_them():
    assert highest_rate_within_targets([(20, True), (10, True), (16, True)]) == 20
    assert highest_rate_within_targets([(10, True), (16, True), (16, False), (20, True)]) == 10  # a repeat missed
    assert highest_rate_within_targets([(5, False), (10, True)]) is None


def bench_gpu(out_dir, mnist_dir, stages: list[str], flags: str = "--max-steps 3") -> subprocess.CompletedProcess:
    """benchmarks/bench_gpu.sh on the CPU (DEVICE=cpu) with tiny runs: the stages asked for, into out_dir."""
    tiny = f"{' '.join(TINY_NETWORKS)} --threads 1 --data-dir {mnist_dir} {flags}"
    env = dict(os.environ, DEVICE="cpu", NPROC="1", PYTHON=sys.executable, TRAIN_FLAGS=tiny)
    return subprocess.run(["bash", "benchmarks/bench_gpu.sh", str(out_dir), "300", *stages], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_gpu_benchmark_script_runs_its_stages_and_leaves_each_record(tmp_path, mnist_dir):
    """benchmarks/bench_gpu.sh on the CPU with tiny runs: the smoke and torchrun stages each write their
    training.json and log, and a stage not asked for does not run."""
    out = bench_gpu(tmp_path, mnist_dir, ["smoke", "torchrun"])
    assert out.returncode == 0, out.stderr
    assert "== smoke: exit 0" in out.stdout and "== torchrun: exit 0" in out.stdout, out.stdout
    for stage, processes in (("smoke", 1), ("torchrun", 1)):
        record = json.loads((tmp_path / stage / "generator" / "training.json").read_text())
        assert (record["steps"], record["processes"]) == (3, processes)
    assert "x 1 process (gloo)" in (tmp_path / "torchrun.log").read_text()
    assert not (tmp_path / "full").exists() and "== full" not in out.stdout


def test_bench_gpu_adam_stage_alternates_fused_and_unfused_runs(tmp_path, mnist_dir):
    """bench_gpu.sh's adam stage: two runs of train_cgan.py as it is and two with Adam's fused=False forced,
    alternated, each leaving its record, and their images/s printed."""
    out = bench_gpu(tmp_path, mnist_dir, ["adam"])
    assert out.returncode == 0, out.stdout + out.stderr
    runs = ["adam_fused_1", "adam_unfused_1", "adam_unfused_2", "adam_fused_2"]
    assert [line.split(" ")[1] for line in out.stdout.splitlines() if line.startswith("== adam_")
            and "at most" in line] == runs
    for run in runs:
        assert json.loads((tmp_path / run / "generator" / "training.json").read_text())["steps"] == 3
        patched = (tmp_path / f"{run}.log").read_text().count("asked, False used")  # one per optimiser (G, D)
        assert patched == (2 if "unfused" in run else 0)
        assert re.search(rf"^{run} \d+ images/s; (\d+|None) after warm-up$", out.stdout, re.M), out.stdout


def test_bench_gpu_full_stage_run_again_resumes_its_run(tmp_path, mnist_dir):
    """bench_gpu.sh's full stage, run again with the same OUT_DIR, resumes from the checkpoints the first left
    (as after a stage cut short by its time limit) instead of starting over."""
    def full_stage(max_steps):
        return bench_gpu(tmp_path, mnist_dir, ["full"], f"--no-eval --max-steps {max_steps}")

    first = full_stage(2)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "resuming" not in first.stdout
    (tmp_path / "full" / "generator" / "training.json").unlink()  # as a run cut short leaves: checkpoints, no record
    second = full_stage(4)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "== full: resuming its run" in second.stdout
    assert "at step 2" in (tmp_path / "full.log").read_text()
    record = json.loads((tmp_path / "full" / "generator" / "training.json").read_text())
    assert (record["steps"], record["resumed_from_step"]) == (4, 2)
    third = full_stage(4)  # a finished run is left as it is, its record too
    assert third.returncode == 0 and "== full: skipped" in third.stdout, third.stdout + third.stderr
    assert json.loads((tmp_path / "full" / "generator" / "training.json").read_text()) == record


def sweep(jobs_file, out_dir, seconds: int = 300) -> subprocess.CompletedProcess:
    """benchmarks/sweep.sh on the CPU (DEVICE=cpu), two runs at a time, with the jobs in jobs_file."""
    env = dict(os.environ, DEVICE="cpu", PYTHON=sys.executable)
    return subprocess.run(["bash", "benchmarks/sweep.sh", str(jobs_file), str(out_dir), "2", str(seconds)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)


def test_sweep_trains_each_job_and_the_table_gives_every_run_and_each_recipes_mean(tmp_path, mnist_dir):
    tiny = f"{' '.join(TINY_NETWORKS)} --data-dir {mnist_dir} --max-steps 3 --eval-samples-per-digit 10"
    jobs = tmp_path / "jobs.txt"
    # a comment, a blank line, and a job line ending in a space (which must not run into the next job)
    jobs.write_text(f"# a comment\n\nrecipe_s0 {tiny} --seed 0 \nrecipe_s1 {tiny} --seed 1\n")
    out = sweep(jobs, tmp_path / "runs")
    assert out.returncode == 0, out.stdout + out.stderr
    assert sorted(re.findall(r"^(recipe_s\d): exit 0 after \d+s$", out.stdout, re.M)) == ["recipe_s0", "recipe_s1"]
    seeds = [json.loads((tmp_path / "runs" / run / "generator" / "training.json").read_text())["args"]["seed"]
             for run in ("recipe_s0", "recipe_s1")]
    assert seeds == [0, 1] and (tmp_path / "runs" / "recipe_s1.log").exists()

    table = subprocess.run([sys.executable, "-m", "benchmarks.sweep_table", str(tmp_path / "runs")], cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
    assert table.returncode == 0, table.stderr
    rows = table.stdout.splitlines()
    assert rows[0].startswith("| run | steps |") and len(rows) == 5  # header, rule, two runs, their mean
    metrics = json.loads((tmp_path / "runs" / "recipe_s0" / "generator" / "metrics.json").read_text())["judges"]
    ratio = metrics["A"]["frechet_distance"] / metrics["A"]["real_floor_frechet_distance"]
    assert rows[2].startswith("| recipe_s0 | 3 | ") and f"| {ratio:.2f}x / " in rows[2]
    assert rows[4].startswith("| **recipe: mean of 2** |")


def test_sweep_starts_no_run_with_less_than_a_minute_left(tmp_path):
    jobs = tmp_path / "jobs.txt"
    jobs.write_text("late --preset quick\n")
    out = sweep(jobs, tmp_path / "runs", seconds=30)
    assert out.returncode == 0 and re.search(r"^late: skipped \(\d+s left\)$", out.stdout, re.M), out.stdout
    table = subprocess.run([sys.executable, "-m", "benchmarks.sweep_table", str(tmp_path / "runs")], cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
    assert table.returncode == 1 and "no finished run" in table.stderr


def test_digit_geometry_finds_mnist_box_and_centre_and_flags_other_sizes(mnist_dir):
    from benchmarks.digit_geometry import BOX, centre_of_mass, geometry, ink_box

    real = geometry(load_mnist(mnist_dir, train=False)[0].numpy())
    assert real["box_exact"] > 0.99 and real["box_over"] == 0 and 0.2 < real["centre_spread"] < 0.35, real
    drawn = np.zeros((4, 28, 28), np.uint8)
    drawn[0, 4:24, 12:16] = 255  # BOX tall, 4 wide, centred
    drawn[1, 3:25, 12:16] = 255  # BOX + 2 tall
    drawn[2, 5:25, 4:25] = 9  # BOX + 1 wide: faint ink counts too
    # drawn[3] is blank: its centre is taken as MNIST's, not a division by zero
    g = geometry(drawn)
    assert (g["box_exact"], g["box_over"], g["box_over_by_2_or_more"], g["box_under"]) == (0.25, 0.5, 0.25, 0.25)
    np.testing.assert_array_equal(np.stack(ink_box(drawn)), [[20, 22, 20, 0], [4, 4, 21, 0]])  # heights, widths
    np.testing.assert_allclose(centre_of_mass(drawn[[0, 3]]), [[13.5, 13.5], [14, 14]])
    assert BOX == 20


def test_recall_by_width_and_by_digit_add_up_to_the_recall_model_evaluate_reports(mnist_dir):
    from benchmarks.digit_geometry import recall_by_digit, recall_by_width, reference_coverage
    from model import DigitGenerator
    from model.evaluate import Baseline, RealSets, baselines, evaluate, load_judges

    generator = DigitGenerator.from_pretrained(ROOT / "weights")
    cov = reference_coverage(generator, mnist_dir, samples_per_digit=30)
    judge_a = {"A": load_judges()["A"]}
    recall = evaluate(generator, mnist_dir, 30, baseline=baselines(mnist_dir, 30, judge_a))["judges"]["A"]["recall"]
    by_width, by_digit = recall_by_width(cov), recall_by_digit(cov)
    for rows in by_width, by_digit:
        assert sum(row[-1] for row in rows) == 300
    assert sum(r * count for _, _, r, _, count in by_width) / 300 == pytest.approx(recall, abs=1e-12)
    assert sum(r * count for _, r, _, count in by_digit) / 300 == pytest.approx(recall, abs=1e-12)
    assert [low for low, *_ in by_width] == sorted(low for low, *_ in by_width) and by_width[-1][:2] == (20, 20)
    assert [digit for digit, *_ in by_digit] == list(range(10)) and all(0 <= f <= 1 for _, _, f, _ in by_digit)
    # the floor column is the floor's first real draw, as model.evaluate scores it
    floor = Baseline.measure(judge_a["A"].eval(), RealSets.load(mnist_dir, 30, draws=1)).floor["real_floor_recall"]
    assert sum(f * count for _, _, f, count in by_digit) / 300 == pytest.approx(floor, abs=1e-12)
    assert sum(f * count for _, _, _, f, count in by_width) / 300 == pytest.approx(floor, abs=1e-12)
    assert any(r != f for _, r, f, _ in by_digit) and any(r != f for _, _, r, f, _ in by_width)


def test_digit_geometry_script_prints_its_three_tables_and_refuses_a_bad_count(mnist_dir):
    command = [sys.executable, "-m", "benchmarks.digit_geometry", "weights", "--data-dir", str(mnist_dir), "--recall"]
    out = subprocess.run(command + ["--samples-per-digit", "20"], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    geometry_table, width_table, digit_table = [
        [line.split(" | ") for line in table.splitlines()[2:]] for table in out.stdout.strip().split("\n\n")]
    rows = {cells[0]: cells for cells in geometry_table}
    assert rows["| real test images"][2] == "99.8%" and rows["| real training images"][2] == "99.7%", out.stdout
    shares = [float(cell.rstrip("%")) for cell in rows["| generator weights"][1:4]]  # under, exactly, over 20 px
    assert sum(shares) == pytest.approx(100, abs=0.2), out.stdout
    assert all(re.fullmatch(r"\| \d+(-\d+)?", cells[0]) for cells in width_table), out.stdout
    assert sum(int(c[1]) for c in width_table) == 200, out.stdout
    assert all(0 <= float(c[2]) <= 1 and 0 <= float(c[3][:5]) <= 1 for c in width_table), out.stdout
    assert [c[0] for c in digit_table] == [f"| {d}" for d in range(10)] and sum(int(c[1]) for c in digit_table) == 200
    assert all(0 <= float(c[2]) <= 1 and 0 <= float(c[3][:5]) <= 1 for c in digit_table), out.stdout
    bad = subprocess.run(command + ["--samples-per-digit", "1"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2
    assert "argument --samples-per-digit: must be a whole number from 2 to 1000, got 1" in bad.stderr


def test_eval_noise_script_prints_each_figure_under_both_judges_and_refuses_one_draw(mnist_dir):
    command = [sys.executable, "-m", "benchmarks.eval_noise", "weights", "--data-dir", str(mnist_dir),
               "--samples-per-digit", "20"]
    out = subprocess.run(command + ["--draws", "2"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    rows = [line.split(" | ") for line in out.stdout.splitlines() if re.match(r"\| [AB] \|", line)]
    assert [(r[0], r[1]) for r in rows] == [(f"| {j}", f) for j in "AB" for f in
                                            ("accuracy", "Fréchet distance ÷ floor", "precision", "recall")], out.stdout
    for _, _, published, mean, std, spread in rows:  # the range holds draw 0 and the mean; the spread is >= 0
        low, high = map(float, spread.rstrip(" |").split("-"))
        assert low <= float(published) <= high and low <= float(mean) <= high and float(std) >= 0, out.stdout
    bad = subprocess.run(command + ["--draws", "1"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "--draws must be at least 2 (a spread needs two draws), got 1" in bad.stderr
    bad = subprocess.run(command + ["--samples-per-digit", "1001"], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert bad.returncode == 2
    assert "argument --samples-per-digit: must be a whole number from 2 to 1000, got 1001" in bad.stderr


def test_judge_disagreement_splits_a_shifted_digit_into_between_digits_not_within():
    """Moving every feature of one digit by a vector v moves that digit's mean and nothing else."""
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10), 200)
    feats = rng.normal(size=(2000, 4)) + labels[:, None] * 3.0  # (N, 4): ten clusters
    same = distance_parts(feats, labels, feats, labels)
    assert all(abs(value) < 1e-6 for value in same.values()), same
    shifted = feats.copy()
    shifted[labels == 3] += np.array([2.0, 0.0, 0.0, 0.0])  # |v|^2 = 4, one digit of ten
    parts = distance_parts(shifted, labels, feats, labels)
    assert abs(parts["within digits"]) < 1e-6 and parts["digit means"] == pytest.approx(0.4)
    assert parts["between digits"] > 0.1 and parts["overall"] > 0.04  # the overall mean alone moves by |v / 10|^2


def ema_vs_raw(mnist_dir, *args) -> subprocess.CompletedProcess:
    """python -m benchmarks.ema_vs_raw with 20 samples per digit."""
    return subprocess.run([sys.executable, "-m", "benchmarks.ema_vs_raw", *map(str, args), "--data-dir",
                           str(mnist_dir), "--samples-per-digit", "20"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def tables(stdout: str) -> list[str]:
    """The figures ema_vs_raw prints under each of its three headings, in order: G as trained, G recalibrated,
    G_ema."""
    return [block.split("\n", 1)[1] for block in stdout.split("\n## ")[1:]]


def test_ema_vs_raw_scores_the_checkpoints_g_and_g_ema_and_refuses_a_run_without_one(tmp_path, mnist_dir):
    """benchmarks/ema_vs_raw.py on a 3-step run: three tables; G_ema's differs from G's, and where the checkpoint's
    G_ema is set to G, G recalibrated and G_ema score exactly alike (the script scores the weights it names)."""
    import torch

    run = tmp_path / "run"
    train(run, "--max-steps", 3, "--data-dir", mnist_dir)
    out = ema_vs_raw(mnist_dir, run)
    assert out.returncode == 0, out.stderr
    assert "(step 3)" in out.stdout and "G_ema (what the run saves)" in out.stdout
    as_trained, recalibrated, ema = tables(out.stdout)
    assert "recall" in ema and ema != recalibrated and as_trained != recalibrated

    [path] = (run / "checkpoints").glob("step_*.pt")
    ckpt = torch.load(path, weights_only=True)
    ckpt["G_ema"] = ckpt["G"]
    torch.save(ckpt, tmp_path / "same.pt")
    same = ema_vs_raw(mnist_dir, run, "--checkpoint", tmp_path / "same.pt")
    assert same.returncode == 0, same.stderr
    _, recalibrated, ema = tables(same.stdout)
    assert ema == recalibrated

    empty = ema_vs_raw(mnist_dir, tmp_path / "nothing")
    assert empty.returncode != 0 and "no checkpoint in" in empty.stderr
    bad = subprocess.run([sys.executable, "-m", "benchmarks.ema_vs_raw", str(run), "--samples-per-digit", "many"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2, bad.stderr  # argparse's usage error, not RealSets.load's traceback
    assert "argument --samples-per-digit: must be a whole number from 2 to 1000, got 'many'" in bad.stderr
