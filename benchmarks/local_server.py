"""Start a server (app.py, a benchmark app, a test Hub) on a free 127.0.0.1 port and wait until it answers.

Shared by the tests and the benchmarks, which both need a real server and must not hang when it fails to start.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository root


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float, what: str, log: str | None = None) -> None:
    """Return once 127.0.0.1:port accepts connections; RuntimeError if `proc` exits or `timeout` s pass first."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited early" + (f":\n{Path(log).read_text()}" if log else ""))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{what} did not start within {timeout:.0f} s")


def start_gradio(script: list[str], port: int, timeout: float = 120, **env) -> subprocess.Popen:
    """Run a Gradio script (e.g. ["app.py"]) from the repo root on 127.0.0.1:port; its output goes to proc.log_path."""
    # the repo root on the path, so a script in benchmarks/ imports the project's packages as app.py does
    python_path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    full_env = dict(os.environ, GRADIO_SERVER_PORT=str(port), GRADIO_ANALYTICS_ENABLED="False",
                    PYTHONPATH=python_path, **env)
    # a file, not a pipe: an unread pipe fills up with logged tracebacks and then blocks the server
    log = tempfile.NamedTemporaryFile(prefix="server-", suffix=".log", delete=False)
    proc = subprocess.Popen([sys.executable, *script], cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    proc.log_path = log.name
    wait_for_port(port, proc, timeout, " ".join(script), log.name)
    return proc
