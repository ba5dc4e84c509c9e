"""The whole "your handwriting" request as one library call: a drawing in, the digit as the model sees it, the
classifier's guesses, the found handwriting and digits 0-9 written in it out."""

from dataclasses import dataclass

import numpy as np
import torch

from .data import to_model_range
from .drawing_file import read_drawing
from .handwriting import to_mnist
from .inversion import DEFAULT_SETTINGS, Inversion, InversionSettings, invert, style_digits
from .sampling import check_digits


@dataclass(frozen=True)
class HandwritingResult:
    """Everything the app shows for one drawing."""

    digit_image: np.ndarray  # uint8 (28, 28): the drawing as the model sees it
    probabilities: np.ndarray  # (10,) the classifier's probability of each digit
    inversion: Inversion  # the found latent, the reconstruction and how close it is
    styles: np.ndarray  # uint8 (10, 28, 28): digits 0-9 in the found handwriting

    def top_guesses(self, k: int = 3) -> list[tuple[int, float]]:
        """The k likeliest digits with their probabilities, likeliest first."""
        order = np.argsort(-self.probabilities, kind="stable")[:k]
        return [(int(d), float(self.probabilities[d])) for d in order]


def digit_probabilities(classifier, digit_image: np.ndarray) -> np.ndarray:
    """The classifier's probabilities (10,) for a uint8 (28, 28) MNIST-style digit."""
    with torch.inference_mode():
        logits = classifier.eval()(to_model_range(torch.from_numpy(digit_image)[None]))  # (1, 10)
        return torch.softmax(logits, dim=1)[0].numpy()


def from_drawing(generator, classifier, drawing, digit: int | None = None,
                 settings: InversionSettings = DEFAULT_SETTINGS) -> HandwritingResult:
    """Read a drawing (path, bytes, PIL image or uint8 array), guess its digit, find its handwriting, write 0-9.

    `digit` overrides the guess as the class the search keeps fixed. Raises DrawingError for an unusable drawing.
    """
    if digit is not None:
        (digit,) = check_digits(digit, 1)
    digit_image = to_mnist(read_drawing(drawing))
    probabilities = digit_probabilities(classifier, digit_image)
    chosen = int(np.argmax(probabilities)) if digit is None else digit
    inversion = invert(generator, classifier, digit_image, chosen, settings)
    return HandwritingResult(digit_image, probabilities, inversion, style_digits(generator, inversion.latent))
