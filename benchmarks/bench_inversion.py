"""Quality and speed of "your handwriting": python -m benchmarks.bench_inversion [--count 200] [--threads 2].

MNIST *test* digits are used as drawings: each is turned into what a person would send (a 280x280 PNG, dark ink
on white paper) and goes through the whole library request (decode, MNIST preprocessing, classifier guess,
inversion with the guessed digit, digits 0-9). Printed: how often the classifier recognises the reconstruction as
the input's label (target >= 97%) and each of the ten style digits as its own digit (target >= 99%), the mean
absolute pixel error of the reconstructions, and the time per request (target <= 1 s on the 2-core CPU).
"""

import argparse
import dataclasses
import io
import statistics
import time

import numpy as np
import torch
from PIL import Image

from model import DigitGenerator
from model.classifier import MnistClassifier
from model.data import load_mnist, to_model_range
from model.from_drawing import from_drawing
from model.inversion import InversionSettings

SUBSET_SEED = 15  # which test digits: a fixed random subset


def as_drawing(digit: np.ndarray, scale: int = 10) -> bytes:
    """An MNIST digit (28, 28) as a person's drawing: PNG bytes, dark ink on white paper, `scale` times larger."""
    img = Image.fromarray(255 - digit).resize((28 * scale, 28 * scale), Image.BILINEAR)
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    return buffer.getvalue()


def recognised(classifier, images: np.ndarray) -> np.ndarray:
    """The classifier's labels (N,) for uint8 images (N, 28, 28)."""
    with torch.inference_mode():
        return classifier(to_model_range(torch.from_numpy(images))).argmax(1).numpy()


def settings_from(args) -> InversionSettings:
    """The default settings with any given on the command line replaced."""
    given = {f.name: getattr(args, f.name) for f in dataclasses.fields(InversionSettings)
             if getattr(args, f.name) is not None}
    return dataclasses.replace(InversionSettings(), **given)


def run(args) -> dict:
    """Invert args.count test digits; returns the figures."""
    torch.set_num_threads(args.threads)
    generator, classifier = DigitGenerator.from_pretrained(args.weights), MnistClassifier.from_pretrained().eval()
    images, labels = load_mnist(args.data_dir, train=False)
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(SUBSET_SEED))[: args.count]
    settings = settings_from(args)
    from_drawing(generator, classifier, as_drawing(images[0].numpy()), settings=settings)  # warm-up
    rec_ok = style_ok = guess_ok = 0
    errors, times = [], []
    for i in order.tolist():
        digit, label = images[i].numpy(), int(labels[i])
        drawing = as_drawing(digit)
        start = time.perf_counter()
        result = from_drawing(generator, classifier, drawing, settings=settings)
        times.append(time.perf_counter() - start)
        guess_ok += result.inversion.digit == label
        rec_ok += recognised(classifier, result.inversion.reconstruction[None])[0] == label
        style_ok += int((recognised(classifier, result.styles) == np.arange(10)).sum())
        errors.append(result.inversion.pixel_error)
    n = len(order)
    return {"settings": settings, "count": n, "guess": guess_ok / n, "reconstruction": rec_ok / n,
            "styles": style_ok / (10 * n), "pixel_error": float(np.mean(errors)), "times": sorted(times)}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--count", type=int, default=200)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--weights", default="weights")
    p.add_argument("--data-dir", default=None, help="MNIST folder (default $MNIST_DATA_DIR)")
    for field in dataclasses.fields(InversionSettings):  # tuning: --steps 20 --prior-weight 0.5 ...
        p.add_argument("--" + field.name.replace("_", "-"), type=type(field.default), default=None)
    r = run(p.parse_args())
    t = r["times"]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {r['count']} MNIST test digits as drawings")
    print(f"settings: {r['settings']}")
    print(f"classifier's guess = label:              {r['guess']:.1%}")
    print(f"reconstruction recognised as the label:  {r['reconstruction']:.1%}  (target >= 97%)")
    print(f"style digits recognised as their digit:  {r['styles']:.2%}  (target >= 99%)")
    error = r["pixel_error"]
    print(f"mean absolute pixel error:               {error:.4f}  ({error * 255:.1f} grey levels of 255)")
    print(f"time per request: median {statistics.median(t):.3f} s, p90 {t[int(0.9 * len(t))]:.3f} s, "
          f"max {t[-1]:.3f} s  (target <= 1 s)")


if __name__ == "__main__":
    main()
