#!/bin/sh
# The application's own database role, which does not own the schema (server/db/roles.ts): the
# postgres image runs this once, when it creates its database (mounted into
# /docker-entrypoint-initdb.d by compose.yaml). POSTGRES_USER (datamigrate) stays the owner: the
# app migrates and grants through it (DATABASE_OWNER_URL) and runs everything else as this role,
# which therefore cannot change or delete audit rows nor disable the audit log's triggers.
#
#   DATAMIGRATE_APP_USER            the role (default datamigrate_app)
#   DATAMIGRATE_APP_PASSWORD_FILE   a file holding its password (the Docker secret postgres_app_password)
#
# Idempotent: on an installation whose database already exists (made before this script), run it
# by hand (INSTALL.md, section 11): docker compose exec postgres /docker-entrypoint-initdb.d/10-datamigrate-app-role.sh
# A second run sets the password from the file again, so it also serves to change it.
set -eu

fail() {
  echo "datamigrate postgres-init: $*" >&2
  exit 2
}

app_user=${DATAMIGRATE_APP_USER:-datamigrate_app}
file=${DATAMIGRATE_APP_PASSWORD_FILE:-}
[ -n "$file" ] || fail "DATAMIGRATE_APP_PASSWORD_FILE is not set"
[ -f "$file" ] && [ -r "$file" ] || fail "DATAMIGRATE_APP_PASSWORD_FILE: cannot read '$file'"
# $(...) drops trailing newlines, as the app's entrypoint does with the same file.
password=$(cat "$file")
[ -n "$password" ] || fail "DATAMIGRATE_APP_PASSWORD_FILE: '$file' is empty"
owner=${POSTGRES_USER:-postgres}
[ "$app_user" != "$owner" ] || fail "DATAMIGRATE_APP_USER must differ from POSTGRES_USER ('$owner' owns the schema)"

# The password goes through the environment (\getenv), not the command line, which ps shows.
DM_APP_USER=$app_user DM_APP_PASSWORD=$password psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password \
  --username "$owner" --dbname "${POSTGRES_DB:-$owner}" <<'SQL'
\getenv app_user DM_APP_USER
\getenv app_password DM_APP_PASSWORD
SELECT format('CREATE ROLE %I', :'app_user') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app_user') \gexec
-- A plain login role: not a superuser, cannot create databases or roles, and not a member of the owner.
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L', :'app_user', :'app_password') \gexec
SELECT format('REVOKE %I FROM %I', r.rolname, :'app_user')
  FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
 WHERE u.rolname = :'app_user' \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', current_database(), :'app_user') \gexec
-- Postgres 15+ already denies CREATE on schema public to everyone but its owner; older ones did not.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
echo "datamigrate postgres-init: role $app_user ready (the app grants it its privileges at start)"
