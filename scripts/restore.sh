#!/usr/bin/env bash
# Restores a dump made by scripts/backup.sh into the compose stack's Postgres, replacing the
# current database entirely: stops the app (and nginx), drops and recreates the database, restores
# in one transaction, starts them again. The app applies any newer schema migrations at start, so
# a backup from an older version restores into a newer one.
#
#   scripts/restore.sh [--yes] path/to/datamigrate-<time>.dump
#
# Environment: COMPOSE (default "docker compose"), DB_USER, DB_NAME (default datamigrate),
# POSTGRES_SERVICE (default postgres), APP_SERVICES (default "nginx app").
set -euo pipefail

yes=false
if [ "${1:-}" = "--yes" ]; then yes=true; shift; fi
[ $# -eq 1 ] || { echo "usage: scripts/restore.sh [--yes] <dump file>" >&2; exit 2; }
dump=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/.."

compose=${COMPOSE:-docker compose}
service=${POSTGRES_SERVICE:-postgres}
db_user=${DB_USER:-datamigrate}
db_name=${DB_NAME:-datamigrate}
app_services=${APP_SERVICES:-nginx app}

[ -s "$dump" ] || { echo "restore: $dump does not exist or is empty" >&2; exit 1; }
if [ -f "$dump.sha256" ]; then
  (cd "$(dirname "$dump")" && sha256sum --check --quiet "$(basename "$dump").sha256") || { echo "restore: $dump does not match its .sha256" >&2; exit 1; }
fi
# shellcheck disable=SC2086
$compose exec -T "$service" pg_restore --list <"$dump" >/dev/null || { echo "restore: pg_restore cannot read $dump" >&2; exit 1; }

if ! $yes; then
  printf 'restore: this REPLACES database %s with %s. Type yes to continue: ' "$db_name" "$dump"
  read -r answer
  [ "$answer" = "yes" ] || { echo "restore: cancelled" >&2; exit 1; }
fi

echo "restore: stopping $app_services…"
# shellcheck disable=SC2086
$compose stop $app_services
trap 'echo "restore: FAILED; database $db_name may now be empty. $app_services stay stopped: fix the cause and run restore again, or start them with: $compose start $app_services" >&2' ERR

# shellcheck disable=SC2086
$compose exec -T "$service" dropdb --username="$db_user" --if-exists --force --maintenance-db=postgres "$db_name"
# shellcheck disable=SC2086
$compose exec -T "$service" createdb --username="$db_user" --owner="$db_user" --maintenance-db=postgres "$db_name"
echo "restore: restoring $dump into $db_name…"
# shellcheck disable=SC2086
$compose exec -T "$service" pg_restore --username="$db_user" --dbname="$db_name" --no-owner --role="$db_user" \
  --exit-on-error --single-transaction <"$dump"
trap - ERR
echo "restore: starting $app_services…"
# shellcheck disable=SC2086
$compose start $app_services
echo "restore: done"
