"""Model card (README.md) for a generator folder, built from its config.json, training.json and metrics.json.

    python -m model.card weights        # regenerate weights/README.md
"""

import argparse
import json
from pathlib import Path

from huggingface_hub import ModelCard, ModelCardData

from .atomic import atomic_path
from .evaluate import format_table
from .metadata import DATASETS, GENERATOR_TAGS, LIBRARY_NAME, LICENSE, MIXIN_TAGS, PIPELINE_TAG
from .networks import DigitGenerator, GeneratorConfig

TAGS = GENERATOR_TAGS + [LIBRARY_NAME] + MIXIN_TAGS

METRICS_NOTE = """Every figure is measured under two MNIST classifiers trained independently by this project (different
architecture, seed and augmentation), so that a gain tuned to one judge alone shows: judge A, a VGG-style CNN
(`model/assets/mnist_classifier`), and judge B, a small ResNet (`model/assets/mnist_classifier_b`).
Distances use each judge's penultimate features. Precision (are the samples realistic?) and recall (is the real
variety covered?) are k-nearest-neighbour estimates (Kynkäänniemi et al. 2019) against as many test images as
samples. {floor} `python -m model.evaluate FOLDER` reproduces every number (docs/evaluation.md in the
project repository)."""

TEMPLATE = """---
{{ card_data }}
---

# Conditional GAN for handwritten digits (MNIST)

A class-conditional GAN that draws a 28x28 handwritten digit (0-9) of your choice from a seed.
The same digit and seed give the same image on every run and machine.

![One row per digit, seeds 0-9](samples.png)
{{ overview }}

## Use it from Python

```python
from model import DigitGenerator  # the model/ package of the project repository
G = DigitGenerator.from_pretrained("{{ repo_id }}")  # add revision="<commit sha>" to pin a version
images = G.generate(digit=7, seed=42, count=16)  # numpy uint8, (16, 28, 28), white digit on black
```

## Use it from the app's API

```python
from gradio_client import Client
client = Client("http://127.0.0.1:7860/")  # or the Space id
gallery = client.predict(7, "42", 16, api_name="/generate")  # digit, seed, count
print([item["image"] for item in gallery])
```

## Evaluation

{{ metrics_table }}

{{ metrics_note }}

## Training

```
{{ command }}
```

{{ training_line }}

Architecture: generator with class-conditional BatchNorm (latent {{ z_dim }}-d, width {{ channels }} at 7x7,
{{ params }} parameters{{ attention }}), {{ output }};
{{ discriminator }};
{{ losses }}; EMA of the generator weights.

```json
{{ config_json }}
```
"""


def card_data() -> ModelCardData:
    """YAML metadata of every generator card."""
    return ModelCardData(license=LICENSE, library_name=LIBRARY_NAME, tags=TAGS, datasets=DATASETS,
                         pipeline_tag=PIPELINE_TAG)


def losses_line(args: dict) -> str:
    """The losses a run trained with, from its training.json args (older records lack the newer fields)."""
    line = "hinge loss" if args.get("gan_loss", "hinge") == "hinge" else "non-saturating logistic loss"
    if args.get("r1"):
        line += f", R1 penalty (gamma {args['r1']}) on D at real images"
    if args.get("d_steps", 1) > 1:
        line += f", {args['d_steps']} D updates per G update"
    if args.get("rarity_weight"):
        line += f", realness terms weighted by rarity (alpha {args['rarity_weight']}, real and fake alike)"
    if "aux_weight_g" in args:
        line += f", auxiliary-classifier weight {args['aux_weight_g']} on G"
        if args.get("twin_classifier"):
            line += " (less a twin classifier's on the fakes, TAC-GAN)"
    if args.get("mode_seeking"):
        line += f", mode-seeking term (MSGAN) weight {args['mode_seeking']} on G"
    return line


