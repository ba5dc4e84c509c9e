"""A drawing or photo of one digit turned into a 28x28 MNIST-style digit, made the way MNIST itself was made.

Steps: estimate the paper's (possibly uneven) brightness and remove it; decide from the image whether the ink is
darker or lighter than the paper; stretch the ink so a faint pencil line is as strong as a marker; drop specks;
crop to the ink, scale to fit 20x20 keeping the aspect ratio, and place it in 28x28 with its centre of mass at the
centre (row 14, column 14 is where MNIST's test digits have it on average).
"""

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from .drawing_file import DrawingError

SIZE, BOX = 28, 20
CENTRE = 14.0  # MNIST test digits: mean centre of mass (13.99, 14.01) in pixel indices
FIT_SIDE = 64  # the paper's brightness is fitted on a grid this size: lighting varies slowly
MIN_CONTRAST = 0.04  # ink weaker than 4% of the paper's brightness is no stroke (a blank canvas, a bare wall)
MIN_SNR = 6.0  # nor is ink weaker than 6 times the paper texture's noise
SPECK_SHARE = 0.04  # ink blobs lighter than 4% of the heaviest one are specks or texture, not strokes
SMOOTH_ABOVE = 64  # images with both sides at least 3x this are smoothed before the ink is measured
COMPONENT_SIDE = 96  # blobs are found on a grid this size: enough to keep a digit's separate strokes apart


def to_mnist(grey: np.ndarray) -> np.ndarray:
    """A greyscale drawing (H, W) in [0, 1], any polarity, as an MNIST digit: uint8 (28, 28), white on black."""
    ink = ink_map(grey)  # (H, W) in [0, 1], 1 = full ink
    ink = ink * _stroke_mask(ink)
    rows, cols = np.nonzero(ink > 0)
    ink = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    return _centre(_fit_box(ink))


def ink_map(grey: np.ndarray) -> np.ndarray:
    """Ink strength (H, W) in [0, 1] after removing the paper's lighting; DrawingError if there is no ink."""
    grey = _smooth(grey)
    paper = _paper(grey)
    residual = grey - paper
    dark_ink = -np.percentile(residual, 0.5) > np.percentile(residual, 99.5)  # decided from the image
    # dark ink: reflectance falls under uneven light, so divide by the paper; light ink (chalk, MNIST): subtract
    ink = 1 - grey / np.maximum(paper, 1e-3) if dark_ink else residual
    noise = 1.4826 * np.median(np.abs(ink - np.median(ink)))  # robust sigma of the (mostly) paper pixels
    strength = np.percentile(ink, 99.7)  # a point well inside the strokes, whatever their area
    if strength < max(MIN_CONTRAST, MIN_SNR * noise):
        raise DrawingError("image looks blank: no pen or pencil stroke stands out from the background; "
                           "draw or photograph one digit, dark on light or light on dark.")
    low = max(4 * noise, 0.25 * strength)  # paper texture and shadow edges stay below this
    return np.clip((ink - low) / (0.75 * strength - low), 0, 1).astype(np.float32)


def _smooth(grey: np.ndarray) -> np.ndarray:
    """A 3x3 box blur (H, W): paper grain and JPEG noise average out, strokes (wider than 3 px) stay."""
    if min(grey.shape) < 3 * SMOOTH_ABOVE:  # a small image (an MNIST digit, a tiny canvas) has thin strokes
        return grey
    return F.avg_pool2d(torch.from_numpy(grey)[None, None], 3, stride=1, padding=1,
                        count_include_pad=False)[0, 0].numpy()


def _paper(grey: np.ndarray) -> np.ndarray:
    """The paper's brightness (H, W): a cubic surface fitted to the non-ink pixels."""
    small = np.asarray(Image.fromarray(grey).resize((FIT_SIDE, FIT_SIDE), Image.BOX), dtype=np.float64)
    basis = _cubic_basis(FIT_SIDE, FIT_SIDE)  # (64*64, 10)
    values = small.ravel()
    residual = values - np.median(values)  # the first guess is flat paper at the median brightness
    keep = np.ones(small.size, dtype=bool)
    for _ in range(3):  # each pass keeps pixels near the surface (drops the strokes, either polarity) and refits
        spread = 1.4826 * np.median(np.abs(residual[keep])) + 0.01
        keep = np.abs(residual) < 2.5 * spread
        coef, *_ = np.linalg.lstsq(basis[keep], values[keep], rcond=None)
        residual = values - basis @ coef
    surface = (basis @ coef).reshape(FIT_SIDE, FIT_SIDE).astype(np.float32)
    # a smooth surface loses nothing by bilinear upsampling, at a fraction of evaluating it per pixel
    return np.asarray(Image.fromarray(surface).resize(grey.shape[::-1], Image.BILINEAR))


