"""Rarity weights (model/rarity.py) on sets with a known answer, and the weighted realness losses."""

import pytest
import torch
import torch.nn.functional as F

from model.losses import discriminator_loss, generator_loss, realness_losses
from model.rarity import RarityWeights, neighbour_radius


def test_neighbour_radius_is_the_distance_to_the_kth_nearest_image_of_the_same_label():
    points = torch.tensor([0.0, 1, 3, 6, 10, 100, 101, 103])[:, None]  # (8, 1)
    labels = torch.tensor([0, 0, 0, 0, 0, 1, 1, 1])  # the far points are another digit: never neighbours
    assert neighbour_radius(points, labels, k=2).tolist() == [3, 2, 3, 4, 7, 3, 2, 3]
    with pytest.raises(ValueError, match="more than 3 training images of each digit, got 3 of digit 1"):
        neighbour_radius(points, labels, k=3)


def clusters(num_classes=3, per_class=12, outlier_shift=1.5):
    """Images of num_classes digits: each a tight cluster round its own pattern, plus one far-off image (the last)."""
    g = torch.Generator().manual_seed(0)
    patterns = torch.rand(num_classes, 1, 28, 28, generator=g) * 2 - 1
    images, labels = [], []
    for digit in range(num_classes):
        noise = 0.01 * torch.randn(per_class, 1, 28, 28, generator=g)
        noise[-1] += outlier_shift * torch.sign(torch.randn(1, 28, 28, generator=g))  # a rare style
        images.append(patterns[digit] + noise)
        labels += [digit] * per_class
    return torch.cat(images), torch.tensor(labels)


def test_a_rare_image_weighs_most_and_each_digit_weighs_one_on_average():
    images, labels = clusters()
    rarity = RarityWeights(images, labels, alpha=2.0, num_classes=3, pca_dims=8)
    for digit in range(3):
        weights = rarity.weights[labels == digit]
        assert weights.mean().item() == pytest.approx(1.0)
        assert weights.argmax().item() == len(weights) - 1 and weights[-1] > 5 * weights[:-1].max()
    batch = torch.tensor([0, 11, 12])
    assert rarity.of_reals(batch).mean().item() == pytest.approx(1.0)
    # alpha 0 weighs every image alike
    assert torch.equal(RarityWeights(images, labels, alpha=0.0, num_classes=3, pca_dims=8).of_reals(batch),
                       torch.ones(3))


def test_a_fake_takes_the_weight_of_its_nearest_training_image_of_its_digit():
    images, labels = clusters()
    rarity = RarityWeights(images, labels, alpha=2.0, num_classes=3, pca_dims=8)
    idx = torch.tensor([0, 5, 11, 23, 30, 35])
    # a training image is its own nearest, so as a fake it weighs what it weighs as a real image
    assert torch.allclose(rarity.of_fakes(images[idx], labels[idx]), rarity.of_reals(idx))
    # a fake near digit 0's rare image, drawn as digit 0, weighs as that image; asked for as digit 1, it takes the
    # weight of one of digit 1's images (batch weights are divided by their mean, so compare ratios to a known one)
    near_rare = images[11:12] + 0.001
    weights = rarity.of_fakes(torch.cat([near_rare, near_rare, images[:1]]), torch.tensor([0, 1, 0]))
    ratios = weights / weights[2] * rarity.weights[0]  # each fake's weight, unnormalised
    assert ratios[0].item() == pytest.approx(rarity.weights[11].item(), rel=1e-5)
    assert (rarity.weights[12:24] - ratios[1]).abs().min().item() < 1e-5 * ratios[1].item()


def test_rarity_weights_need_every_digit():
    images, labels = clusters(num_classes=2)
    with pytest.raises(ValueError, match=r"every digit; none of digit\(s\) \[2\]"):
        RarityWeights(images, labels, alpha=1.0, num_classes=3)


@pytest.mark.parametrize("gan_loss", ["hinge", "logistic"])
def test_weighted_realness_losses_weigh_each_image_and_ones_change_nothing(gan_loss):
    g = torch.Generator().manual_seed(1)
    real_score, fake_score = torch.randn(6, generator=g), torch.randn(6, generator=g)
    real_weight, fake_weight = torch.rand(6, generator=g) * 2, torch.rand(6, generator=g) * 2
    plain = realness_losses(real_score, fake_score, gan_loss)
    assert torch.equal(realness_losses(real_score, fake_score, gan_loss, torch.ones(6), torch.ones(6)), plain)
    real_term = F.relu(1 - real_score) if gan_loss == "hinge" else F.softplus(-real_score)
    fake_term = F.relu(1 + fake_score) if gan_loss == "hinge" else F.softplus(fake_score)
    weighted = realness_losses(real_score, fake_score, gan_loss, real_weight, fake_weight)
    expected = (real_weight * real_term).mean() + (fake_weight * fake_term).mean()
    assert weighted.item() == pytest.approx(expected.item())
    logits, labels = torch.randn(6, 10, generator=g), torch.randint(0, 10, (6,), generator=g)
    d_loss, parts = discriminator_loss(real_score, fake_score, logits, labels, 1.0, gan_loss=gan_loss,
                                       real_weight=real_weight, fake_weight=fake_weight)
    assert parts["d"].item() == pytest.approx(weighted.item())  # the classifier's term is not weighted
    assert parts["aux_d"].item() == pytest.approx(F.cross_entropy(logits, labels).item())
    _, g_parts = generator_loss(fake_score, logits, labels, 0.5, gan_loss=gan_loss, fake_weight=fake_weight)
    g_term = -fake_score if gan_loss == "hinge" else F.softplus(-fake_score)
    assert g_parts["g"].item() == pytest.approx((fake_weight * g_term).mean().item())
