"""Gradio app: pick a digit and a seed, get a gallery of generated handwritten digits.

    python app.py                 # http://127.0.0.1:7860 (GRADIO_SERVER_NAME / GRADIO_SERVER_PORT override)
    python app.py --share         # also ask Gradio for a public link (or GRADIO_SHARE=1)

Weights: the Hub repo in $CGAN_MODEL_REPO (at $CGAN_MODEL_REVISION, if set), else the bundled weights/ folder.
"""

import argparse
import logging
import os
import secrets
from pathlib import Path

import gradio as gr
import numpy as np
import torch
from PIL import Image

from model import DigitGenerator, GeneratorLoadError
from model.sampling import SEED_LIMIT

REPO_ENV, REVISION_ENV = "CGAN_MODEL_REPO", "CGAN_MODEL_REVISION"
BUNDLED_WEIGHTS = Path(__file__).parent / "weights"
MAX_BATCH = 64  # gallery size cap: keeps one request well under a second on a 2-core CPU
SCALE = 4  # 28 px digits are shown (and downloaded) as 112 px, nearest-neighbour so pixels stay crisp
THREADS = int(os.environ.get("CGAN_THREADS", "2"))
RANDOM = "random"

log = logging.getLogger("app")


def load_generator() -> tuple[DigitGenerator, str]:
    """The generator and a line saying where it came from: the configured Hub repo, else the bundled weights."""
    repo, revision = os.environ.get(REPO_ENV, "").strip(), os.environ.get(REVISION_ENV, "").strip() or None
    if repo:
        try:
            generator = DigitGenerator.from_pretrained(repo, revision=revision)
            return generator, f"Weights: Hub repo `{repo}` at revision `{revision or 'main'}`."
        except GeneratorLoadError as e:
            log.warning("could not load %s from the Hub, falling back to the bundled weights: %s", repo, e)
            return (DigitGenerator.from_pretrained(BUNDLED_WEIGHTS),
                    f"Weights: bundled `weights/`, because loading from the Hub failed. {e}")
    return DigitGenerator.from_pretrained(BUNDLED_WEIGHTS), "Weights: bundled `weights/`."


torch.set_num_threads(THREADS)
GENERATOR, WEIGHTS_NOTE = load_generator()


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


def parse_count(value) -> int:
    """Batch size 1..MAX_BATCH as int, else gr.Error."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) \
            or not 1 <= value <= MAX_BATCH:
        raise gr.Error(f"Batch size must be a whole number from 1 to {MAX_BATCH}, got {value!r}.")
    return int(value)


def parse_digit(value) -> int | str:
    """A digit 0-9 (int or numeric string) or 'random', else gr.Error."""
    if isinstance(value, str) and value.strip().lower() == RANDOM:
        return RANDOM
    text = str(value).strip()
    if isinstance(value, bool) or not (text.isascii() and text.isdigit()) or int(text) > 9:
        raise gr.Error(f"Digit must be 0-9 or 'random', got {value!r}.")
    return int(text)


def digits_for(digit: int | str, seed: int, count: int) -> list[int]:
    """Per-image digits; 'random' draws image i's digit from seed + i, so captions reproduce every image."""
    if digit != RANDOM:
        return [digit] * count
    return [int(np.random.default_rng([seed + i, 10]).integers(10)) for i in range(count)]


def generate(digit, seed, count) -> list[tuple[Image.Image, str]]:
    """Gallery items (upscaled PNG-ready image, caption 'digit D · seed S') for the app and the /generate API."""
    digit, seed, count = parse_digit(digit), parse_seed(seed), parse_count(count)
    if seed + count > SEED_LIMIT:
        raise gr.Error("Seed + batch size - 1 must be below 2**63; lower the seed or the batch size.")
    digits = digits_for(digit, seed, count)
    images = GENERATOR.generate(digits, seed=seed)  # (count, 28, 28) uint8, under torch.inference_mode
    return [(Image.fromarray(img).resize((28 * SCALE, 28 * SCALE), Image.NEAREST), f"digit {d} · seed {seed + i}")
            for i, (img, d) in enumerate(zip(images, digits))]


def random_seed() -> str:
    """A fresh seed for the seed box (32 bits: short enough to note down)."""
    return str(secrets.randbelow(2**32))


CSS = """
#gallery img { image-rendering: pixelated; }
footer { display: none !important; }
"""

with gr.Blocks(title="Handwritten digit GAN") as demo:
    gr.Markdown("# Handwritten digit generator\nA class-conditional GAN trained on MNIST. "
                "Pick a digit and a seed: the same pair always draws the same digit.")
    with gr.Row():
        with gr.Column(scale=1, min_width=280):
            digit_in = gr.Radio([(str(d), d) for d in range(10)] + [("random", RANDOM)], value=7, label="Digit",
                                elem_id="digit")
            with gr.Row():
                seed_in = gr.Textbox(value="42", label="Seed", max_lines=1, elem_id="seed", scale=3)
                random_btn = gr.Button("Random seed", elem_id="random-seed", scale=1)
            count_in = gr.Slider(1, MAX_BATCH, value=16, step=1, label="Batch size", elem_id="count")
            generate_btn = gr.Button("Generate", variant="primary", elem_id="generate")
            gr.Markdown(WEIGHTS_NOTE, elem_id="weights-note")
        with gr.Column(scale=2):
            gallery = gr.Gallery(label="Generated digits", format="png", columns=5, height="auto",
                                 object_fit="contain", buttons=["download", "fullscreen"], elem_id="gallery")

    inputs = [digit_in, seed_in, count_in]
    generate_btn.click(generate, inputs, gallery, api_name="generate", concurrency_limit=2, concurrency_id="generate")
    seed_in.submit(generate, inputs, gallery, api_visibility="private", concurrency_limit=2, concurrency_id="generate")
    random_btn.click(random_seed, None, seed_in, api_visibility="private").then(
        generate, inputs, gallery, api_visibility="private", concurrency_limit=2, concurrency_id="generate")
    # generate on page load, so the page never opens empty
    demo.load(generate, inputs, gallery, api_visibility="private", concurrency_id="generate")

demo.queue(max_size=256)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--share", action="store_true", default=os.environ.get("GRADIO_SHARE", "") in ("1", "true", "True"))
    args = p.parse_args()
    demo.launch(server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
                server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")), share=args.share, css=CSS)


if __name__ == "__main__":
    main()
