"""RunLogger: TensorBoard event files, and a W&B run in offline mode (no account, no network) read back from disk."""

import json
import re
import struct
import sys

import pytest
import torch

from model.tracking import WANDB_ID_FILE, MissingPackageError, RunLogger, flatten

METRICS = {"samples": 1000, "precision_recall_k": 5,
           "judges": {"A": {"classifier": "cnn", "precision": 0.75, "per_digit_accuracy": [1.0, 0.5]}}}


def wandb_records(path) -> list:
    """The protobuf records of a .wandb file (a LevelDB-style log: 7-byte file header, 32 KiB blocks of
    records, each with a 7-byte header: checksum, length, type 1 = full, 2/3/4 = first/middle/last piece)."""
    from wandb.proto import wandb_internal_pb2

    data, block = path.read_bytes(), 32768
    assert data[:4] == b":W&B"
    records, pending, pos = [], b"", 7
    while pos + 7 <= len(data):
        if block - pos % block < 7:  # too little room left for a header: the block is padded
            pos += block - pos % block
            continue
        _, length, kind = struct.unpack("<IHB", data[pos : pos + 7])
        if kind == 0:  # zero padding up to the block's end
            pos += block - pos % block
            continue
        pending += data[pos + 7 : pos + 7 + length]
        pos += 7 + length
        if kind in (1, 4):
            record = wandb_internal_pb2.Record()
            record.ParseFromString(pending)
            records.append(record)
            pending = b""
    return records


def history(records) -> list[dict]:
    """Each logged step's values: {key: decoded JSON value}."""
    return [{"/".join(item.nested_key) or item.key: json.loads(item.value_json) for item in r.history.item}
            for r in records if r.WhichOneof("record_type") == "history"]


def log_a_short_run(logger: RunLogger) -> None:
    """What train_cgan.py logs: losses every few steps, a grid per epoch, the metrics at the end."""
    for step in (20, 40):
        logger.scalars({"loss/d": step / 10, "loss/g": 1.5}, step)
    logger.image("samples", torch.linspace(0, 1, 28 * 56).reshape(1, 28, 56), 40)
    logger.summary(METRICS)
    logger.close()


@pytest.fixture(scope="module")
def wandb_runs(tmp_path_factory):
    """An offline W&B run of two losses, a grid and the metrics; then a resumed one in the same OUT_DIR."""
    pytest.importorskip("wandb")
    tmp = tmp_path_factory.mktemp("wandb")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("WANDB_MODE", "offline")
        env.setenv("WANDB_SILENT", "true")
        for name in ("WANDB_DIR", "WANDB_CACHE_DIR", "WANDB_CONFIG_DIR", "WANDB_DATA_DIR", "WANDB_ARTIFACT_DIR"):
            env.setenv(name, str(tmp / name.lower()))  # nothing written to the home folder
        env.delenv("WANDB_API_KEY", raising=False)
        out = tmp / "run"
        log_a_short_run(RunLogger(out, wandb=True, wandb_project="digit-cgan-test", wandb_run_name="first",
                                  config={"lr_g": 2e-4, "preset": "quick"}))
        first = sorted((out / "wandb").glob("offline-run-*"))
        resumed = RunLogger(out, wandb=True, wandb_project="digit-cgan-test", config={}, resume_step=40)
        resumed.scalars({"loss/d": 0.5}, 60)
        resumed.close()
    return out, first, sorted((out / "wandb").glob("offline-run-*"))


def test_wandb_offline_run_writes_its_run_folder(wandb_runs):
    out, first, _ = wandb_runs
    assert len(first) == 1
    run_id = (out / WANDB_ID_FILE).read_text().strip()
    assert first[0].name.endswith(f"-{run_id}")
    assert (first[0] / f"run-{run_id}.wandb").stat().st_size > 0
    assert list((first[0] / "files" / "media" / "images").glob("samples_40_*.png"))


