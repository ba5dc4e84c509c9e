"""How far do the published figures move with the evaluation's sample seeds alone? python -m benchmarks.eval_noise
[GENERATOR] [--draws N]

model.evaluate scores one fixed set of samples (digit d from seeds d * 1,000 onwards), so a generator's figures
carry the luck of that set as well as the luck of its training run. This scores GENERATOR on N disjoint sets of
seeds (draw k starts at seed k * 10 * samples_per_digit; draw 0 is the published set) against the same real
sets and floors, and prints, under each judge, the published figure beside the mean, standard deviation and range
over the draws. A difference between two generators smaller than that spread says nothing about their recipes.
"""

import argparse

import numpy as np

from benchmarks import arguments
from model.evaluate import SAMPLES_PER_DIGIT, baselines, evaluate
from model.sampling import NUM_DIGITS

FIGURES = {  # name -> how to read it from one judge's metrics
    "accuracy": lambda m: m["accuracy"],
    "Fréchet distance ÷ floor": lambda m: m["frechet_distance"] / m["real_floor_frechet_distance"],
    "precision": lambda m: m["precision"],
    "recall": lambda m: m["recall"],
}


def draw_figures(generator, baseline: dict, draws: int, samples_per_digit: int) -> dict:
    """{judge: {figure: array (draws,)}}: every figure of FIGURES for each draw of sample seeds."""
    per_draw = [evaluate(generator, samples_per_digit=samples_per_digit, baseline=baseline,
                         first_seed=k * NUM_DIGITS * samples_per_digit)["judges"] for k in range(draws)]
    return {name: {fig: np.array([read(d[name]) for d in per_draw]) for fig, read in FIGURES.items()}
            for name in baseline}


def main(argv=None):
    """Score one generator on several draws of sample seeds and print each figure's spread under each judge."""
    from model import DigitGenerator

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("generator", nargs="?", default="weights", help="folder or Hub repo id (default: weights)")
    p.add_argument("--draws", type=int, default=5, help="sets of sample seeds to score (default 5; draw 0 is the "
                   "published set)")
    p.add_argument("--data-dir")
    p.add_argument("--samples-per-digit", type=arguments.samples_per_digit, default=SAMPLES_PER_DIGIT,
                   help=f"(default {SAMPLES_PER_DIGIT}, as the published figures; fewer is faster and noisier)")
    args = p.parse_args(argv)
    if args.draws < 2:
        p.error(f"--draws must be at least 2 (a spread needs two draws), got {args.draws}")
    generator = DigitGenerator.from_pretrained(args.generator).eval()
    baseline = baselines(args.data_dir, args.samples_per_digit)  # the real sets and floors, measured once
    figures = draw_figures(generator, baseline, args.draws, args.samples_per_digit)
    print(f"{args.generator}: {args.draws} draws of {NUM_DIGITS * args.samples_per_digit:,} samples each\n")
    print("| judge | figure | published (draw 0) | mean | standard deviation | range |\n|---|---|---|---|---|---|")
    for name, by_figure in figures.items():
        for fig, values in by_figure.items():
            print(f"| {name} | {fig} | {values[0]:.4f} | {values.mean():.4f} | {values.std(ddof=1):.4f} "
                  f"| {values.min():.4f}-{values.max():.4f} |")


if __name__ == "__main__":
    main()
