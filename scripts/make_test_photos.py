"""Write the project's own test photos to a folder, to try the "Your handwriting" tab or /from_drawing by hand.

    python -m scripts.make_test_photos [folder]     # from the repository root; default artifacts/test_photos

MNIST test digits written in ink or faint pencil on textured paper, lit unevenly and seen at an angle (the same
photos the tests use)."""

import sys
from pathlib import Path

from model.data import load_mnist
from tests.photos import photo

ROOT = Path(__file__).resolve().parent.parent

KINDS = {"ink": dict(ink=0.8, darkest=0.45), "pencil": dict(ink=0.25, darkest=0.5),
         "pencil_shadow": dict(ink=0.25, darkest=0.3)}


def main():
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "artifacts" / "test_photos"
    folder.mkdir(parents=True, exist_ok=True)
    images, labels = load_mnist(train=False)
    for i in range(10):
        for kind, options in KINDS.items():
            path = folder / f"digit{int(labels[i])}_test{i}_{kind}.jpg"
            path.write_bytes(photo(images[i].numpy(), seed=i, **options))
    print(f"wrote {10 * len(KINDS)} photos to {folder}")


if __name__ == "__main__":
    main()
