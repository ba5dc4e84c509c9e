"""Drawings and photos become MNIST-style digits (model/handwriting.py), and bad files are refused clearly
(model/drawing_file.py)."""

import io
import re

import numpy as np
import pytest
import torch
from PIL import Image

from model.classifier import MnistClassifier
from model.data import load_mnist, to_model_range
from model.drawing_file import DrawingError, read_drawing
from model.handwriting import CENTRE, to_mnist

from .bad_images import bad_files, png, stroke_drawing
from .photos import photo


@pytest.fixture(scope="module")
def mnist_test(mnist_dir):
    """The first 40 MNIST test digits (uint8 (40, 28, 28)) and labels."""
    images, labels = load_mnist(mnist_dir, train=False)
    return images[:40].numpy(), labels[:40].numpy()


@pytest.fixture(scope="module")
def classifier():
    return MnistClassifier.from_pretrained().eval()


def read(classifier, digits: np.ndarray) -> np.ndarray:
    """The classifier's labels (N,) for uint8 digits (N, 28, 28)."""
    with torch.inference_mode():
        return classifier(to_model_range(torch.from_numpy(digits))).argmax(1).numpy()


def as_paper(digit: np.ndarray, scale: int = 10) -> np.ndarray:
    """An MNIST digit as dark ink on white paper, `scale` times larger: float (H, W) in [0, 1]."""
    big = Image.fromarray(255 - digit).resize((28 * scale, 28 * scale), Image.BILINEAR)
    return np.asarray(big, dtype=np.float32) / 255


def centre_of_mass(digit: np.ndarray) -> tuple[float, float]:
    """(row, column) of a digit's centre of mass; MNIST's whole-pixel shift leaves it up to half a pixel off."""
    rows, cols = np.indices(digit.shape)
    mass = digit.astype(np.float64).sum()
    return (rows * digit).sum() / mass, (cols * digit).sum() / mass


def ink_box(digit: np.ndarray, level: int = 60) -> tuple[int, int]:
    """Height and width of the box around pixels brighter than `level`."""
    rows, cols = np.nonzero(digit > level)
    return rows.max() - rows.min() + 1, cols.max() - cols.min() + 1


def test_mnist_digits_come_out_nearly_as_they_went_in(mnist_test):
    images, _ = mnist_test
    made = np.stack([to_mnist(image / 255.0) for image in images])
    assert made.shape == (40, 28, 28) and made.dtype == np.uint8
    error = np.abs(made.astype(float) - images).mean(axis=(1, 2)) / 255
    assert error.mean() < 0.03 and error.max() < 0.12, error


def test_ink_darker_than_the_paper_is_inverted_and_lighter_ink_is_not(mnist_test):
    digit = mnist_test[0][0]
    dark_on_light = to_mnist(as_paper(digit))
    light_on_dark = to_mnist(1 - as_paper(digit))
    assert np.abs(dark_on_light.astype(int) - light_on_dark).mean() < 2  # grey levels, out of 255
    assert dark_on_light[0, 0] == 0 and dark_on_light.max() == 255  # white digit on black, as MNIST


def test_the_digit_is_fitted_to_20x20_keeping_its_aspect_and_centred_by_mass():
    for height, width in [(300, 60), (60, 300), (120, 120)]:  # tall, wide, square ink; off centre on the page
        page = np.ones((400, 500), dtype=np.float32)
        page[30 : 30 + height, 40 : 40 + width] = 0
        digit = to_mnist(page)
        box = ink_box(digit)
        assert max(box) == 20, (height, width, box)
        assert abs(box[0] / box[1] - height / width) < 0.25 * height / width, (height, width, box)
        assert np.allclose(centre_of_mass(digit), CENTRE, atol=0.51), centre_of_mass(digit)


