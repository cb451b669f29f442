#!/usr/bin/env bash
# Run the whole test suite (SQLite by default; set DATABASE_URL for PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
# Two worker processes by default (pytest-xdist; each has its own test database): TEST_WORKERS=0
# runs in this process, e.g. to use a debugger.
exec .venv/bin/python -m pytest -n "${TEST_WORKERS:-2}" "$@"
