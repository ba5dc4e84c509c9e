"""Training throughput: runs the real train_cgan.py for a fixed number of steps on each available device.

    python -m benchmarks.bench_train [--steps 300] [--threads 2] [--extra=--compile]

Prints images/second (from the run's training.json) per device, overall and after 20 warm-up steps
(which leaves out torch.compile's compilation). Time-to-quality comes from the full
preset runs themselves (their training.json and metrics.json), recorded in README.
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--extra", default="", help="more train_cgan.py flags, e.g. --compile")
    args = p.parse_args()
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    print("| device | steps | batch | images/s | images/s after 20 warm-up steps | flags |")
    print("|---|---|---|---|---|---|")
    for device in devices:
        with tempfile.TemporaryDirectory() as out:
            cmd = [sys.executable, str(ROOT / "train_cgan.py"), "--max-steps", str(args.steps), "--no-eval",
                   "--no-progress", "--device", device, "--threads", str(args.threads), "--out-dir", out,
                   *shlex.split(args.extra)]
            subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env=dict(os.environ))
            info = json.loads((Path(out) / "generator" / "training.json").read_text())
        print(f"| {device} | {info['steps']} | {info['args']['batch_size']} | {info['images_per_second']} "
              f"| {info['images_per_second_after_warmup']} | {args.extra or '-'} |")


if __name__ == "__main__":
    main()
