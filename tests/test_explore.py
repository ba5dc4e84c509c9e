"""Latent explorer: style rows, morphs, GIFs, sliders and truncation, in the library and in the app's functions."""

import io
from pathlib import Path

import gradio as gr
import numpy as np
import pytest
from PIL import Image

import app
from model import explore, images

from .helpers import load_png


def close(a, b) -> bool:
    """Equal up to one grey level, so `not close(a, b)` means the images really differ."""
    return np.abs(np.asarray(a, dtype=int) - np.asarray(b, dtype=int)).max() <= 1


def test_style_row_keeps_the_seed_latent_for_every_digit(tiny_generator):
    grid = explore.style_grid(tiny_generator, [11, 12])
    assert grid.shape == (20, 28, 28)
    for seed_index, seed in enumerate([11, 12]):
        for d in range(10):  # digit d in seed s's handwriting is exactly what generate(d, seed=s) draws
            np.testing.assert_array_equal(grid[seed_index * 10 + d], tiny_generator.generate(d, seed=seed)[0])


def test_morph_endpoints_are_the_plain_images_and_frames_are_deterministic(tiny_generator):
    frames = explore.morph(tiny_generator, (3, 100), (8, 200), frames=9)
    assert frames.shape == (9, 28, 28)
    np.testing.assert_array_equal(frames[0], tiny_generator.generate(3, seed=100)[0])
    np.testing.assert_array_equal(frames[-1], tiny_generator.generate(8, seed=200)[0])
    assert not close(frames[4], frames[0]) and not close(frames[4], frames[-1])
    np.testing.assert_array_equal(frames, explore.morph(tiny_generator, (3, 100), (8, 200), frames=9))


def test_slerp_keeps_the_norm_between_equal_norm_vectors():
    import torch

    a, b = torch.tensor([3.0, 0.0]), torch.tensor([0.0, 3.0])
    mid = explore.slerp(a, b, torch.tensor([0.5]))[0]
    assert torch.allclose(mid.norm(), torch.tensor(3.0)) and torch.allclose(mid[0], mid[1])


def test_gif_has_one_frame_per_image(tiny_generator):
    frames = explore.morph(tiny_generator, (0, 1), (9, 2), frames=6)
    with Image.open(io.BytesIO(images.to_gif(frames, scale=2))) as gif:
        assert gif.format == "GIF" and gif.n_frames == 6 and gif.size == (56, 56)


def test_explore_at_zero_is_the_plain_image_and_sliders_move_it(tiny_generator):
    plain = tiny_generator.generate(5, seed=3)[0]
    np.testing.assert_array_equal(explore.explore(tiny_generator, 5, 3, [0, 0, 0, 0])[0], plain)
    moved = explore.explore(tiny_generator, 5, 3, [2.5, 0, 0, 0])[0]
    assert not close(moved, plain)
    np.testing.assert_array_equal(moved, explore.explore(tiny_generator, 5, 3, [2.5, 0, 0, 0])[0])


def test_directions_are_orthonormal():
    d = explore.directions(64)
    np.testing.assert_allclose((d @ d.T).numpy(), np.eye(explore.NUM_DIRECTIONS), atol=1e-5)