def test_specks_of_dirt_away_from_the_digit_are_ignored(mnist_test):
    page = as_paper(mnist_test[0][0])
    clean = to_mnist(page)
    dirty = page.copy()
    dirty[5:9, 5:9] = 0  # a dot of ink in the corner
    dirty[270:273, 200:204] = 0.3
    # the same digit: the dots only nudge the noise statistics, by at most a grey level
    assert np.abs(to_mnist(dirty).astype(int) - clean).max() <= 1


def test_separate_strokes_of_one_digit_are_all_kept():
    page = np.ones((300, 300), dtype=np.float32)
    page[40:60, 60:240] = 0  # a '7' drawn as two strokes that do not touch: the bar ...
    for y in range(70, 280):  # ... and the stem
        x = 230 - (y - 70) * 0.6
        page[y, int(x) - 10 : int(x) + 10] = 0
    digit = to_mnist(page)
    # 240 px tall, 180 px wide with the bar (60..240); the stem alone would be 136 px wide, so 11 px here
    assert ink_box(digit) == (20, 15)


@pytest.mark.parametrize("ink, darkest", [(0.8, 0.45), (0.25, 0.5), (0.25, 0.3)],
                         ids=["ink, shadow", "faint pencil", "faint pencil, deep shadow"])
def test_photos_on_textured_paper_at_an_angle_with_uneven_light_give_the_right_digit(mnist_test, classifier, ink,
                                                                                      darkest):
    images, labels = mnist_test
    digits = np.stack([to_mnist(read_drawing(photo(images[i], seed=i, ink=ink, darkest=darkest)))
                       for i in range(20)])
    recognised = read(classifier, digits) == labels[:20]
    assert recognised.mean() >= 0.9, recognised
    for digit in digits:
        assert np.allclose(centre_of_mass(digit), CENTRE, atol=0.51) and max(ink_box(digit)) == 20


def test_a_sketchpad_drawing_black_on_transparent_reads_like_black_on_white():
    strokes = np.asarray(stroke_drawing())
    rgba = np.zeros((*strokes.shape, 4), dtype=np.uint8)
    rgba[..., 3] = 255 - strokes  # opaque black where drawn, clear elsewhere
    on_white = to_mnist(read_drawing(png(stroke_drawing())))
    assert np.array_equal(to_mnist(read_drawing(png(Image.fromarray(rgba)))), on_white)
    assert np.array_equal(to_mnist(read_drawing(rgba)), on_white)  # the same as an array from a component


def test_a_photo_stored_sideways_is_turned_upright_by_its_orientation_tag():
    upright = stroke_drawing().transpose(Image.Transpose.ROTATE_90)  # a horizontal bar
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    buffer = io.BytesIO()
    upright.transpose(Image.Transpose.ROTATE_90).save(buffer, format="JPEG", exif=exif)  # stored sideways
    height, width = ink_box(to_mnist(read_drawing(buffer.getvalue())))
    assert width == 20 and height < 8  # read upright: still a horizontal bar


@pytest.mark.parametrize("name", sorted(bad_files()))
def test_each_unusable_file_gets_its_own_clear_error(name):
    data, phrase = bad_files()[name]
    with pytest.raises(DrawingError, match=re.escape(phrase)):
        to_mnist(read_drawing(data))


def test_noise_or_a_shadow_without_strokes_counts_as_blank():
    rng = np.random.default_rng(0)
    noise = np.clip(0.8 + rng.normal(0, 0.02, (300, 300)), 0, 1).astype(np.float32)
    shadow = np.linspace(0.3, 1.0, 300, dtype=np.float32)[None, :].repeat(300, axis=0)
    for page in (noise, shadow, np.zeros((50, 50), dtype=np.float32)):
        with pytest.raises(DrawingError, match="blank"):
            to_mnist(page)


def test_wrong_kinds_of_input_are_named():
    with pytest.raises(DrawingError, match="image must be an image file, got int"):
        read_drawing(3)
    with pytest.raises(DrawingError, match=r"uint8 \(H, W\)"):
        read_drawing(np.zeros((30, 30), dtype=np.float64))
    with pytest.raises(DrawingError, match="could not be read"):
        read_drawing("/no/such/file.png")
