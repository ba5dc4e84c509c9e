"""Shared fixtures: a small random generator, the MNIST folder, and a real app.py server on a free port."""

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
from playwright.sync_api import sync_playwright

from benchmarks.local_server import free_port, start_gradio
from model import DigitGenerator, GeneratorConfig
from model.data import prepare_mnist, resolve_data_dir

from .helpers import ARTIFACTS


@pytest.fixture(scope="session")
def tiny_generator():
    """An untrained but fixed generator: enough to test shapes, seeds and I/O quickly."""
    torch.manual_seed(0)
    return DigitGenerator(GeneratorConfig(channels=32, z_dim=16, embed_dim=8)).eval()


@pytest.fixture(scope="session")
def mnist_dir():
    """The MNIST folder ($MNIST_DATA_DIR; CI points it at ../shared/mnist), downloaded first if it is empty."""
    prepare_mnist()
    return resolve_data_dir()


@pytest.fixture(scope="session")
def logged_server():
    """One real `python app.py` on 127.0.0.1 for the whole test session: (address, path of the file its output
    goes to). One server, because each start costs ~10 s of CPU; modules read their own part of the log."""
    port = free_port()
    proc = start_gradio(["app.py"], port)
    yield f"http://127.0.0.1:{port}/", proc.log_path
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="session")
def server(logged_server):
    """The shared app.py's address."""
    return logged_server[0]


@dataclass
class ServerWithLog:
    """The shared server, and its log from the moment a test module first asked for it."""

    address: str
    log_path: Path
    log_start: int

    def log(self) -> str:
        """What the server logged since this module's start."""
        return self.log_path.read_bytes()[self.log_start:].decode(errors="replace")


@pytest.fixture(scope="module")
def server_with_log(logged_server):
    """The shared server, with a log that holds only this module's requests: ask for it before the first one."""
    path = Path(logged_server[1])
    return ServerWithLog(logged_server[0], path, path.stat().st_size)


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def chromium():
    """Debian's chromium, headless, driven by Playwright (one per test module); screenshots go to ARTIFACTS."""
    if not shutil.which(CHROMIUM):  # CI installs it, so there this is a failure, not a skip
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"no chromium at {CHROMIUM}: apt-get install chromium")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield browser
        browser.close()
