"""Conditional GAN networks for 28x28 MNIST digits, and their config dataclasses.

Generator: class embedding + latent -> 7x7 -> 14x14 (optionally self-attention there) -> 28x28 with class-conditional
BatchNorm (BigGAN-style shared embedding), and a tanh output that may be scaled and clipped.
Discriminator: spectrally normalised convolutions with a projection head (Miyato & Koyama 2018) plus an auxiliary
classifier head (AC-GAN) that is trained on real images only, optionally a twin classifier head trained on the fakes
(TAC-GAN, model/losses.py says why) and optionally ProGAN's minibatch-stddev channel. Its last 3x3 map is either
summed over positions, or (pooling="linear") mapped whole by a linear layer that weighs each position: MNIST's
digits all have one size and place, and a D that knows where a feature is can hold G to them.
"""

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.parametrizations import spectral_norm

from .loading import StrictHubMixin
from .metadata import GENERATOR_TAGS, LIBRARY_NAME, LICENSE, PIPELINE_TAG
from .sampling import generate_images


@dataclass
class GeneratorConfig:
    z_dim: int = 64
    num_classes: int = 10
    embed_dim: int = 32
    channels: int = 64  # width at 7x7; halved at each upsampling
    image_size: int = 28
    # tanh's output is multiplied by this and clipped to [-1, 1]. Above 1, G can draw MNIST's exactly black background:
    # plain tanh (1.0, the default of older configs) never reaches -1 and left a faint halo round every stroke.
    output_gain: float = 1.0
    # a self-attention block at 14x14 (SAGAN), so each position can draw on the whole digit; off in older configs
    attention: bool = False


@dataclass
class DiscriminatorConfig:
    num_classes: int = 10
    channels: int = 32  # width at 14x14; doubled at each downsampling
    # how the last (4C, 3, 3) map becomes D's (4C,) features: "sum" over positions (the default of older configs),
    # or "linear", a spectrally normalised linear map of the whole map (weights for each position)
    pooling: str = "sum"
    # a second classifier head that learns the fakes' requested digits (TAC-GAN): G's auxiliary term then asks for the
    # real digits' class-conditional variety instead of the most surely classified digits (model/losses.py)
    twin_classifier: bool = False
    # ProGAN's minibatch-stddev feature, times this: one more 7x7 channel before D's last convolution holding the
    # spread of each group of 4 images' features, so D can tell a batch with too little variety. 0 is none
    minibatch_std: float = 0.0


POOLINGS = ("sum", "linear")
MINIBATCH_STD_GROUP = 4


