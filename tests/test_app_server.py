"""A real `python app.py` server on 127.0.0.1, called through gradio_client like any script would, and over plain
REST (POST /gradio_api/call/<name>, then read the answer's event stream) like a script in another language."""

import json
from pathlib import Path

import httpx
import numpy as np
import pytest
from gradio_client import Client
from PIL import Image

from benchmarks.local_server import free_port, start_gradio

from .helpers import load_png


@pytest.fixture(scope="module")
def client(server):
    return Client(server, verbose=False, ssl_verify=False)  # no CA bundle to load for http://: ~0.4 s less per call


def rest(server: str, endpoint: str, data: list) -> tuple[str, object]:
    """Call `endpoint` over plain REST: ("complete", outputs) or ("error", the error payload)."""
    event = httpx.post(f"{server}gradio_api/call/{endpoint}", json={"data": data}, timeout=30).json()["event_id"]
    answer = httpx.get(f"{server}gradio_api/call/{endpoint}/{event}", timeout=60).text
    kind = answer.split("event: ")[-1].split("\n")[0]
    return kind, json.loads(answer.split("data: ")[-1])


def example_values(schema: dict) -> list:
    """Values of each type a published input schema allows: an enum's first and last, a range's ends, an example."""
    values = []
    for option in schema.get("anyOf", [schema]):
        if "enum" in option:
            values += [option["enum"][0], option["enum"][-1]]
        elif option["type"] in ("integer", "number"):
            values += [option["minimum"], option["maximum"]]
            values += [float(option["minimum"]) + 0.5] if option["type"] == "number" else []
        else:  # text: the schema's examples of its type
            values += [v for v in schema["examples"] if isinstance(v, str)]
    return values


def images(result) -> list[np.ndarray]:
    return [load_png(item["image"]) for item in result]


GALLERY_ENDPOINTS = ("/generate", "/dataset", "/style_row", "/morph", "/explore")  # this module's; others may follow


def test_every_endpoint_names_its_parameters_as_its_function_does(client):
    api = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {name: [p["parameter_name"] for p in api[name]["parameters"]] for name in GALLERY_ENDPOINTS} == {
        "/generate": ["digit", "seed", "count", "psi"], "/dataset": ["digit", "seed", "count", "psi"],
        "/style_row": ["seeds", "psi"], "/morph": ["digit_a", "seed_a", "digit_b", "seed_b", "frames", "psi"],
        "/explore": ["digit", "seed", "direction_1", "direction_2", "direction_3", "direction_4", "psi"]}
    assert all(api[name]["description"] for name in api)
    assert not [p["parameter_name"] for info in api.values() for p in info["parameters"]
                if p["parameter_name"].startswith("param_")]  # every input has a meaningful name


def test_each_endpoint_accepts_a_value_of_each_type_its_published_description_gives(client, server):
    everything = httpx.get(f"{server}gradio_api/info", timeout=30).json()["named_endpoints"]
    published = {name: everything[name] for name in GALLERY_ENDPOINTS}
    seen_by_client = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {name: [p["type"] for p in info["parameters"]] for name, info in published.items()} == \
        {name: [p["type"] for p in seen_by_client[name]["parameters"]] for name in published}
    calls = 0
    for endpoint, info in published.items():
        # the largest seed works with one digit only (digit i uses seed + i)
        one = {"count": 1} if "count" in [p["parameter_name"] for p in info["parameters"]] else {}
        for param in info["parameters"]:
            values = example_values(param["type"])
            assert {type(v) for v in values} >= ({int, str} if "anyOf" in param["type"] else set()), param
            for value in values:
                if param["parameter_name"] == "count" and endpoint == "/dataset" and value > 64:
                    value = 64  # keep the test quick: the upper end is the same type
                # the others get their defaults (a dataset's 1000 digits only where needed, to keep this quick)
                others = one if param["parameter_name"] == "seed" or endpoint == "/dataset" else {}
                others = {k: v for k, v in others.items() if k != param["parameter_name"]}
                client.predict(**others, **{param["parameter_name"]: value}, api_name=endpoint)
                calls += 1
    assert calls > 40


