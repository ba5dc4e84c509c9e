"""Gradio app: pick a digit and a seed, get a gallery of generated handwritten digits.

    python app.py                 # http://127.0.0.1:7860 (GRADIO_SERVER_NAME / GRADIO_SERVER_PORT override)
    python app.py --share         # also ask Gradio for a public link (or GRADIO_SHARE=1)

Weights: the Hub repo in $CGAN_MODEL_REPO (at $CGAN_MODEL_REVISION, if set), else the bundled weights/ folder.
"""

import argparse
import io
import logging
import os
import secrets
from pathlib import Path

import gradio as gr
import numpy as np
import torch
from PIL import Image

from model import DigitGenerator, GeneratorLoadError, explore, images
from model.explore import NUM_DIRECTIONS
from model.sampling import MAX_COUNT, SEED_LIMIT
from webapp.frontend import CSS, LINK_JS
from webapp.inputs import (
    RANDOM,
    CheckedSlider,
    link_number,
    parse_count,
    parse_digit,
    parse_psi,
    parse_seed,
    parse_seeds,
)
from webapp.queue_settings import MODEL_QUEUE, enable_queue
from webapp.served_files import ServedFiles

REPO_ENV, REVISION_ENV = "CGAN_MODEL_REPO", "CGAN_MODEL_REVISION"
BUNDLED_WEIGHTS = Path(__file__).parent / "weights"
MAX_BATCH = 64  # gallery size cap: keeps one request well under a second on a 2-core CPU
MAX_DATASET = MAX_COUNT  # /dataset cap: 10,000 digits take ~5 s on 2 cores and ~2 MB as .npz
SCALE = 4  # 28 px digits are shown (and downloaded) as 112 px, nearest-neighbour so pixels stay crisp
THREADS = int(os.environ.get("CGAN_THREADS", "2"))
DEFAULTS = {"digit": 7, "seed": "42", "count": 16, "psi": 1.0}  # the page opens with these unless its link differs
FILES = ServedFiles()  # images, GIFs and datasets are written once, named by what they hold, and served from there

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


def digits_for(digit: int | str, seed: int, count: int) -> list[int]:
    """Per-image digits; 'random' draws image i's digit from seed + i, so captions reproduce every image."""
    if digit != RANDOM:
        return [digit] * count
    return [int(np.random.default_rng([seed + i, 10]).integers(10)) for i in range(count)]


def upscale(img: np.ndarray) -> Image.Image:
    """A 28x28 uint8 digit as shown and downloaded: SCALE times larger, crisp."""
    return images.upscale(img, SCALE)


def psi_tag(psi: float) -> str:
    """File name part for a truncation other than the default 1."""
    # repr, not a rounded format: two different psi values must never share a file name (and so a file)
    return "" if psi == 1 else f"_psi{psi!r}"


def checked(digit, seed, count, psi, limit: int, what: str):
    """Validated inputs of /generate and /dataset: (digit as given, per-image digits, seed, psi)."""
    digit, seed, count, psi = parse_digit(digit), parse_seed(seed), parse_count(count, limit, what), parse_psi(psi)
    if seed + count > SEED_LIMIT:
        raise gr.Error(f"Seed + {what.lower()} - 1 must be below 2**63; lower the seed or the {what.lower()}.")
    return digit, digits_for(digit, seed, count), seed, psi


def generate(digit, seed, count, psi=1.0) -> list[tuple[str, str]]:
    """Gallery items (upscaled PNG 'digitD_seedS.png', caption 'digit D · seed S') for the app and /generate."""
    _, digits, seed, psi = checked(digit, seed, count, psi, MAX_BATCH, "Batch size")
    names = [f"digit{d}_seed{seed + i}{psi_tag(psi)}.png" for i, d in enumerate(digits)]
    paths = FILES.serve(names, lambda: map(upscale, GENERATOR.generate(digits, seed=seed, psi=psi)))  # inference_mode
    return [(path, f"digit {d} · seed {seed + i}") for i, (path, d) in enumerate(zip(paths, digits, strict=True))]


