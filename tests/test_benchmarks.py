"""The load benchmark itself, run for real on a few requests: it must start its server, measure, and report."""

import re
import subprocess
import sys

import numpy as np
import pytest

from benchmarks.load_test import arrival_times
from local_server import ROOT


@pytest.mark.parametrize("app", ["benchmarks/floor_app.py", "benchmarks/floor_app.py --json"])
def test_load_test_against_the_floor_app_reports_latency_and_no_errors(app):
    out = subprocess.run([sys.executable, "benchmarks/load_test.py", "--app", app, "--clients", "2",
                          "--requests", "6", "--count", "16", "--no-download", "--warmup", "4"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "warm-up: 4 requests in " in out.stdout and out.stdout.count("errors 0\n") == 2, out.stdout
    report = r"2 clients \(back to back\), 6 requests .*\np50 \d+ ms, p99 \d+ ms, .* errors 0\n"
    assert re.search(report, out.stdout), out.stdout
    assert "CPU per request: clients" in out.stdout and "server" in out.stdout


def test_load_test_at_a_fixed_rate_reports_the_offered_load():
    out = subprocess.run([sys.executable, "benchmarks/load_test.py", "--app", "benchmarks/floor_app.py --json",
                          "--clients", "3", "--requests", "8", "--rate", "20", "--no-download"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert re.search(r"3 clients \(20 req/s offered\), 8 requests .*\np50 \d+ ms, .* errors 0\n", out.stdout), \
        out.stdout


def test_load_test_refuses_a_rate_that_is_not_positive():
    out = subprocess.run([sys.executable, "benchmarks/load_test.py", "--rate", "0"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 2 and "--rate must be a positive number" in out.stderr


def test_arrival_times_are_a_poisson_process_at_the_rate_asked():
    due = arrival_times(4000, rate=10)
    gaps = np.diff([0.0, *due])
    assert (gaps > 0).all() and due == arrival_times(4000, rate=10)  # increasing, and the same in every run
    assert 0.095 < gaps.mean() < 0.105 and 0.09 < gaps.std() < 0.11  # exponential gaps: mean = std = 1 / rate
