#!/usr/bin/env bash
# Bench-only: TSID (the C++ reference of bench/wbc_tick.py) built from its PyPI source
# distributions against the project's Pinocchio, then installed into the project's venv.
#
# Why: the PyPI `tsid` 1.10 wheel crashes with pin 4.x (see ../shared/BASELINE.md) and
# `libtsid` 1.10 has no CPython 3.11 wheel. The build runs in a throw-away venv (so its
# cmake 4 and build headers never touch .venv), takes about 12 minutes on 2 cores once, and
# the wheels are cached in build/wheels/ afterwards.
#
#   bench/build_tsid.sh <project venv>
set -euo pipefail
VENV=${1:?usage: bench/build_tsid.sh <project venv>}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WHEELS=$ROOT/build/wheels
BUILD_VENV=$ROOT/build/tsid-build-venv
TSID_VERSION=1.10.0
PIN_VERSION=$("$VENV/bin/python" -c "import importlib.metadata as m; print(m.version('pin'))")

if "$VENV/bin/python" -c "import tsid" 2>/dev/null; then
  exit 0
fi
mkdir -p "$WHEELS"
if ! ls "$WHEELS"/tsid-$TSID_VERSION-*.whl >/dev/null 2>&1; then
  echo "building TSID $TSID_VERSION from source against pin $PIN_VERSION (bench only, ~12 min, once)"
  test -x "$BUILD_VENV/bin/python" || python3 -m venv "$BUILD_VENV"
  "$BUILD_VENV/bin/pip" install -q --upgrade pip 2>&1 | grep -v "is ignored" || true
  "$BUILD_VENV/bin/pip" install -q "pin[build]==$PIN_VERSION" "libpinocchio[build]==$PIN_VERSION" \
    "cmeel[build]" "eiquadprog[build]" "cmeel-boost~=1.90.0" scipy 2>&1 | grep -v "is ignored" || true
  if ! ls "$WHEELS"/libtsid-$TSID_VERSION-*.whl >/dev/null 2>&1; then
    CMEEL_JOBS=2 "$BUILD_VENV/bin/pip" wheel -q --no-build-isolation --no-deps --no-binary libtsid \
      "libtsid==$TSID_VERSION" -w "$WHEELS"
  fi
  "$BUILD_VENV/bin/pip" install -q --no-deps "$WHEELS"/libtsid-$TSID_VERSION-*.whl
  CMEEL_JOBS=2 "$BUILD_VENV/bin/pip" wheel -q --no-build-isolation --no-deps --no-binary tsid \
    "tsid==$TSID_VERSION" -w "$WHEELS"
fi
"$VENV/bin/pip" install -q "eiquadprog" 2>&1 | grep -v "is ignored" || true
"$VENV/bin/pip" install -q --no-deps "$WHEELS"/libtsid-$TSID_VERSION-*.whl "$WHEELS"/tsid-$TSID_VERSION-*.whl
"$VENV/bin/python" -c "import tsid, pinocchio; print('tsid', tsid.__file__, 'with pin', pinocchio.__version__)"