def dataset(digit, seed, count, psi=1.0) -> str:
    """An .npz of `count` labelled 28x28 digits (images, labels, seeds) for the app and the /dataset API."""
    digit, digits, seed, psi = checked(digit, seed, count, psi, MAX_DATASET, "Dataset size")

    def make():
        buffer = io.BytesIO()  # plain arrays only, so np.load needs no pickle
        np.savez_compressed(buffer, images=GENERATOR.generate(digits, seed=seed, psi=psi),
                            labels=np.array(digits, dtype=np.int64),
                            seeds=np.arange(seed, seed + len(digits), dtype=np.int64))
        return [buffer.getvalue()]
    return FILES.serve([f"digits_{digit}_seed{seed}_count{len(digits)}{psi_tag(psi)}.npz"], make)[0]


def style_row(seeds, psi=1.0) -> list[tuple[str, str]]:
    """Digits 0-9 in each seed's handwriting (one latent per seed, class varied), for the app and /style_row."""
    seeds, psi = parse_seeds(seeds), parse_psi(psi)
    names = [f"style_seed{seed}_digit{d}{psi_tag(psi)}.png" for seed in seeds for d in range(10)]
    paths = FILES.serve(names, lambda: map(upscale, explore.style_grid(GENERATOR, seeds, psi)))
    return [(path, f"digit {i % 10} · seed {seeds[i // 10]}") for i, path in enumerate(paths)]


def morph(digit_a, seed_a, digit_b, seed_b, frames, psi=1.0) -> tuple[list[tuple[str, str]], str]:
    """Frames from (digit_a, seed_a) to (digit_b, seed_b) and the path of an animated GIF, for the app and /morph."""
    start, end = (parse_digit(digit_a, allow_random=False), parse_seed(seed_a)), \
        (parse_digit(digit_b, allow_random=False), parse_seed(seed_b))
    frames, psi = parse_count(frames, explore.MAX_FRAMES, "Frames", low=2), parse_psi(psi)
    name = f"morph_digit{start[0]}_seed{start[1]}_to_digit{end[0]}_seed{end[1]}_{frames}frames{psi_tag(psi)}"

    def make():
        frames_drawn = explore.morph(GENERATOR, start, end, frames, psi)
        # the GIF is shown large, like /explore
        return [images.to_gif(frames_drawn, scale=2 * SCALE), *map(upscale, frames_drawn)]
    gif_path, *paths = FILES.serve([f"{name}.gif"] + [f"{name}_frame{i + 1}.png" for i in range(frames)], make)
    return [(path, f"frame {i + 1}/{frames}") for i, path in enumerate(paths)], gif_path


def explore_latent(digit, seed, *offsets_and_psi) -> str:
    """Path of one digit with its latent moved along the fixed directions, for the sliders and /explore."""
    *offsets, psi = offsets_and_psi
    digit, seed, psi = parse_digit(digit, allow_random=False), parse_seed(seed), parse_psi(psi)
    try:
        offsets = [float(o) for o in offsets]
        name = f"explore_digit{digit}_seed{seed}_offsets{'_'.join(map(repr, offsets))}{psi_tag(psi)}.png"
        # a served file like every other output: capped with them, instead of piling up in Gradio's cache

        def make():
            return [images.upscale(explore.explore(GENERATOR, digit, seed, offsets, psi)[0], 2 * SCALE)]
        return FILES.serve([name], make)[0]
    except (ValueError, TypeError) as e:
        raise gr.Error(f"Sliders: {e}.") from None


def random_seed() -> str:
    """A fresh seed for the seed box (32 bits: short enough to note down)."""
    return str(secrets.randbelow(2**32))


