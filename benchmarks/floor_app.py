"""Gradio's own cost per request: app.py's /generate API and queue settings, with no model and no image work.

    python -m benchmarks.load_test --app benchmarks/floor_app.py            # a gallery of ready-made PNGs
    python -m benchmarks.load_test --app "benchmarks/floor_app.py --json"   # the captions only, no files

app.py cannot answer faster than this under the same load on the same machine, so it tells which latency
targets any Gradio app could meet here.
"""

import argparse
import os

import gradio as gr
import numpy as np
from PIL import Image

from webapp.queue_settings import MODEL_QUEUE, enable_queue
from webapp.served_files import ServedFiles

MAX_BATCH = 64


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", action="store_true", help="return the captions as JSON instead of a gallery of PNGs")
    args = p.parse_args()

    # written once, the way app.py serves its images (static folder, 112 px PNGs), then handed out again and again
    files = ServedFiles()
    square = np.zeros((112, 112), np.uint8)
    square[28:84, 28:84] = 255
    paths = [files.write(Image.fromarray(square), f"ready{i}.png") for i in range(MAX_BATCH)]

    def generate(digit, seed, count, psi=1.0):
        """Captions like app.py's for `count` images, with ready-made files when returning a gallery."""
        captions = [f"digit {digit} · seed {int(seed) + i}" for i in range(int(count))]
        return captions if args.json else list(zip(paths[: len(captions)], captions, strict=True))

    with gr.Blocks() as demo:
        inputs = [gr.Radio(list(range(10)), value=7), gr.Textbox("42"), gr.Slider(1, MAX_BATCH, 16, step=1),
                  gr.Slider(0, 1, 1)]
        output = gr.JSON() if args.json else gr.Gallery(format="png")
        gr.Button().click(generate, inputs, output, api_name="generate", **MODEL_QUEUE)
    port = int(os.environ.get("GRADIO_SERVER_PORT", 7860))
    enable_queue(demo).launch(server_name="127.0.0.1", server_port=port)


if __name__ == "__main__":
    main()
