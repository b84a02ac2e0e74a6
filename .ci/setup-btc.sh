#!/usr/bin/env bash
# Installs what the Bitcoin custody tests (crates/btc) need beyond cargo:
# - embit, a pure-Python Bitcoin library, used as an independent PSBT signer in
#   crates/btc/tests/it/embit.rs (the test skips with a message when it is missing).
# libbitcoinconsensus is built by cargo from the `bitcoinconsensus` crate (no system package).
set -euo pipefail
PY=${PYTHON:-python3}
if ! command -v "$PY" >/dev/null 2>&1; then
  echo "setup-btc: $PY not found; the embit interoperability test will be skipped" >&2
  exit 0
fi
if "$PY" -c "import embit" >/dev/null 2>&1; then
  echo "setup-btc: embit already installed"
  exit 0
fi
"$PY" -m pip install --quiet --disable-pip-version-check "embit==0.8.0"
"$PY" -c "import embit; print('setup-btc: embit', embit.__version__ if hasattr(embit, '__version__') else 'installed')"
