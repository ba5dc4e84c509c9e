"""The /from_drawing endpoint of the running app, through gradio_client: a photo in, the guess, the model's view,
the reconstruction and ten digits out; every kind of unusable file refused in the app's words, the server up."""

import re
from pathlib import Path

import numpy as np
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from model.data import load_mnist

from .bad_images import bad_files
from .helpers import load_png
from .photos import photo


@pytest.fixture(scope="module")
def client(server_with_log):
    return Client(server_with_log.address, verbose=False)


@pytest.fixture(scope="module")
def seven(mnist_dir, tmp_path_factory) -> str:
    """A photo (JPEG, faint pencil, uneven light, at an angle) of MNIST test digit 0, a 7."""
    images, labels = load_mnist(mnist_dir, train=False)
    assert labels[0] == 7
    path = tmp_path_factory.mktemp("photos") / "seven.jpg"
    path.write_bytes(photo(images[0].numpy(), seed=0, ink=0.3, darkest=0.5))
    return str(path)


def call(client, image: str, digit="auto"):
    return client.predict(handle_file(image), digit, api_name="/from_drawing")


def test_a_photo_of_a_seven_is_read_as_7_and_written_in_ten_digits(client, seven):
    guesses, seen, rebuilt, gallery, note = call(client, seven)
    assert guesses["label"] == "7" and guesses["confidences"][0]["confidence"] > 0.5
    assert [item["caption"] for item in gallery] == [f"digit {d}" for d in range(10)]
    assert all(re.fullmatch(r"handwriting_[0-9a-f]{16}_digit\d\.png", Path(item["image"]).name) for item in gallery)
    digits = [load_png(item["image"]) for item in gallery]
    assert all(d.shape == (112, 112) for d in digits) and load_png(seen).shape == (112, 112)
    assert np.array_equal(load_png(rebuilt), digits[7])  # the reconstruction is the 7 of the ten
    assert "Searched with digit **7** (the classifier's guess)" in note and "pixels differ by" in note


def test_the_same_photo_gives_the_same_pixels_again(client, seven):
    first, second = call(client, seven), call(client, seven)
    for a, b in zip([first[2], *(i["image"] for i in first[3])], [second[2], *(i["image"] for i in second[3])],
                    strict=True):
        assert np.array_equal(load_png(a), load_png(b))


@pytest.mark.parametrize("digit", [3, "3"])
def test_the_person_can_choose_the_digit_to_search_with(client, seven, digit):
    guesses, _, rebuilt, gallery, note = call(client, seven, digit)
    assert guesses["label"] == "7"  # the guess is still shown
    assert "Searched with digit **3** (your choice)" in note
    assert np.array_equal(load_png(rebuilt), load_png(gallery[3]["image"]))


@pytest.mark.parametrize("name", sorted(bad_files()))
def test_each_unusable_file_is_refused_with_its_own_message(client, tmp_path, name):
    data, phrase = bad_files()[name]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(AppError) as refused:
        call(client, str(path))
    assert phrase in str(refused.value) and str(refused.value).startswith("Image "), str(refused.value)


@pytest.mark.parametrize("digit", [10, "12", -1, "seven", 2.5, True])
def test_a_digit_outside_0_to_9_is_refused_by_name(client, seven, digit):
    with pytest.raises(AppError, match=r"^Digit must be 0-9, or 'auto' to use the classifier's guess, got .+\.$"):
        call(client, seven, digit)


def test_the_server_is_still_up_and_logged_refusals_without_tracebacks(client, server_with_log, seven):
    assert call(client, seven)[0]["label"] == "7"
    log = server_with_log.log()
    assert "Traceback" not in log, log[-3000:]
    assert "refused: Image is an animation (2 frames)" in log
