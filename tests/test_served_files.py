"""ServedFiles: the folder of served files (atomic writes, the cap, names that stay inside the folder)."""

import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from webapp.served_files import ServedFiles


def test_writes_pngs_and_bytes_under_their_names():
    files = ServedFiles(keep=10)
    path = files.write(Image.fromarray(np.arange(16, dtype=np.uint8).reshape(4, 4)), "a.png")
    with Image.open(path) as img:
        assert img.format == "PNG" and np.array_equal(np.asarray(img), np.arange(16).reshape(4, 4))
    with open(files.write(b"GIF89a", "b.gif"), "rb") as f:
        assert f.read() == b"GIF89a"
    assert sorted(p.name for p in files.folder.iterdir()) == ["a.png", "b.gif"]  # no temp files left behind


def test_keeps_only_the_newest_files_and_a_rewrite_counts_as_new():
    files = ServedFiles(keep=3)
    for name in ["1.png", "2.png", "3.png", "1.png", "4.png"]:  # rewriting 1 makes 2 the oldest
        files.write(b"x", name)
    assert sorted(p.name for p in files.folder.iterdir()) == ["1.png", "3.png", "4.png"]


@pytest.mark.parametrize("name", ["../escape.png", "sub/x.png", ".hidden.png", ""])
def test_refuses_names_that_are_not_plain_file_names(name):
    files = ServedFiles()
    with pytest.raises(ValueError, match="not a plain file name"):
        files.write(b"x", name)
    assert list(files.folder.iterdir()) == []


def test_keeps_the_total_size_under_the_byte_cap_but_always_the_newest_file():
    files = ServedFiles(max_bytes=250)
    for name in ["a", "b", "c"]:
        files.write(b"x" * 100, name)  # the third pushes the total to 300: "a" goes
    assert sorted(p.name for p in files.folder.iterdir()) == ["b", "c"]
    files.write(b"x" * 1000, "big")  # larger than the cap on its own: kept, everything older goes
    assert sorted(p.name for p in files.folder.iterdir()) == ["big"]


def test_reuse_gives_paths_only_when_every_file_is_there():
    files = ServedFiles()
    path = files.write(b"x", "a.png")
    assert files.reuse(["a.png"]) == [path]
    assert files.reuse(["a.png", "b.png"]) is None and files.reuse(["b.png"]) is None


def test_a_reused_file_counts_as_new_for_the_cap():
    files = ServedFiles(keep=2)
    files.write(b"x", "1.png")
    files.write(b"x", "2.png")
    assert files.reuse(["1.png"])  # now 2 is the least recently used
    files.write(b"x", "3.png")
    assert sorted(p.name for p in files.folder.iterdir()) == ["1.png", "3.png"]


def test_files_removed_behind_its_back_are_written_again():
    files = ServedFiles()
    path = files.write(b"x", "a.png")
    Path(path).unlink()  # e.g. a /tmp cleaner
    assert files.reuse(["a.png"]) is None  # not a path to a missing file
    assert files.serve(["a.png"], lambda: [b"y"]) == [path] and Path(path).read_bytes() == b"y"
    shutil.rmtree(files.folder)  # the whole folder
    assert files.serve(["a.png", "b.png"], lambda: [b"1", b"2"]) == [path, str(files.folder / "b.png")]
    assert Path(path).read_bytes() == b"1" and files.reuse(["a.png", "b.png"])
