"""The "Your handwriting" tab's inputs: a photo upload that the app checks itself, and the digit to search with,
each refused in the app's words (webapp.inputs.refuse). Gradio writes a type stub (drawing_inputs.pyi) for these
component classes on import; it is git-ignored."""

import gradio as gr

from webapp.inputs import DIGIT_STRINGS, described, refuse_value

AUTO = "auto"  # the digit menu's "use the classifier's guess"
DIGIT_CHOICES = [("the classifier's guess", AUTO)] + [(str(d), d) for d in range(10)]


def parse_choice(value, param: str = "digit") -> int | None:
    """The digit to search with: 0-9 (number or text), or None for 'auto' or nothing, else refused."""
    if value is None or (isinstance(value, str) and value.strip().lower() in (AUTO, "")):
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not (text.isascii() and text.isdigit()) or int(text) > 9:
        refuse_value("Digit", f"0-9, or '{AUTO}' to use the classifier's guess", value, None, param)
    return int(text)


class DrawingFile(gr.Image):
    """An image upload handed over as its file path, unopened: model.drawing_file checks it before decoding, so a
    decompression bomb, a truncated or a non-image file gets its own clear message instead of Gradio's error."""

    is_template = True  # render with gr.Image's front end

    def preprocess(self, payload):
        return None if payload is None else payload.path


class SearchDigit(gr.Dropdown):
    """The digit the search keeps fixed: 'auto' (the classifier's guess) or 0-9, as a number or text."""

    is_template = True

    def preprocess(self, payload):
        return parse_choice(payload)

    def api_info(self):
        return described({"anyOf": [{"type": "integer", "minimum": 0, "maximum": 9},
                                    {"type": "string", "enum": [AUTO, *DIGIT_STRINGS]}],
                          "description": f"a digit 0-9, as a number or text, or '{AUTO}' for the classifier's guess",
                          "examples": [AUTO, 7, "7"]})
