"""The app's inputs: every value a user or API caller sends is checked here and refused with the app's own message
(what the value is for, the value shortened, what is allowed), logged as one line instead of a traceback. The
components below check their API input themselves and publish the types they accept (`/gradio_api/info`, MCP).

Gradio writes a type stub (inputs.pyi) for component classes on import; it is git-ignored, so importing this
module leaves the checkout clean (which is also why the components live here and not in a module of their own).
"""

import logging
import math
from typing import NoReturn

import gradio as gr

from model.explore import MAX_STYLE_SEEDS
from model.sampling import SEED_LIMIT

RANDOM = "random"  # the digit picker's "any digit" choice
MAX_SEED = SEED_LIMIT - 1  # written out in messages: "2**63 - 1" means nothing to most people
SEED_RANGE = f"a whole number from 0 to {MAX_SEED}"
DIGIT_STRINGS = [str(d) for d in range(10)]

log = logging.getLogger("app")


def shown(value) -> str:
    """`value` as a message quotes it: its repr, cut short (with its length) when long."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 100:
        # str() of an int past 4,300 digits raises (Python's int-string limit), so count its digits instead
        return f"a number of about {int(value.bit_length() * math.log10(2)) + 1} digits"
    text = repr(value)
    if len(text) <= 40:
        return text
    size = f"{len(value)} characters" if isinstance(value, str) else f"{len(text)} characters written out"
    return f"{text[:30]}… ({size})"


def refuse(message: str) -> NoReturn:
    """Log one line for a refused value and raise the gr.Error the caller sees (without a traceback in the log)."""
    log.info("refused: %s", message)
    raise gr.Error(message, print_exception=False)


def where(kind: str, label: str | None, param: str | None) -> str:
    """' (From seed, parameter seed_a)': which box and API input a message is about, when `kind` does not say."""
    parts = [part for part in (label if label and label.lower() != kind.lower() else None,
                               f"parameter {param}" if param and param != kind.lower() else None) if part]
    return f" ({', '.join(parts)})" if parts else ""


def refuse_value(kind: str, allowed: str, value, label: str | None = None, param: str | None = None) -> NoReturn:
    """Refuse `value` for `kind` ("Seed"), saying what is allowed; `label` and `param` say which box or API input."""
    refuse(f"{kind} must be {allowed}, got {shown(value)}{where(kind, label, param)}.")


def parse_seed(value, label: str | None = None, param: str | None = None) -> int:
    """A seed from a seed box or the API (text or whole number) in 0..MAX_SEED, else refused."""
    if isinstance(value, float) and value.is_integer():  # a JSON client may send 42.0
        value = int(value)
    if value is None or isinstance(value, str) and not value.strip():
        refuse(f"Seed is empty{where('Seed', label, param)}: enter {SEED_RANGE}, or press 'Random seed'.")
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value <= MAX_SEED:
            refuse_value("Seed", SEED_RANGE, value, label, param)
        return value
    text = value.strip() if isinstance(value, str) else ""
    digits = text.lstrip("0") or "0"
    # the length is checked before int(): Python refuses to convert more than 4,300 digits, in words naming no seed
    if not (text.isascii() and text.isdigit()) or len(digits) > len(str(MAX_SEED)) or int(digits) > MAX_SEED:
        refuse_value("Seed", SEED_RANGE, value, label, param)
    return int(digits)


def parse_count(value, limit: int, kind: str = "Batch size", low: int = 1, param: str | None = None) -> int:
    """A whole number low..limit (an int, or a float such as 16.0), else refused."""
    # the range check comes before int(): int() of NaN or infinity raises its own, unhelpful error
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= limit \
            or value != int(value):
        refuse_value(kind, f"a whole number from {low} to {limit}", value, param=param)
    return int(value)


def parse_digit(value, allow_random: bool = True, label: str | None = None, param: str | None = None) -> int | str:
    """A digit 0-9 (int or digit string) or, where allowed, 'random', else refused."""
    if allow_random and isinstance(value, str) and value.strip().lower() == RANDOM:
        return RANDOM
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 9:
        return value
    if isinstance(value, str) and value.strip() in DIGIT_STRINGS:
        return int(value.strip())
    refuse_value("Digit", "0-9 or 'random'" if allow_random else "0-9", value, label, param)


def parse_number(value, low: float, high: float, kind: str, param: str | None = None) -> float:
    """A finite number in [low, high] as float, else refused."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or not low <= value <= high:
        refuse_value(kind, f"a number from {low:g} to {high:g}", value, param=param)
    return float(value)


def parse_psi(value) -> float:
    """Truncation psi in [0, 1], else refused."""
    return parse_number(value, 0, 1, "Truncation psi (ψ)", "psi")


