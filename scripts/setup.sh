#!/usr/bin/env bash
# Set up pipeline on a fresh machine: a virtual environment in .venv with the
# package installed. With --test, also what the tests need: the test extras
# and Debian's Chromium (for the pictures of pages and e-mails) and Hugo.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

py=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$py" -m venv .venv
fi
extras=""
[ $want_test = 1 ] && extras="[test]"
stamp=".venv/.installed${extras}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/pip install --quiet --disable-pip-version-check -e ".${extras}"
  touch "$stamp"
fi
# pip writes bytecode for what it installs, but not for an editable package: Python
# writes it on first import, unless PYTHONDONTWRITEBYTECODE is set (as on some CI
# machines), and then every command compiles the package again (0.07 s of a rebuild
# after one edit on the benchmark corpus). Quick when nothing changed.
.venv/bin/python -m compileall -q pipeline

if [ $want_test = 1 ]; then
  # Debian's packages the tests drive: Chromium (pictures of pages and e-mails, unless
  # PIPELINE_CHROMIUM names another Chromium-based browser), Hugo (the benchmark's
  # side-by-side build) and jq (the digest workflow's step is run with a stand-in `gh`,
  # whose `--jq` it applies).
  missing=""
  [ -x "${PIPELINE_CHROMIUM:-/usr/bin/chromium}" ] || missing="chromium"
  command -v hugo >/dev/null || missing="$missing hugo"
  command -v jq >/dev/null || missing="$missing jq"
  if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "Installing Debian's$missing for the tests..." >&2
      apt-get update -qq >/dev/null
      # shellcheck disable=SC2086  # one word per package
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    else
      echo "warning: missing$missing; the tests that need it will be skipped" >&2
    fi
  fi
fi
