"""The evaluation module, and the bundled weights measured with it."""

import numpy as np
import pytest

from model import DigitGenerator
from model.classifier import MnistClassifier
from model.evaluate import evaluate, format_table, frechet_distance

from .helpers import ROOT


def test_frechet_distance_matches_the_closed_form():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(2000, 8)) @ rng.normal(size=(8, 8)) + 3.0
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    # b = 2a: mean doubles and covariance quadruples, so FD = |mu|^2 + tr(C) (1 + 4 - 2 * 2)
    expected = (a.mean(0) ** 2).sum() + np.trace(np.cov(a, rowvar=False))
    assert frechet_distance(a, 2 * a) == pytest.approx(expected, rel=1e-6)


def test_shipped_classifier_is_accurate(mnist_dir):
    from model.data import load_mnist, to_model_range
    from model.train_classifier import accuracy

    images, labels = load_mnist(mnist_dir, train=False)
    assert accuracy(MnistClassifier.from_pretrained(), to_model_range(images), labels) > 0.99


@pytest.fixture(scope="module")
def shipped_metrics(mnist_dir):
    return evaluate(DigitGenerator.from_pretrained(ROOT / "weights"), mnist_dir, samples_per_digit=100)


def test_shipped_weights_draw_the_requested_digit(shipped_metrics):
    assert shipped_metrics["samples"] == 1000
    assert shipped_metrics["accuracy"] >= 0.98
    assert shipped_metrics["worst_digit_accuracy"] >= 0.95


def test_shipped_weights_are_close_to_real_data_in_feature_space(shipped_metrics):
    # 1,000 samples carry more estimation noise than 10,000, so the bound is looser than the README figure
    assert shipped_metrics["frechet_distance"] < 10 * shipped_metrics["real_floor_frechet_distance"]


def test_untrained_generator_scores_badly(mnist_dir, tiny_generator):
    # the metrics must be able to fail: random weights draw noise, not digits
    metrics = evaluate(tiny_generator, mnist_dir, samples_per_digit=20)
    assert metrics["accuracy"] < 0.5
    assert metrics["frechet_distance"] > 10 * metrics["real_floor_frechet_distance"]
    assert "Fréchet distance" in format_table(metrics)
