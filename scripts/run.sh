#!/usr/bin/env bash
# Set everything up and run the service with demo data on SQLite:
# the web server at http://127.0.0.1:8000 and the background task worker.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG=${DEBUG:-true}
export SECURE_COOKIES=${SECURE_COOKIES:-false}
export SECURE_SSL_REDIRECT=${SECURE_SSL_REDIRECT:-false}
export TWO_FACTOR_REQUIRED=${TWO_FACTOR_REQUIRED:-false}
bash scripts/setup.sh
.venv/bin/python manage.py seed_demo

.venv/bin/python manage.py db_worker &
worker=$!
# Periodic work (daily checks at start and then daily, SLA escalation, messages waiting):
# enqueued by the scheduler, run by the worker. No cron line needed.
.venv/bin/python manage.py run_scheduler &
scheduler=$!
trap 'kill $worker $scheduler 2>/dev/null || true' EXIT INT TERM
echo
echo "Devices for Children is running at http://127.0.0.1:8000/ (background worker pid $worker, scheduler pid $scheduler)"
echo "Families' help form: http://127.0.0.1:8000/help/   API docs: http://127.0.0.1:8000/api/docs/"
echo "Two-step sign-in is off in the demo; production requires it (TWO_FACTOR_REQUIRED=true)."
echo "Sign in with any login above. Press Ctrl+C to stop."
.venv/bin/python manage.py runserver 127.0.0.1:8000 --noreload