def _cubic_basis(height: int, width: int) -> np.ndarray:
    """Monomials y^i x^j with i + j <= 3 over a height x width grid, coordinates in [-1, 1]: (H*W, 10)."""
    y, x = np.meshgrid(np.linspace(-1, 1, height), np.linspace(-1, 1, width), indexing="ij")
    y, x = y.ravel(), x.ravel()
    return np.stack([y**i * x**j for i in range(4) for j in range(4 - i)], axis=1)


def _stroke_mask(ink: np.ndarray) -> np.ndarray:
    """1 where ink belongs to a blob heavy enough to be part of the digit, else 0: (H, W) float32."""
    h, w = ink.shape
    scale = min(1.0, COMPONENT_SIDE / max(h, w))
    small = np.asarray(Image.fromarray(ink).resize((max(1, round(w * scale)), max(1, round(h * scale))),
                                                    Image.BOX))
    labels = _components(small > 0.2)
    mass = np.bincount(labels.ravel(), weights=small.ravel())
    mass[0] = 0  # label 0 is the background
    keep = mass >= SPECK_SHARE * mass.max()
    mask = keep[labels].astype(np.float32)
    # back to full size; a slight dilation so stroke edges lost in the reduction are kept
    mask = F.max_pool2d(torch.from_numpy(mask)[None, None], 3, stride=1, padding=1)[0, 0].numpy()
    return np.asarray(Image.fromarray(mask).resize((w, h), Image.NEAREST))


def _components(mask: np.ndarray) -> np.ndarray:
    """Labels of 8-connected blobs of a small boolean mask (h, w): 0 for background, one label per blob."""
    big = float(mask.size + 1)
    seeds = torch.arange(1, mask.size + 1, dtype=torch.float32).reshape(mask.shape)
    inside = torch.from_numpy(mask)
    labels = torch.where(inside, seeds, big)[None, None]  # (1, 1, h, w)
    while True:  # every pixel takes its neighbourhood's smallest label until nothing changes
        spread = labels
        for _ in range(8):  # several steps per check: the check costs as much as a step
            spread = torch.where(inside, -F.max_pool2d(-spread, 3, stride=1, padding=1), big)
        if torch.equal(spread, labels):
            break
        labels = spread
    labels = labels[0, 0]
    _, dense = torch.unique(torch.where(inside, labels, 0.0), return_inverse=True)  # 0 stays label 0
    return dense.numpy()


def _fit_box(ink: np.ndarray) -> np.ndarray:
    """Ink (h, w) scaled with anti-aliasing so its longer side is BOX pixels, aspect ratio kept."""
    h, w = ink.shape
    scale = BOX / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    img = Image.fromarray(ink.astype(np.float32))
    reduce = Image.BOX if scale < 1 else Image.BILINEAR  # shrinking averages; a tiny drawing is interpolated
    return np.clip(np.asarray(img.resize(size, reduce)), 0, 1)


def _centre(digit: np.ndarray) -> np.ndarray:
    """A digit (h, w <= 20) placed in 28x28 with its centre of mass at CENTRE (whole-pixel shift, kept inside)."""
    h, w = digit.shape
    rows, cols = np.indices(digit.shape)
    mass = digit.sum()
    top = int(np.clip(round(CENTRE - (rows * digit).sum() / mass), 0, SIZE - h))
    left = int(np.clip(round(CENTRE - (cols * digit).sum() / mass), 0, SIZE - w))
    out = np.zeros((SIZE, SIZE), dtype=np.float32)
    out[top : top + h, left : left + w] = digit
    return np.round(out * 255).astype(np.uint8)
