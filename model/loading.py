"""Loading weights from a local folder or the Hugging Face Hub: safetensors only, strict, with clear errors.

`StrictHubMixin` is the one `from_pretrained` path of every model here (the generator and the classifier).
"""

import contextlib
import dataclasses
import json
import os

import safetensors.torch
from huggingface_hub import PyTorchModelHubMixin, constants, hf_hub_download
from huggingface_hub.errors import (
    EntryNotFoundError,
    HfHubHTTPError,
    HFValidationError,
    LocalEntryNotFoundError,
    OfflineModeIsEnabled,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from safetensors import SafetensorError

WEIGHTS_NAME = constants.SAFETENSORS_SINGLE_FILE  # "model.safetensors"


class GeneratorLoadError(RuntimeError):
    """Weights could not be found, downloaded or loaded; the message says which and why."""


def _describe(name_or_path, revision) -> str:
    where = f"local folder {name_or_path!r}" if os.path.isdir(name_or_path) else f"Hub repo {name_or_path!r}"
    return where + (f" at revision {revision!r}" if revision else "")


@contextlib.contextmanager
def clear_load_errors(name_or_path, revision=None):
    """Turn the many ways a load can fail into one GeneratorLoadError that names the source and the cause."""
    source = _describe(str(name_or_path), revision)
    try:
        yield
    except GeneratorLoadError:
        raise
    except RevisionNotFoundError as e:  # must precede RepositoryNotFoundError's parent HTTP error
        raise GeneratorLoadError(f"{source}: revision not found (a branch, tag or full commit sha is needed)") from e
    except RepositoryNotFoundError as e:
        what = "repo or revision" if revision else "repo"  # some servers answer a bad revision as a missing repo
        raise GeneratorLoadError(
            f"{source}: no such local folder, and no such {what} on the Hub (or it is private and no token was given)"
        ) from e
    # LocalEntryNotFoundError subclasses EntryNotFoundError, so it goes first
    except (LocalEntryNotFoundError, OfflineModeIsEnabled) as e:
        raise GeneratorLoadError(
            f"{source}: not in the local cache and the Hub cannot be reached (offline or no network): {e}"
        ) from e
    except EntryNotFoundError as e:
        raise GeneratorLoadError(f"{source}: {WEIGHTS_NAME} or config.json is missing from the repo") from e
    except HFValidationError as e:
        raise GeneratorLoadError(f"{name_or_path!r} is neither an existing folder nor a valid Hub repo id") from e
    except HfHubHTTPError as e:
        raise GeneratorLoadError(f"{source}: the Hub answered with an error: {e}") from e
    except json.JSONDecodeError as e:
        raise GeneratorLoadError(f"{source}: config.json is not valid JSON ({e})") from e
    except OSError as e:  # connection errors, unreadable files
        raise GeneratorLoadError(f"{source}: {e}") from e


def fetch_files(model_id: str, revision=None, **download_kwargs) -> None:
    """Download config.json and the weights of a Hub repo into the cache first, so that a missing repo,
    revision or file raises its own error here (the mixin would log it and carry on without a config)."""
    if os.path.isdir(model_id):
        return
    for filename in (constants.CONFIG_NAME, WEIGHTS_NAME):
        hf_hub_download(repo_id=model_id, filename=filename, revision=revision, **download_kwargs)


def _weights_file(model_id: str, revision, **download_kwargs) -> str:
    if os.path.isdir(model_id):
        path = os.path.join(model_id, WEIGHTS_NAME)
        if not os.path.isfile(path):
            raise GeneratorLoadError(f"local folder {model_id!r} has no {WEIGHTS_NAME}")
        return path
    return hf_hub_download(repo_id=model_id, filename=WEIGHTS_NAME, revision=revision, **download_kwargs)


def _unknown_config_fields(model_id: str, config, revision, **download_kwargs) -> list[str]:
    """config.json's fields that `config`'s dataclass lacks. The mixin drops them silently, but a field such as
    output_gain changes the pixels, so a generator saved by a newer version must not load as something else."""
    if os.path.isdir(model_id):
        path = os.path.join(model_id, constants.CONFIG_NAME)
    else:  # already in the cache: fetch_files downloaded it
        path = hf_hub_download(repo_id=model_id, filename=constants.CONFIG_NAME, revision=revision, **download_kwargs)
    with open(path, encoding="utf-8") as f:
        saved = json.load(f)
    return sorted(set(saved) - {field.name for field in dataclasses.fields(config)})


def load_strict(cls, model_id: str, config, *, map_location: str = "cpu", revision=None, strict: bool = True,
                   cache_dir=None, force_download=False, local_files_only=False, token=None):
    """Build `cls(config)` and fill it from model.safetensors, strictly (no missing or unexpected tensors)."""
    source = _describe(model_id, revision)
    if not strict:
        raise ValueError("non-strict loading is not supported: a partial generator draws garbage")
    if config is None:
        raise GeneratorLoadError(f"{source}: config.json is missing, so the generator cannot be rebuilt")
    download = {"cache_dir": cache_dir, "force_download": force_download, "local_files_only": local_files_only,
                "token": token}
    cached = download | {"force_download": False}  # fetch_files has just downloaded config.json
    if dataclasses.is_dataclass(config) and (unknown := _unknown_config_fields(model_id, config, revision, **cached)):
        raise GeneratorLoadError(f"{source}: config.json has fields this version of the library does not know "
                                 f"({', '.join(unknown)}): it was saved by a newer version; update digit-cgan")
    path = _weights_file(model_id, revision, **download)
    model = cls(config)
    try:
        safetensors.torch.load_model(model, path, strict=True, device=map_location)
    except SafetensorError as e:
        raise GeneratorLoadError(f"{source}: {WEIGHTS_NAME} is not a valid safetensors file ({e})") from e
    except RuntimeError as e:  # missing/unexpected keys or shape mismatches
        raise GeneratorLoadError(f"{source}: {WEIGHTS_NAME} does not match config.json: {e}") from e
    return model.eval()


class StrictHubMixin(PyTorchModelHubMixin):
    """PyTorchModelHubMixin that loads only safetensors, strictly, and turns every failure into GeneratorLoadError."""

    @classmethod
    def from_pretrained(cls, pretrained_model_name_or_path, *, revision: str | None = None, **kwargs):
        """Load from a local folder or a Hub repo id (optionally at a branch, tag or commit sha)."""
        with clear_load_errors(pretrained_model_name_or_path, revision):
            download_keys = ("cache_dir", "force_download", "local_files_only", "token")
            download = {k: kwargs[k] for k in download_keys if k in kwargs}
            fetch_files(str(pretrained_model_name_or_path), revision, **download)
            return super().from_pretrained(pretrained_model_name_or_path, revision=revision, **kwargs)

    @classmethod
    def _from_pretrained(cls, *, model_id: str, config=None, map_location: str = "cpu", **kwargs):
        # the mixin's hook: never unpickle, never load a partial model
        return load_strict(cls, model_id, config, map_location=map_location, **kwargs)
