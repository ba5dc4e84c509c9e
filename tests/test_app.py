"""app.generate, the pure function behind the UI and the /generate endpoint, called directly."""

import inspect
import zipfile
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import numpy as np
import pytest
from gradio import utils as gradio_utils

import app
from model import DigitGenerator

from .helpers import load_png


def pixels(items):
    return [load_png(path) for path, _ in items]


def link(**params):
    """What the app's page load gets when it is opened as /?name=value&..."""
    return SimpleNamespace(query_params=params)


class NoGenerator:
    """Stands in for the model where nothing may be generated."""

    def __getattr__(self, name):
        raise AssertionError(f"the model was used ({name}) for files that were already served")


def test_returns_count_upscaled_pngs_named_and_captioned_by_digit_and_seed():
    items = app.generate(7, "42", 5)
    assert len(items) == 5
    for i, (path, caption) in enumerate(items):
        assert load_png(path).shape == (28 * app.SCALE, 28 * app.SCALE)
        assert caption == f"digit 7 · seed {42 + i}"
        assert Path(path).name == f"digit7_seed{42 + i}.png" and Path(path).parent == app.FILES.folder
    assert Path(app.generate(7, "42", 1, 0.5)[0][0]).name == "digit7_seed42_psi0.5.png"


def test_images_are_the_python_api_images_upscaled():
    (path, _), = app.generate(3, 1000, 1)
    img = load_png(path)
    expected = DigitGenerator.from_pretrained(app.BUNDLED_WEIGHTS).generate(3, seed=1000)[0]
    np.testing.assert_array_equal(img[:: app.SCALE, :: app.SCALE], expected)
    assert (img[:4, :4] == expected[0, 0]).all()  # nearest-neighbour: 4x4 blocks of one value


def test_same_seed_same_pixels_and_different_seed_different_pixels():
    a, b, c = pixels(app.generate(2, "7", 3)), pixels(app.generate(2, "7", 3)), pixels(app.generate(2, "8", 3))
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])


def test_random_digit_is_reproducible_from_the_caption_seed():
    items = app.generate("random", 500, 12)
    digits = [int(caption.split()[1]) for _, caption in items]
    assert len(set(digits)) > 1  # 12 draws of 0-9 are not all equal
    assert [c for _, c in app.generate("random", 500, 12)] == [c for _, c in items]
    (path, caption), = app.generate(digits[5], 505, 1)
    assert caption == items[5][1] and np.array_equal(load_png(path), load_png(items[5][0]))


def test_inputs_in_the_forms_the_ui_and_api_send():
    assert len(app.generate("4", 12.0, 2.0)) == 2  # numeric strings and whole floats are fine


@pytest.mark.parametrize("digit, seed, count, message", [
    (10, 1, 1, "Digit must be 0-9 or 'random', got 10."),
    (-1, 1, 1, "Digit must be 0-9 or 'random', got -1."),
    ("seven", 1, 1, "Digit must be 0-9 or 'random', got 'seven'."),
    (None, 1, 1, "Digit must be 0-9 or 'random', got None."),
    (7.0, 1, 1, "Digit must be 0-9 or 'random', got 7.0."),
    (1, "", 1, "Seed is empty"),
    (1, None, 1, "Seed is empty"),
    (1, "-5", 1, "Seed must be a whole number from 0 to 9223372036854775807, got '-5'."),
    (1, "1.5", 1, "Seed must be a whole number"),
    (1, "abc", 1, "Seed must be a whole number"),
    (1, str(2**63), 1, "Seed must be a whole number from 0 to 9223372036854775807, got '9223372036854775808'."),
    (1, -3, 1, "got -3."),
    (1, "7" * 5000, 1, "got '" + "7" * 29 + "… (5000 characters)."),
    (1, "1" + "0" * 5000, 1, "(5001 characters)"),
    (1, str(2**63 - 1), 2, "Seed 9223372036854775807 is too large for 2 digits"),
    (1, "1", 0, "Batch size must be a whole number from 1 to 64, got 0 (parameter count)."),
    (1, "1", 65, "Batch size must be a whole number from 1 to 64, got 65 (parameter count)."),
    (1, "1", 2.5, "got 2.5 (parameter count)."),
    (1, "1", "3", "got '3' (parameter count)."),
    (1, "1", float("nan"), "got nan (parameter count)."),
    (1, "1", float("inf"), "got inf (parameter count)."),
])
def test_bad_inputs_raise_gradio_errors(digit, seed, count, message):
    with pytest.raises(gr.Error) as info:
        app.generate(digit, seed, count)
    assert message in info.value.message
    assert "2**63" not in info.value.message  # plain numbers, not Python


