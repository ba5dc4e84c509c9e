"""Hub round trips against real servers on loopback: olah serves downloads, tests/hub_server.py takes pushes.

Both use the same git repositories, so a push through huggingface_hub's real upload client followed by a
download through its real download client checks the exact bytes end to end. The client reads HF_ENDPOINT
when it is imported, so each side runs in its own subprocess with its own endpoint.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from benchmarks.local_server import ROOT, free_port, wait_for_port
from model import DigitGenerator, GeneratorConfig
from model.atomic import save_pretrained_atomic

from .hub_server import HubWriteServer, git

TOKEN = "hf_test_token_do_not_log_0123456789"
OLAH = os.environ.get("OLAH_CLI", str(ROOT / ".olah-venv" / "bin" / "olah-cli"))


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """olah (read side) and the write server over one folder of git repos; yields a helper namespace."""
    if not Path(OLAH).exists():
        fail_or_skip = pytest.fail if os.environ.get("CI") else pytest.skip
        fail_or_skip(f"olah-cli not found at {OLAH} (scripts/test.sh installs it)")
    root = tmp_path_factory.mktemp("hub")
    (root / "mirrors" / "models").mkdir(parents=True)
    port = free_port()
    (root / "olah.toml").write_text(
        f'[basic]\nhost = "127.0.0.1"\nport = {port}\nrepos-path = "{root / "repos"}"\n'
        f'mirrors-path = ["{root / "mirrors"}"]\n\n[accessibility]\noffline = true\n')
    olah = subprocess.Popen([OLAH, "--config", str(root / "olah.toml")], cwd=root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port, olah, 60, "olah")
    with HubWriteServer(root / "mirrors", TOKEN) as writer:
        yield type("Hub", (), dict(root=root, read_url=f"http://127.0.0.1:{port}", writer=writer))
    olah.terminate()
    olah.wait(timeout=30)


def run(args: list[str], env: dict, check: bool = True) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    full_env.update(env)
    return subprocess.run(args, cwd=ROOT, env=full_env, capture_output=True, text=True, check=check, timeout=300)


def push(hub, folder, repo_id, *extra, token=TOKEN, check=True):
    env = {"HF_ENDPOINT": hub.writer.url, "HF_HOME": str(hub.root / "pusher-home")}
    if token:
        env["HF_TOKEN"] = token
    return run([sys.executable, "-m", "model.push", str(folder), repo_id, *extra], env, check)


DOWNLOAD = """
import hashlib, json, sys
from huggingface_hub import hf_hub_download
from model import DigitGenerator, GeneratorLoadError
repo, revision = sys.argv[1], sys.argv[2] or None
try:
    G = DigitGenerator.from_pretrained(repo, revision=revision)
except GeneratorLoadError as e:
    print(json.dumps({"error": str(e)})); sys.exit(0)
files = {name: hashlib.sha256(open(hf_hub_download(repo, name, revision=revision), "rb").read()).hexdigest()
         for name in ("model.safetensors", "config.json", "README.md")}
