"""MNIST loading from a folder of the four official .gz files, and the errors when data is missing or bad."""

import shutil

import pytest
import torch

from model.data import DATA_DIR_ENV, RAW_FILES, MnistNotFoundError, load_mnist, prepare_mnist, resolve_data_dir


def test_loads_train_and_test_sets(mnist_dir):
    images, labels = load_mnist(mnist_dir, train=True)
    assert images.shape == (60000, 28, 28) and images.dtype == torch.uint8
    assert labels.shape == (60000,) and set(labels.unique().tolist()) == set(range(10))
    test_images, _ = load_mnist(mnist_dir, train=False)
    assert test_images.shape == (10000, 28, 28)


def test_a_writable_folder_of_gz_files_is_extracted_in_place(mnist_dir, tmp_path):
    gz_dir = tmp_path / "mnist"
    gz_dir.mkdir()
    for name in RAW_FILES:
        src = next(p for p in (mnist_dir / f"{name}.gz", mnist_dir / "MNIST" / "raw" / f"{name}.gz") if p.exists())
        (gz_dir / f"{name}.gz").symlink_to(src)
    assert prepare_mnist(gz_dir, download=False) == gz_dir
    assert all((gz_dir / "MNIST" / "raw" / name).is_file() for name in RAW_FILES)
    assert not list((gz_dir / "MNIST" / "raw").glob("tmp*"))  # no partial files left behind
    assert load_mnist(gz_dir, train=False)[0].shape == (10000, 28, 28)


def test_truncated_file_is_rejected_with_its_name(mnist_dir, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    for name in RAW_FILES:
        shutil.copy(mnist_dir / f"{name}.gz", bad / f"{name}.gz") if (mnist_dir / f"{name}.gz").exists() else None
    if not (bad / "t10k-labels-idx1-ubyte.gz").exists():
        pytest.skip("MNIST folder has no .gz files to corrupt")
    data = (bad / "t10k-labels-idx1-ubyte.gz").read_bytes()
    (bad / "t10k-labels-idx1-ubyte.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(MnistNotFoundError, match="t10k-labels-idx1-ubyte.gz"):
        prepare_mnist(bad, download=False)
    assert not (bad / "MNIST" / "raw" / "t10k-labels-idx1-ubyte").exists()


def test_empty_folder_without_download_says_where_to_put_the_files(tmp_path):
    with pytest.raises(MnistNotFoundError) as info:
        prepare_mnist(tmp_path, download=False)
    message = str(info.value)
    assert str(tmp_path) in message and "train-images-idx3-ubyte.gz" in message and DATA_DIR_ENV in message


def test_data_dir_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    assert resolve_data_dir() == tmp_path
    assert resolve_data_dir(tmp_path / "x") == tmp_path / "x"
