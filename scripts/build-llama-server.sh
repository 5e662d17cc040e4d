#!/usr/bin/env bash
# Build llama.cpp's llama-server from the source vendored in the llama-cpp-python sdist on
# PyPI (the only registry reachable offline-ish), cached by version outside the repo so a
# second run on the same machine reuses the binary. Prints the binary's path on stdout.
set -euo pipefail
VERSION="${LLAMA_CPP_PYTHON_VERSION:-0.3.36}"
CACHE="${MODELQA_CACHE_DIR:-$HOME/.cache/pytest-modelqa}"
OUT="$CACHE/llama-server/$VERSION"
BIN="$OUT/llama-server"
if [ -x "$BIN" ]; then echo "$BIN"; exit 0; fi
command -v cmake >/dev/null || python -m pip install -q cmake >&2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python -m pip download -q --no-deps --no-binary llama-cpp-python \
  "llama-cpp-python==$VERSION" -d "$WORK" >&2
tar -xzf "$WORK"/llama_cpp_python-"$VERSION".tar.gz -C "$WORK"
SRC="$WORK/llama_cpp_python-$VERSION/vendor/llama.cpp"
cmake -S "$SRC" -B "$WORK/build" -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TESTS=OFF \
  -DLLAMA_BUILD_EXAMPLES=OFF -DGGML_NATIVE=OFF -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF \
  -DBUILD_SHARED_LIBS=OFF -DCMAKE_BUILD_TYPE=Release >&2
cmake --build "$WORK/build" --target llama-server -j"$(nproc)" >&2
mkdir -p "$OUT"
cp "$WORK/build/bin/llama-server" "$BIN.tmp" && mv "$BIN.tmp" "$BIN"
echo "$BIN"
