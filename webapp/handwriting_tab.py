"""The "Your handwriting" tab: draw a digit or upload a photo of one, see it as the model sees it, the classifier's
guesses, the generator's closest reconstruction and digits 0-9 written in that hand; and its /from_drawing endpoint
(also an MCP tool). The library work is model.from_drawing; this module only checks inputs and shows results."""

import hashlib

import gradio as gr
import numpy as np

from model import images
from model.classifier import MnistClassifier
from model.drawing_file import DrawingError
from model.from_drawing import HandwritingResult
from model.from_drawing import from_drawing as read_handwriting
from webapp.drawing_inputs import AUTO, DIGIT_CHOICES, DrawingFile, SearchDigit
from webapp.frontend import IMAGE_BUTTONS
from webapp.inputs import refuse
from webapp.served_files import ServedFiles

CANVAS = (400, 400)  # drawn digits are scaled to 20x20 anyway; a small canvas fits a phone without zooming
# on a phone, ten digits in a row are too small to read: five a row
CSS = """
@media (max-width: 640px) { #hw-gallery .grid-container { grid-template-columns: repeat(5, minmax(0, 1fr)); } }
"""
# Gradio's sketchpad opens with no tool chosen ("select the draw tool to start"), so a first stroke drew nothing;
# this picks the brush (the toolbar's first button) once the tab is shown, retrying while the canvas renders
PICK_BRUSH_JS = """() => { let tries = 0; const pick = () => {
    const brush = document.querySelector('#hw-sketch .toolbar-wrap button');
    if (brush) { if (!brush.classList.contains('highlight')) brush.click(); }
    else if (tries++ < 30) setTimeout(pick, 100); };
    setTimeout(pick, 50); }"""


def sketch_pixels(sketch) -> np.ndarray:
    """The sketchpad's composite image (H, W, 4) uint8, else refused with a request to draw."""
    composite = sketch.get("composite") if isinstance(sketch, dict) else None
    if composite is None:
        refuse("Drawing is empty: draw one digit on the sketchpad first.")
    return composite


