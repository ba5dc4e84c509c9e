"""Gradio input components for the app. Gradio writes a type stub (gradio_inputs.pyi) for component classes on
import; it is committed, so importing this module leaves the checkout unchanged."""

import math

import gradio as gr

from gradio.events import Dependency

class CheckedSlider(gr.Slider):
    """A slider whose API input is type-checked first: Gradio's own bounds check crashes on None or text."""

    is_template = True  # Gradio's mechanism for subclasses: render with the parent's (Slider's) front end

    def preprocess(self, payload):
        if isinstance(payload, bool) or not isinstance(payload, (int, float)) or not math.isfinite(payload):
            raise gr.Error(f"{self.label} must be a number from {self.minimum} to {self.maximum}, got {payload!r}.")
        return super().preprocess(payload)
    from typing import Callable, Literal, Sequence, Any, TYPE_CHECKING
    from gradio.blocks import Block
    if TYPE_CHECKING:
        from gradio.components import Timer
        from gradio.components.base import Component