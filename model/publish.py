"""Publishing a saved generator folder to the Hugging Face Hub: weights, config, model card and images in one commit.

The command line is `python -m model.push`; loading lives in loading.py, so nothing below this module imports it.
"""

from pathlib import Path

from huggingface_hub import HfApi, ModelCard, constants, get_token
from huggingface_hub.errors import HfHubHTTPError

from .card import write_card
from .loading import WEIGHTS_NAME, GeneratorLoadError
from .networks import DigitGenerator

PUSH_FILES = [WEIGHTS_NAME, constants.CONFIG_NAME, "README.md", "samples.png", "overview.png", "metrics.json",
              "training.json"]


class HubPushError(RuntimeError):
    """A push could not start or failed; the message never contains the token."""


def require_token(token: str | None = None) -> str:
    """The token to push with (argument, else $HF_TOKEN, else the saved login), or HubPushError before any work."""
    token = token or get_token()
    if not token:
        raise HubPushError("pushing to the Hub needs a write token: set HF_TOKEN or run `hf auth login` first")
    return token


def push_folder(folder, repo_id: str, *, private: bool = False, revision: str | None = None,
                commit_message: str | None = None, token: str | None = None):
    """Upload a saved generator folder (weights, config, regenerated model card, images) in one commit."""
    token = require_token(token)
    folder = Path(folder)
    missing = [name for name in (WEIGHTS_NAME, constants.CONFIG_NAME) if not (folder / name).is_file()]
    if missing:
        raise HubPushError(f"{folder} is not a saved generator: {', '.join(missing)} missing")
    try:  # never publish weights that do not load
        DigitGenerator.from_pretrained(folder)
    except GeneratorLoadError as e:
        raise HubPushError(f"refusing to push: {e}") from None
    card_path = write_card(folder, repo_id)  # the usage snippet names the repo it is pushed to
    api = HfApi(token=token)
    try:
        ModelCard.load(card_path).validate()  # the Hub's own metadata check, before anything is created
        api.create_repo(repo_id, private=private, exist_ok=True)
        if revision:
            api.create_branch(repo_id, branch=revision, exist_ok=True)
        return api.upload_folder(repo_id=repo_id, folder_path=folder, revision=revision, allow_patterns=PUSH_FILES,
                                 commit_message=commit_message or f"Upload generator from {folder.name}")
    except (HfHubHTTPError, ValueError, OSError) as e:
        message = str(e).replace(token, "***")
        raise HubPushError(f"push of {folder} to {repo_id!r} failed: {message}") from None
