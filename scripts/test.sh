#!/usr/bin/env bash
# Sets everything up, then runs the whole test suite (PostgreSQL tests run when
# JOBCIRCLE_TEST_POSTGRES_URL is set; .ci/run starts a throwaway server for them).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
exec python -m pytest "$@"
