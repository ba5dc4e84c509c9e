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

from model import DigitGenerator, GeneratorLoadError, images
from model import explore as latent_walks
from model.explore import NUM_DIRECTIONS
from model.sampling import MAX_COUNT, SEED_LIMIT
from webapp import texts
from webapp.api_blocks import DefaultingBlocks
from webapp.frontend import AFTER_GENERATE_JS, CSS, IMAGE_BUTTONS, PAGE_JS, SPACE_ID, copy_link_js
from webapp.handwriting_tab import HandwritingTab
from webapp.inputs import (
    MAX_SEED,
    RANDOM,
    CheckedSlider,
    DigitDropdown,
    DigitRadio,
    SeedBox,
    link_number,
    parse_count,
    parse_digit,
    parse_psi,
    parse_seed,
    parse_seeds,
    refuse,
)
from webapp.mcp_images import use_image_results
from webapp.queue_settings import MODEL_QUEUE, enable_queue
from webapp.served_files import ServedFiles, zip_of

REPO_ENV, REVISION_ENV = "CGAN_MODEL_REPO", "CGAN_MODEL_REVISION"
BUNDLED_WEIGHTS = Path(__file__).parent / "weights"
MAX_BATCH = 64  # gallery size cap: keeps one request well under a second on a 2-core CPU
MAX_DATASET = MAX_COUNT  # /dataset cap: 10,000 digits take ~5 s on 2 cores and ~2 MB as .npz
SCALE = 4  # 28 px digits are shown (and downloaded) as 112 px, nearest-neighbour so pixels stay crisp
THREADS = int(os.environ.get("CGAN_THREADS", "2"))
DEFAULTS = {"digit": 7, "seed": "42", "count": 16, "psi": 1.0}  # the page opens with these unless its link differs
FILES = ServedFiles()  # images, GIFs and datasets are written once, named by what they hold, and served from there
if NUM_DIRECTIONS != 4:  # explore() names one parameter per direction
    raise RuntimeError(f"app.explore has 4 direction parameters, the model has {NUM_DIRECTIONS} directions")

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
HANDWRITING = HandwritingTab(GENERATOR, FILES, SCALE)  # the "Your handwriting" tab and /from_drawing


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


def checked(digit, seed, count, psi, limit: int, kind: str):
    """Validated inputs of /generate and /dataset: (digit as given, per-image digits, seed, psi)."""
    digit, seed = parse_digit(digit, param="digit"), parse_seed(seed, param="seed")
    count, psi = parse_count(count, limit, kind, param="count"), parse_psi(psi)
    if seed + count > SEED_LIMIT:
        refuse(f"Seed {seed} is too large for {count} digits: digit i uses seed + i, and the last seed "
               f"({seed + count - 1}) must be at most {MAX_SEED}. Lower the seed or the {kind.lower()}.")
    return digit, digits_for(digit, seed, count), seed, psi


def generate(digit: int | str, seed: int | str, count: int = 16, psi: float = 1.0) -> list[tuple[str, str]]:
    """Draw handwritten digits with a GAN trained on MNIST: `count` images, image i from seed + i.

    The same digit, seed and psi always give exactly the same pixels, so a (digit, seed) pair names one image.
    Each image is a 112x112 greyscale PNG (a 28x28 digit shown 4x larger) named like digit7_seed42.png.

    Args:
        digit: The digit to draw, 0-9, as a number or as text ("7"); or "random" for a random digit per image.
        seed: A whole number from 0 to 9223372036854775807 (text or number) that picks the handwriting style.
        count: How many images to draw, a whole number from 1 to 64; image i uses seed + i.
        psi: Truncation from 0 to 1: 1 gives the full variety of handwriting, lower gives neater, more alike digits.

    Returns:
        A list of (image file, caption) pairs, one per image; the caption reads "digit 7 · seed 42".
    """
    _, digits, seed, psi = checked(digit, seed, count, psi, MAX_BATCH, "Batch size")
    names = [f"digit{d}_seed{seed + i}{psi_tag(psi)}.png" for i, d in enumerate(digits)]
    paths = FILES.serve(names, lambda: map(upscale, GENERATOR.generate(digits, seed=seed, psi=psi)))  # inference_mode
    return [(path, f"digit {d} · seed {seed + i}") for i, (path, d) in enumerate(zip(paths, digits, strict=True))]