def test_wandb_history_holds_the_losses_and_the_grid(wandb_runs):
    _, first, _ = wandb_runs
    steps = history(wandb_records(next(first[0].glob("run-*.wandb"))))
    assert [(s["_step"], s["loss/d"], s["loss/g"]) for s in steps] == [(20, 2.0, 1.5), (40, 4.0, 1.5)]
    assert steps[1]["samples/_type"] == "image-file"
    assert (steps[1]["samples/width"], steps[1]["samples/height"]) == (56, 28)


def test_wandb_run_holds_the_config_name_and_final_metrics(wandb_runs):
    _, first, _ = wandb_runs
    records = wandb_records(next(first[0].glob("run-*.wandb")))
    run = next(r.run for r in records if r.WhichOneof("record_type") == "run")
    assert (run.project, run.display_name) == ("digit-cgan-test", "first")
    config = {item.key: json.loads(item.value_json) for item in run.config.update}
    assert config["lr_g"] == 2e-4 and config["preset"] == "quick"
    summary = {}
    for r in records:
        if r.WhichOneof("record_type") == "summary":
            summary |= {"/".join(i.nested_key) or i.key: json.loads(i.value_json) for i in r.summary.update}
    assert summary["metrics/judges/A/precision"] == 0.75
    assert summary["metrics/judges/A/per_digit_accuracy/1"] == 0.5
    assert summary["metrics/samples"] == 1000


def test_a_resumed_training_run_continues_its_wandb_run(wandb_runs):
    out, first, both = wandb_runs
    run_id = (out / WANDB_ID_FILE).read_text().strip()
    # wandb names a folder offline-run-<time>-<id>, adding "-1" when a second run of that id starts in the same second
    assert len(both) == 2 and all(re.fullmatch(rf"offline-run-\d{{8}}_\d{{6}}-{run_id}(-\d+)?", p.name) for p in both)
    assert all((p / f"run-{run_id}.wandb").stat().st_size > 0 for p in both)
    second = next(p for p in both if p not in first)
    assert [s["_step"] for s in history(wandb_records(next(second.glob("run-*.wandb"))))] == [60]


def test_tensorboard_gets_scalars_the_grid_and_the_metrics(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    log_a_short_run(RunLogger(tmp_path, tensorboard=True))
    events = EventAccumulator(str(tmp_path / "tensorboard")).Reload()
    assert [(e.step, e.value) for e in events.Scalars("loss/d")] == [(20, 2.0), (40, 4.0)]
    assert [(e.step, e.width, e.height) for e in events.Images("samples")] == [(40, 56, 28)]
    assert [(e.step, e.value) for e in events.Scalars("metrics/judges/A/precision")] == [(40, 0.75)]
    assert "metrics/judges/A/classifier" not in events.Tags()["scalars"]


def test_a_logger_with_no_backend_does_nothing(tmp_path):
    logger = RunLogger(tmp_path / "run")
    assert not logger.enabled
    log_a_short_run(logger)
    assert not (tmp_path / "run").exists()


def test_missing_packages_say_how_to_install_them(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "wandb", None)  # makes `import wandb` fail as if it were not installed
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)
    with pytest.raises(MissingPackageError, match=r"--wandb needs .*pip install -r requirements-train.txt"):
        RunLogger(tmp_path, wandb=True)
    with pytest.raises(MissingPackageError, match=r"--tensorboard needs .*pip install -r requirements-train.txt"):
        RunLogger(tmp_path, tensorboard=True)


def test_images_must_be_one_channel(tmp_path):
    logger = RunLogger(tmp_path, tensorboard=True)
    with pytest.raises(ValueError, match=r"\(1, H, W\)"):
        logger.image("samples", torch.zeros(28, 28), 0)
    logger.close()


def test_flatten_keeps_numbers_and_names_their_path():
    assert flatten(METRICS) == {"samples": 1000.0, "precision_recall_k": 5.0, "judges/A/precision": 0.75,
                                "judges/A/per_digit_accuracy/0": 1.0, "judges/A/per_digit_accuracy/1": 0.5}
    assert flatten({"ok": True, "none": None}) == {}
