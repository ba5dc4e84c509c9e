"""The load benchmark itself, run for real on a few requests: it must start its server, measure, and report."""

import re
import subprocess
import sys

import pytest

from local_server import ROOT


@pytest.mark.parametrize("app", ["benchmarks/floor_app.py", "benchmarks/floor_app.py --json"])
def test_load_test_against_the_floor_app_reports_latency_and_no_errors(app):
    out = subprocess.run([sys.executable, "benchmarks/load_test.py", "--app", app, "--clients", "2",
                          "--requests", "6", "--count", "16", "--no-download", "--warmup", "4"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "warm-up: 4 requests in " in out.stdout and out.stdout.count("errors 0\n") == 2, out.stdout
    assert re.search(r"2 clients, 6 requests .*\np50 \d+ ms, p99 \d+ ms, .* errors 0\n", out.stdout), out.stdout
    assert "CPU per request: clients" in out.stdout and "server" in out.stdout
