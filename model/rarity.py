"""Rarity weights (--rarity-weight): the realness losses weighted towards rare styles, on both sides alike.

A GAN draws a digit's rare styles less often than MNIST has them, and k-NN recall counts the real digits it then
misses (benchmarks/README.md). Here every image x, real or fake, weighs w(x) = r(n(x)) ** alpha in D's and G's
realness losses: n(x) is x's nearest training image of the same digit (in a PCA of the pixels; a training image
is its own), and r its pixel distance to its k-th nearest neighbour of that digit, large where styles are sparse.
Both sides get the same function of the image, so w cancels from D's optimum: with the logistic loss
sigmoid(D*(x)) = p / (p + c q), c = E_p[w] / E_q[w] (the hinge loss's D* is the sign of p - c q), and at q = p,
c = 1. The equilibrium is still G = MNIST (each batch's weights are divided by their own mean, which approximates
c); the weights move D's and G's effort towards the rare styles, not the target.
"""

import torch

from .metrics import knn_radii

NEIGHBOURS = 5  # k of the k-NN radius, as the k-NN precision and recall of model/metrics.py
PCA_DIMS = 64  # the nearest-image search runs in this many principal components of the pixels


def neighbour_radius(pixels: torch.Tensor, labels: torch.Tensor, k: int = NEIGHBOURS) -> torch.Tensor:
    """For each row of pixels (N, P): its Euclidean distance to its k-th nearest other row with the same label (N,)."""
    radius = torch.empty(len(pixels))
    for label in labels.unique().tolist():
        members = (labels == label).nonzero().squeeze(1)
        if len(members) <= k:
            raise ValueError(f"rarity weights need more than {k} training images of each digit, got {len(members)} "
                             f"of digit {label}")
        radius[members] = knn_radii(pixels[members], k)
    return radius


class RarityWeights:
    """w(x) for the training images and for G's fakes; each batch's weights are divided by their mean."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, alpha: float, num_classes: int = 10,
                 pca_dims: int = PCA_DIMS):
        device = images.device
        pixels, labels = images.reshape(len(images), -1).float().cpu(), labels.cpu()  # (N, 784) in [-1, 1], (N,)
        missing = sorted(set(range(num_classes)) - set(labels.tolist()))
        if missing:
            raise ValueError(f"rarity weights need training images of every digit; none of digit(s) {missing}")
        # a radius of 0 (k duplicates of one image) would weigh nothing, and a batch of such images would divide by 0
        weights = neighbour_radius(pixels, labels).clamp_min(1e-6).double() ** alpha  # (N,)
        for label in range(num_classes):
            weights[labels == label] /= weights[labels == label].mean()  # each digit's training images: mean 1
        mean = pixels.mean(dim=0)  # (784,)
        centred = pixels - mean
        _, vectors = torch.linalg.eigh(centred.T.double() @ centred.double())  # ascending eigenvalues
        basis = vectors[:, -pca_dims:].float()  # (784, pca_dims): the main axes of MNIST's pixels
        projected = centred @ basis  # (N, pca_dims)
        members = [(labels == label).nonzero().squeeze(1) for label in range(num_classes)]
        self.weights, self.mean, self.basis = weights.float().to(device), mean.to(device), basis.to(device)
        self.members = [rows.to(device) for rows in members]
        self.projected = [projected[rows].to(device) for rows in members]

    def of_reals(self, idx: torch.Tensor) -> torch.Tensor:
        """Weights (B,) of the training images at idx, mean 1."""
        weights = self.weights[idx]
        return weights / weights.mean()

    def of_fakes(self, fake: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Weights (B,) of fakes (B, 1, 28, 28) of the digits `labels` (B,): each its nearest training image's."""
        projected = (fake.detach().reshape(len(fake), -1).float() - self.mean) @ self.basis  # (B, pca_dims)
        weights = torch.empty(len(fake), device=fake.device)
        for label in labels.unique().tolist():
            rows = (labels == label).nonzero().squeeze(1)
            nearest = torch.cdist(projected[rows], self.projected[label]).argmin(dim=1)  # (b,)
            weights[rows] = self.weights[self.members[label][nearest]]
        return weights / weights.mean()