def parse_seeds(value) -> list[int]:
    """Seeds like '3', '1, 5, 9' or '0-4' (at most MAX_STYLE_SEEDS), else refused."""
    if isinstance(value, int) and not isinstance(value, bool):
        return [parse_seed(value, param="seeds")]
    if not isinstance(value, str):
        refuse_value("Seeds", "text such as '7', '1, 5, 9' or '0-3'", value, param="seeds")
    seeds = []
    for part in value.split(","):
        first, _, last = part.strip().partition("-") if not part.strip().startswith("-") else (part, "", "")
        if last:
            lo, hi = parse_seed(first, param="seeds"), parse_seed(last, param="seeds")
            if hi < lo or hi - lo >= MAX_STYLE_SEEDS:
                refuse(f"Seed range {shown(part.strip())} must go upwards and hold at most {MAX_STYLE_SEEDS} seeds.")
            seeds.extend(range(lo, hi + 1))
        else:
            seeds.append(parse_seed(first, param="seeds"))
        if len(seeds) > MAX_STYLE_SEEDS:
            refuse(f"Give at most {MAX_STYLE_SEEDS} seeds, got more ({shown(value)}).")
    return seeds


def link_number(text: str) -> float | str:
    """A number from a link's query string, or the text itself so the check that follows names it."""
    try:
        return float(text)
    except ValueError:
        return text


def described(schema: dict) -> dict:
    """`schema` with its description also as Gradio's "additional_description", which view_api() prints."""
    return {**schema, "additional_description": schema["description"]}


def digit_schema(allow_random: bool) -> dict:
    """The JSON schema a digit input publishes: an int 0-9 or the same digit as text (or 'random')."""
    strings = DIGIT_STRINGS + ([RANDOM] if allow_random else [])
    return described({"anyOf": [{"type": "integer", "minimum": 0, "maximum": 9}, {"type": "string", "enum": strings}],
            "description": "a digit 0-9, as a number or text" + (", or 'random'" if allow_random else ""),
            "examples": [7, "7"] + ([RANDOM] if allow_random else [])})


class CheckedSlider(gr.Slider):
    """A slider whose API input is checked by the app (named, with what is allowed) and published with its range.

    `param` is its parameter name in the API; a slider with precision=0 takes whole numbers only."""

    is_template = True  # Gradio's mechanism for subclasses: render with the parent's (Slider's) front end
    param: str | None = None
    kind: str | None = None

    def named(self, param: str, kind: str | None = None) -> "CheckedSlider":
        """This slider, named `param` in the API and `kind` in messages (default: its label)."""
        self.param, self.kind = param, kind
        self.elem_classes = [*(self.elem_classes or []), "checked-range"]  # the page's JS notes values its box corrects
        return self

    def preprocess(self, payload):
        kind = self.kind or self.label
        if self.precision == 0:
            return parse_count(payload, int(self.maximum), kind, int(self.minimum), self.param)
        return parse_number(payload, self.minimum, self.maximum, kind, self.param)

    def api_info(self):
        whole = self.precision == 0
        allowed = f"{'a whole' if whole else 'a'} number from {self.minimum:g} to {self.maximum:g}"
        return described({"type": "integer" if whole else "number", "minimum": self.minimum,
                          "maximum": self.maximum, "description": allowed, "examples": [self.value]})


class DigitRadio(gr.Radio):
    """Digit buttons (0-9, and 'random' when it is a choice) whose API also takes the digit as text ('7')."""

    is_template = True

    def preprocess(self, payload):
        return parse_digit(payload, RANDOM in [value for _, value in self.choices], self.label, "digit")

    def api_info(self):
        return digit_schema(RANDOM in [value for _, value in self.choices])


class DigitDropdown(gr.Dropdown):
    """A 0-9 digit menu whose API takes the digit as a number or text; `param` is its API name."""

    is_template = True
    param: str = "digit"

    def named(self, param: str) -> "DigitDropdown":
        """This menu, named `param` in the API and its messages."""
        self.param = param
        return self

    def preprocess(self, payload):
        return parse_digit(payload, False, self.label, self.param)

    def api_info(self):
        return digit_schema(False)


class SeedBox(gr.Textbox):
    """A seed text box whose API also takes the seed as a whole number (checked by the function it feeds)."""

    is_template = True
    many: bool = False  # a box for several seeds ('1, 5, 9' or '0-3')

    def preprocess(self, payload):
        # Textbox would turn a number into text; the app's checks take either and say what was wrong
        return payload

    def api_info(self):
        if self.many:
            return described({"anyOf": [{"type": "string"}, {"type": "integer", "minimum": 0, "maximum": MAX_SEED}],
                              "description": f"seeds as text: one ('7'), a list ('1, 5, 9') or a range ('0-3'), "
                                             f"at most {MAX_STYLE_SEEDS}; or one seed as a whole number",
                              "examples": ["0-3", 7]})
        return described({"anyOf": [{"type": "string", "pattern": "^[0-9]+$"},
                                    {"type": "integer", "minimum": 0, "maximum": MAX_SEED}],
                          "description": f"{SEED_RANGE}, as text or a number", "examples": ["42", 42]})