def dataset(digit: int | str, seed: int | str, count: int = 1000, psi: float = 1.0) -> str:
    """Make a labelled dataset of generated digits: one .npz file of `count` 28x28 images, image i from seed + i.

    The file holds three NumPy arrays: images (count, 28, 28) uint8, labels (count,) int64 and seeds (count,) int64;
    load it with numpy.load(path) (no pickle needed). Entry i is the image /generate draws for (labels[i], seeds[i]).

    Args:
        digit: The digit to draw, 0-9, as a number or as text ("7"); or "random" for a random digit per image.
        seed: A whole number from 0 to 9223372036854775807 (text or number): the first image's seed.
        count: How many images, a whole number from 1 to 10000; image i uses seed + i.
        psi: Truncation from 0 to 1: 1 gives the full variety of handwriting, lower gives neater, more alike digits.

    Returns:
        The .npz file, named like digits_7_seed42_count1000.npz.
    """
    digit, digits, seed, psi = checked(digit, seed, count, psi, MAX_DATASET, "Dataset size")

    def make():
        buffer = io.BytesIO()  # plain arrays only, so np.load needs no pickle
        np.savez_compressed(buffer, images=GENERATOR.generate(digits, seed=seed, psi=psi),
                            labels=np.array(digits, dtype=np.int64),
                            seeds=np.arange(seed, seed + len(digits), dtype=np.int64))
        return [buffer.getvalue()]
    return FILES.serve([f"digits_{digit}_seed{seed}_count{len(digits)}{psi_tag(psi)}.npz"], make)[0]


def style_row(seeds: str | int, psi: float = 1.0) -> list[tuple[str, str]]:
    """Write all ten digits 0-9 in the same handwriting: one row of ten images per seed.

    A seed fixes a handwriting style; here only the digit changes along a row. Digit d of seed s is the same
    image /generate draws for digit d and seed s.

    Args:
        seeds: Up to 16 seeds as text: one ("7"), a comma list ("1, 5, 9") or a range ("0-3"); or one whole number.
        psi: Truncation from 0 to 1: 1 gives the full variety of handwriting, lower gives neater, more alike digits.

    Returns:
        A list of (image file, caption) pairs, ten per seed in digit order; captions read "digit 3 · seed 7".
    """
    seeds, psi = parse_seeds(seeds), parse_psi(psi)
    names = [f"style_seed{seed}_digit{d}{psi_tag(psi)}.png" for seed in seeds for d in range(10)]
    paths = FILES.serve(names, lambda: map(upscale, latent_walks.style_grid(GENERATOR, seeds, psi)))
    return [(path, f"digit {i % 10} · seed {seeds[i // 10]}") for i, path in enumerate(paths)]


def morph(digit_a: int | str, seed_a: int | str, digit_b: int | str, seed_b: int | str, frames: int = 16,
          psi: float = 1.0) -> tuple[list[tuple[str, str]], str]:
    """Animate one handwritten digit turning smoothly into another, as frames and as an animated GIF.

    The first frame is /generate's image for (digit_a, seed_a), the last one /generate's image for (digit_b, seed_b).

    Args:
        digit_a: The starting digit, 0-9, as a number or as text ("3").
        seed_a: The starting handwriting: a whole number from 0 to 9223372036854775807 (text or number).
        digit_b: The final digit, 0-9, as a number or as text ("8").
        seed_b: The final handwriting: a whole number from 0 to 9223372036854775807 (text or number).
        frames: How many frames, a whole number from 2 to 64, both ends included.
        psi: Truncation from 0 to 1: 1 gives the full variety of handwriting, lower gives neater, more alike digits.

    Returns:
        The frames as (image file, caption "frame 1/16") pairs, and the animated GIF file.
    """
    start = parse_digit(digit_a, False, param="digit_a"), parse_seed(seed_a, "From seed", "seed_a")
    end = parse_digit(digit_b, False, param="digit_b"), parse_seed(seed_b, "To seed", "seed_b")
    frames, psi = parse_count(frames, latent_walks.MAX_FRAMES, "Frames", low=2, param="frames"), parse_psi(psi)
    name = f"morph_digit{start[0]}_seed{start[1]}_to_digit{end[0]}_seed{end[1]}_{frames}frames{psi_tag(psi)}"

    def make():
        frames_drawn = latent_walks.morph(GENERATOR, start, end, frames, psi)
        # the GIF is shown large, like /explore
        return [images.to_gif(frames_drawn, scale=2 * SCALE), *map(upscale, frames_drawn)]
    gif_path, *paths = FILES.serve([f"{name}.gif"] + [f"{name}_frame{i + 1}.png" for i in range(frames)], make)
    return [(path, f"frame {i + 1}/{frames}") for i, path in enumerate(paths)], gif_path