def discriminator_line(args: dict) -> str:
    """The discriminator a run trained with, from its training.json args (older records lack d_pooling: "sum")."""
    line = "spectral-norm projection discriminator with an auxiliary classifier trained on real images"
    if "d_channels" in args:
        line += f" (width {args['d_channels']} at 14x14"
        if args.get("d_pooling", "sum") == "linear":
            line += "; its last 3x3 map read by a linear layer that weighs each position, not summed"
        if args.get("twin_classifier"):
            line += "; a twin classifier head learns the fakes' requested digits"
        if args.get("d_minibatch_std"):
            line += f"; a minibatch-stddev channel (ProGAN) weighted {args['d_minibatch_std']}"
        line += ")"
    return line


def output_text(config: GeneratorConfig) -> str:
    """How the generator's last layer makes pixels, as the card says it."""
    if config.output_gain == 1:
        return "tanh output"
    if config.output_gain < 1:  # nothing reaches the clipping
        return f"tanh output times {config.output_gain:g}"
    return f"tanh output times {config.output_gain:g} clipped to [-1, 1], for an exactly black background"


def floor_sentence(metrics: dict | None) -> str:
    """How the metrics' real floor was drawn: metrics.json files from before 2026-12-04 used one plain draw."""
    judges = (metrics or {}).get("judges") or {}
    draws = next(iter(judges.values()), {}).get("real_floor_draws")
    if draws:
        return (f"The real floor is the same measure for real training images drawn as the samples are (as many of "
                f"each digit), averaged over {draws} random draws: what a perfect generator would score.")
    return ("The real floor is the same measure for as many real training images (one random draw): about what a "
            "perfect generator would score.")


def counted(n: int, noun: str) -> str:
    """'1 thread', '2 threads'."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def build_card(folder: str | Path, repo_id: str = "weights") -> ModelCard:
    """The model card for a saved generator folder (metrics and training info are optional)."""
    folder = Path(folder)
    config = json.loads((folder / "config.json").read_text())
    training = json.loads((folder / "training.json").read_text()) if (folder / "training.json").exists() else {}
    metrics = json.loads((folder / "metrics.json").read_text()) if (folder / "metrics.json").exists() else None
    generator = DigitGenerator(GeneratorConfig(**config))
    params = sum(p.numel() for p in generator.parameters())
    training_line = (f"{training['steps']:,} steps ({counted(training['epochs'], 'epoch')}) in "
                     f"{training['wall_clock_s'] / 60:.1f} minutes on {training['device']} "
                     f"with {counted(training['threads'], 'thread')}." if training else "")
    return ModelCard.from_template(
        card_data(), template_str=TEMPLATE, repo_id=repo_id,
        metrics_table=format_table(metrics) if metrics else "Not evaluated yet: run `python -m model.evaluate`.",
        metrics_note=METRICS_NOTE.format(floor=floor_sentence(metrics)),
        overview="\nTraining progress, one column per epoch (seed 0 of each digit):\n\n![Across epochs](overview.png)\n"
                 if (folder / "overview.png").exists() else "",
        command=training.get("command", "python train_cgan.py --preset full"), training_line=training_line,
        losses=losses_line(training.get("args", {})), discriminator=discriminator_line(training.get("args", {})),
        z_dim=config["z_dim"], channels=config["channels"], params=f"{params:,}", output=output_text(generator.config),
        attention="; a self-attention block at 14x14" if generator.config.attention else "",
        config_json=json.dumps(config, indent=2))


def write_card(folder: str | Path, repo_id: str = "weights") -> Path:
    """Write folder/README.md atomically and return its path."""
    path = Path(folder) / "README.md"
    card = build_card(folder, repo_id)
    with atomic_path(path) as tmp:
        Path(tmp).write_text(str(card), encoding="utf-8")
    return path


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("folder")
    p.add_argument("--repo-id", default="weights", help="name shown in the usage snippet")
    args = p.parse_args(argv)
    print(f"wrote {write_card(args.folder, args.repo_id)}")


if __name__ == "__main__":
    main()