def minibatch_std_channel(h: torch.Tensor, segments: int = 1) -> torch.Tensor:
    """For features h (B, C, H, W): one map (B, 1, H, W) per image, the mean over C, H and W of the standard deviation
    of each feature within the image's group of consecutive images. h is `segments` batches of B/segments images
    end to end (2 for a joint real + fake batch); a group never spans two, and is as a batch of B/segments alone
    would group: 4 images, or the largest size up to 4 that divides B/segments, or all of them if none does."""
    B, size = len(h), len(h) // segments
    group = next((g for g in range(min(MINIBATCH_STD_GROUP, size), 1, -1) if size % g == 0), size)
    grouped = h.float().reshape(B // group, group, *h.shape[1:])  # (B/g, g, C, H, W)
    spread = (grouped.var(dim=1, unbiased=False) + 1e-8).sqrt().mean(dim=(1, 2, 3))  # (B/g,)
    return spread.repeat_interleave(group)[:, None, None, None].expand(B, 1, *h.shape[2:]).to(h.dtype)


class ConditionalBatchNorm(nn.Module):
    """BatchNorm whose gain and bias are linear functions of a class embedding."""

    def __init__(self, num_features: int, embed_dim: int):
        super().__init__()
        self.bn = nn.BatchNorm2d(num_features, affine=False)
        self.gain = nn.Linear(embed_dim, num_features)
        self.bias = nn.Linear(embed_dim, num_features)
        # start as the identity so early training behaves like plain BatchNorm
        nn.init.zeros_(self.gain.weight)
        nn.init.zeros_(self.gain.bias)
        nn.init.zeros_(self.bias.weight)
        nn.init.zeros_(self.bias.bias)

    def forward(self, x: torch.Tensor, e: torch.Tensor) -> torch.Tensor:
        gain = 1 + self.gain(e)[:, :, None, None]  # (B, C, 1, 1)
        bias = self.bias(e)[:, :, None, None]  # (B, C, 1, 1)
        return self.bn(x) * gain + bias


class SelfAttention(nn.Module):
    """SAGAN's self-attention (Zhang et al. 2019): each position adds a learned mix of every position's features.
    Its output gain starts at 0, so a new block is the identity and G first learns as it would without it."""

    def __init__(self, channels: int):
        super().__init__()
        inner = max(channels // 8, 1)
        self.query = nn.Conv2d(channels, inner, 1, bias=False)
        self.key = nn.Conv2d(channels, inner, 1, bias=False)
        self.value = nn.Conv2d(channels, channels, 1, bias=False)
        self.gain = nn.Parameter(torch.zeros(()))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q = self.query(x).flatten(2).transpose(1, 2)  # (B, HW, C/8)
        k = self.key(x).flatten(2)  # (B, C/8, HW)
        v = self.value(x).flatten(2)  # (B, C, HW)
        attention = torch.softmax(q @ k, dim=-1)  # (B, HW, HW): where each position looks
        mixed = (v @ attention.transpose(1, 2)).view_as(x)  # (B, C, H, W)
        return x + self.gain * mixed


class DigitGenerator(nn.Module, StrictHubMixin, library_name=LIBRARY_NAME, license=LICENSE, pipeline_tag=PIPELINE_TAG,
                     tags=GENERATOR_TAGS):
    """Class-conditional generator: (z, label) -> image in [-1, 1], shape (B, 1, 28, 28)."""

    def __init__(self, config: GeneratorConfig):
        super().__init__()
        if config.image_size != 28:
            raise ValueError(f"only 28x28 images are supported, got image_size={config.image_size}")
        if not (math.isfinite(config.output_gain) and config.output_gain > 0):
            raise ValueError(f"output_gain must be a finite number above 0 (1 is plain tanh), got {config.output_gain}")
        self.config = config
        c = config.channels
        self.class_embed = nn.Embedding(config.num_classes, config.embed_dim)
        self.fc = nn.Linear(config.z_dim + config.embed_dim, c * 7 * 7)
        self.bn0 = ConditionalBatchNorm(c, config.embed_dim)
        self.up1 = nn.ConvTranspose2d(c, c // 2, 4, stride=2, padding=1)
        self.bn1 = ConditionalBatchNorm(c // 2, config.embed_dim)
        self.up2 = nn.ConvTranspose2d(c // 2, c // 4, 4, stride=2, padding=1)
        self.bn2 = ConditionalBatchNorm(c // 4, config.embed_dim)
        self.to_image = nn.Conv2d(c // 4, 1, 3, padding=1)
        if config.attention:  # made last, so the other layers start as they did before it existed
            self.attention = SelfAttention(c // 2)

    def synthesize(self, z: torch.Tensor, e: torch.Tensor) -> torch.Tensor:
        """Map latents z (B, z_dim) and class embeddings e (B, embed_dim) to images."""
        h = self.fc(torch.cat([z, e], dim=1))  # (B, C*49)
        h = h.view(-1, self.config.channels, 7, 7)  # (B, C, 7, 7)
        # channels_last is ~2-3x faster for these convolutions on CPU (oneDNN)
        h = h.contiguous(memory_format=torch.channels_last)
        h = F.relu(self.bn0(h, e))
        h = F.relu(self.bn1(self.up1(h), e))  # (B, C/2, 14, 14)
        if self.config.attention:
            h = self.attention(h)  # (B, C/2, 14, 14)
        h = F.relu(self.bn2(self.up2(h), e))  # (B, C/4, 28, 28)
        return (self.config.output_gain * torch.tanh(self.to_image(h))).clamp(-1, 1)  # (B, 1, 28, 28)

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return self.synthesize(z, self.class_embed(labels))

    def save_pretrained(self, save_directory, *, config: dict | None = None, **kwargs):
        """The mixin's save_pretrained, but config.json leaves out attention when it is off: off changes no pixel, and
        a version of the library from before the field refuses a config with fields it does not know."""
        if config is None:
            config = asdict(self.config)
            if not config["attention"]:
                del config["attention"]
        return super().save_pretrained(save_directory, config=config, **kwargs)

    def generate(self, digit, seed: int = 0, count: int | None = None, psi: float = 1.0):
        """Images for `digit` (int or per-image sequence) from seeds seed..seed+count-1: uint8 (N, 28, 28)."""
        return generate_images(self, digit, seed=seed, count=count, psi=psi)


class Discriminator(nn.Module):
    """Projection discriminator with auxiliary classifier heads: image -> (realness (B,), class logits (B, 10), twin
    classifier logits (B, 10), or None without the twin head)."""

    def __init__(self, config: DiscriminatorConfig):
        super().__init__()
        if config.pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {', '.join(POOLINGS)}, got {config.pooling!r}")
        if not (math.isfinite(config.minibatch_std) and config.minibatch_std >= 0):
            raise ValueError(f"minibatch_std must be a finite number, 0 (none) or above, got {config.minibatch_std}")
        self.config = config
        c = config.channels
        self.conv1 = spectral_norm(nn.Conv2d(1, c, 4, stride=2, padding=1))
        self.conv2 = spectral_norm(nn.Conv2d(c, c * 2, 4, stride=2, padding=1))
        self.conv3 = spectral_norm(nn.Conv2d(c * 2, c * 2, 3, padding=1))
        extra = 1 if config.minibatch_std else 0  # the minibatch-stddev channel
        self.conv4 = spectral_norm(nn.Conv2d(c * 2 + extra, c * 4, 4, stride=2, padding=1))
        self.adv_head = spectral_norm(nn.Linear(c * 4, 1))
        self.class_proj = spectral_norm(nn.Embedding(config.num_classes, c * 4))
        self.class_head = nn.Linear(c * 4, config.num_classes)
        if config.pooling == "linear":  # made last, so the other layers start as they did before it existed
            self.pool = spectral_norm(nn.Linear(c * 4 * 9, c * 4))
        if config.twin_classifier:  # last too, for the same reason
            self.twin_head = nn.Linear(c * 4, config.num_classes)

    def features(self, x: torch.Tensor, segments: int = 1) -> torch.Tensor:
        """Pooled features (B, 4C) of images (B, 1, 28, 28), shared by the realness and the class heads; x is
        `segments` batches end to end (only the minibatch-stddev channel tells them apart)."""
        h = F.leaky_relu(self.conv1(x), 0.2)  # (B, C, 14, 14)
        h = F.leaky_relu(self.conv2(h), 0.2)  # (B, 2C, 7, 7)
        h = F.leaky_relu(self.conv3(h), 0.2)  # (B, 2C, 7, 7)
        if self.config.minibatch_std:
            spread = self.config.minibatch_std * minibatch_std_channel(h, segments)
            h = torch.cat([h, spread], dim=1).contiguous(memory_format=torch.channels_last)  # (B, 2C+1, 7, 7)
        h = F.leaky_relu(self.conv4(h), 0.2)  # (B, 4C, 3, 3)
        if self.config.pooling == "sum":
            return h.sum(dim=(2, 3))  # (B, 4C)
        # a sum of 9 positions can be up to 3 (sqrt 9) times the norm of the whole map; the spectrally normalised
        # linear layer at most 1 times: x3 gives D the same bound on its slope as the sum had
        return 3 * F.leaky_relu(self.pool(h.flatten(1)), 0.2)  # (B, 4C)

    def forward(self, x: torch.Tensor, labels: torch.Tensor,
                segments: int = 1) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        h = self.features(x, segments)
        projection = (self.class_proj(labels) * h).sum(dim=1)  # (B,)
        realness = self.adv_head(h).squeeze(1) + projection  # (B,)
        twin_logits = self.twin_head(h) if self.config.twin_classifier else None  # (B, num_classes)
        return realness, self.class_head(h), twin_logits  # (B,), (B, num_classes), (B, num_classes) or None
