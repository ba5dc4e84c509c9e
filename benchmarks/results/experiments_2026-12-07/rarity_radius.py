"""Per training image: its pixel-space distance to its 5th nearest neighbour of the same digit (excluding itself).
Saved as rarity_radius.pt (60000,) in the working directory, in load_mnist's training order. It was run from the
repository root (MNIST_DATA_DIR set); rarity_weighted_sampling.diff and rarity_floor.py read what it writes."""

import torch

from model.data import load_mnist

torch.set_num_threads(1)
images, labels = load_mnist(train=True)
pixels = images.reshape(len(images), -1).float() / 255  # (60000, 784)
radius = torch.empty(len(pixels))
for digit in range(10):
    members = (labels == digit).nonzero().squeeze(1)
    distances = torch.cdist(pixels[members], pixels[members])  # (n, n)
    distances.fill_diagonal_(float("inf"))
    radius[members] = distances.kthvalue(5, dim=1).values
torch.save(radius, "rarity_radius.pt")
print(radius.quantile(torch.tensor([0.01, 0.5, 0.99])))