def test_a_link_opens_the_page_on_its_digit_seed_count_and_psi():
    digit, seed, count, psi, items = app.open_link(link(digit="3", seed="2024", count="6", psi="0.5"))
    assert (digit, seed, count, psi) == (3, "2024", 6, 0.5)
    assert [c for _, c in items] == [f"digit 3 · seed {s}" for s in range(2024, 2030)]
    same = pixels(app.generate(3, "2024", 6, 0.5))
    assert all(np.array_equal(a, b) for a, b in zip(pixels(items), same, strict=True))
    assert app.open_link(link(digit="random", seed="5"))[:3] == ("random", "5", app.DEFAULTS["count"])


def test_a_page_without_a_link_opens_on_the_defaults():
    for request in (None, link(), link(theme="dark")):
        digit, seed, count, psi, items = app.open_link(request)
        assert (digit, seed, count, psi) == (7, "42", 16, 1.0) == tuple(app.DEFAULTS.values())
        assert len(items) == 16


@pytest.mark.parametrize("name, value", [("digit", "12"), ("seed", "abc"), ("seed", "-1"), ("count", "0"),
                                         ("count", "lots"), ("count", "nan"), ("psi", "2"), ("psi", "inf")])
def test_a_bad_link_value_is_named_in_a_warning_and_its_default_kept(name, value):
    with pytest.warns(UserWarning, match=f"Link parameter {name}='{value}' ignored"):
        digit, seed, count, psi, items = app.open_link(link(**{"digit": "4", "seed": "9", "count": "3", name: value}))
    expected = {"digit": 4, "seed": "9", "count": 3, "psi": 1.0, name: app.DEFAULTS[name]}
    assert (digit, seed, count, psi) == tuple(expected.values()) and len(items) == expected["count"]


def test_a_link_whose_values_clash_opens_on_the_defaults():
    with pytest.warns(UserWarning, match="Link ignored: Seed 9223372036854775807 is too large for 2 digits"):
        digit, seed, count, _, _ = app.open_link(link(seed=str(2**63 - 1), count="2"))
    assert (digit, seed, count) == (7, "42", 16)


def test_a_repeated_request_reuses_its_files_instead_of_generating(monkeypatch):
    calls = [lambda: app.generate(4, "321", 5, 0.5), lambda: app.dataset("random", "9", 50),
             lambda: app.style_row("3, 8"), lambda: app.morph(1, "2", 7, "3", 6),
             lambda: app.explore(2, "5", 1.5, 0, 0, -1, 1.0),
             lambda: app.gallery_zip(4, "321", 5, 0.5)]
    first = [call() for call in calls]
    monkeypatch.setattr(app, "GENERATOR", NoGenerator())
    assert [call() for call in calls] == first  # same paths and captions, and the model was not touched
    with pytest.raises(AssertionError, match="the model was used"):
        app.generate(4, "321", 6, 0.5)  # one image more (seed 326) than was served: drawn afresh


def test_random_seed_is_a_valid_seed():
    assert 0 <= app.parse_seed(app.random_seed()) < 2**32


def test_weights_note_names_the_bundled_weights():
    assert "bundled `weights/`" in app.WEIGHTS_NOTE


def test_dataset_is_a_pickle_free_npz_of_labelled_digits():
    path = app.dataset("random", "300", 40)
    assert Path(path).name == "digits_random_seed300_count40.npz"
    with np.load(path, allow_pickle=False) as data:
        images, labels, seeds = data["images"], data["labels"], data["seeds"]
    assert images.shape == (40, 28, 28) and images.dtype == np.uint8
    assert seeds.tolist() == list(range(300, 340))
    assert labels.tolist() == app.digits_for(app.RANDOM, 300, 40) and len(set(labels.tolist())) > 1
    # each entry is the gallery image for its (digit, seed), before upscaling
    for i in (0, 17, 39):
        (png, caption), = app.generate(int(labels[i]), str(seeds[i]), 1)
        assert caption == f"digit {labels[i]} · seed {seeds[i]}"
        np.testing.assert_array_equal(load_png(png)[:: app.SCALE, :: app.SCALE], images[i])


def test_dataset_size_limits():
    with np.load(app.dataset(4, "0", app.MAX_DATASET), allow_pickle=False) as data:
        assert data["images"].shape == (app.MAX_DATASET, 28, 28) and set(data["labels"].tolist()) == {4}
    for count in (0, app.MAX_DATASET + 1, 2.5, "10"):
        with pytest.raises(gr.Error, match=f"Dataset size must be a whole number from 1 to {app.MAX_DATASET}, got "):
            app.dataset(4, "0", count)
    with pytest.raises(gr.Error, match="Lower the seed or the dataset size"):
        app.dataset(4, str(2**63 - 5), 10)


@pytest.mark.parametrize("digit", [7, "7", " 7 "])
def test_a_digit_is_taken_as_a_number_or_as_text_on_every_function(digit):
    assert [c for _, c in app.generate(digit, "42", 2)] == ["digit 7 · seed 42", "digit 7 · seed 43"]
    frames, _ = app.morph(digit, "1", "8", 2, 4)
    assert Path(frames[0][0]).name.startswith("morph_digit7_seed1_to_digit8_seed2_")
    assert Path(app.explore(digit, 0)).name.startswith("explore_digit7_seed0_")
    assert Path(app.dataset(digit, 42, 3)).name == "digits_7_seed42_count3.npz"


