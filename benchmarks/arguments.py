"""Command-line argument types the benchmark scripts share."""

import argparse

from model.evaluate import SAMPLES_PER_DIGIT


def samples_per_digit(text: str) -> int:
    """argparse type for --samples-per-digit: a count model.evaluate can score, 2 up to its reference's size."""
    allowed = f"must be a whole number from 2 to {SAMPLES_PER_DIGIT}"
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{allowed}, got {text!r}") from None
    if not 2 <= value <= SAMPLES_PER_DIGIT:  # one image per digit has no covariance; the reference holds 1,000
        raise argparse.ArgumentTypeError(f"{allowed}, got {value}")
    return value
