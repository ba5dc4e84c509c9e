"""The two MNIST classifiers that judge generators: A (VGG-style CNN) and B (small ResNet), trained independently."""

from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from .loading import StrictHubMixin
from .metadata import CLASSIFIER_TAGS, LIBRARY_NAME, LICENSE

CLASSIFIER_DIR = Path(__file__).parent / "assets" / "mnist_classifier"
CLASSIFIER_B_DIR = Path(__file__).parent / "assets" / "mnist_classifier_b"


@dataclass
class ClassifierConfig:
    channels: int = 32
    feature_dim: int = 128
    num_classes: int = 10


class MnistClassifier(nn.Module, StrictHubMixin, library_name=LIBRARY_NAME, license=LICENSE, tags=CLASSIFIER_TAGS):
    """Small VGG-style CNN; input (B, 1, 28, 28) in [-1, 1]; `features` are the penultimate activations."""

    def __init__(self, config: ClassifierConfig):
        super().__init__()
        self.config = config
        c = config.channels

        def block(cin, cout):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())

        self.conv = nn.Sequential(block(1, c), block(c, c), nn.MaxPool2d(2),  # (B, C, 14, 14)
                                  block(c, 2 * c), block(2 * c, 2 * c), nn.MaxPool2d(2))  # (B, 2C, 7, 7)
        self.fc = nn.Linear(2 * c * 7 * 7, config.feature_dim)
        self.dropout = nn.Dropout(0.3)
        self.head = nn.Linear(config.feature_dim, config.num_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate activations (B, feature_dim) of images (B, 1, 28, 28) in [-1, 1]."""
        return F.relu(self.fc(self.conv(x).flatten(1)))  # (B, feature_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class logits (B, num_classes)."""
        return self.head(self.dropout(self.features(x)))  # (B, num_classes)

    @classmethod
    def from_pretrained(cls, pretrained_model_name_or_path=CLASSIFIER_DIR, **kwargs):
        """Load the shipped classifier (or another folder / repo id), safetensors only."""
        return super().from_pretrained(pretrained_model_name_or_path, **kwargs)


@dataclass
class ResNetConfig:
    channels: int = 32
    feature_dim: int = 128
    num_classes: int = 10


class ResidualBlock(nn.Module):
    """Pre-activation residual block (BN-ReLU-conv twice); a 1x1 conv on the skip path when the shape changes."""

    def __init__(self, cin: int, cout: int, stride: int = 1):
        super().__init__()
        self.bn1, self.bn2 = nn.BatchNorm2d(cin), nn.BatchNorm2d(cout)
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.skip = nn.Conv2d(cin, cout, 1, stride=stride, bias=False) if stride != 1 or cin != cout else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x + residual(x), (B, cout, H/stride, W/stride)."""
        h = F.relu(self.bn1(x))
        skip = self.skip(h) if self.skip is not None else x
        return skip + self.conv2(F.relu(self.bn2(self.conv1(h))))


class MnistResNet(nn.Module, StrictHubMixin, library_name=LIBRARY_NAME, license=LICENSE, tags=CLASSIFIER_TAGS):
    """Small pre-activation ResNet (5x5 stem, global average pooling): the second judge, unlike MnistClassifier
    in architecture, seed and augmentation; same interface (`features`, `head`), input in [-1, 1]."""

    def __init__(self, config: ResNetConfig):
        super().__init__()
        self.config = config
        c = config.channels
        # the stem pools early so that the residual stages run at 14x14 and 7x7: cheap enough for a 2-core CPU
        self.stem = nn.Sequential(nn.Conv2d(1, c, 5, padding=2, bias=False), nn.MaxPool2d(2))  # (B, C, 14, 14)
        self.stages = nn.Sequential(ResidualBlock(c, c), ResidualBlock(c, 2 * c, stride=2),  # (B, 2C, 7, 7)
                                    ResidualBlock(2 * c, 2 * c))
        self.norm = nn.BatchNorm2d(2 * c)
        self.fc = nn.Linear(2 * c, config.feature_dim)
        self.head = nn.Linear(config.feature_dim, config.num_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate activations (B, feature_dim) of images (B, 1, 28, 28) in [-1, 1]."""
        h = F.relu(self.norm(self.stages(self.stem(x))))
        return F.relu(self.fc(h.mean((2, 3))))  # global average pool, then the feature layer

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class logits (B, num_classes)."""
        return self.head(self.features(x))

    @classmethod
    def from_pretrained(cls, pretrained_model_name_or_path=CLASSIFIER_B_DIR, **kwargs):
        """Load the shipped second classifier (or another folder / repo id), safetensors only."""
        return super().from_pretrained(pretrained_model_name_or_path, **kwargs)
