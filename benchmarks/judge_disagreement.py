"""Where each judge's Fréchet distance comes from: python -m benchmarks.judge_disagreement GENERATOR [GENERATOR ...]

When two judges disagree about which generator is nearer MNIST, this says which part of the distance moved. Each
judge's distance to the test set is split three ways, for every GENERATOR's evaluation samples (the seeds
model.evaluate uses) and for the real floor draws:
- between digits: the distance with every image's features replaced by its digit's mean (where the ten digits sit
  relative to each other);
- within digits: the distance with its digit's mean subtracted from every image's features (the shape of each
  digit's variety, pooled over the digits);
- digit means: how far each digit's mean is from the test images' mean for that digit (squared, mean over digits).
Each is printed beside its floor, as model.evaluate's figures are.
"""

import argparse

import numpy as np
import torch

from model.data import to_model_range
from model.evaluate import SAMPLES_PER_DIGIT, RealSets, classify, evaluation_samples, load_judges
from model.metrics import frechet_distance
from model.networks import DigitGenerator
from model.sampling import NUM_DIGITS

PARTS = ("overall", "between digits", "within digits", "digit means")


def digit_means(feats: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """(10, F): the mean features of each digit."""
    return np.stack([feats[labels == d].mean(0) for d in range(NUM_DIGITS)])


def distance_parts(feats: np.ndarray, labels: np.ndarray, test_feats: np.ndarray, test_y: np.ndarray) -> dict:
    """The Fréchet distance of features (N, F) of images of `labels` to the test set's, and its three parts."""
    means, test_means = digit_means(feats, labels), digit_means(test_feats, test_y)
    return {
        "overall": frechet_distance(feats, test_feats),
        "between digits": frechet_distance(means[labels], test_means[test_y]),
        "within digits": frechet_distance(feats - means[labels], test_feats - test_means[test_y]),
        "digit means": float(((means - test_means) ** 2).sum(1).mean()),
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("generators", nargs="+", help="saved generator folders (save_pretrained's output)")
    p.add_argument("--data-dir", help="MNIST folder (default: $MNIST_DATA_DIR or ~/.cache/digit-cgan/mnist)")
    args = p.parse_args(argv)
    real = RealSets.load(args.data_dir, SAMPLES_PER_DIGIT)
    requested = np.repeat(np.arange(NUM_DIGITS), SAMPLES_PER_DIGIT)
    samples = {folder: to_model_range(torch.from_numpy(evaluation_samples(DigitGenerator.from_pretrained(folder))))
               for folder in args.generators}
    for name, judge in load_judges().items():
        test_feats = classify(judge, real.test_x)[0]
        draws = [distance_parts(classify(judge, x)[0], y, test_feats, real.test_y) for x, y in real.floors]
        floor = {part: np.mean([d[part] for d in draws]) for part in PARTS}
        print(f"\njudge {name}: each part of the Fréchet distance, and it ÷ the real floor's")
        print("| set | " + " | ".join(PARTS) + " |\n|---|" + "---|" * len(PARTS))
        print("| real floor (mean of the draws) | " + " | ".join(f"{floor[part]:.4g}" for part in PARTS) + " |")
        for folder, images in samples.items():
            parts = distance_parts(classify(judge, images)[0], requested, test_feats, real.test_y)
            print(f"| {folder} | " + " | ".join(f"{parts[q]:.4g} ({parts[q] / floor[q]:.2f}x)" for q in PARTS) + " |")


if __name__ == "__main__":
    main()
