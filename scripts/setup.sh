#!/usr/bin/env bash
# Installs everything hopnhat needs on a fresh Debian machine: system packages (when root) and a virtualenv.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=()
if [ -f scripts/debian-packages.txt ]; then
  mapfile -t DEBIAN_PACKAGES < <(grep -v '^#' scripts/debian-packages.txt | grep -v '^$')
fi
missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "hopnhat: please install Debian packages: ${missing[*]}" >&2
  fi
fi

PY=${PY:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.installed-$(cat pyproject.toml setup.py | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e ".[dev,bench,spark]"  # compiles the parser's hot modules in place (setup.py)
  rm -f .venv/.installed-*
  touch "$stamp"
else
  # the compiled modules rebuilt in place when their source changed since (about a second when nothing did)
  .venv/bin/python setup.py -q build_ext --inplace 2>&1 | grep -v -i -e "beta" -e "warnings.warn" || true
fi
