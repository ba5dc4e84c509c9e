#!/usr/bin/env bash
# Install everything the tests need (venv, Python packages, Debian's chromium), lint, and run the tests.
#   bash scripts/test.sh [pytest args]
# MNIST comes from $MNIST_DATA_DIR (a folder with the four official .gz files), else it is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
fi
# olah (a self-hosted Hub mirror) serves the download side of the Hub tests; its own venv keeps its pins apart
[ -x .olah-venv/bin/olah-cli ] || { python3 -m venv .olah-venv && .olah-venv/bin/python -m pip install -q \
  --disable-pip-version-check olah==0.5.4; }
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
.venv/bin/ruff check --quiet .  # style and likely bugs (rules in ruff.toml), before the slower tests
# two workers, each test file whole on one (module fixtures start once): 840 s -> 615 s on a 2-core machine
exec .venv/bin/python -m pytest -n 2 --dist loadfile "$@"