class HandwritingTab:
    """The tab's endpoint functions and components, sharing the app's generator, served files and image scale."""

    css = CSS  # for the page's launch(css=...)

    def __init__(self, generator, files: ServedFiles, scale: int):
        self.generator, self.files, self.scale = generator, files, scale
        self.classifier = MnistClassifier.from_pretrained().eval()

    def run(self, drawing, digit: int | None) -> tuple:
        """Guesses, the model's view, the reconstruction, the ten digits and a closeness note for a drawing."""
        try:
            result = read_handwriting(self.generator, self.classifier, drawing, digit)
        except DrawingError as e:
            message = str(e)
            refuse(message[0].upper() + message[1:])
        key = hashlib.sha256(result.digit_image.tobytes() + bytes([result.inversion.digit])).hexdigest()[:16]
        names = [f"handwriting_{key}_seen.png"] + [f"handwriting_{key}_digit{d}.png" for d in range(10)]
        seen, *paths = self.files.serve(names, lambda: [images.upscale(result.digit_image, self.scale),
                                                         *(images.upscale(s, self.scale) for s in result.styles)])
        chosen_digit = result.inversion.digit
        gallery = [(path, f"digit {d}") for d, path in enumerate(paths)]  # the label says whose handwriting
        return guesses_label(result), seen, paths[chosen_digit], gallery, closeness_note(result, digit is not None)

    def build(self, event_options: dict) -> None:
        """The tab's components and events, inside the app's Blocks (call within `with gr.Blocks()`)."""
        with gr.Tab("Your handwriting", id="handwriting") as tab:
            gr.Markdown("Draw one digit, or upload a photo of one on paper. The app reads it the way MNIST digits "
                        "were made, guesses which digit it is, finds your handwriting in the generator and writes "
                        "0-9 in it.", elem_classes="tab-intro")
            with gr.Row():
                with gr.Column(scale=1, min_width=300):
                    with gr.Tab("Draw") as draw_tab:
                        sketch = gr.Sketchpad(type="numpy", image_mode="RGBA", canvas_size=CANVAS, format="png",
                                              brush=gr.Brush(colors=["#000000"], color_mode="fixed", default_size=14),
                                              layers=False, label="Draw one digit", elem_id="hw-sketch")
                        sketch_btn = gr.Button("Write 0-9 in my handwriting", variant="primary", elem_id="hw-draw-go")
                    with gr.Tab("Photo"):
                        photo = DrawingFile(type="filepath", sources=["upload", "webcam", "clipboard"],
                                            label="A photo or scan of one digit", elem_id="hw-photo",
                                            buttons=IMAGE_BUTTONS)
                        photo_btn = gr.Button("Write 0-9 in my handwriting", variant="primary", elem_id="hw-photo-go")
                    digit = SearchDigit(DIGIT_CHOICES, value=AUTO, label="Digit to search with",
                                        elem_id="hw-digit")
                with gr.Column(scale=2):
                    guesses = gr.Label(num_top_classes=3, label="Which digit? (the classifier's top guesses)",
                                       elem_id="hw-guess")
                    with gr.Row():
                        # min_width 120: the two stay side by side on a phone
                        seen = gr.Image(label="Model's view", type="filepath", format="png",
                                        elem_id="hw-seen", elem_classes="digits", height=180, min_width=120,
                                        buttons=IMAGE_BUTTONS)
                        rebuilt = gr.Image(label="Reconstruction", type="filepath",
                                           format="png", elem_id="hw-rebuilt", elem_classes="digits", height=180,
                                           min_width=120, buttons=IMAGE_BUTTONS)
                    note = gr.Markdown(label="Closeness", elem_id="hw-note")
            gallery = gr.Gallery(label="0-9 in your handwriting", format="png", columns=10, height="auto",
                                 object_fit="contain", buttons=IMAGE_BUTTONS, elem_id="hw-gallery",
                                 elem_classes="digits")
        outputs = [guesses, seen, rebuilt, gallery, note]
        photo_btn.click(self.from_drawing_function(), [photo, digit], outputs, api_name="from_drawing",
                        **event_options)
        sketch_btn.click(lambda s, d: self.run(sketch_pixels(s), d), [sketch, digit], outputs,
                         api_visibility="private", **event_options)
        for shown in (tab, draw_tab):
            shown.select(None, js=PICK_BRUSH_JS, api_visibility="private")

    def from_drawing_function(self):
        """The public /from_drawing endpoint (and MCP tool), with a docstring written for its callers."""

        def from_drawing(image: str, digit: int | str = AUTO) -> tuple[dict, str, str, list[tuple[str, str]], str]:
            """Find the handwriting of one drawn or photographed digit and write all ten digits 0-9 in it.

            The image is read the way MNIST digits were made (greyscale, inverted if the ink is darker than the
            paper, cropped to the ink, scaled to fit 20x20, centred by mass in 28x28); the project's MNIST classifier
            guesses the digit; then the GAN's latent is searched, with that digit fixed, until the generator redraws
            the image, and digits 0-9 are drawn from the latent found. The same image always gives the same pixels.

            Args:
                image: A photo, scan or drawing of ONE digit: PNG, JPEG, WebP, BMP, TIFF or still GIF, 8-bit.
                digit: The digit to search with: 0-9 (number or text), or "auto" for the classifier's guess.

            Returns:
                The classifier's guesses (probability per digit), the digit as the model sees it (28x28),
                the generator's reconstruction of it, digits 0-9 in that handwriting (captions "digit 0" to
                "digit 9") and a note on how close the reconstruction is. Images are 112x112 greyscale PNGs
                (28x28 at 4x).
            """
            if image is None:
                refuse("Image is missing: upload a photo or drawing of one digit (parameter image).")
            return self.run(image, digit)
        return from_drawing


def guesses_label(result: HandwritingResult) -> dict[str, float]:
    """The classifier's probabilities by digit name, for gr.Label."""
    return {str(d): float(p) for d, p in enumerate(result.probabilities)}


def closeness_note(result: HandwritingResult, chosen: bool) -> str:
    """One line on which digit was searched and how close the reconstruction came."""
    inv = result.inversion
    which = "your choice" if chosen else "the classifier's guess"
    return (f"Searched with digit **{inv.digit}** ({which}). Closeness of the reconstruction: pixels differ by "
            f"**{inv.pixel_error:.1%}** on average; the classifier's features agree to "
            f"**{inv.feature_similarity:.2f}** (cosine, 1 = identical).")
