"""The Python API's generate(): shapes, value ranges, seed determinism and argument errors."""

import copy
import dataclasses
import json

import numpy as np
import pytest
import torch

from model import MAX_COUNT, SEED_LIMIT, DigitGenerator
from model.networks import GeneratorConfig
from model.sampling import latents_for_seeds

from .helpers import ROOT


def test_shape_dtype_and_range(tiny_generator):
    images = tiny_generator.generate(digit=7, seed=42, count=16)
    assert images.shape == (16, 28, 28) and images.dtype == np.uint8
    assert images.min() >= 0 and images.max() <= 255
    assert len({img.tobytes() for img in images}) == 16  # different seeds, different images


def test_default_count_is_one_image(tiny_generator):
    assert tiny_generator.generate(3).shape == (1, 28, 28)


def test_same_seed_same_image_across_calls(tiny_generator):
    a = tiny_generator.generate(5, seed=123, count=4)
    b = tiny_generator.generate(5, seed=123, count=4)
    np.testing.assert_array_equal(a, b)


def bundled_with_attention() -> DigitGenerator:
    """The bundled generator with a self-attention block added (seeded weights, gain 1), as --g-attention trains."""
    bundled = DigitGenerator.from_pretrained(ROOT / "weights")
    torch.manual_seed(0)
    generator = DigitGenerator(dataclasses.replace(bundled.config, attention=True))
    generator.load_state_dict(bundled.state_dict(), strict=False)
    with torch.no_grad():
        generator.attention.gain.fill_(1.0)
    return generator.eval()


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("attention", [False, True], ids=["bundled", "with_attention"])
def test_batch_image_i_equals_single_image_of_seed_plus_i_exactly(threads, attention):
    """Pixel-exact whatever the batch size or thread count. Without padding, small batches round a pixel one
    grey level differently about once in a few hundred images (bundled weights), so this checks 300 images; and
    with a self-attention block, whose batched matrix products must not depend on the batch either."""
    generator = bundled_with_attention() if attention else DigitGenerator.from_pretrained(ROOT / "weights")
    seed, n = 2**40 + 17, 300
    digits = [i % 10 for i in range(n)]
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        batch = generator.generate(digits, seed=seed)
        for size in (1, 2, 3, 7, 64):
            pieces = [generator.generate(digits[i : i + size], seed=seed + i) for i in range(0, n, size)]
            np.testing.assert_array_equal(np.concatenate(pieces), batch, err_msg=f"batches of {size}")
    finally:
        torch.set_num_threads(before)


def test_latents_are_pinned_values_of_the_seed():
    # NumPy's PCG64 + ziggurat streams are platform independent; pinning them catches any change of sampler
    z = latents_for_seeds([0, 2**63 - 1], 4).numpy()
    np.testing.assert_array_equal(z[0], np.float32([1.1176220178604126, -1.3871248960494995,
                                                    -0.4265716075897217, -0.8035872578620911]))
    np.testing.assert_array_equal(z[1], np.float32([-0.3000846207141876, -0.11347315460443497,
                                                    -0.3361496031284332, 0.7119643092155457]))


def test_per_image_digits_match_single_digit_calls(tiny_generator):
    mixed = tiny_generator.generate([0, 1, 2], seed=10)
    for i, d in enumerate([0, 1, 2]):
        single = tiny_generator.generate(d, seed=10 + i)[0].astype(int)
        assert np.abs(mixed[i].astype(int) - single).max() <= 1
    assert tiny_generator.generate(np.array([4, 4]), seed=0).shape == (2, 28, 28)


def test_digit_changes_the_image(tiny_generator):
    assert not np.array_equal(tiny_generator.generate(1, seed=0), tiny_generator.generate(8, seed=0))


def test_psi_one_is_untruncated_and_zero_collapses_seeds(tiny_generator):
    np.testing.assert_array_equal(tiny_generator.generate(6, seed=3, count=2, psi=1.0),
                                  tiny_generator.generate(6, seed=3, count=2))
    flat = tiny_generator.generate(6, seed=3, count=2, psi=0.0)
    np.testing.assert_array_equal(flat[0], flat[1])


def test_generate_restores_training_mode(tiny_generator):
    tiny_generator.train()
    try:
        tiny_generator.generate(1)
        assert tiny_generator.training
    finally:
        tiny_generator.eval()


