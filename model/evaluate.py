"""Score a generator against MNIST: python -m model.evaluate weights [--revision REV] [--json FILE].

Draws 1,000 samples per digit (10,000 in all; digit d uses seeds d*1000 .. d*1000+999), and reports
 - accuracy: the share the project's MNIST classifier labels as the requested digit (and the worst digit);
 - Fréchet distance between classifier features of the samples and of the 10k MNIST test images;
 - the same distance for 10k real training images: the floor that a perfect generator would reach.
"""

import argparse
import json

import numpy as np
import torch

from .classifier import MnistClassifier
from .data import load_mnist, to_model_range
from .sampling import NUM_DIGITS

SAMPLES_PER_DIGIT = 1000


@torch.no_grad()
def classify(classifier, images: torch.Tensor, batch_size: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Features (N, F) as float64 and predicted labels (N,) for images (N, 1, 28, 28) in [-1, 1]."""
    feats, preds = [], []
    for i in range(0, len(images), batch_size):
        f = classifier.features(images[i : i + batch_size])
        feats.append(f.double().numpy())
        preds.append(classifier.head(f).argmax(1).numpy())
    return np.concatenate(feats), np.concatenate(preds)


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to feature sets a (N, F) and b (M, F)."""
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    # tr sqrt(cov_a cov_b) = tr sqrt(A cov_b A) with A = sqrt(cov_a): symmetric, so eigh is exact and stable
    w, v = np.linalg.eigh(cov_a)
    sqrt_a = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    eig = np.linalg.eigvalsh(sqrt_a @ cov_b @ sqrt_a)
    tr_sqrt = np.sqrt(np.clip(eig, 0, None)).sum()
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b) - 2 * tr_sqrt)


def evaluate(generator, data_dir=None, samples_per_digit: int = SAMPLES_PER_DIGIT, classifier=None) -> dict:
    """Accuracy and classifier-feature Fréchet distances for `generator` (see module docstring)."""
    classifier = (classifier or MnistClassifier.from_pretrained()).eval()
    test_x, test_y = load_mnist(data_dir, train=False)
    train_x, _ = load_mnist(data_dir, train=True)
    test_feats, test_preds = classify(classifier, to_model_range(test_x))
    # a fixed random 10k subset of the training set for the real-data floor
    real_idx = torch.randperm(len(train_x), generator=torch.Generator().manual_seed(0))[: len(test_x)]
    real_feats, _ = classify(classifier, to_model_range(train_x[real_idx]))

    requested = np.repeat(np.arange(NUM_DIGITS), samples_per_digit)
    images = np.concatenate([generator.generate(d, seed=d * samples_per_digit, count=samples_per_digit)
                             for d in range(NUM_DIGITS)])
    fake_feats, fake_preds = classify(classifier, to_model_range(torch.from_numpy(images)))
    per_digit = [(fake_preds[requested == d] == d).mean() for d in range(NUM_DIGITS)]
    return {
        "samples": int(len(images)),
        "accuracy": float((fake_preds == requested).mean()),
        "worst_digit": int(np.argmin(per_digit)),
        "worst_digit_accuracy": float(min(per_digit)),
        "frechet_distance": frechet_distance(fake_feats, test_feats),
        "real_floor_frechet_distance": frechet_distance(real_feats, test_feats),
        "classifier_test_accuracy": float((test_preds == test_y.numpy()).mean()),
    }


def format_table(m: dict) -> str:
    """Markdown table of an evaluate() result."""
    ratio = m["frechet_distance"] / m["real_floor_frechet_distance"]
    return "\n".join([
        "| metric | generator | real MNIST |",
        "|---|---|---|",
        f"| classified as the requested digit ({m['samples']:,} samples) | {m['accuracy']:.2%} "
        f"(worst digit {m['worst_digit']}: {m['worst_digit_accuracy']:.2%}) "
        f"| {m['classifier_test_accuracy']:.2%} (classifier on the test set) |",
        f"| Fréchet distance to the test set, classifier features | {m['frechet_distance']:.3f} ({ratio:.1f}x floor) "
        f"| {m['real_floor_frechet_distance']:.3f} (10k training images: the floor) |",
    ])


def main(argv=None):
    from .networks import DigitGenerator

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("generator", help="folder or Hub repo id")
    p.add_argument("--revision")
    p.add_argument("--data-dir")
    p.add_argument("--json", help="also write the numbers to this file")
    args = p.parse_args(argv)
    generator = DigitGenerator.from_pretrained(args.generator, revision=args.revision)
    metrics = evaluate(generator, args.data_dir)
    print(format_table(metrics))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(metrics, f, indent=2)


if __name__ == "__main__":
    main()