print(json.dumps({"files": files, "pixels": G.generate([0, 5, 9], seed=7).tolist()}))
"""


def download(hub, repo_id, revision="", offline=False, home="client-home") -> dict:
    env = {"HF_ENDPOINT": hub.read_url, "HF_HOME": str(hub.root / home)}
    if offline:
        env["HF_HUB_OFFLINE"] = "1"
    out = run([sys.executable, "-c", DOWNLOAD, repo_id, revision], env).stdout
    return json.loads(out.strip().splitlines()[-1])


def make_folder(path: Path, seed: int) -> Path:
    torch.manual_seed(seed)
    G = DigitGenerator(GeneratorConfig(channels=32, z_dim=16, embed_dim=8)).eval()
    save_pretrained_atomic(G, path)
    shutil.copy(ROOT / "weights" / "samples.png", path / "samples.png")
    return path


def local(folder: Path) -> dict:
    G = DigitGenerator.from_pretrained(folder)
    return {"files": {name: sha256(folder / name) for name in ("model.safetensors", "config.json", "README.md")},
            "pixels": G.generate([0, 5, 9], seed=7).tolist()}


def commit_of(push_result) -> str:
    return push_result.stdout.split("commit ")[1].split()[0]


@pytest.fixture(scope="module")
def two_pushes(hub, tmp_path_factory):
    base = tmp_path_factory.mktemp("folders")
    first, second = make_folder(base / "first", 1), make_folder(base / "second", 2)
    sha1 = commit_of(push(hub, first, "alice/digits", "--message", "first weights"))
    sha2 = commit_of(push(hub, second, "alice/digits"))
    return first, second, sha1, sha2


def test_push_then_download_round_trips_the_exact_bytes(hub, two_pushes):
    _, second, _, sha2 = two_pushes
    got = download(hub, "alice/digits")
    assert got == local(second)  # weights, config and generated model card, byte for byte; same images
    assert download(hub, "alice/digits", sha2) == got
    card = (second / "README.md").read_text()
    assert 'DigitGenerator.from_pretrained("alice/digits")' in card and "license: mit" in card


def test_second_push_is_a_new_revision_and_the_first_stays_downloadable_by_sha(hub, two_pushes):
    first, _, sha1, sha2 = two_pushes
    assert sha1 != sha2
    assert download(hub, "alice/digits", sha1) == local(first)
    log = git(hub.root / "mirrors" / "models" / "alice" / "digits", "log", "--format=%s", "main")
    assert log.splitlines()[-2:] == ["first weights", "initial commit"]


def test_branch_and_tag(hub, two_pushes, tmp_path):
    first, _, sha1, _ = two_pushes
    push(hub, make_folder(tmp_path / "exp", 3), "alice/digits", "--revision", "experiment")
    assert download(hub, "alice/digits", "experiment") == local(tmp_path / "exp")
    git(hub.root / "mirrors" / "models" / "alice" / "digits", "tag", "v1", sha1)
    assert download(hub, "alice/digits", "v1") == local(first)
    assert download(hub, "alice/digits", "main") != local(tmp_path / "exp")  # the branch push left main alone


def test_offline_mode_loads_from_the_cache_only(hub, two_pushes):
    online = download(hub, "alice/digits", home="offline-home")
    assert download(hub, "alice/digits", offline=True, home="offline-home") == online
    missing = download(hub, "alice/other", offline=True, home="offline-home")
    assert "not in the local cache" in missing["error"]


def test_missing_repo_or_revision_is_a_clear_error(hub, two_pushes):
    assert "no such repo" in download(hub, "nobody/nothing")["error"]
    assert "no such repo or revision" in download(hub, "alice/digits", "no-such-branch")["error"]


def test_broken_files_in_a_repo_are_clear_errors(hub, two_pushes, tmp_path):
    repo = hub.root / "mirrors" / "models" / "alice" / "broken"
    shutil.copytree(hub.root / "mirrors" / "models" / "alice" / "digits", repo)
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", str(repo), str(work)], check=True)
    (work / "model.safetensors").write_bytes(b"\x00" * 4096)  # not safetensors (and >150 bytes, see olah notes)
    git(work, "commit", "-qam", "corrupt the weights")
    config = json.loads((work / "config.json").read_text())
    (work / "model.safetensors").write_bytes((two_pushes[0] / "model.safetensors").read_bytes())
    config["channels"] = 64
    (work / "config.json").write_text(json.dumps(config))
    git(work, "commit", "-qam", "config that does not fit the weights")
    git(work, "push", "-q", "origin", "HEAD:refs/heads/main")
    corrupt = git(work, "rev-parse", "HEAD~1")
    assert "not a valid safetensors file" in download(hub, "alice/broken", corrupt)["error"]
    assert "does not match config.json" in download(hub, "alice/broken", "main")["error"]


def test_push_without_a_token_fails_before_doing_anything(hub, tmp_path):
    result = push(hub, make_folder(tmp_path / "f", 4), "alice/no-token", token=None, check=False)
    assert result.returncode != 0 and "HF_TOKEN" in result.stderr
    assert not (hub.root / "mirrors" / "models" / "alice" / "no-token").exists()


def test_wrong_token_error_never_shows_the_token(hub, tmp_path):
    secret = "hf_wrong_secret_abcdef0123456789"
    result = push(hub, make_folder(tmp_path / "f", 5), "alice/wrong-token", token=secret, check=False)
    assert result.returncode != 0 and "failed" in result.stderr
    assert secret not in result.stderr + result.stdout


def test_broken_folder_is_never_pushed(hub, tmp_path):
    folder = make_folder(tmp_path / "f", 6)
    (folder / "model.safetensors").write_bytes(b"\x00" * 4096)
    result = push(hub, folder, "alice/broken-push", check=False)
    assert result.returncode != 0 and "refusing to push" in result.stderr
    assert not (hub.root / "mirrors" / "models" / "alice" / "broken-push").exists()


def test_train_push_to_hub_without_token_stops_before_training(tmp_path):
    env = {"HF_HOME": str(tmp_path / "empty-home")}
    result = run([sys.executable, "train_cgan.py", "--out-dir", str(tmp_path / "run"), "--push-to-hub", "alice/x"],
                 env, check=False)
    assert result.returncode != 0 and "HF_TOKEN" in result.stderr
    assert not (tmp_path / "run").exists()


def test_train_push_to_hub_end_to_end(hub, tmp_path, mnist_dir):
    env = {"HF_ENDPOINT": hub.writer.url, "HF_TOKEN": TOKEN, "HF_HOME": str(tmp_path / "home"),
           "MNIST_DATA_DIR": str(mnist_dir)}
    run([sys.executable, "train_cgan.py", "--out-dir", str(tmp_path / "run"), "--train-subset", "256",
         "--batch-size", "32", "--max-steps", "4", "--g-channels", "32", "--d-channels", "16", "--z-dim", "16",
         "--no-eval", "--no-progress", "--push-to-hub", "alice/trained", "--hub-revision", "run-1"], env)
    assert download(hub, "alice/trained", "run-1") == local(tmp_path / "run" / "generator")
    repo = hub.root / "mirrors" / "models" / "alice" / "trained"
    files = git(repo, "ls-tree", "--name-only", "run-1").splitlines()
    assert {"model.safetensors", "config.json", "README.md", "samples.png", "overview.png"} <= set(files)


def test_app_uses_the_hub_repo_at_a_pinned_revision(hub, two_pushes):
    _, _, sha1, _ = two_pushes
    env = {"HF_ENDPOINT": hub.read_url, "HF_HOME": str(hub.root / "app-home"),
           "CGAN_MODEL_REPO": "alice/digits", "CGAN_MODEL_REVISION": sha1}
    out = run([sys.executable, "-c", "import app; print(app.WEIGHTS_NOTE)"], env).stdout
    assert f"Hub repo `alice/digits` at revision `{sha1}`" in out