@pytest.mark.parametrize("call, message", [
    (lambda G: explore.style_grid(G, []), "give 1 to 16 seeds"),
    (lambda G: explore.style_grid(G, [-1]), "seed must be"),
    (lambda G: explore.morph(G, (3, 1), (8, 2), frames=1), "frames must be an integer from 2 to 64"),
    (lambda G: explore.morph(G, (3, 1), (11, 2)), "digit must be an integer from 0 to 9"),
    (lambda G: explore.explore(G, 5, 3, [0, 0, 0]), "offsets must be 4 numbers"),
    (lambda G: explore.explore(G, 5, 3, [0, 0, 0, float("nan")]), "offsets must be 4 numbers"),
    (lambda G: explore.explore(G, 5, 3, [9, 0, 0, 0]), "offsets must be 4 numbers"),
    (lambda G: explore.explore(G, 5, 3, [0, 0, 0, 0], psi=-0.1), "psi"),
])
def test_bad_explorer_arguments_raise_value_errors(tiny_generator, call, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        call(tiny_generator)


# --- the app's functions (bundled weights) ------------------------------------------------------------------


def test_app_psi_one_equals_the_plain_generator_and_lower_psi_changes_it():
    plain = [load_png(path) for path, _ in app.generate(4, "77", 3)]
    again = [load_png(path) for path, _ in app.generate(4, "77", 3, 1.0)]
    assert all(np.array_equal(a, b) for a, b in zip(plain, again, strict=True))
    assert not np.array_equal(plain[0], load_png(app.generate(4, "77", 1, 0.5)[0][0]))


def test_app_style_row_for_several_seeds():
    items = app.style_row("5, 7-8")
    assert len(items) == 30
    assert [c for _, c in items[:2]] == ["digit 0 · seed 5", "digit 1 · seed 5"]
    assert items[29][1] == "digit 9 · seed 8"
    (plain, _), = app.generate(9, "8", 1)
    np.testing.assert_array_equal(load_png(items[29][0]), load_png(plain))


def test_app_morph_returns_frames_and_a_playable_gif():
    frames, gif_path = app.morph(3, "1", 8, "2", 10)
    assert len(frames) == 10 and frames[0][1] == "frame 1/10"
    with Image.open(gif_path) as gif:
        assert gif.n_frames == 10 and gif.size == (224, 224)
    (first, _), = app.generate(3, "1", 1)
    np.testing.assert_array_equal(load_png(frames[0][0]), load_png(first))
    assert Path(gif_path).name == "morph_digit3_seed1_to_digit8_seed2_10frames.gif"


def test_app_explore_matches_the_plain_image_at_zero():
    (plain, _), = app.generate(5, "0", 1)
    path = app.explore(5, "0", 0, 0, 0, 0, 1.0)
    shown = load_png(path)
    assert shown.shape == (224, 224)  # drawn larger than gallery items: it is the only image on its tab
    np.testing.assert_array_equal(shown[::2, ::2], load_png(plain))
    assert Path(path).parent == app.FILES.folder  # served like the galleries, not copied into Gradio's cache
    assert Path(path).name == "explore_digit5_seed0_offsets0.0_0.0_0.0_0.0.png"


def test_app_file_names_tell_apart_inputs_that_round_alike():
    """Two psi values (or offsets) equal to 6 digits draw different latents, so they must not share a file."""
    a, b = app.explore(5, "0", 0.1234561, 0, 0, 0, 0.5), app.explore(5, "0", 0.1234569, 0, 0, 0, 0.5)
    assert a != b
    (c, _), = app.generate(5, "0", 1, 0.5000001)
    (d, _), = app.generate(5, "0", 1, 0.5000009)
    assert c != d and Path(c).name == "digit5_seed0_psi0.5000001.png"


@pytest.mark.parametrize("call, message", [
    (lambda: app.style_row(""), "Seed is empty"),
    (lambda: app.style_row("0-40"), "at most 16 seeds"),
    (lambda: app.style_row("9-3"), "must go upwards"),
    (lambda: app.morph(3, "1", "random", "2", 10), "Digit must be 0-9"),
    (lambda: app.morph(3, "1", 8, "2", 1), "Frames must be a whole number from 2 to 64"),
    (lambda: app.morph(3, "x", 8, "2", 10), "Seed must be a whole number"),
    (lambda: app.explore(5, "0", 0, 0, 0, 99, 1.0), "Directions .direction_1 to direction_4."),
    (lambda: app.generate(5, "0", 1, 2.0), "Truncation psi"),
])
def test_app_explorer_errors_are_gradio_errors(call, message):
    with pytest.raises(gr.Error, match=message):
        call()
