"""The app's inputs: each value a user or API caller sends is checked here and refused with a gr.Error that says
what is allowed, and a slider whose API input is checked too. Gradio writes a type stub (gradio_inputs.pyi) for
component classes on import; it is git-ignored, so importing this module leaves the checkout clean."""

import math

import gradio as gr

from model.explore import MAX_STYLE_SEEDS
from model.sampling import SEED_LIMIT, check_psi

RANDOM = "random"  # the digit picker's "any digit" choice


def parse_seed(value) -> int:
    """A seed from the seed box (text or number): a whole number in [0, 2**63), else gr.Error."""
    text = str(value).strip() if value is not None else ""
    if not text:
        raise gr.Error("Seed is empty: enter a whole number from 0 to 2**63 - 1, or press 'Random seed'.")
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not (text.isascii() and text.isdigit()):
        raise gr.Error(f"Seed must be a whole number from 0 to 2**63 - 1, got {text[:40]!r}.")
    seed = int(text)
    if seed >= SEED_LIMIT:
        raise gr.Error(f"Seed must be below 2**63 = {SEED_LIMIT}, got {text[:40]}.")
    return seed


def parse_count(value, limit: int, what: str = "Batch size", low: int = 1) -> int:
    """A count low..limit as int, else gr.Error."""
    # the range check comes before int(): int() of NaN or infinity raises its own, unhelpful error
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= limit \
            or value != int(value):
        raise gr.Error(f"{what} must be a whole number from {low} to {limit}, got {value!r}.")
    return int(value)


def parse_digit(value, allow_random: bool = True) -> int | str:
    """A digit 0-9 (int or numeric string) or, where allowed, 'random', else gr.Error."""
    if allow_random and isinstance(value, str) and value.strip().lower() == RANDOM:
        return RANDOM
    text = str(value).strip()
    if isinstance(value, bool) or not (text.isascii() and text.isdigit()) or int(text) > 9:
        allowed = "0-9 or 'random'" if allow_random else "0-9"
        raise gr.Error(f"Digit must be {allowed}, got {value!r}.")
    return int(text)


def parse_psi(value) -> float:
    """Truncation psi in [0, 1], else gr.Error."""
    try:
        return check_psi(value)
    except ValueError as e:
        raise gr.Error(f"Truncation {e}.") from None


def parse_seeds(value) -> list[int]:
    """Seeds like '3', '1, 5, 9' or '0-4' (at most MAX_STYLE_SEEDS), else gr.Error."""
    seeds = []
    for part in str(value if value is not None else "").split(","):
        first, _, last = part.strip().partition("-") if not part.strip().startswith("-") else (part, "", "")
        if last:
            lo, hi = parse_seed(first), parse_seed(last)
            if hi < lo or hi - lo >= MAX_STYLE_SEEDS:
                raise gr.Error(f"Seed range {part.strip()!r} must go upwards and hold at most {MAX_STYLE_SEEDS} seeds.")
            seeds.extend(range(lo, hi + 1))
        else:
            seeds.append(parse_seed(first))
    if len(seeds) > MAX_STYLE_SEEDS:
        raise gr.Error(f"Give at most {MAX_STYLE_SEEDS} seeds, got {len(seeds)}.")
    return seeds


def link_number(text: str) -> float | str:
    """A number from a link's query string, or the text itself so the check that follows names it."""
    try:
        return float(text)
    except ValueError:
        return text


class CheckedSlider(gr.Slider):
    """A slider whose API input is type-checked first: Gradio's own bounds check crashes on None or text."""

    is_template = True  # Gradio's mechanism for subclasses: render with the parent's (Slider's) front end

    def preprocess(self, payload):
        if isinstance(payload, bool) or not isinstance(payload, (int, float)) or not math.isfinite(payload):
            raise gr.Error(f"{self.label} must be a number from {self.minimum} to {self.maximum}, got {payload!r}.")
        return super().preprocess(payload)
