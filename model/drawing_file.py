"""Reading a drawing or photo that someone sends: checked before it is decoded, so hostile or odd files get a clear
DrawingError (which image, what is wrong, what is allowed) instead of a crash, a hang or a huge allocation."""

import io
import os
import struct
import warnings
import zlib

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

MIN_SIDE = 8  # a digit needs some pixels; a 1x1 image is a mistake, not a drawing
MAX_PIXELS = 50_000_000  # a 48 MP phone photo passes; a 20,000 x 20,000 "decompression bomb" is refused unread
MAX_BYTES = 50 * 1024 * 1024  # larger uploads are refused before any decoding
WORK_SIDE = 512  # photos are reduced to this longest side first: the digit ends up 20 px tall anyway
FORMATS = "PNG, JPEG, WebP, BMP, TIFF or a single-frame GIF"
# 8-bit modes only: palette, greyscale, RGB(A) and their alpha variants. 16-bit, 32-bit float and CMYK images are
# refused with a message rather than converted, because their grey levels have no single right 8-bit reading.
# what PIL raises for damaged files, found by fuzzing (tests/test_fuzz_drawing.py)
CORRUPT = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error, zlib.error)
MODES = {"1", "L", "LA", "La", "P", "PA", "RGB", "RGBA", "RGBa", "RGBX"}


class DrawingError(ValueError):
    """The drawing cannot be used; the message names the problem and what is allowed."""


def read_drawing(source, what: str = "image") -> np.ndarray:
    """A drawing (file path, bytes, PIL image or uint8 array) as float32 greyscale (H, W) in [0, 1]."""
    if isinstance(source, np.ndarray):
        return _from_array(source, what)
    if isinstance(source, Image.Image):
        return _to_grey(_checked(source, what), what)
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        data = _read_bytes(source, what)
    else:
        raise DrawingError(f"{what} must be an image file, got {type(source).__name__}.")
    try:
        with warnings.catch_warnings():  # sizes are checked below, before decoding; PIL's own warning is noise
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                return _to_grey(_checked(img, what), what)
    except Image.DecompressionBombError:
        # PIL refuses to even open images over twice its own limit, before the check below can name the size
        raise DrawingError(f"{what} is far too large to open (over {2 * Image.MAX_IMAGE_PIXELS:,} pixels); send at "
                           f"most {MAX_PIXELS:,} pixels (e.g. 8000x6000).") from None
    except UnidentifiedImageError:
        raise DrawingError(f"{what} is not an image file that can be read; send a {FORMATS}.") from None
    except DrawingError:
        raise
    except CORRUPT as e:  # a damaged header: PIL fails while opening, before any check above could run
        raise DrawingError(f"{what} file is truncated or corrupt ({e}); send the whole file.") from None


def _read_bytes(path, what: str) -> bytes:
    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            raise DrawingError(f"{what} file is {size / 2**20:.0f} MB; send at most {MAX_BYTES // 2**20} MB.")
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise DrawingError(f"{what} file could not be read ({e.strerror or e}).") from None


def _checked(img: Image.Image, what: str) -> Image.Image:
    """The image if its header says it is usable: size, frame count and pixel mode are checked before decoding."""
    width, height = img.size
    if min(width, height) < MIN_SIDE:
        raise DrawingError(f"{what} is {width}x{height} pixels; a drawing needs at least {MIN_SIDE}x{MIN_SIDE}.")
    if width * height > MAX_PIXELS:
        raise DrawingError(f"{what} is {width}x{height} pixels ({width * height:,}); send at most "
                           f"{MAX_PIXELS:,} pixels (e.g. 8000x6000).")
    frames = getattr(img, "n_frames", 1)
    if frames > 1:
        raise DrawingError(f"{what} is an animation ({frames} frames); send a single still image.")
    if img.mode not in MODES:
        kind = "CMYK" if img.mode == "CMYK" else f"{img.mode} (16-bit or more per channel)"
        raise DrawingError(f"{what} has pixel mode {kind}; send an 8-bit greyscale or RGB image ({FORMATS}).")
    return img


def _to_grey(img: Image.Image, what: str) -> np.ndarray:
    """Decode (catching truncated and corrupt data), turn upright, reduce, composite alpha, then greyscale."""
    try:
        img.load()
        img = ImageOps.exif_transpose(img)  # phone photos are stored sideways with an orientation tag
    except CORRUPT as e:
        raise DrawingError(f"{what} file is truncated or corrupt ({e}); send the whole file.") from None
    if max(img.size) > WORK_SIDE:
        img = img.convert("RGBA") if img.mode in ("P", "PA", "1") else img
        img.thumbnail((WORK_SIDE, WORK_SIDE), Image.BOX)  # box filter: a faint thin stroke keeps its ink
    rgba = np.asarray(img.convert("RGBA"), dtype=np.float32) / 255  # (H, W, 4)
    grey = rgba[..., :3] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)  # ITU-R 601 luma, as PIL's "L"
    return _flatten_alpha(grey, rgba[..., 3])


def _flatten_alpha(grey: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Transparent parts become a background that contrasts with the opaque strokes (black on clear: white)."""
    if alpha.min() == 1:
        return grey
    opaque = alpha > 0.5
    paper = 1.0 if not opaque.any() or grey[opaque].mean() < 0.5 else 0.0
    return grey * alpha + paper * (1 - alpha)


def _from_array(array: np.ndarray, what: str) -> np.ndarray:
    """A uint8 array (H, W), (H, W, 3) or (H, W, 4), as from an image component, through the same checks."""
    if array.dtype != np.uint8 or array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        raise DrawingError(f"{what} array must be uint8 (H, W), (H, W, 3) or (H, W, 4), got {array.dtype} "
                           f"{array.shape}.")
    return _to_grey(_checked(Image.fromarray(array), what), what)
