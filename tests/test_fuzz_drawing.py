"""Property-based fuzzing (hypothesis) of "your handwriting": images of every size, pixel mode and format, cut short,
with bytes flipped, or not images at all. Each must either give a 28x28 digit or be refused with a DrawingError,
in the library and through the running app's /from_drawing (the app's own words, the server up, no traceback)."""

import io
import os

import numpy as np
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from model.drawing_file import DrawingError, read_drawing
from model.handwriting import to_mnist

MODES = ["1", "L", "LA", "P", "RGB", "RGBA", "I;16", "I", "F", "CMYK"]
FORMATS = {"PNG": {"1", "L", "LA", "P", "RGB", "RGBA", "I;16"}, "JPEG": {"L", "RGB", "CMYK"},
           "GIF": {"L", "P"}, "BMP": {"1", "L", "P", "RGB"}, "TIFF": set(MODES), "WEBP": {"RGB", "RGBA"}}


@st.composite
def image_files(draw) -> bytes:
    """An image file of random pixels, size, mode and format, sometimes cut short or with bytes changed."""
    width, height = draw(st.integers(1, 64)), draw(st.integers(1, 64))
    fmt = draw(st.sampled_from(sorted(FORMATS)))
    mode = draw(st.sampled_from(sorted(FORMATS[fmt])))
    seed = draw(st.integers(0, 2**32 - 1))
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    if draw(st.booleans()):  # a dark block on light ground: something that looks like a stroke
        pixels[:] = 230
        pixels[height // 4 : 3 * height // 4 + 1, width // 3 : 2 * width // 3 + 1] = 20
    buffer = io.BytesIO()
    Image.fromarray(pixels).convert(mode).save(buffer, format=fmt)
    data = bytearray(buffer.getvalue())
    damage = draw(st.sampled_from(["none", "cut", "flip"]))
    if damage == "cut":
        data = data[: draw(st.integers(0, len(data)))]
    elif damage == "flip" and data:
        at = draw(st.integers(0, len(data) - 1))
        data[at] ^= draw(st.integers(1, 255))
    return bytes(data)


files = st.one_of(image_files(), st.binary(max_size=2000))


def digit_or_refusal(data: bytes):
    """The library's answer: a digit (uint8 (28, 28)) or the DrawingError message."""
    try:
        digit = to_mnist(read_drawing(data))
    except DrawingError as e:
        return str(e)
    assert digit.dtype == np.uint8 and digit.shape == (28, 28)
    return digit


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", 400)), deadline=None)
@given(data=files)
def test_the_library_gives_a_digit_or_a_drawing_error(data):
    answer = digit_or_refusal(data)  # any other exception fails the test
    if isinstance(answer, str):
        assert answer.startswith("image ") and len(answer) < 300, answer


@pytest.fixture(scope="module")
def client(server_with_log):
    return Client(server_with_log.address, verbose=False)


@settings(max_examples=int(os.environ.get("FUZZ_APP_EXAMPLES", 25)), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=files)
def test_the_app_gives_ten_digits_or_refuses_in_its_own_words(client, tmp_path, data):
    path = tmp_path / "drawing.png"
    path.write_bytes(data)
    try:
        outputs = client.predict(handle_file(str(path)), "auto", api_name="/from_drawing")
    except AppError as e:
        assert str(e).startswith("Image ") and "verbose error reporting" not in str(e), str(e)
        assert isinstance(digit_or_refusal(data), str)  # the library refuses it too
        return
    assert len(outputs[3]) == 10


def test_the_server_is_still_up_after_fuzzing_and_logged_no_traceback(client, server_with_log, tmp_path):
    path = tmp_path / "one.png"
    Image.fromarray(np.pad(np.zeros((60, 12), np.uint8), 40, constant_values=255)).save(path)
    assert client.predict(handle_file(str(path)), "auto", api_name="/from_drawing")[0]["label"] == "1"
    log = server_with_log.log()
    assert "Traceback" not in log, log[-3000:]
