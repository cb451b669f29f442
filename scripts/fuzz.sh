#!/usr/bin/env bash
# Coverage-guided fuzzing with atheris: each harness in tests/fuzz/atheris_*.py runs for
# SECONDS (default 60), seeded from tests/fuzz/corpus/<target>/. New inputs go to var/fuzz/;
# a crash stops that harness and leaves crash-* in var/fuzz/crashes/. Keep a crash as a
# regression test by copying it to tests/fuzz/corpus/<target>/crash-<what> (test_corpus.py
# replays it) and fix the product.
#
#   .venv/bin/pip install -r requirements-fuzz.txt
#   scripts/fuzz.sh            # every harness, 60 s each
#   scripts/fuzz.sh 300 usage  # one harness, 5 minutes
set -uo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(readers identifiers usage)
mkdir -p var/fuzz/crashes
export FUZZ_WORK="$PWD/var/fuzz"
failed=0
for t in "${targets[@]}"; do
  echo "== $t: ${SECONDS_EACH}s"
  if (cd var/fuzz/crashes && ../../../.venv/bin/python "../../../tests/fuzz/atheris_$t.py" \
        -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=30 -print_final_stats=1) >"var/fuzz/$t.log" 2>&1; then
    grep -E "^stat::number_of_executed_units|^#[0-9]+.*DONE" "var/fuzz/$t.log" | tail -2
  else
    failed=1
    echo "$t: CRASH (see var/fuzz/$t.log and var/fuzz/crashes/)"
    grep -A 12 "Uncaught Python exception" "var/fuzz/$t.log" | head -14
  fi
done
exit $failed
