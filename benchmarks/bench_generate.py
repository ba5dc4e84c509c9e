"""Latency of DigitGenerator.generate on this machine: python -m benchmarks.bench_generate [weights] [--threads N]."""

import argparse
import statistics
import time

import torch

from model import DigitGenerator


def time_call(fn, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return times


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("weights", nargs="?", default="weights")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeats", type=int, default=200)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    G = DigitGenerator.from_pretrained(args.weights)
    print(f"torch {torch.__version__}, {args.threads} threads, {args.repeats} repeats after warm-up")
    print("| call | median ms | p90 ms | min ms |")
    print("|---|---|---|---|")
    for count in (1, 16, 64, 256):
        fn = lambda count=count: G.generate(digit=7, seed=42, count=count)  # noqa: E731
        time_call(fn, 20)  # warm-up: oneDNN picks its kernels on the first calls
        t = sorted(time_call(fn, args.repeats))
        print(f"| generate(count={count}) | {statistics.median(t):.2f} | {t[int(0.9 * len(t))]:.2f} | {t[0]:.2f} |")


if __name__ == "__main__":
    main()
