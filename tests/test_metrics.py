"""The metric math on sets with a known answer: Fréchet distance, and k-NN precision and recall."""

import numpy as np
import pytest
import torch

from model.metrics import frechet_distance, knn_radii, precision_recall

DIGITS, PER_DIGIT = 10, 60


def clusters(seed: int, digits=range(DIGITS), per_digit: int = PER_DIGIT) -> np.ndarray:
    """Features like a classifier's: one tight, well separated Gaussian blob per digit (rows ordered by digit)."""
    centres = np.random.default_rng(1234).normal(size=(DIGITS, 4)) * 10  # shared by every set
    rng = np.random.default_rng(seed)
    return np.concatenate([centres[d] + rng.normal(size=(per_digit, 4)) for d in digits])


def test_frechet_distance_matches_the_closed_form():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(2000, 8)) @ rng.normal(size=(8, 8)) + 3.0
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    # b = 2a: mean doubles and covariance quadruples, so FD = |mu|^2 + tr(C) (1 + 4 - 2 * 2)
    expected = (a.mean(0) ** 2).sum() + np.trace(np.cov(a, rowvar=False))
    assert frechet_distance(a, 2 * a) == pytest.approx(expected, rel=1e-6)


def test_knn_radius_is_the_distance_to_the_kth_other_point():
    x = torch.tensor([[0.0], [1.0], [3.0], [6.0], [10.0]], dtype=torch.float64)
    # neighbours of 0 by distance: 1, 3, 6, 10; chunk=2 makes the rows come in several pieces
    assert knn_radii(x, k=2, chunk=2).tolist() == pytest.approx([3.0, 2.0, 3.0, 4.0, 7.0])
    with pytest.raises(ValueError, match="more than k=5"):
        knn_radii(x, k=5)


def test_identical_sets_have_full_precision_and_recall():
    real = clusters(seed=0)
    assert precision_recall(real, real.copy(), chunk=64) == (1.0, 1.0)


def test_a_fresh_draw_of_the_same_distribution_scores_high():
    precision, recall = precision_recall(clusters(seed=0), clusters(seed=1), chunk=64)
    assert precision > 0.9 and recall > 0.9


def test_a_missing_digit_lowers_recall_but_not_precision():
    real = clusters(seed=0)
    no_sevens = clusters(seed=1, digits=[d for d in range(DIGITS) if d != 7], per_digit=PER_DIGIT * 10 // 9)
    precision, recall = precision_recall(real, no_sevens, chunk=64)
    assert precision > 0.9  # every generated sample still looks real
    assert 0.8 < recall <= 0.9  # the other digits are covered; the sevens, a tenth of the real set, cannot be


def test_one_repeated_image_collapses_recall():
    real = clusters(seed=0)
    repeated = np.repeat(real[:1], len(real), axis=0)  # mode collapse onto one real image
    precision, recall = precision_recall(real, repeated, chunk=64)
    assert precision == 1.0  # that one image is perfectly realistic
    assert recall <= 1 / len(real)  # its ball has radius 0: it covers itself at most


def test_generated_samples_far_from_the_data_have_no_precision():
    real = clusters(seed=0)
    precision, recall = precision_recall(real, clusters(seed=1) + 100.0, chunk=64)
    assert precision == 0.0 and recall == 0.0


def test_precomputed_real_radii_give_the_same_answer():
    real, fake = clusters(seed=0), clusters(seed=1)
    radii = knn_radii(torch.as_tensor(real, dtype=torch.float64))
    assert precision_recall(real, fake, chunk=64, real_radii=radii) == precision_recall(real, fake, chunk=64)
    # and they are the ones used: real balls of radius 0 hold no generated sample (fresh draws never coincide)
    assert precision_recall(real, fake, chunk=64, real_radii=torch.zeros_like(radii))[0] == 0.0
    with pytest.raises(ValueError, match="one radius per real sample"):
        precision_recall(real, fake, real_radii=radii[:-1])