def open_link(request: gr.Request):
    """Controls and gallery for a page opened as ?digit=3&seed=2024&count=6&psi=0.8 (any of them): a shared link
    shows the same digits. A bad value is named in a warning and the control keeps its default."""
    params = dict(request.query_params) if request is not None else {}
    values = dict(DEFAULTS)
    checks = {"digit": parse_digit, "seed": lambda v: str(parse_seed(v)),
              "count": lambda v: parse_count(link_number(v), MAX_BATCH), "psi": lambda v: parse_psi(link_number(v))}
    for name, check in checks.items():
        if name in params:
            try:
                values[name] = check(params[name])
            except gr.Error as e:
                gr.Warning(f"Link parameter {name}={params[name][:40]!r} ignored: {e.message}")
    try:
        gallery = generate(**values)
    except gr.Error as e:  # each value is fine alone, not together (seed + count past 2**63): open on defaults
        gr.Warning(f"Link ignored: {e.message}")
        values, gallery = DEFAULTS, generate(**DEFAULTS)
    return *values.values(), gallery


DIGITS = [(str(d), d) for d in range(10)]


def psi_slider(elem_id: str) -> CheckedSlider:
    return CheckedSlider(0, 1, value=1, step=0.05, label="Truncation ψ (lower: cleaner, less varied)", elem_id=elem_id)


