"""GAN inversion (model/inversion.py) and the whole library request (model/from_drawing.py), with small search
settings so the tests stay fast; the quality bar itself is measured by benchmarks/bench_inversion.py."""

import numpy as np
import pytest
import torch

from model import DigitGenerator, explore
from model.classifier import MnistClassifier
from model.drawing_file import DrawingError
from model.from_drawing import from_drawing
from model.inversion import InversionSettings, closeness, invert, style_digits
from model.sampling import latents_for_seeds

from .bad_images import png, stroke_drawing
from .helpers import ROOT

SMALL = InversionSettings(candidates=8, starts=2, steps=6)


@pytest.fixture(scope="module")
def generator():
    return DigitGenerator.from_pretrained(ROOT / "weights")


@pytest.fixture(scope="module")
def classifier():
    return MnistClassifier.from_pretrained().eval()


def state(module) -> dict:
    return {k: v.clone() for k, v in module.state_dict().items()}


def test_the_same_drawing_gives_the_same_latent_and_pixels_every_time(generator, classifier):
    target = generator.generate(4, seed=999)[0]
    first, second = invert(generator, classifier, target, 4, SMALL), invert(generator, classifier, target, 4, SMALL)
    assert torch.equal(first.latent, second.latent)
    assert np.array_equal(first.reconstruction, second.reconstruction)
    assert (first.pixel_error, first.feature_similarity) == (second.pixel_error, second.feature_similarity)


def test_a_digit_the_generator_drew_is_found_again_closely(generator, classifier):
    target = generator.generate(2, seed=31337)[0]  # not one of the starts (seeds 0..candidates-1)
    result = invert(generator, classifier, target, 2, InversionSettings(candidates=16, starts=2, steps=30))
    start_error = closeness(classifier, target, generator.generate(2, seed=0)[0])[0]
    assert result.pixel_error < 0.05 and result.pixel_error < start_error / 2, (result.pixel_error, start_error)
    assert result.feature_similarity > 0.9


def test_more_steps_get_closer(generator, classifier):
    target = generator.generate(8, seed=4242)[0]
    errors = [invert(generator, classifier, target, 8, InversionSettings(candidates=8, starts=2, steps=steps))
              .pixel_error for steps in (0, 15)]
    assert errors[1] < errors[0], errors


def test_the_class_stays_fixed_to_the_digit_given(generator, classifier):
    target = generator.generate(1, seed=5)[0]
    result = invert(generator, classifier, target, 7, SMALL)
    assert result.digit == 7
    assert np.array_equal(result.reconstruction, style_digits(generator, result.latent)[7])


def test_style_digits_are_drawn_exactly_as_the_style_rows_draw_a_seed(generator):
    latent = latents_for_seeds([77], generator.config.z_dim)[0]
    assert np.array_equal(style_digits(generator, latent), explore.style_grid(generator, [77]))


def test_the_networks_are_left_as_they_were(generator, classifier):
    before_g, before_c = state(generator), state(classifier)
    generator.train()
    invert(generator, classifier, generator.generate(3, seed=1)[0], 3, SMALL)
    assert generator.training and not classifier.training  # modes restored
    generator.eval()
    for module, before in ((generator, before_g), (classifier, before_c)):
        after = module.state_dict()
        assert all(torch.equal(before[k], after[k]) for k in before)  # weights and BatchNorm statistics
        assert all(p.grad is None for p in module.parameters())


def test_bad_targets_and_digits_are_refused(generator, classifier):
    good = generator.generate(3, seed=1)[0]
    with pytest.raises(ValueError, match=r"target must be a uint8 \(28, 28\) digit"):
        invert(generator, classifier, good.astype(np.float32), 3, SMALL)
    with pytest.raises(ValueError, match="digit must be an integer from 0 to 9"):
        invert(generator, classifier, good, 10, SMALL)


def test_from_drawing_reads_guesses_inverts_and_writes_ten_digits(generator, classifier):
    result = from_drawing(generator, classifier, png(stroke_drawing()), settings=SMALL)
    assert result.digit_image.shape == (28, 28) and result.styles.shape == (10, 28, 28)
    assert abs(result.probabilities.sum() - 1) < 1e-5
    guesses = result.top_guesses(3)
    assert guesses[0][0] == 1 and [p for _, p in guesses] == sorted((p for _, p in guesses), reverse=True)
    assert result.inversion.digit == 1  # the guess is used when no digit is given
    assert np.array_equal(result.styles[1], result.inversion.reconstruction)


def test_from_drawing_uses_the_digit_the_person_chose(generator, classifier):
    result = from_drawing(generator, classifier, png(stroke_drawing()), digit=4, settings=SMALL)
    assert result.inversion.digit == 4 and result.top_guesses(1)[0][0] == 1  # the guess itself is unchanged


def test_from_drawing_refuses_a_blank_drawing_and_a_bad_digit(generator, classifier):
    with pytest.raises(DrawingError, match="blank"):
        from_drawing(generator, classifier, np.full((100, 100), 255, dtype=np.uint8), settings=SMALL)
    with pytest.raises(ValueError, match="digit must be an integer 0-9"):
        from_drawing(generator, classifier, png(stroke_drawing()), digit="7", settings=SMALL)