def explore(digit: int | str, seed: int | str, direction_1: float = 0.0, direction_2: float = 0.0,
            direction_3: float = 0.0, direction_4: float = 0.0, psi: float = 1.0) -> str:
    """Change one digit's handwriting gradually: move it along four fixed directions of style and draw it.

    With every direction at 0 the image is /generate's image for (digit, seed). Each direction changes the
    handwriting in its own way (thickness, slant, shape...), more the further from 0; the digit stays the same.

    Args:
        digit: The digit to draw, 0-9, as a number or as text ("5").
        seed: A whole number from 0 to 9223372036854775807 (text or number) that picks the starting handwriting.
        direction_1: How far to move along direction 1, a number from -3 to 3 (0: no change).
        direction_2: How far to move along direction 2, a number from -3 to 3 (0: no change).
        direction_3: How far to move along direction 3, a number from -3 to 3 (0: no change).
        direction_4: How far to move along direction 4, a number from -3 to 3 (0: no change).
        psi: Truncation from 0 to 1: 1 gives the full variety of handwriting, lower gives neater, more alike digits.

    Returns:
        One 224x224 greyscale PNG file of the digit.
    """
    digit, seed = parse_digit(digit, False, param="digit"), parse_seed(seed, param="seed")
    offsets, psi = [direction_1, direction_2, direction_3, direction_4], parse_psi(psi)
    try:
        offsets = [float(o) for o in offsets]
        name = f"explore_digit{digit}_seed{seed}_offsets{'_'.join(map(repr, offsets))}{psi_tag(psi)}.png"
        # a served file like every other output: capped with them, instead of piling up in Gradio's cache

        def make():
            return [images.upscale(latent_walks.explore(GENERATOR, digit, seed, offsets, psi)[0], 2 * SCALE)]
        return FILES.serve([name], make)[0]
    except (ValueError, TypeError) as e:  # the model's own check of all four at once
        refuse(f"Directions (direction_1 to direction_4): {e}.")


def gallery_zip(digit, seed, count, psi=1.0) -> str:
    """The gallery /generate draws for these inputs as one .zip of its named PNGs ("Download all")."""
    paths = [path for path, _ in generate(digit, seed, count, psi)]  # served already, so nothing is drawn
    digit, _, seed, psi = checked(digit, seed, count, psi, MAX_BATCH, "Batch size")
    name = f"digits_{digit}_seed{seed}_count{len(paths)}{psi_tag(psi)}.zip"
    return FILES.serve([name], lambda: [zip_of(paths)])[0]


def random_seed() -> str:
    """A fresh seed for the seed box (32 bits: short enough to note down)."""
    return str(secrets.randbelow(2**32))


def open_link(request: gr.Request):
    """Controls and gallery for a page opened as ?digit=3&seed=2024&count=6&psi=0.8 (any of them): a shared link
    shows the same digits. A bad value is named in a warning and the control keeps its default."""
    params = dict(request.query_params) if request is not None else {}
    values = dict(DEFAULTS)
    checks = {"digit": parse_digit, "seed": lambda v: str(parse_seed(v)),
              "count": lambda v: parse_count(link_number(v), MAX_BATCH, param="count"),
              "psi": lambda v: parse_psi(link_number(v))}
    for name, check in checks.items():
        if name in params:
            try:
                values[name] = check(params[name])
            except gr.Error as e:
                gr.Warning(f"Link parameter {name}={params[name][:40]!r} ignored: {e.message}")
    try:
        gallery = generate(**values)
    except gr.Error as e:  # each value is fine alone, not together (seed + count too large): open on defaults
        gr.Warning(f"Link ignored: {e.message}")
        values, gallery = DEFAULTS, generate(**DEFAULTS)
    return *values.values(), gallery


DIGITS = [(str(d), d) for d in range(10)]


def psi_slider(elem_id: str) -> CheckedSlider:
    """A truncation slider, the API's `psi`."""
    return CheckedSlider(0, 1, value=1, step=0.05, label=texts.PSI_LABEL, elem_id=elem_id).named(
        "psi", "Truncation psi (ψ)")


def seed_box(value: str, label: str, elem_id: str, **kwargs) -> SeedBox:
    """A one-line seed box with the seed's plain-language help."""
    return SeedBox(value=value, label=label, max_lines=1, elem_id=elem_id, info=texts.SEED_INFO, **kwargs)


def intro(key: str) -> gr.Markdown:
    """A tab's one-sentence introduction."""
    return gr.Markdown(texts.INTRO[key], elem_classes="tab-intro")


