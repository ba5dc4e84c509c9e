"""Photos of handwritten digits that the project makes itself: a digit's strokes put on textured paper, lit
unevenly, seen at an angle, in faint pencil or dark ink, saved as JPEG like a phone camera would."""

import io

import numpy as np
from PIL import Image, ImageFilter

SIDE = 480  # the photo's size in pixels


def paper(rng: np.random.Generator, side: int = SIDE) -> np.ndarray:
    """Paper texture (side, side) around 1: fine grain plus soft fibres."""
    grain = rng.normal(0, 0.02, (side, side))
    coarse = Image.fromarray(rng.normal(0, 1, (side // 8, side // 8)).astype(np.float32))
    fibres = np.asarray(coarse.resize((side, side), Image.BICUBIC))  # smooth blotches about 8 px across
    return 1 + grain + 0.02 * fibres


def lighting(side: int, darkest: float, rng: np.random.Generator) -> np.ndarray:
    """Uneven light (side, side): a soft shadow from a random side down to `darkest`, times a vignette."""
    y, x = np.mgrid[0:side, 0:side] / (side - 1)
    angle = rng.uniform(0, 2 * np.pi)
    along = (np.cos(angle) * (x - 0.5) + np.sin(angle) * (y - 0.5)) / np.sqrt(0.5)  # -1..1 across the photo
    shadow = 1 / (1 + np.exp(-3 * along))  # smooth, like light falling off, not a sharp shadow edge
    vignette = 1 - 0.25 * ((x - 0.5) ** 2 + (y - 0.5) ** 2)
    return (darkest + (1 - darkest) * shadow) * vignette


def tilt(image: Image.Image, rng: np.random.Generator, amount: float = 0.12) -> Image.Image:
    """The page seen at an angle: a random perspective warp moving each corner by up to `amount` of the side."""
    side = image.width
    corners = np.array([[0, 0], [side, 0], [side, side], [0, side]], dtype=np.float64)
    moved = corners + rng.uniform(-amount, amount, corners.shape) * side
    # PIL wants the 8 coefficients mapping output to input: solve them from the 4 corner pairs
    rows = []
    for (x, y), (u, v) in zip(corners, moved, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    coefficients = np.linalg.solve(np.array(rows), moved.ravel())
    return image.transform(image.size, Image.PERSPECTIVE, tuple(coefficients), Image.BILINEAR, fillcolor=1.0)


def photo(digit: np.ndarray, seed: int, darkest: float = 0.45, ink: float = 0.8, jpeg: bool = True) -> bytes:
    """A photo of an MNIST digit (28, 28) written on paper: JPEG (or PNG) bytes of an RGB SIDE x SIDE image.

    `ink` is how much light the strokes absorb (0.8 dark ink, 0.2 faint pencil); `darkest` is the light level
    in the photo's darkest corner (1 = even light).
    """
    rng = np.random.default_rng(seed)
    size = SIDE // 2  # the digit fills about half the photo, placed off centre
    strokes = Image.fromarray(digit).resize((size, size), Image.BICUBIC).filter(ImageFilter.GaussianBlur(1.5))
    canvas = Image.new("F", (SIDE, SIDE), 0.0)
    canvas.paste(Image.fromarray(np.asarray(strokes, dtype=np.float32) / 255),
                 tuple(int(v) for v in rng.integers(SIDE // 8, SIDE - size - SIDE // 8, 2)))
    page = np.asarray(tilt(Image.fromarray((1 - ink * np.asarray(canvas)).astype(np.float32)), rng))
    grey = page * paper(rng) * lighting(SIDE, darkest, rng)
    tint = np.array([1.0, 0.97, 0.9])  # warm indoor light
    rgb = np.clip(grey[..., None] * tint * 235, 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG" if jpeg else "PNG", quality=85)
    return buffer.getvalue()