@pytest.mark.parametrize("kwargs, message", [
    (dict(digit=10), "digit must be an integer from 0 to 9"),
    (dict(digit=-1), "digit must be an integer from 0 to 9"),
    (dict(digit=2.5), "digit must be an integer 0-9"),
    (dict(digit="7"), "digit must be an integer 0-9"),
    (dict(digit=True), "digit must be an integer 0-9"),
    (dict(digit=[1, 12]), "digit must be an integer from 0 to 9"),
    (dict(digit=[]), "digit sequence is empty"),
    (dict(digit=[1, 2], count=3), "does not match"),
    (dict(digit=1, seed=-1), "seed must be an integer in [0, 2**63)"),
    (dict(digit=1, seed=1.5), "seed must be an integer in [0, 2**63)"),
    (dict(digit=1, seed="3"), "seed must be an integer in [0, 2**63)"),
    (dict(digit=1, seed=None), "seed must be an integer in [0, 2**63)"),
    (dict(digit=1, seed=SEED_LIMIT), "seed must be an integer in [0, 2**63)"),
    (dict(digit=1, seed=SEED_LIMIT - 1, count=2), "seed + count - 1"),
    (dict(digit=1, count=0), f"count must be an integer from 1 to {MAX_COUNT}"),
    (dict(digit=1, count=MAX_COUNT + 1), f"count must be an integer from 1 to {MAX_COUNT}"),
    (dict(digit=1, count=2.0), "count must be an integer"),
    (dict(digit=1, psi=1.5), "psi (truncation) must be a number from 0 to 1"),
    (dict(digit=1, psi=float("nan")), "psi (truncation) must be a number from 0 to 1"),
])
def test_bad_arguments_raise_value_error(tiny_generator, kwargs, message):
    with pytest.raises(ValueError) as info:
        tiny_generator.generate(**kwargs)
    assert message in str(info.value)


def test_largest_seed_is_accepted(tiny_generator):
    assert tiny_generator.generate(0, seed=SEED_LIMIT - 1).shape == (1, 28, 28)


def test_an_output_gain_above_one_draws_exactly_black_where_plain_tanh_cannot(tiny_generator):
    # the bundled generator's tanh output is scaled by 1.2 and clipped, so its background can be MNIST's pure 0
    plain_tanh = copy.deepcopy(tiny_generator)  # copies: the fixture is shared by the whole session
    clipped = copy.deepcopy(tiny_generator)
    clipped.config = dataclasses.replace(clipped.config, output_gain=1.2)
    z, labels = latents_for_seeds(range(4), clipped.config.z_dim), torch.arange(4)
    with torch.no_grad():
        plain, gained = plain_tanh(z, labels), clipped(z, labels)
        assert plain.abs().max() < 1 / 1.2  # this untrained generator's pixels all stay inside the clipping
        torch.testing.assert_close(gained, 1.2 * plain, rtol=0, atol=1e-6)  # so the gain only scales every pixel
        for G in (plain_tanh, clipped):
            G.to_image.bias.fill_(-5.0)  # tanh(-5) = -0.99991: 0.01 of a grey level above black
        plain, gained = plain_tanh(z, labels), clipped(z, labels)
    assert plain.min() > -1 and torch.all(gained == -1)  # only the gain reaches black exactly, as D sees the pixels


@pytest.mark.parametrize("gain", [0.0, -1.2, float("nan"), float("inf")])
def test_an_output_gain_that_is_not_a_finite_number_above_zero_is_refused(tiny_generator, gain):
    with pytest.raises(ValueError, match=r"output_gain must be a finite number above 0 \(1 is plain tanh\), got"):
        DigitGenerator(dataclasses.replace(tiny_generator.config, output_gain=gain))


def test_a_config_without_output_gain_is_plain_tanh(tiny_generator, tmp_path):
    # configs saved before output_gain existed (older Hub revisions) load as the plain tanh they were trained with
    tiny_generator.save_pretrained(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    assert config.pop("output_gain") == 1.0
    (tmp_path / "config.json").write_text(json.dumps(config))
    loaded = DigitGenerator.from_pretrained(str(tmp_path))
    assert loaded.config.output_gain == 1.0
    np.testing.assert_array_equal(loaded.generate(2, seed=5, count=4), tiny_generator.generate(2, seed=5, count=4))


def test_self_attention_starts_as_the_identity_and_round_trips_through_save_and_load(tiny_generator, tmp_path):
    """A new attention block changes no pixel (its gain starts at 0, its layers are made last); once its gain has
    moved it changes them, and a saved generator with it loads back to the same pixels."""
    torch.manual_seed(0)
    attending = DigitGenerator(GeneratorConfig(channels=32, z_dim=16, embed_dim=8, attention=True)).eval()
    np.testing.assert_array_equal(attending.generate(3, seed=1, count=4), tiny_generator.generate(3, seed=1, count=4))
    with torch.no_grad():
        attending.attention.gain.fill_(1.0)
    moved = attending.generate(3, seed=1, count=4)
    assert (moved != tiny_generator.generate(3, seed=1, count=4)).any()
    attending.save_pretrained(tmp_path)
    assert json.loads((tmp_path / "config.json").read_text())["attention"] is True
    np.testing.assert_array_equal(DigitGenerator.from_pretrained(str(tmp_path)).generate(3, seed=1, count=4), moved)
    # without attention, config.json is as before the field existed, so older versions of the library still load it
    tiny_generator.save_pretrained(tmp_path / "without")
    assert "attention" not in json.loads((tmp_path / "without" / "config.json").read_text())
    assert DigitGenerator.from_pretrained(str(tmp_path / "without")).config.attention is False
