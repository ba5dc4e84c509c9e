"""Gradio input components for the app. Gradio writes a type stub (gradio_inputs.pyi) for component classes on
import; it is git-ignored, so importing this module leaves the checkout clean."""

import math

import gradio as gr


class CheckedSlider(gr.Slider):
    """A slider whose API input is type-checked first: Gradio's own bounds check crashes on None or text."""

    is_template = True  # Gradio's mechanism for subclasses: render with the parent's (Slider's) front end

    def preprocess(self, payload):
        if isinstance(payload, bool) or not isinstance(payload, (int, float)) or not math.isfinite(payload):
            raise gr.Error(f"{self.label} must be a number from {self.minimum} to {self.maximum}, got {payload!r}.")
        return super().preprocess(payload)
