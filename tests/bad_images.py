"""Files that are not usable drawings, made in memory, with the words the error for each must contain.

Shared by the library tests, the gradio_client tests and the fuzz tests of the handwriting feature.
"""

import functools
import io
import struct
import zlib

import numpy as np
from PIL import Image


def png(image: Image.Image) -> bytes:
    """An image as PNG bytes."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def stroke_drawing(side: int = 200) -> Image.Image:
    """A plain usable drawing: a black '1'-like bar on white."""
    img = np.full((side, side), 255, dtype=np.uint8)
    img[side // 5 : 4 * side // 5, side // 2 - side // 20 : side // 2 + side // 20] = 0
    return Image.fromarray(img)


def bomb_png(side: int = 20_000) -> bytes:
    """A valid side x side 1-bit PNG of a few hundred KB that would need side² bytes once decoded."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\xff" * ((side + 7) // 8)  # filter byte + one white row
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def animated_gif() -> bytes:
    """A two-frame animated GIF of drawings."""
    frames = [stroke_drawing().convert("P"), stroke_drawing().transpose(Image.Transpose.ROTATE_90).convert("P")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buffer.getvalue()


def sixteen_bit_png() -> bytes:
    """A 16-bit greyscale PNG of a drawing."""
    return png(Image.fromarray(np.asarray(stroke_drawing(), dtype=np.uint16) * 257))


def cmyk_jpeg() -> bytes:
    """A CMYK JPEG of a drawing."""
    buffer = io.BytesIO()
    stroke_drawing().convert("CMYK").save(buffer, format="JPEG")
    return buffer.getvalue()


@functools.cache
def bad_files() -> dict[str, tuple[bytes, str]]:
    """name -> (file bytes, a phrase its error message must contain); the bomb takes ~0.5 s to make."""
    drawing = png(stroke_drawing())
    return {
        "blank.png": (png(Image.new("RGB", (400, 400), "white")), "blank"),
        "transparent.png": (png(Image.new("RGBA", (400, 400), (0, 0, 0, 0))), "blank"),
        "one_pixel.png": (png(Image.new("L", (1, 1), 0)), "1x1 pixels"),
        "bomb.png": (bomb_png(), "far too large"),
        "not_an_image.png": (b"%PDF-1.4 this is a document, not a picture\n" * 20, "not an image file"),
        "truncated.png": (drawing[: len(drawing) // 2], "truncated"),
        "animated.gif": (animated_gif(), "animation (2 frames)"),
        "sixteen_bit.png": (sixteen_bit_png(), "16-bit"),
        "cmyk.jpg": (cmyk_jpeg(), "CMYK"),
    }
