"""Distances between two sets of classifier features: Fréchet distance, and k-NN precision and recall.

Precision and recall follow Kynkäänniemi et al. 2019 ("Improved precision and recall metric for assessing
generative models"): each sample gets a ball reaching its k-th nearest neighbour within its own set. Precision is
the share of generated samples inside some real sample's ball (are they realistic?); recall is the share of real
samples inside some generated sample's ball (is the real variety covered?).
"""

import numpy as np
import torch

K_NEAREST = 5
CHUNK = 1024  # rows of the distance matrix held at once: 1024 x 10,000 float64 is 80 MB


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to feature sets a (N, F) and b (M, F)."""
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    # tr sqrt(cov_a cov_b) = tr sqrt(A cov_b A) with A = sqrt(cov_a): symmetric, so eigh is exact and stable
    w, v = np.linalg.eigh(cov_a)
    sqrt_a = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    eig = np.linalg.eigvalsh(sqrt_a @ cov_b @ sqrt_a)
    tr_sqrt = np.sqrt(np.clip(eig, 0, None)).sum()
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b) - 2 * tr_sqrt)


def knn_radii(x: torch.Tensor, k: int = K_NEAREST, chunk: int = CHUNK) -> torch.Tensor:
    """Distance (N,) from each row of x (N, F) to its k-th nearest other row."""
    if len(x) <= k:
        raise ValueError(f"k-NN radii need more than k={k} samples, got {len(x)}")
    radii = []
    for i in range(0, len(x), chunk):
        d = torch.cdist(x[i : i + chunk], x)  # (chunk, N)
        radii.append(d.topk(k + 1, dim=1, largest=False).values[:, k])  # index 0 is the row itself (distance 0)
    return torch.cat(radii)


def precision_recall(real: np.ndarray, fake: np.ndarray, k: int = K_NEAREST, chunk: int = CHUNK,
                     real_radii: torch.Tensor | None = None) -> tuple[float, float]:
    """k-NN precision and recall (Kynkäänniemi et al. 2019) of fake features (M, F) against real ones (N, F).

    real_radii: knn_radii(real as float64, k), computed once when many sets are scored against one real set.
    """
    fake_in_real, real_in_fake = coverage(real, fake, k, chunk, real_radii)
    return fake_in_real.double().mean().item(), real_in_fake.double().mean().item()


def coverage(real: np.ndarray, fake: np.ndarray, k: int = K_NEAREST, chunk: int = CHUNK,
             real_radii: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Which samples precision and recall count: (M,) fake samples inside some real ball, (N,) real samples inside
    some fake ball (booleans; see precision_recall)."""
    real_t, fake_t = torch.as_tensor(real, dtype=torch.float64), torch.as_tensor(fake, dtype=torch.float64)
    if real_radii is None:
        real_radii = knn_radii(real_t, k, chunk)
    elif real_radii.shape != (len(real_t),):
        raise ValueError(f"real_radii must hold one radius per real sample ({len(real_t)}), "
                         f"got shape {tuple(real_radii.shape)}")
    fake_radii = knn_radii(fake_t, k, chunk)
    fake_in_real = torch.zeros(len(fake_t), dtype=torch.bool)
    real_in_fake = torch.zeros(len(real_t), dtype=torch.bool)
    # one pass over the cross distances serves both: rows are fake samples, columns real ones
    for i in range(0, len(fake_t), chunk):
        d = torch.cdist(fake_t[i : i + chunk], real_t)  # (chunk, N)
        fake_in_real[i : i + chunk] = (d <= real_radii[None, :]).any(1)
        real_in_fake |= (d <= fake_radii[i : i + chunk, None]).any(0)
    return fake_in_real, real_in_fake
