"""The PNG and GIF files the app hands out: named by what they show, written atomically, oldest deleted past a cap.

The folder is registered with `gr.set_static_paths`, so Gradio serves the files where they are instead of
re-encoding, hashing and copying every image into its cache on each request (most of a request's server time).
"""

import atexit
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

import gradio as gr
from PIL import Image


class ImageFiles:
    """A temporary folder of served images holding at most `keep` files (the least recently written go first)."""

    def __init__(self, keep: int = 20_000):
        self.folder = Path(tempfile.mkdtemp(prefix="digit-gan-images-"))
        atexit.register(shutil.rmtree, self.folder, ignore_errors=True)
        gr.set_static_paths([self.folder])
        self.keep = keep
        self._lock = threading.Lock()
        self._names: OrderedDict[str, None] = OrderedDict()

    def write(self, image: Image.Image | bytes, name: str) -> str:
        """Save a PIL image as PNG (or raw bytes as they are) under `name`; returns its path."""
        if not name or Path(name).name != name or name.startswith("."):
            raise ValueError(f"not a plain file name: {name!r}")
        # temp file + rename: a client fetching the same name while it is rewritten never sees half a file
        part = self.folder / f".{name}.{threading.get_ident()}.part"  # one writer per thread at a time
        with open(part, "wb") as f:
            if isinstance(image, Image.Image):
                image.save(f, format="PNG", compress_level=1)  # ~2x faster than the default 6, ~15% larger
            else:
                f.write(image)
        with self._lock:  # rename and bookkeeping together, so pruning never deletes a file just written
            os.replace(part, self.folder / name)
            self._names[name] = None
            self._names.move_to_end(name)
            while len(self._names) > self.keep:
                (self.folder / self._names.popitem(last=False)[0]).unlink(missing_ok=True)
        return str(self.folder / name)
