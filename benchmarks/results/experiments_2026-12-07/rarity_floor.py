"""The figures of real training images drawn as the rarity-weighted sampler draws them (1,000 per digit, without
replacement, weight r^alpha with r the pixel-space 5-NN radius of rarity_radius.py): where a generator trained on
them would aim. Usage: python rarity_floor.py ALPHA [ALPHA ...], from the repository root."""

import sys

import numpy as np
import torch

from model.data import load_mnist, to_model_range
from model.evaluate import baselines, judge_metrics

torch.set_num_threads(2)
base = baselines()
images, labels = load_mnist(train=True)
radius = torch.load("rarity_radius.pt", weights_only=True).double()
for alpha in [float(a) for a in sys.argv[1:]]:
    rng = torch.Generator().manual_seed(123)
    idx = torch.cat([(labels == d).nonzero().squeeze(1)[torch.multinomial(radius[labels == d] ** alpha, 1000,
                                                                             generator=rng)] for d in range(10)])
    drawn, requested = to_model_range(images[idx]), np.repeat(np.arange(10), 1000)
    row = []
    for name, judge in base.items():
        m = judge_metrics(judge, drawn, requested)
        distance = m["frechet_distance"] / judge.floor["real_floor_frechet_distance"]
        row.append(f"{name}: {m['accuracy']:.4f} fd {distance:.2f}x p {m['precision']:.3f} r {m['recall']:.3f}")
    print(f"alpha {alpha}: " + " | ".join(row), flush=True)
