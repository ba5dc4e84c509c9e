"""Digits as pictures: crisp (nearest-neighbour) upscaling and animated GIFs, the one place either is done."""

import io

import numpy as np
from PIL import Image


def upscale(image: np.ndarray | Image.Image, scale: int) -> Image.Image:
    """A uint8 (H, W) array or PIL image made `scale` times larger, nearest-neighbour so pixels stay crisp."""
    image = image if isinstance(image, Image.Image) else Image.fromarray(image)
    return image.resize((image.width * scale, image.height * scale), Image.NEAREST)


def to_gif(frames, scale: int = 1, duration_ms: int | list[int] = 80) -> bytes:
    """A looping animated GIF of frames (uint8 (N, H, W) or PIL images), upscaled crisply; one duration or one
    per frame."""
    images = [upscale(frame, scale) for frame in frames]
    buffer = io.BytesIO()
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:], duration=duration_ms, loop=0)
    return buffer.getvalue()
