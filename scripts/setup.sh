#!/usr/bin/env bash
# Everything a fresh machine needs, idempotent and quick when already done.
#   scripts/setup.sh          runtime: Graphviz, Japanese fonts, Python venv with the package
#   scripts/setup.sh --test   also test tools: Chromium for the browser tests, dev extras
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

apt_packages=(graphviz libcairo2 fonts-noto-cjk)
[ "$want_test" = 1 ] && apt_packages+=(chromium)

missing=()
for pkg in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "setup: installing system packages: ${missing[*]}" >&2
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    elif command -v sudo >/dev/null && command -v apt-get >/dev/null; then
        echo "setup: installing system packages with sudo: ${missing[*]}" >&2
        sudo apt-get update -qq >/dev/null
        sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "setup: warning: cannot install ${missing[*]} (not root, no apt-get); diagrams without DI and browser tests will be skipped" >&2
    fi
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv" >&2
    "$python" -m venv .venv
fi
extras=""
[ "$want_test" = 1 ] && extras="[dev]"
stamp=".venv/.installed${extras}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "setup: installing the package${extras:+ with $extras}" >&2
    .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
    .venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extras}"
    touch "$stamp"
fi

# Peer tools the tests check our output against (bpmn-js, bpmnlint, bpmn-moddle, axe-core), from npm.
if [ "$want_test" = 1 ]; then
    if command -v npm >/dev/null; then
        js_stamp="tests/js/node_modules/.installed"
        if [ ! -f "$js_stamp" ] || [ tests/js/package-lock.json -nt "$js_stamp" ]; then
            echo "setup: installing npm test peers (tests/js)" >&2
            npm ci --prefix tests/js --no-audit --no-fund --loglevel=error >/dev/null
            touch "$js_stamp"
        fi
    else
        echo "setup: warning: npm not found; tests against bpmn-js, bpmnlint and axe-core will be skipped" >&2
    fi
fi
