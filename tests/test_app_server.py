"""A real `python app.py` server on 127.0.0.1, called through gradio_client like any script would."""

from pathlib import Path

import numpy as np
import pytest
from gradio_client import Client
from PIL import Image

from benchmarks.local_server import free_port, start_gradio

from .helpers import load_png


@pytest.fixture(scope="module")
def client(server):
    return Client(server, verbose=False)


def images(result) -> list[np.ndarray]:
    return [load_png(item["image"]) for item in result]


def test_generate_endpoint_is_listed(client):
    api = client.view_api(print_info=False, return_format="dict")
    assert "/generate" in api["named_endpoints"]
    params = [p["parameter_name"] for p in api["named_endpoints"]["/generate"]["parameters"]]
    assert params == ["digit", "seed", "count", "psi"]


def test_generate_returns_count_pngs_of_the_expected_size_with_captions(client):
    result = client.predict(7, "42", 5, api_name="/generate")
    assert len(result) == 5
    assert all(img.shape == (112, 112) for img in images(result))
    assert [item["caption"] for item in result] == [f"digit 7 · seed {s}" for s in range(42, 47)]
    assert [Path(item["image"]).name for item in result] == [f"digit7_seed{s}.png" for s in range(42, 47)]


def test_same_seed_same_pixels_different_seed_different_pixels(client):
    a = images(client.predict(3, "1234", 2, api_name="/generate"))
    b = images(client.predict(3, "1234", 2, api_name="/generate"))
    c = images(client.predict(3, "1235", 2, api_name="/generate"))
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert np.array_equal(a[1], c[0])  # seed 1235 is image 1 of the batch from 1234
    assert not np.array_equal(a[0], c[0])


def test_random_digit_over_the_api(client):
    assert len(client.predict("random", "9", 4, api_name="/generate")) == 4


@pytest.mark.parametrize("digit, seed, count, message", [
    (10, "1", 1, "not in the list of choices"),
    (-3, "1", 1, "not in the list of choices"),
    (1, "-1", 1, "Seed must be a whole number"),
    (1, str(2**64), 1, "Seed must be below 2**63"),
    (1, "2.5", 1, "Seed must be a whole number"),
    (1, "", 1, "Seed is empty"),
    (1, "1", 0, "minimum"),
    (1, "1", 65, "maximum"),
    (1, "1", 2.5, "Batch size must be a whole number"),
])
def test_bad_inputs_return_clear_errors_and_the_server_keeps_serving(client, digit, seed, count, message):
    with pytest.raises(Exception) as info:
        client.predict(digit, seed, count, api_name="/generate")
    assert message in str(info.value)
    assert len(client.predict(1, "1", 1, api_name="/generate")) == 1


def test_unreachable_hub_repo_falls_back_to_bundled_weights():
    port = free_port()
    # an endpoint on a closed loopback port: every Hub request fails at once, as it does offline
    proc = start_gradio(["app.py"], port, CGAN_MODEL_REPO="someone/missing-model", HF_ENDPOINT="http://127.0.0.1:9")
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        assert len(client.predict(5, "5", 2, api_name="/generate")) == 2
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    output = Path(proc.log_path).read_text()
    assert "falling back to the bundled weights" in output and "someone/missing-model" in output


def test_dataset_endpoint_returns_an_npz_matching_the_gallery(client):
    path = client.predict("random", "77", 300, api_name="/dataset")
    assert Path(path).name == "digits_random_seed77_count300.npz"
    with np.load(path, allow_pickle=False) as data:
        assert data["images"].shape == (300, 28, 28) and data["seeds"].tolist() == list(range(77, 377))
        gallery = client.predict("random", "77", 16, api_name="/generate")
        assert [item["caption"] for item in gallery] == [f"digit {d} · seed {s}" for d, s in
                                                          zip(data["labels"][:16], data["seeds"][:16], strict=True)]
        for img, raw in zip(images(gallery), data["images"][:16], strict=True):
            np.testing.assert_array_equal(img[::4, ::4], raw)
    with pytest.raises(Exception, match="Dataset size must be a whole number from 1 to 10000|maximum"):
        client.predict(1, "1", 10_001, api_name="/dataset")
    assert len(client.predict(1, "1", 1, api_name="/generate")) == 1


def test_explorer_endpoints_are_listed_and_deterministic(client):
    api = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/generate", "/style_row", "/morph", "/explore"} <= set(api)
    row = client.predict("4", 1.0, api_name="/style_row")
    assert [item["caption"] for item in row] == [f"digit {d} · seed 4" for d in range(10)]
    assert all(img.shape == (112, 112) for img in images(row))
    plain = images(client.predict(6, "4", 1, api_name="/generate"))[0]
    np.testing.assert_array_equal(images(row)[6], plain)  # the same latent as seed 4


def test_morph_endpoint_returns_frames_and_a_gif(client):
    frames, gif = client.predict(3, "1", 8, "2", 8, 1.0, api_name="/morph")
    assert len(frames) == 8
    with Image.open(gif) as img:
        assert img.format == "GIF" and img.n_frames == 8
    again, _ = client.predict(3, "1", 8, "2", 8, 1.0, api_name="/morph")
    assert all(np.array_equal(a, b) for a, b in zip(images(frames), images(again), strict=True))


def test_explore_endpoint_and_its_errors(client):
    path = client.predict(5, "0", 0, 0, 0, 0, 1.0, api_name="/explore")
    with Image.open(path) as img:
        assert img.size == (224, 224)
    with pytest.raises(Exception, match="maximum"):
        client.predict(5, "0", 0, 0, 0, 7, 1.0, api_name="/explore")
    with pytest.raises(Exception, match="Seed must be"):
        client.predict(5, "zz", 0, 0, 0, 0, 1.0, api_name="/explore")
    assert len(client.predict(1, "1", 1, api_name="/generate")) == 1
