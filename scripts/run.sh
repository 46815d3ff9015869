#!/usr/bin/env bash
# Sets everything up, then runs the service on its embedded default (SQLite under ./var) with
# the synthetic Hongkou demo data; prints the URL of the API docs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
exec jobcircle demo "$@"
