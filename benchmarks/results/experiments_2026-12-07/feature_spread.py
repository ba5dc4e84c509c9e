"""Judge A's features of a generator's evaluation samples against a real floor draw (1,000 training images of each
digit): the within-digit variance along the real data's principal axes, the sets' 5-NN radii, and the own 5-NN radius
of the real test digits the generator covers and misses. Usage, from the repository root (MNIST_DATA_DIR set):
PYTHONPATH=. python benchmarks/results/experiments_2026-12-07/feature_spread.py GENERATOR_FOLDER"""

import sys

import numpy as np
import torch

from benchmarks.judge_disagreement import digit_means
from model.data import to_model_range
from model.evaluate import baselines, classify, evaluation_samples, load_judges
from model.metrics import coverage, knn_radii
from model.networks import DigitGenerator

torch.set_num_threads(1)
base = baselines(judges={"A": load_judges()["A"]})["A"]
floor_x, floor_y = base.real.floors[0]
real_feats, real_y = classify(base.classifier, floor_x)[0], np.asarray(floor_y)
generator = DigitGenerator.from_pretrained(sys.argv[1]).eval()
fake_x = to_model_range(torch.from_numpy(evaluation_samples(generator)))
fake_feats, fake_y = classify(base.classifier, fake_x)[0], np.repeat(np.arange(10), 1000)

# within digits: each image's features less its digit's mean
real_within = real_feats - digit_means(real_feats, real_y)[real_y]
fake_within = fake_feats - digit_means(fake_feats, fake_y)[fake_y]
variance, axes = np.linalg.eigh(np.cov(real_within.T))
order = np.argsort(variance)[::-1]
variance, axes = variance[order], axes[:, order]
fake_variance = np.einsum("ij,jk,ki->i", axes.T, np.cov(fake_within.T), axes)
print("within-digit variance along the real data's top 12 principal axes (real, generated, ratio):")
for i in range(12):
    print(f"  axis {i:2d}: {variance[i]:8.3f} {fake_variance[i]:8.3f} {fake_variance[i] / variance[i]:.2f}")
print(f"total within-digit variance: real {variance.sum():.2f}, generated {np.trace(np.cov(fake_within.T)):.2f}")
real_radii, fake_radii = (knn_radii(torch.as_tensor(f)).numpy() for f in (real_feats, fake_feats))
print("5-NN radius within the set (10th, 50th, 90th percentile): real",
      np.percentile(real_radii, [10, 50, 90]).round(2), "generated", np.percentile(fake_radii, [10, 50, 90]).round(2))
covered = coverage(base.reference_feats, fake_feats, real_radii=base.reference_radii)[1].numpy()
test_radii = base.reference_radii.numpy()
print(f"recall {covered.mean():.3f}; real test digits' own 5-NN radius (median): covered "
      f"{np.median(test_radii[covered]):.2f}, missed {np.median(test_radii[~covered]):.2f}")
