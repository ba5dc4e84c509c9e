"""Hugging Face Hub metadata of the project's models, defined once for the Hub mixins and the model card."""

LICENSE = "mit"
LIBRARY_NAME = "pytorch"
DATASETS = ["mnist"]
PIPELINE_TAG = "unconditional-image-generation"  # the Hub has no class-conditional pipeline tag
GENERATOR_TAGS = ["gan", "conditional-gan", "class-conditional-image-generation", "image-generation", "mnist"]
CLASSIFIER_TAGS = ["mnist", "image-classification"]
MIXIN_TAGS = ["pytorch_model_hub_mixin", "model_hub_mixin"]  # what PyTorchModelHubMixin adds to every card
