"""Does a generator draw digits the size and place MNIST's own are? python -m benchmarks.digit_geometry [GENERATOR]

MNIST's digits were scaled to fit a 20x20 box (keeping their aspect ratio) and then placed in the 28x28 image so
that their centre of mass sits at the centre: so the longer side of each real digit's ink box is 20 pixels, and
its centre of mass is within half a pixel of (14, 14). This prints, for the real test and training images and for
GENERATOR's 1,000 samples of each digit (the seeds model.evaluate uses), how often the box has that size and how
far (root mean square) the centres of mass lie from the image's centre; with --recall, judge A's recall of the
real test digits by how wide they are and digit by digit, each beside a real draw's.
"""

import argparse
from itertools import pairwise

import numpy as np
import torch

from benchmarks import arguments
from model.data import load_mnist, to_model_range
from model.evaluate import JUDGES, SAMPLES_PER_DIGIT, Baseline, RealSets, classify, evaluation_samples
from model.handwriting import BOX, CENTRE  # MNIST's box side and centre, as drawings are made into digits
from model.metrics import coverage
from model.sampling import NUM_DIGITS


def ink_box(images: np.ndarray, threshold: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Height and width (N,) of the box holding every pixel >= threshold of uint8 images (N, 28, 28)."""
    ink = images >= threshold
    return ink.any(2).sum(1), ink.any(1).sum(1)


def centre_of_mass(images: np.ndarray) -> np.ndarray:
    """(N, 2): row and column of each uint8 image's centre of mass (a blank image gives the centre)."""
    x = images.astype(np.float64)
    mass = x.sum((1, 2))
    rows, cols = np.mgrid[0:28, 0:28]
    com = np.stack([(x * rows).sum((1, 2)), (x * cols).sum((1, 2))], 1) / np.maximum(mass, 1e-12)[:, None]
    return np.where(mass[:, None] > 0, com, CENTRE)


def geometry(images: np.ndarray) -> dict:
    """Shares of uint8 images (N, 28, 28) whose ink box's longer side is under, exactly or over BOX pixels, and the
    spread of their centres of mass about MNIST's centre (root mean square offset per axis, in pixels)."""
    side = np.maximum(*ink_box(images))
    offset = centre_of_mass(images) - CENTRE
    return {"box_under": float((side < BOX).mean()), "box_exact": float((side == BOX).mean()),
            "box_over": float((side > BOX).mean()), "box_over_by_2_or_more": float((side > BOX + 1).mean()),
            "centre_spread": float(np.sqrt((offset ** 2).mean(0)).mean())}


def reference_coverage(generator, data_dir=None, samples_per_digit: int = SAMPLES_PER_DIGIT) -> dict:
    """Judge A's recall one real digit at a time: for each reference test digit (those recall counts), whether the
    generator's samples cover it, whether the floor's first draw of real training digits does, its digit and its
    ink-box width (arrays of one entry per reference digit)."""
    judge_a = JUDGES["A"][0].from_pretrained().eval()
    real = RealSets.load(data_dir, samples_per_digit, draws=1)
    base = Baseline.measure(judge_a, real)
    samples = to_model_range(torch.from_numpy(evaluation_samples(generator, samples_per_digit)))
    covered = {}
    for name, images in (("generator", samples), ("floor", real.floors[0][0])):
        _, covered[name] = coverage(base.reference_feats, classify(base.classifier, images)[0],
                                    real_radii=base.reference_radii)  # (reference,)
    _, width = ink_box(load_mnist(data_dir, train=False)[0][real.reference].numpy())
    return {"covered": covered["generator"].numpy(), "floor_covered": covered["floor"].numpy(),
            "digit": real.test_y[real.reference], "width": width}


def recall_by_width(cov: dict) -> list[tuple]:
    """Judge A's recall of the reference test digits by ink-box width, beside a real draw's: (low, high, recall,
    floor recall, count) rows."""
    edges = [0, 10, 14, 16, 18, BOX, BOX + 1, 29]  # the last bucket, wider than MNIST's box, is empty for real digits
    rows = [(low, high - 1, (cov["width"] >= low) & (cov["width"] < high)) for low, high in pairwise(edges)]
    return [(low, high, float(cov["covered"][inside].mean()), float(cov["floor_covered"][inside].mean()),
             int(inside.sum())) for low, high, inside in rows if inside.any()]


def recall_by_digit(cov: dict) -> list[tuple]:
    """Judge A's recall of the reference test digits of each digit, beside a real draw's: (digit, recall, floor
    recall, count) rows."""
    rows = []
    for digit in range(NUM_DIGITS):
        mine = cov["digit"] == digit
        rows.append((digit, float(cov["covered"][mine].mean()), float(cov["floor_covered"][mine].mean()),
                     int(mine.sum())))
    return rows


def main(argv=None):
    """Print the geometry table (and, with --recall, recall by width and by digit) for real MNIST and one generator."""
    from model import DigitGenerator

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("generator", nargs="?", default="weights", help="folder or Hub repo id (default: weights)")
    p.add_argument("--data-dir")
    p.add_argument("--recall", action="store_true",
                   help="also judge A's recall by digit width and by digit (about a minute)")
    p.add_argument("--samples-per-digit", type=arguments.samples_per_digit, default=SAMPLES_PER_DIGIT,
                   help=f"generated digits of each kind for --recall (default {SAMPLES_PER_DIGIT}, as published)")
    args = p.parse_args(argv)
    generator = DigitGenerator.from_pretrained(args.generator).eval()
    sets = {"real test images": load_mnist(args.data_dir, train=False)[0].numpy(),
            "real training images": load_mnist(args.data_dir, train=True)[0].numpy(),
            f"generator {args.generator}": evaluation_samples(generator)}
    print(f"| images | ink box's longer side < {BOX} px | = {BOX} px | > {BOX} px | > {BOX + 1} px "
          "| centre-of-mass spread (px) |")
    print("|---|---|---|---|---|---|")
    for name, images in sets.items():
        g = geometry(images)
        print(f"| {name} | {g['box_under']:.1%} | {g['box_exact']:.1%} | {g['box_over']:.1%} "
              f"| {g['box_over_by_2_or_more']:.1%} | {g['centre_spread']:.3f} |")
    if args.recall:
        cov = reference_coverage(generator, args.data_dir, args.samples_per_digit)
        print("\n| real test digits' ink width (px) | count | judge A's recall of them "
              "| a real training draw's (the floor's first) |\n|---|---|---|---|")
        for low, high, recall, floor, count in recall_by_width(cov):
            print(f"| {low if low == high else f'{low}-{high}'} | {count} | {recall:.3f} | {floor:.3f} |")
        print("\n| real test digit | count | judge A's recall of them | a real training draw's (the floor's first) |")
        print("|---|---|---|---|")
        for digit, recall, floor, count in recall_by_digit(cov):
            print(f"| {digit} | {count} | {recall:.3f} | {floor:.3f} |")


if __name__ == "__main__":
    main()
