#!/usr/bin/env bash
# Idempotent setup: virtual environment, Python and npm packages, static files, translations,
# database migrations. Used by scripts/run.sh, scripts/test.sh and CI.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

if [ ! -x .venv/bin/python ]; then
  echo "Creating virtual environment (.venv)"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements.sha
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "Installing Python packages"
  if ! .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt >.venv/pip.log 2>&1; then
    grep -v "^WARNING: Location" .venv/pip.log >&2
    exit 1
  fi
  echo "$want" > "$stamp"
fi

npm_stamp=node_modules/.lock.sha
npm_want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$npm_stamp" ] || [ "$(cat "$npm_stamp")" != "$npm_want" ]; then
  echo "Installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$npm_want" > "$npm_stamp"
fi

# GOV.UK Frontend compiled with Arial and our asset paths (static_src/govuk.scss).
css=static/build/govuk.css
if [ ! -f "$css" ] || [ static_src/govuk.scss -nt "$css" ] || [ package-lock.json -nt "$css" ]; then
  echo "Building GOV.UK Frontend styles"
  mkdir -p static/build
  npx --no-install sass --quiet --no-source-map --style=compressed --load-path=node_modules static_src/govuk.scss "$css"
fi

# Compiled catalogues (.mo) are committed; recompile when gettext is available.
if command -v msgfmt >/dev/null 2>&1 && ls locale/*/LC_MESSAGES/django.po >/dev/null 2>&1; then
  .venv/bin/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v0
fi
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/python manage.py migrate --noinput -v0
# The database cache table for rate-limit counts (CACHES["ratelimit"]; a no-op when it exists
# or when the rate limits are kept in Redis).
.venv/bin/python manage.py createcachetable
