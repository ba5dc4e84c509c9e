"""ImageFiles: the folder of served images (atomic writes, the cap, names that stay inside the folder)."""

import numpy as np
import pytest
from PIL import Image

from image_files import ImageFiles


def test_writes_pngs_and_bytes_under_their_names():
    files = ImageFiles(keep=10)
    path = files.write(Image.fromarray(np.arange(16, dtype=np.uint8).reshape(4, 4)), "a.png")
    with Image.open(path) as img:
        assert img.format == "PNG" and np.array_equal(np.asarray(img), np.arange(16).reshape(4, 4))
    assert open(files.write(b"GIF89a", "b.gif"), "rb").read() == b"GIF89a"
    assert sorted(p.name for p in files.folder.iterdir()) == ["a.png", "b.gif"]  # no temp files left behind


def test_keeps_only_the_newest_files_and_a_rewrite_counts_as_new():
    files = ImageFiles(keep=3)
    for name in ["1.png", "2.png", "3.png", "1.png", "4.png"]:  # rewriting 1 makes 2 the oldest
        files.write(b"x", name)
    assert sorted(p.name for p in files.folder.iterdir()) == ["1.png", "3.png", "4.png"]


@pytest.mark.parametrize("name", ["../escape.png", "sub/x.png", ".hidden.png", ""])
def test_refuses_names_that_are_not_plain_file_names(name):
    files = ImageFiles()
    with pytest.raises(ValueError, match="not a plain file name"):
        files.write(b"x", name)
    assert list(files.folder.iterdir()) == []