def test_digit_as_text_over_the_api_is_the_same_digit(client):
    assert client.predict("7", "42", 4, api_name="/generate") == client.predict(7, 42, 4, api_name="/generate")
    assert client.predict("3", "1", "8", "2", 4, api_name="/morph") == client.predict(3, 1, 8, 2, 4, api_name="/morph")
    assert client.predict("5", 0, api_name="/explore") == client.predict(5, "0", api_name="/explore")


@pytest.mark.parametrize("endpoint, data", [("generate", []), ("generate", [3, "5"]), ("dataset", [2]),
                                            ("style_row", []), ("morph", [1, "2", 3]), ("explore", [4, "4", 1.5])])
def test_inputs_left_out_over_plain_rest_get_their_defaults(client, server, endpoint, data):
    api = client.view_api(print_info=False, return_format="dict")["named_endpoints"][f"/{endpoint}"]
    defaults = [p["parameter_default"] for p in api["parameters"]]
    kind, answer = rest(server, endpoint, data)
    assert kind == "complete", answer
    full_kind, full = rest(server, endpoint, data + defaults[len(data):])
    assert full_kind == "complete" and answer == full


def test_a_refused_value_over_plain_rest_names_it_and_the_log_gets_one_line(server, logged_server):
    log = Path(logged_server[1])
    before = log.read_text()
    kind, answer = rest(server, "generate", [7, "42", 4, 2])
    assert kind == "error"
    assert answer["error"] == "Truncation psi (ψ) must be a number from 0 to 1, got 2 (parameter psi)."
    kind, answer = rest(server, "morph", [3, "1", "random", "2"])
    assert answer["error"] == "Digit must be 0-9, got 'random' (To digit, parameter digit_b)."
    new = log.read_text()[len(before):]
    assert "Traceback" not in new, new
    # only the app's own lines: Gradio may still be printing its launch banner when the server first answers
    app_lines = [line for line in new.splitlines() if " app: " in line]
    assert len(app_lines) == 2 and all(" refused: " in line for line in app_lines), new



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
    (10, "1", 1, "Digit must be 0-9 or 'random', got 10."),
    (-3, "1", 1, "Digit must be 0-9 or 'random', got -3."),
    ("x" * 10_000, "1", 1, "got 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxx… (10000 characters)."),
    (1, "-1", 1, "Seed must be a whole number from 0 to 9223372036854775807, got '-1'."),
    (1, str(2**64), 1, "Seed must be a whole number from 0 to 9223372036854775807, got '18446744073709551616'."),
    (1, "9" * 5000, 1, "(5000 characters)."),
    (1, "2.5", 1, "Seed must be a whole number"),
    (1, "", 1, "Seed is empty"),
    (1, "1", 0, "Batch size must be a whole number from 1 to 64, got 0 (parameter count)."),
    (1, "1", -5, "Batch size must be a whole number from 1 to 64, got -5 (parameter count)."),
    (1, "1", 65, "Batch size must be a whole number from 1 to 64, got 65 (parameter count)."),
    (1, "1", 1e3, "Batch size must be a whole number from 1 to 64, got 1000.0 (parameter count)."),
    (1, "1", 2.5, "Batch size must be a whole number from 1 to 64, got 2.5 (parameter count)."),
])
def test_bad_inputs_return_clear_errors_and_the_server_keeps_serving(client, digit, seed, count, message):
    with pytest.raises(Exception) as info:
        client.predict(digit, seed, count, api_name="/generate")
    assert message in str(info.value) and len(str(info.value)) < 300
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
    with pytest.raises(Exception, match="Dataset size must be a whole number from 1 to 10000, got 10001"):
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
    with pytest.raises(Exception, match=r"Direction 4 must be a number from -3 to 3, got 7 \(parameter direction_4\)"):
        client.predict(5, "0", 0, 0, 0, 7, 1.0, api_name="/explore")
    with pytest.raises(Exception, match=r"Truncation psi \(ψ\) must be a number from 0 to 1, got 2 \(parameter psi\)"):
        client.predict(5, "0", psi=2, api_name="/explore")
    with pytest.raises(Exception, match="Seed must be"):
        client.predict(5, "zz", 0, 0, 0, 0, 1.0, api_name="/explore")
    assert len(client.predict(1, "1", 1, api_name="/generate")) == 1