def test_a_seed_is_taken_as_text_or_as_a_number():
    assert pixels(app.generate(3, 123, 2)) and [c for _, c in app.generate(3, 123, 2)] == \
        [c for _, c in app.generate(3, "123", 2)]
    assert [c for _, c in app.style_row(7)] == [c for _, c in app.style_row("7")]
    assert app.generate(3, "0" * 5000 + "12", 1) == app.generate(3, 12, 1)  # leading zeros, however many


@pytest.mark.parametrize("call, message", [
    (lambda: app.morph(3, "1", 8, "x", 4), "Seed must be a whole number from 0 to 9223372036854775807, got 'x' "
                                           "(To seed, parameter seed_b)."),
    (lambda: app.morph(3, "1", 10, "2", 4), "Digit must be 0-9, got 10 (parameter digit_b)."),
    (lambda: app.morph(3, "1", 8, "2", 65), "Frames must be a whole number from 2 to 64, got 65."),
    (lambda: app.explore(5, "0", 0, 0, 0, 9), "Directions (direction_1 to direction_4): offsets must be 4 numbers"),
    (lambda: app.explore(5, "", 0, 0, 0, 0), "Seed is empty: enter a whole number"),
    (lambda: app.style_row(["1"]), "Seeds must be text such as '7', '1, 5, 9' or '0-3', got ['1']."),
    (lambda: app.style_row("1, " * 3000), "Give at most 16 seeds"),
    (lambda: app.generate(1, "1", 1, 2), "Truncation psi (ψ) must be a number from 0 to 1, got 2 (parameter psi)."),
])
def test_each_function_names_the_parameter_it_refuses(call, message):
    with pytest.raises(gr.Error) as info:
        call()
    assert message in info.value.message and len(info.value.message) < 300


def test_a_refusal_is_one_log_line_and_no_traceback(caplog):
    with caplog.at_level("INFO", logger="app"), pytest.raises(gr.Error) as info:
        app.generate(1, "9" * 6000, 1)
    assert [r.getMessage() for r in caplog.records] == [f"refused: {info.value.message}"]
    assert info.value.print_exception is False  # Gradio prints a traceback for a gr.Error unless told not to


def test_explore_takes_one_named_parameter_per_direction():
    names = list(inspect.signature(app.explore).parameters)
    assert names == ["digit", "seed", "direction_1", "direction_2", "direction_3", "direction_4", "psi"]
    assert app.explore(5, "0", direction_3=1.5) == app.explore(5, "0", 0, 0, 1.5, 0, 1.0)


@pytest.mark.parametrize("fn", [app.generate, app.dataset, app.style_row, app.morph, app.explore])
def test_api_functions_document_every_parameter_for_callers_who_have_never_seen_the_app(fn):
    description, params, returns = gradio_utils.get_function_description(fn)
    assert len(description) > 60 and returns, fn.__name__
    hints = inspect.get_annotations(fn)
    for name in inspect.signature(fn).parameters:
        assert len(params[name]) > 20, (fn.__name__, name, params[name])  # Gradio reads one line per parameter
        assert name in hints, (fn.__name__, name)
    assert "return" in hints
    assert not {"latent", "2**63", "slerp"} & set(inspect.getdoc(fn).lower().split())


def test_download_all_is_a_zip_of_the_gallery_pngs_under_their_names():
    items = app.generate(2, "70", 5, 0.5)
    path = app.gallery_zip("2", 70, 5, 0.5)
    assert Path(path).name == "digits_2_seed70_count5_psi0.5.zip"
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == [Path(p).name for p, _ in items]
        for (png, _), name in zip(items, archive.namelist(), strict=True):
            assert archive.read(name) == Path(png).read_bytes()
    assert Path(app.gallery_zip("random", 3, 2)).name == "digits_random_seed3_count2.zip"


def test_share_buttons_are_offered_only_in_a_space():
    assert "share" not in app.IMAGE_BUTTONS  # SPACE_ID is unset here: Gradio's share would only fail
    assert all("share" not in (c.buttons or []) for c in app.demo.blocks.values() if hasattr(c, "buttons"))


def test_labels_and_tab_texts_use_no_unexplained_jargon():
    words = [str(getattr(block, attr, "") or "") for block in app.demo.blocks.values()
             for attr in ("label", "info", "value") if isinstance(getattr(block, attr, None), str)]
    page = " ".join(words).lower()
    assert "forger" in page and "detective" in page and "seed" in page and "ψ" in page
    for jargon in ("latent", "spherical", "interpolation", "embedding", "2**63"):
        assert jargon not in page, jargon