with gr.Blocks(title="Handwritten digit GAN") as demo:
    gr.Markdown("# Handwritten digit generator\nA class-conditional GAN trained on MNIST. "
                "Pick a digit and a seed: the same pair always draws the same digit.")
    with gr.Tab("Generate"):
        with gr.Row():
            with gr.Column(scale=1, min_width=280):
                digit_in = gr.Radio(DIGITS + [("random", RANDOM)], value=DEFAULTS["digit"], label="Digit",
                                    elem_id="digit")
                with gr.Row():
                    seed_in = gr.Textbox(value=DEFAULTS["seed"], label="Seed", max_lines=1, elem_id="seed", scale=3)
                    random_btn = gr.Button("Random seed", elem_id="random-seed", scale=1)
                count_in = CheckedSlider(1, MAX_BATCH, value=DEFAULTS["count"], step=1, label="Batch size",
                                         elem_id="count")
                psi_in = psi_slider("psi")
                generate_btn = gr.Button("Generate", variant="primary", elem_id="generate")
                with gr.Accordion("Download many as a dataset (.npz)", open=False):
                    dataset_count = CheckedSlider(1, MAX_DATASET, value=1000, step=1,
                                                  label="How many (seeds from the seed up)", elem_id="dataset-count")
                    dataset_btn = gr.Button("Make dataset", elem_id="dataset-make")
                    dataset_file = gr.File(label="images (N, 28, 28) uint8, labels, seeds", elem_id="dataset-file")
                gr.Markdown(WEIGHTS_NOTE, elem_id="weights-note")
            with gr.Column(scale=2):
                gallery = gr.Gallery(label="Generated digits", format="png", columns=5, height="auto",
                                     object_fit="contain", buttons=["download", "fullscreen"], elem_id="gallery",
                                     elem_classes="digits")
    with gr.Tab("Same handwriting"):
        gr.Markdown("Each row keeps one seed's latent (its handwriting) and changes only the digit.")
        with gr.Row():
            style_seeds_in = gr.Textbox(value="0-3", label="Seeds (e.g. 7, or 1, 5, 9, or 0-3)", max_lines=1,
                                        elem_id="style-seeds")
            style_psi_in = psi_slider("style-psi")
            style_btn = gr.Button("Draw", variant="primary", elem_id="style-draw")
        style_gallery = gr.Gallery(label="Digits 0-9 per seed", format="png", columns=10, height="auto",
                                   elem_id="style-gallery", elem_classes="digits")
    with gr.Tab("Morph"):
        gr.Markdown("Turn one (digit, seed) into another: spherical interpolation of the latent, "
                    "linear interpolation of the class embedding.")
        with gr.Row():
            morph_digit_a = gr.Dropdown(DIGITS, value=3, label="From digit", elem_id="morph-digit-a")
            morph_seed_a = gr.Textbox(value="1", label="From seed", max_lines=1, elem_id="morph-seed-a")
            morph_digit_b = gr.Dropdown(DIGITS, value=8, label="To digit", elem_id="morph-digit-b")
            morph_seed_b = gr.Textbox(value="2", label="To seed", max_lines=1, elem_id="morph-seed-b")
        with gr.Row():
            morph_frames = CheckedSlider(2, explore.MAX_FRAMES, value=16, step=1, label="Frames",
                                         elem_id="morph-frames")
            morph_psi = psi_slider("morph-psi")
            morph_btn = gr.Button("Morph", variant="primary", elem_id="morph-go")
        with gr.Row():
            morph_gif = gr.Image(label="Animation", type="filepath", format="gif", elem_id="morph-gif", scale=1,
                                 height=300, elem_classes="digits")
            morph_gallery = gr.Gallery(label="Frames", format="png", columns=8, height="auto", elem_id="morph-gallery",
                                       elem_classes="digits", scale=3)
    with gr.Tab("Explore"):
        gr.Markdown(f"Move one digit's latent along {NUM_DIRECTIONS} fixed directions; the image follows the sliders.")
        with gr.Row():
            with gr.Column():
                explore_digit = gr.Dropdown(DIGITS, value=5, label="Digit", elem_id="explore-digit")
                explore_seed = gr.Textbox(value="0", label="Seed", max_lines=1, elem_id="explore-seed")
                sliders = [CheckedSlider(-explore.MAX_OFFSET, explore.MAX_OFFSET, value=0, step=0.1,
                                     label=f"Direction {k + 1}", elem_id=f"direction-{k + 1}")
                           for k in range(NUM_DIRECTIONS)]
                explore_psi = psi_slider("explore-psi")
            explore_image = gr.Image(label="Digit", type="filepath", format="png", elem_id="explore-image",
                                     elem_classes="digits", height=300)

    # "minimal" progress: the last result stays visible while the next one is made (no blank flash on every
    # click or slider step) and after an error, which shows as a message instead of blanking the gallery
    SHOWN = dict(MODEL_QUEUE, show_progress="minimal")
    inputs = [digit_in, seed_in, count_in, psi_in]
    for made in (generate_btn.click(generate, inputs, gallery, api_name="generate", **SHOWN),
                 seed_in.submit(generate, inputs, gallery, api_visibility="private", **SHOWN),
                 random_btn.click(random_seed, None, seed_in, api_visibility="private").then(
                     generate, inputs, gallery, api_visibility="private", **SHOWN)):
        made.success(None, inputs, None, js=LINK_JS, api_visibility="private")  # in the browser only
    # the page never opens empty: it shows what its link asks for (?digit=3&seed=2024...), else the defaults
    demo.load(open_link, None, [*inputs, gallery], api_visibility="private", **SHOWN)
    dataset_btn.click(dataset, [digit_in, seed_in, dataset_count, psi_in], dataset_file, api_name="dataset",
                      **MODEL_QUEUE)
    style_btn.click(style_row, [style_seeds_in, style_psi_in], style_gallery, api_name="style_row", **SHOWN)
    morph_btn.click(morph, [morph_digit_a, morph_seed_a, morph_digit_b, morph_seed_b, morph_frames, morph_psi],
                    [morph_gallery, morph_gif], api_name="morph", **SHOWN)
    explore_inputs = [explore_digit, explore_seed, *sliders, explore_psi]
    gr.on([c.change for c in explore_inputs], explore_latent, explore_inputs, explore_image, api_name="explore",
          trigger_mode="always_last", **SHOWN)
    # fill the other tabs on page load too, so none opens empty
    demo.load(style_row, [style_seeds_in, style_psi_in], style_gallery, api_visibility="private", **SHOWN)
    demo.load(explore_latent, explore_inputs, explore_image, api_visibility="private", **SHOWN)

enable_queue(demo)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--share", action="store_true", default=os.environ.get("GRADIO_SHARE", "") in ("1", "true", "True"))
    args = p.parse_args()
    demo.launch(server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
                server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")), share=args.share, css=CSS)


if __name__ == "__main__":
    main()
