#!/usr/bin/env bash
# Build (once, cached by version under ~/.cache/pytest-modelqa) and print llama-server's path.
set -euo pipefail
exec python -m pytest_modelqa.servers build