# "minimal" progress: the last result stays visible while the next one is made (no blank flash on every click or
# slider step) and after an error, which shows as a message instead of blanking the gallery
SHOWN = dict(MODEL_QUEUE, show_progress="minimal")
QUIET = dict(MODEL_QUEUE, show_progress="hidden", api_visibility="private")


def generate_tab(demo: gr.Blocks) -> None:
    """The "Generate" tab: digit, seed, batch size and psi -> gallery, with its link, .zip and dataset actions."""
    with gr.Tab("Generate"):
        intro("generate")
        with gr.Row():
            with gr.Column(scale=1, min_width=280):
                digit_in = DigitRadio(DIGITS + [("random", RANDOM)], value=DEFAULTS["digit"], label="Digit",
                                      elem_id="digit")
                with gr.Row():
                    seed_in = seed_box(DEFAULTS["seed"], "Seed", "seed", scale=3)
                    random_btn = gr.Button("Random seed", elem_id="random-seed", scale=1)
                count_in = CheckedSlider(1, MAX_BATCH, value=DEFAULTS["count"], step=1, precision=0,
                                         label="Batch size", elem_id="count").named("count")
                psi_in = psi_slider("psi")
                generate_btn = gr.Button("Generate", variant="primary", elem_id="generate")
                with gr.Accordion("Download many as a dataset (.npz)", open=False):
                    dataset_count = CheckedSlider(1, MAX_DATASET, value=1000, step=1, precision=0,
                                                  label="How many", info=texts.DATASET_INFO,
                                                  elem_id="dataset-count").named("count", "Dataset size")
                    dataset_btn = gr.Button("Make dataset", elem_id="dataset-make")
                    dataset_file = gr.File(label="images (N, 28, 28) uint8, labels, seeds", elem_id="dataset-file")
            with gr.Column(scale=2, elem_id="gallery-column"):
                gallery = gr.Gallery(label="Generated digits", format="png", columns=8, height="auto",
                                     object_fit="contain", buttons=IMAGE_BUTTONS, elem_id="gallery",
                                     elem_classes="digits")
                with gr.Row(elem_id="gallery-actions"):
                    copy_btn = gr.Button("Copy link", size="sm", elem_id="copy-link", min_width=120)
                    zip_btn = gr.DownloadButton("Download all (.zip)", size="sm", elem_id="download-all",
                                                min_width=160)

    inputs = [digit_in, seed_in, count_in, psi_in]
    for made in (generate_btn.click(generate, inputs, gallery, api_name="generate", **SHOWN),
                 seed_in.submit(generate, inputs, gallery, api_visibility="private", **SHOWN),
                 random_btn.click(random_seed, None, seed_in, api_visibility="private").then(
                     generate, inputs, gallery, api_visibility="private", **SHOWN)):
        made.success(None, inputs, None, js=AFTER_GENERATE_JS, api_visibility="private")  # in the browser only
        made.success(gallery_zip, inputs, zip_btn, **QUIET)
    copy_btn.click(None, js=copy_link_js(f"https://huggingface.co/spaces/{SPACE_ID}" if SPACE_ID else None),
                   api_visibility="private")
    # the page never opens empty: it shows what its link asks for (?digit=3&seed=2024...), else the defaults
    demo.load(open_link, None, [*inputs, gallery], api_visibility="private", **SHOWN).success(
        gallery_zip, inputs, zip_btn, **QUIET)
    dataset_btn.click(dataset, [digit_in, seed_in, dataset_count, psi_in], dataset_file, api_name="dataset",
                      **MODEL_QUEUE)


def style_tab(demo: gr.Blocks) -> None:
    """The "Same handwriting" tab: seeds and psi -> digits 0-9 per seed."""
    with gr.Tab("Same handwriting"):
        intro("style")
        with gr.Row():
            seeds_in = seed_box("0-3", "Seeds (e.g. 7, or 1, 5, 9, or 0-3)", "style-seeds")
            seeds_in.many = True
            psi_in = psi_slider("style-psi")
            draw_btn = gr.Button("Draw", variant="primary", elem_id="style-draw")
        gallery = gr.Gallery(label="Digits 0-9 per seed", format="png", columns=10, height="auto",
                             buttons=IMAGE_BUTTONS, elem_id="style-gallery", elem_classes="digits")
    draw_btn.click(style_row, [seeds_in, psi_in], gallery, api_name="style_row", **SHOWN)
    demo.load(style_row, [seeds_in, psi_in], gallery, api_visibility="private", **SHOWN)  # no tab opens empty


