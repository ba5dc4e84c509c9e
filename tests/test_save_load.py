"""save_pretrained / from_pretrained round trip through safetensors, strict loading and clear load errors."""

import json

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

from model import DigitGenerator, GeneratorLoadError
from model.atomic import save_pretrained_atomic
from model.card import build_card

from .helpers import ROOT


@pytest.fixture()
def saved(tiny_generator, tmp_path):
    folder = tmp_path / "gen"
    save_pretrained_atomic(tiny_generator, folder)
    return folder


def test_round_trip_writes_safetensors_and_config_and_reproduces_images(tiny_generator, saved):
    assert (saved / "model.safetensors").is_file()
    config = json.loads((saved / "config.json").read_text())
    assert config["channels"] == 32 and config["z_dim"] == 16
    loaded = DigitGenerator.from_pretrained(str(saved))
    assert loaded.config == tiny_generator.config
    assert not loaded.training
    np.testing.assert_array_equal(loaded.generate(4, seed=9, count=8), tiny_generator.generate(4, seed=9, count=8))
    assert not list(saved.glob("*.tmp")) and not list(saved.glob(".save-*"))  # no leftovers from the atomic save


def test_truncated_weights_give_a_clear_error(saved):
    path = saved / "model.safetensors"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(GeneratorLoadError, match="not a valid safetensors file"):
        DigitGenerator.from_pretrained(str(saved))


def test_garbage_weights_give_a_clear_error(saved):
    (saved / "model.safetensors").write_bytes(b"\x00" * 4096)
    with pytest.raises(GeneratorLoadError, match="not a valid safetensors file"):
        DigitGenerator.from_pretrained(str(saved))


def test_config_that_does_not_match_the_weights_is_an_error(saved):
    config = json.loads((saved / "config.json").read_text())
    config["channels"] = 64
    (saved / "config.json").write_text(json.dumps(config))
    with pytest.raises(GeneratorLoadError, match="does not match config.json"):
        DigitGenerator.from_pretrained(str(saved))


def test_missing_tensor_is_an_error_not_a_partial_load(saved):
    tensors = load_file(saved / "model.safetensors")
    tensors.pop("to_image.bias")
    save_file(tensors, saved / "model.safetensors")
    with pytest.raises(GeneratorLoadError, match="to_image.bias"):
        DigitGenerator.from_pretrained(str(saved))


def test_unexpected_tensor_is_an_error(saved):
    tensors = load_file(saved / "model.safetensors")
    tensors["extra.weight"] = torch.zeros(3)
    save_file(tensors, saved / "model.safetensors")
    with pytest.raises(GeneratorLoadError, match="extra.weight"):
        DigitGenerator.from_pretrained(str(saved))


def test_pickle_weights_are_never_loaded(saved, tiny_generator):
    (saved / "model.safetensors").unlink()
    torch.save(tiny_generator.state_dict(), saved / "pytorch_model.bin")
    with pytest.raises(GeneratorLoadError, match="no model.safetensors"):
        DigitGenerator.from_pretrained(str(saved))


def test_a_config_field_this_version_does_not_know_is_an_error_not_ignored(saved):
    # e.g. a generator saved by a later version with a field that changes its pixels, as output_gain did
    config = json.loads((saved / "config.json").read_text())
    (saved / "config.json").write_text(json.dumps(config | {"output_curve": "cubic", "blur": 0.5}))
    with pytest.raises(GeneratorLoadError, match=r"fields this version of the library does not know \(blur, "
                                                 r"output_curve\): it was saved by a newer version"):
        DigitGenerator.from_pretrained(str(saved))


def test_missing_config_is_an_error(saved):
    (saved / "config.json").unlink()
    with pytest.raises(GeneratorLoadError, match="config.json is missing"):
        DigitGenerator.from_pretrained(str(saved))


def test_invalid_json_config_is_an_error(saved):
    (saved / "config.json").write_text("{not json")
    with pytest.raises(GeneratorLoadError, match="config.json is not valid JSON"):
        DigitGenerator.from_pretrained(str(saved))


def test_non_strict_loading_is_refused(saved):
    with pytest.raises(ValueError, match="non-strict"):
        DigitGenerator.from_pretrained(str(saved), strict=False)


def test_path_that_is_neither_folder_nor_repo_id(tmp_path):
    with pytest.raises(GeneratorLoadError, match="neither an existing folder nor a valid Hub repo id"):
        DigitGenerator.from_pretrained(str(tmp_path / "no" / "such" / "folder"))


def test_the_bundled_card_is_what_model_card_writes_from_the_bundled_folder():
    """weights/README.md must not drift from its metrics and training record: model.card rebuilds it exactly."""
    card = str(build_card(ROOT / "weights"))
    assert card == (ROOT / "weights" / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("threads, words", [(1, "on cpu with 1 thread."), (2, "on cpu with 2 threads.")])
def test_the_card_counts_epochs_and_threads_in_words(tmp_path, threads, words):
    (tmp_path / "config.json").write_text((ROOT / "weights" / "config.json").read_text())
    (tmp_path / "training.json").write_text(json.dumps({"steps": 10, "epochs": 1, "wall_clock_s": 60, "device": "cpu",
                                                        "threads": threads, "command": "python train_cgan.py"}))
    assert "10 steps (1 epoch) in 1.0 minutes " + words in str(build_card(tmp_path))
