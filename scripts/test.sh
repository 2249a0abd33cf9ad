#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine with Python 3.11+, then runs it.
# Used as-is by the README's test command and by CI (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages the tests drive for real: a headless browser for the web pages, and mimalloc, which the query
# workers preload when it is installed (jaikg/workers.py).
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
ls /usr/lib/*/libmimalloc.so.2 >/dev/null 2>&1 || need+=(libmimalloc2.0)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
exec .venv/bin/python -m pytest "$@"