def morph_tab(demo: gr.Blocks) -> None:
    """The "Morph" tab: two (digit, seed) ends, frames and psi -> the frames and their GIF."""
    with gr.Tab("Morph"):
        intro("morph")
        with gr.Row():
            digit_a = DigitDropdown(DIGITS, value=3, label="From digit", elem_id="morph-digit-a").named("digit_a")
            seed_a = seed_box("1", "From seed", "morph-seed-a")
            digit_b = DigitDropdown(DIGITS, value=8, label="To digit", elem_id="morph-digit-b").named("digit_b")
            seed_b = seed_box("8", "To seed", "morph-seed-b")  # the page opens on a clean 3 turning into a clean 8
        with gr.Row():
            frames = CheckedSlider(2, latent_walks.MAX_FRAMES, value=16, step=1, precision=0, label="Frames",
                                   elem_id="morph-frames").named("frames")
            psi_in = psi_slider("morph-psi")
            morph_btn = gr.Button("Morph", variant="primary", elem_id="morph-go")
        with gr.Row():
            gif = gr.Image(label="Animation", type="filepath", format="gif", elem_id="morph-gif", scale=1, height=300,
                           buttons=IMAGE_BUTTONS, elem_classes="digits")
            gallery = gr.Gallery(label="Frames", format="png", columns=8, height="auto", elem_id="morph-gallery",
                                 buttons=IMAGE_BUTTONS, elem_classes="digits", scale=3)
    inputs = [digit_a, seed_a, digit_b, seed_b, frames, psi_in]
    morph_btn.click(morph, inputs, [gallery, gif], api_name="morph", **SHOWN)
    demo.load(morph, inputs, [gallery, gif], api_visibility="private", **SHOWN)


def explore_tab(demo: gr.Blocks) -> None:
    """The "Explore" tab: a digit, a seed and four style-direction sliders -> one large digit, redrawn live."""
    with gr.Tab("Explore"):
        intro("explore")
        with gr.Row(elem_id="explore-row"):
            with gr.Column():
                digit_in = DigitDropdown(DIGITS, value=5, label="Digit", elem_id="explore-digit")
                seed_in = seed_box("0", "Seed", "explore-seed")
                sliders = [CheckedSlider(-latent_walks.MAX_OFFSET, latent_walks.MAX_OFFSET, value=0, step=0.1,
                                         label=f"Direction {k + 1}", elem_id=f"direction-{k + 1}").named(
                                             f"direction_{k + 1}") for k in range(NUM_DIRECTIONS)]
                psi_in = psi_slider("explore-psi")
            image = gr.Image(label="Digit", type="filepath", format="png", elem_id="explore-image",
                             buttons=IMAGE_BUTTONS, elem_classes="digits", height=300)
    inputs = [digit_in, seed_in, *sliders, psi_in]
    # redrawn on every change; "always_last" skips the values a dragged slider passed while one was being drawn
    gr.on([c.change for c in inputs], explore, inputs, image, api_name="explore", trigger_mode="always_last",
          **SHOWN)
    demo.load(explore, inputs, image, api_visibility="private", **SHOWN)


with DefaultingBlocks(title="Handwritten digit GAN") as demo:
    gr.Markdown(texts.TITLE)
    with gr.Accordion("What is this?", open=False, elem_id="what-is-this"):
        gr.Markdown(texts.WHAT_IS_THIS)
    # on a phone the five tab names take two lines instead of hiding three of them behind a "•••" menu
    with gr.Tabs(overflow_behavior="wrap"):
        generate_tab(demo)
        HANDWRITING.build(SHOWN)  # second: a first-time visitor sees it at once
        style_tab(demo)
        morph_tab(demo)
        explore_tab(demo)
    gr.Markdown(f"{texts.ABOUT} {WEIGHTS_NOTE}", elem_id="weights-note")

enable_queue(demo)
# what launch() adds to the page; Gradio 6 takes these in launch, not Blocks
PAGE = dict(css=CSS + HANDWRITING.css, js=PAGE_JS)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--share", action="store_true", default=os.environ.get("GRADIO_SHARE", "") in ("1", "true", "True"))
    args = p.parse_args()
    # one line per refused input (webapp.inputs.refuse), instead of Gradio's traceback for each
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    use_image_results()  # MCP tool results carry the digits as images (galleries included)
    demo.launch(server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
                server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")), share=args.share, mcp_server=True,
                **PAGE)


if __name__ == "__main__":
    main()
