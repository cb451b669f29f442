#!/usr/bin/env bash
# Proves a backup can be restored: dumps the database named by DATABASE_URL (PostgreSQL),
# restores the dump into a scratch database, and compares row counts of every table.
# Exit 0 only when every table's count matches.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker bash scripts/backup_restore_check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database to back up}"
case "$DATABASE_URL" in postgres*://*) ;; *) echo "DATABASE_URL must be PostgreSQL" >&2; exit 2 ;; esac

scratch="restore_check_$$"
base="${DATABASE_URL%/*}"
dump="$(mktemp -d)/backup.dump"
trap 'psql "$base/postgres" -qc "DROP DATABASE IF EXISTS $scratch" >/dev/null 2>&1 || true; rm -rf "$(dirname "$dump")"' EXIT

echo "Dumping $DATABASE_URL"
pg_dump --format=custom --no-owner --file="$dump" "$DATABASE_URL"
psql "$base/postgres" -qc "CREATE DATABASE $scratch" >/dev/null
echo "Restoring into $scratch"
pg_restore --no-owner --exit-on-error --dbname="$base/$scratch" "$dump"

counts() {
  psql "$1" -tA -F' ' -c "SELECT table_name FROM information_schema.tables WHERE table_schema='public' AND table_type='BASE TABLE' ORDER BY 1" |
  while read -r t; do echo "$t $(psql "$1" -tA -c "SELECT count(*) FROM \"$t\"")"; done
}
diff <(counts "$DATABASE_URL") <(counts "$base/$scratch") && echo "Restore check passed: $(counts "$DATABASE_URL" | wc -l) tables, counts identical."
