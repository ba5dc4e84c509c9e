"""Does the EMA copy of G cost recall? python -m benchmarks.ema_vs_raw RUN_FOLDER [--checkpoint PATH]

A training run saves the exponential moving average of G's weights (G_ema), not G itself. Averaging weights can
smooth a generator towards its typical outputs, so it could be what keeps recall under the floor. This scores,
from the run's newest checkpoint (or PATH), under both judges with model.evaluate's seeds and sample count:
G as it was trained (its own BatchNorm statistics), G with its BatchNorm statistics re-estimated as the saved
generator's are, and G_ema as the run saved it.
"""

import argparse
import copy

from benchmarks import arguments
from model.checkpoint import latest_checkpoint, load_checkpoint
from model.ema import recalibrate_bn
from model.evaluate import SAMPLES_PER_DIGIT, baselines, evaluate, format_table
from model.networks import DigitGenerator, GeneratorConfig


def generator_from(ckpt: dict, key: str) -> DigitGenerator:
    """The generator stored under `key` ("G" or "G_ema") in a training checkpoint, in eval mode."""
    generator = DigitGenerator(GeneratorConfig(**ckpt["g_config"]))
    generator.load_state_dict(ckpt[key])
    return generator.eval()


def main(argv=None):
    """Evaluate G, G with re-estimated BatchNorm statistics, and G_ema from one checkpoint; print each table."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run", help="a train_cgan.py --out-dir folder (its checkpoints/ is read)")
    p.add_argument("--checkpoint", help="this checkpoint file instead of the run's newest")
    p.add_argument("--data-dir")
    p.add_argument("--samples-per-digit", type=arguments.samples_per_digit, default=SAMPLES_PER_DIGIT,
                   help=f"(default {SAMPLES_PER_DIGIT}, as the published figures; fewer is faster and noisier)")
    args = p.parse_args(argv)
    path = args.checkpoint or latest_checkpoint(f"{args.run}/checkpoints")
    if path is None:
        raise SystemExit(f"run: no checkpoint in {args.run}/checkpoints")
    ckpt = load_checkpoint(path)
    raw = generator_from(ckpt, "G")
    raw_recalibrated = copy.deepcopy(raw)
    recalibrate_bn(raw_recalibrated)
    ema = generator_from(ckpt, "G_ema")
    recalibrate_bn(ema)  # as train_cgan.py does before saving it
    baseline = baselines(args.data_dir, args.samples_per_digit)  # the real-data floor, measured once for all three
    print(f"checkpoint {path} (step {ckpt['step']})")
    for name, generator in [("G as trained", raw), ("G, BatchNorm statistics re-estimated", raw_recalibrated),
                            ("G_ema (what the run saves)", ema)]:
        metrics = evaluate(generator, samples_per_digit=args.samples_per_digit, baseline=baseline)
        print(f"\n## {name}\n\n{format_table(metrics)}")


if __name__ == "__main__":
    main()
