#!/usr/bin/env bash
# Bounded load test: gunicorn (4 workers, loopback only) on a PostgreSQL database made for the
# purpose, locust headless with 50 users for 60 s, then everything stops and the figures are
# printed. Needs locust in .venv: .venv/bin/pip install -r requirements-load.txt
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/loadtest scripts/load_test.sh
#
# Settings (environment): DATABASE_URL (default the `loadtest` database above; the script adds
# users and tickets to it, so never point it at a real one), PORT (8765), WORKERS (4),
# USERS (50), SPAWN_RATE (10), DURATION (60s), OUT (var/loadtest), RESET_STATS (set to 1 to
# count only what happens after the last user has started, i.e. leave out the sign-in burst).
set -euo pipefail
cd "$(dirname "$0")/.."

export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/loadtest}
PORT=${PORT:-8765}
WORKERS=${WORKERS:-4}
USERS=${USERS:-50}
SPAWN_RATE=${SPAWN_RATE:-10}
DURATION=${DURATION:-60s}
OUT=${OUT:-var/loadtest}
mkdir -p "$OUT/media"

case "$DATABASE_URL" in
  postgres*) ;;
  *) echo "The load test runs on PostgreSQL: set DATABASE_URL=postgres://..." >&2; exit 2 ;;
esac

# Plain HTTP on loopback: no HTTPS redirect or secure cookies; sign-in without lockout or a
# second factor so simulated users can sign in; uploads kept apart from real ones.
export DEBUG=false SECURE_COOKIES=false SECURE_SSL_REDIRECT=false AXES_ENABLED=false TWO_FACTOR_REQUIRED=false
export EMAIL_URL=dummymail:// ALLOWED_HOSTS=127.0.0.1 MEDIA_ROOT="$PWD/$OUT/media" LOG_LEVEL=ERROR
export SECRET_KEY=${SECRET_KEY:-load-test-only-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}
export STATICFILES_BACKEND=django.contrib.staticfiles.storage.StaticFilesStorage
export LOAD_DATA="$PWD/$OUT/data.json"

.venv/bin/python manage.py migrate --noinput >/dev/null
.venv/bin/python manage.py shell -c "from tests.load.prepare import main; main('$LOAD_DATA')"

.venv/bin/gunicorn tracker.wsgi:application --preload --workers "$WORKERS" --bind "127.0.0.1:$PORT" \
  --timeout 60 --access-logfile /dev/null --error-logfile "$OUT/gunicorn.log" &
gunicorn_pid=$!
trap 'kill $gunicorn_pid 2>/dev/null || true; wait $gunicorn_pid 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 60); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
  sleep 0.5
done

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
status=0
reset=()
[ "${RESET_STATS:-0}" = 1 ] && reset=(--reset-stats)
.venv/bin/locust -f tests/load/locustfile.py --headless -u "$USERS" -r "$SPAWN_RATE" -t "$DURATION" \
  --host "http://127.0.0.1:$PORT" --csv "$OUT/locust" --only-summary --stop-timeout 10 --csv-full-history "${reset[@]}" >"$OUT/locust.log" 2>&1 || status=$?
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
# CPU seconds the gunicorn workers used (user + system), to tell app cost from queueing.
server_cpu=$(ps --ppid $gunicorn_pid -o times= | awk '{s += $1} END {print s + 0}')
kill $gunicorn_pid 2>/dev/null || true
wait $gunicorn_pid 2>/dev/null || true
trap - EXIT INT TERM

.venv/bin/python - "$OUT/locust_stats.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(f"{'request':42} {'count':>6} {'fail':>5} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}  (ms)")
for r in rows:
    print(f"{(r['Type'] + ' ' + r['Name'])[:42]:42} {r['Request Count']:>6} {r['Failure Count']:>5} {float(r['Requests/s']):7.1f} {r['50%']:>6} {r['95%']:>6} {r['99%']:>6}")
PY
.venv/bin/python - "$OUT/locust_stats_history.csv" <<'PY'
import csv, sys
# Locust's history rows carry percentiles over the last 10 s: how latency moved during the run.
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["Name"] == "Aggregated" and r["95%"] != "N/A"]
if rows:
    start = int(rows[0]["Timestamp"])
    print("10-second windows, all requests:  t(s)  users  req/s   p50   p95   p99 (ms)")
    shown = -10
    for r in rows:
        t = int(r["Timestamp"]) - start
        if t >= shown + 10:
            shown = t
            print(f"{'':34}{t:4} {r['User Count']:>6} {float(r['Requests/s']):6.1f} {r['50%']:>5} {r['95%']:>5} {r['99%']:>5}")
PY
requests=$(awk -F, '$2 == "Aggregated" {print $3}' "$OUT/locust_stats.csv")
echo "gunicorn workers used ${server_cpu} CPU seconds for ${requests} requests: $(awk -v c="$server_cpu" -v n="$requests" 'BEGIN {printf "%.0f", n ? 1000 * c / n : 0}') ms of CPU per request"
echo "load average (1, 5, 15 min) before: $load_before  after: $load_after  cores: $(nproc)"
echo "raw figures: $OUT/locust_stats.csv, failures: $OUT/locust_failures.csv, server errors: $OUT/gunicorn.log"
exit $status
