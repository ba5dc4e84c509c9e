"""The project's own MNIST classifier, used to score generators (accuracy and feature-space Fréchet distance)."""

from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from .loading import StrictHubMixin
from .metadata import CLASSIFIER_TAGS, LIBRARY_NAME, LICENSE

CLASSIFIER_DIR = Path(__file__).parent / "assets" / "mnist_classifier"


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
        return F.relu(self.fc(self.conv(x).flatten(1)))  # (B, feature_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.dropout(self.features(x)))  # (B, num_classes)

    @classmethod
    def from_pretrained(cls, pretrained_model_name_or_path=CLASSIFIER_DIR, **kwargs):
        """Load the shipped classifier (or another folder / repo id), safetensors only."""
        return super().from_pretrained(pretrained_model_name_or_path, **kwargs)
