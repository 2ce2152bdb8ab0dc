#!/usr/bin/env bash
# Backs up DataMigrate's Postgres database from the running compose stack: pg_dump (custom format,
# compressed) run inside the postgres container, written on the host, checked with pg_restore
# --list, with a .sha256 beside it. The app keeps running; pg_dump reads one consistent snapshot.
#
#   scripts/backup.sh [directory]        (default: ./backups)   → directory/datamigrate-<UTC time>.dump
#
# Environment: COMPOSE (default "docker compose"), DB_USER and DB_NAME (default datamigrate, as in
# compose.yaml), POSTGRES_SERVICE (default postgres). Run it from anywhere; it works in the
# repository directory that holds compose.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."

compose=${COMPOSE:-docker compose}
service=${POSTGRES_SERVICE:-postgres}
db_user=${DB_USER:-datamigrate}
db_name=${DB_NAME:-datamigrate}
out_dir=${1:-backups}

mkdir -p "$out_dir"
umask 077
stamp=$(date -u +%Y%m%dT%H%M%SZ)
file="$out_dir/datamigrate-$stamp.dump"
partial="$file.partial"
trap 'rm -f "$partial"' EXIT

echo "backup: dumping database $db_name from the $service container…"
# shellcheck disable=SC2086 # $compose is a command with arguments
$compose exec -T "$service" pg_dump --username="$db_user" --dbname="$db_name" --format=custom --compress=6 --no-password >"$partial"
[ -s "$partial" ] || { echo "backup: FAILED: the dump is empty" >&2; exit 1; }
# A dump that pg_restore cannot list is not a backup.
# shellcheck disable=SC2086
if ! $compose exec -T "$service" pg_restore --list <"$partial" >/dev/null; then
  echo "backup: FAILED: pg_restore cannot read the dump" >&2
  exit 1
fi
mv "$partial" "$file"
(cd "$out_dir" && sha256sum "$(basename "$file")" >"$(basename "$file").sha256")
echo "backup: wrote $file ($(du -h "$file" | cut -f1)) and $file.sha256"
echo "backup: also keep a copy of secrets/ and of your TLS certificate elsewhere; restore with scripts/restore.sh $file"
