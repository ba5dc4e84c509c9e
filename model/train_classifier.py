"""Train the evaluation classifier reproducibly: python -m model.train_classifier [--data-dir DIR] [--out DIR].

Small CNN, 3 epochs of Adam with a one-cycle schedule and +-2 pixel shift augmentation;
about 99.5% test accuracy.
"""

import argparse
import time

import torch
import torch.nn.functional as F

from .atomic import save_pretrained_atomic
from .classifier import CLASSIFIER_DIR, ClassifierConfig, MnistClassifier
from .data import load_mnist, to_model_range


def random_shift(x: torch.Tensor, rng: torch.Generator, max_shift: int = 2) -> torch.Tensor:
    """Shift each image by up to max_shift pixels in x and y (zero fill = background -1)."""
    b = x.shape[0]
    padded = F.pad(x, (max_shift,) * 4, value=-1.0)  # (B, 1, 32, 32)
    dx, dy = torch.randint(0, 2 * max_shift + 1, (2, b), generator=rng)
    rows = (dy[:, None] + torch.arange(28))[:, :, None]  # (B, 28, 1)
    cols = (dx[:, None] + torch.arange(28))[:, None, :]  # (B, 1, 28)
    return padded[torch.arange(b)[:, None, None], 0, rows, cols].unsqueeze(1)  # (B, 1, 28, 28)


@torch.no_grad()
def accuracy(model, images: torch.Tensor, labels: torch.Tensor, batch_size: int = 1000) -> float:
    model.eval()
    correct = sum((model(images[i : i + batch_size]).argmax(1) == labels[i : i + batch_size]).sum().item()
                  for i in range(0, len(images), batch_size))
    return correct / len(images)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data-dir")
    p.add_argument("--out", default=str(CLASSIFIER_DIR))
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)

    torch.manual_seed(args.seed)
    rng = torch.Generator().manual_seed(args.seed)
    train_x, train_y = load_mnist(args.data_dir, train=True)
    test_x, test_y = load_mnist(args.data_dir, train=False)
    train_x, test_x = to_model_range(train_x), to_model_range(test_x)
    model = MnistClassifier(ClassifierConfig())
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    steps_per_epoch = len(train_x) // args.batch_size
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=args.epochs * steps_per_epoch)
    t0 = time.time()
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(train_x), generator=rng)
        for i in range(steps_per_epoch):
            idx = order[i * args.batch_size : (i + 1) * args.batch_size]
            loss = F.cross_entropy(model(random_shift(train_x[idx], rng)), train_y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
        print(f"epoch {epoch + 1}: test accuracy {accuracy(model, test_x, test_y):.4f} ({time.time() - t0:.0f}s)",
              flush=True)
    save_pretrained_atomic(model.eval(), args.out)
    print(f"saved classifier to {args.out}")


if __name__ == "__main__":
    main()
