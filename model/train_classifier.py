"""Train an evaluation classifier reproducibly: python -m model.train_classifier [--arch vgg|resnet] [--out DIR].

Two independent judges, each with its own architecture, seed and augmentation:
 - vgg (the default, judge A): small VGG-style CNN, seed 0, +-2 pixel shifts, into model/assets/mnist_classifier;
 - resnet (judge B): small pre-activation ResNet, seed 1, random rotation / scale / shift,
   into model/assets/mnist_classifier_b.
Both: 3 epochs of Adam with a one-cycle schedule; about 99.5% test accuracy.
"""

import argparse
import math
import time

import torch
import torch.nn.functional as F

from .atomic import save_pretrained_atomic
from .classifier import CLASSIFIER_B_DIR, CLASSIFIER_DIR, ClassifierConfig, MnistClassifier, MnistResNet, ResNetConfig
from .data import load_mnist, to_model_range


def random_shift(x: torch.Tensor, rng: torch.Generator, max_shift: int = 2) -> torch.Tensor:
    """Shift each image by up to max_shift pixels in x and y (zero fill = background -1)."""
    b = x.shape[0]
    padded = F.pad(x, (max_shift,) * 4, value=-1.0)  # (B, 1, 32, 32)
    dx, dy = torch.randint(0, 2 * max_shift + 1, (2, b), generator=rng)
    rows = (dy[:, None] + torch.arange(28))[:, :, None]  # (B, 28, 1)
    cols = (dx[:, None] + torch.arange(28))[:, None, :]  # (B, 1, 28)
    return padded[torch.arange(b)[:, None, None], 0, rows, cols].unsqueeze(1)  # (B, 1, 28, 28)


def random_affine(x: torch.Tensor, rng: torch.Generator, max_degrees: float = 12.0,
                  scale: tuple[float, float] = (0.9, 1.1), max_shift: float = 2.0) -> torch.Tensor:
    """Rotate, scale and shift each image at random (bilinear, background -1 outside the frame)."""
    b = x.shape[0]
    u = torch.rand(4, b, generator=rng)
    angle = (2 * u[0] - 1) * math.radians(max_degrees)
    zoom = scale[0] + (scale[1] - scale[0]) * u[1]
    shift = (2 * u[2:] - 1) * max_shift * 2 / x.shape[-1]  # pixels -> [-1, 1] grid units
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom  # the grid maps output to input: inverse zoom
    theta = torch.stack([torch.stack([cos, -sin, shift[0]], 1), torch.stack([sin, cos, shift[1]], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)  # (B, 28, 28, 2)
    # grid_sample fills with 0 outside the frame, so sample x + 1 (background 0) and shift back
    return F.grid_sample(x + 1, grid, mode="bilinear", padding_mode="zeros", align_corners=False) - 1


# each judge's own recipe: architecture, seed, augmentation and where it ships
ARCHS = {
    "vgg": {"model": lambda: MnistClassifier(ClassifierConfig()), "seed": 0, "augment": random_shift,
            "out": CLASSIFIER_DIR},
    "resnet": {"model": lambda: MnistResNet(ResNetConfig()), "seed": 1, "augment": random_affine,
               "out": CLASSIFIER_B_DIR},
}


@torch.no_grad()
def accuracy(model, images: torch.Tensor, labels: torch.Tensor, batch_size: int = 1000) -> float:
    """Share of images (N, 1, 28, 28) in [-1, 1] that `model` labels correctly (eval mode)."""
    model.eval()
    correct = sum((model(images[i : i + batch_size]).argmax(1) == labels[i : i + batch_size]).sum().item()
                  for i in range(0, len(images), batch_size))
    return correct / len(images)


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options; --seed and --out default to the chosen architecture's own."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", choices=sorted(ARCHS), default="vgg")
    p.add_argument("--data-dir")
    p.add_argument("--out", help="default: the architecture's folder under model/assets")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--seed", type=int, help="default: 0 for vgg, 1 for resnet")
    p.add_argument("--threads", type=int, help="torch CPU threads (default: torch's choice)")
    args = p.parse_args(argv)
    recipe = ARCHS[args.arch]
    args.seed = recipe["seed"] if args.seed is None else args.seed
    args.out = args.out or str(recipe["out"])
    return args


def main(argv=None):
    """Train the chosen architecture, print test accuracy after each epoch, save it as safetensors."""
    args = parse_args(argv)
    recipe = ARCHS[args.arch]
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = torch.Generator().manual_seed(args.seed)
    train_x, train_y = load_mnist(args.data_dir, train=True)
    test_x, test_y = load_mnist(args.data_dir, train=False)
    train_x, test_x = to_model_range(train_x), to_model_range(test_x)
    model = recipe["model"]()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    steps_per_epoch = len(train_x) // args.batch_size
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=args.epochs * steps_per_epoch)
    t0 = time.time()
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(train_x), generator=rng)
        for i in range(steps_per_epoch):
            idx = order[i * args.batch_size : (i + 1) * args.batch_size]
            loss = F.cross_entropy(model(recipe["augment"](train_x[idx], rng)), train_y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
        print(f"epoch {epoch + 1}: test accuracy {accuracy(model, test_x, test_y):.4f} ({time.time() - t0:.0f}s)",
              flush=True)
    save_pretrained_atomic(model.eval(), args.out)
    print(f"saved {args.arch} classifier to {args.out} after {time.time() - t0:.0f}s "
          f"with {torch.get_num_threads()} threads")


if __name__ == "__main__":
    main()
