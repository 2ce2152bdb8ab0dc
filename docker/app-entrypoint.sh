#!/bin/sh
# Entrypoint of the app image: turns secret files into the environment the server reads
# (server/config.ts knows nothing of files), then runs the command (by default the server).
#
#   DATABASE_URL_FILE            a file holding the whole postgres:// URL
#   DATABASE_PASSWORD_FILE       a file holding only the password; the URL is built from
#                                DATABASE_USER (datamigrate), DATABASE_HOST (postgres),
#                                DATABASE_PORT (5432) and DATABASE_NAME (datamigrate).
#   DATABASE_OWNER_URL_FILE      a file holding the schema owner's postgres:// URL (server/db/roles.ts:
#                                the app then runs as DATABASE_URL's role, which must not own the schema)
#   DATABASE_OWNER_PASSWORD_FILE a file holding only the owner's password; the URL is built from
#                                DATABASE_OWNER_USER (datamigrate) and the same host, port and
#                                database as DATABASE_URL. compose.yaml uses this with the postgres
#                                container's own secret, and DATABASE_PASSWORD_FILE with the app role's.
#   OPENAI_COMPAT_API_KEY_FILE   a file holding the key of an OpenAI-compatible endpoint
#
# A *_FILE variable and its plain twin together are refused: which one wins would be a guess.
# As with the postgres image, trailing newlines of a secret file are not part of the secret.
set -eu

fail() {
  echo "datamigrate-entrypoint: $*" >&2
  exit 2
}

read_secret() { # name of the variable, file
  [ -f "$2" ] && [ -r "$2" ] || fail "$1_FILE: cannot read '$2'"
  value=$(cat "$2")
  [ -n "$value" ] || fail "$1_FILE: '$2' is empty"
  export "$1=$value"
  unset "$1_FILE"
}

for name in DATABASE_URL DATABASE_OWNER_URL OPENAI_COMPAT_API_KEY; do
  eval "file=\${${name}_FILE:-}"
  eval "plain=\${${name}:-}"
  if [ -n "$file" ]; then
    [ -z "$plain" ] || fail "set either $name or ${name}_FILE, not both"
    read_secret "$name" "$file"
  fi
done

# postgres://user:password@host:port/database from a password file; percent-encoding in node (always
# in this image): passwords may hold any character. $1: the variable naming the file, $2: the file,
# $3: the user.
url_from_password_file() {
  [ -f "$2" ] && [ -r "$2" ] || fail "$1: cannot read '$2'"
  PASSWORD_FILE_VAR="$1" PASSWORD_FILE="$2" URL_USER="$3" node -e '
    const fs = require("node:fs");
    const password = fs.readFileSync(process.env.PASSWORD_FILE, "utf8").replace(/\n+$/, "");
    if (!password) { console.error(`datamigrate-entrypoint: ${process.env.PASSWORD_FILE_VAR} is empty`); process.exit(2); }
    const e = encodeURIComponent;
    const host = process.env.DATABASE_HOST || "postgres";
    const port = process.env.DATABASE_PORT || "5432";
    const db = process.env.DATABASE_NAME || "datamigrate";
    const h = host.includes(":") ? `[${host}]` : host;
    process.stdout.write(`postgres://${e(process.env.URL_USER)}:${e(password)}@${h}:${port}/${e(db)}`);
  ' || exit 2
}

if [ -n "${DATABASE_PASSWORD_FILE:-}" ]; then
  [ -z "${DATABASE_URL:-}" ] || fail "set either DATABASE_URL(_FILE) or DATABASE_PASSWORD_FILE, not both"
  DATABASE_URL=$(url_from_password_file DATABASE_PASSWORD_FILE "$DATABASE_PASSWORD_FILE" "${DATABASE_USER:-datamigrate}") || exit 2
  export DATABASE_URL
  unset DATABASE_PASSWORD_FILE
fi

if [ -n "${DATABASE_OWNER_PASSWORD_FILE:-}" ]; then
  [ -z "${DATABASE_OWNER_URL:-}" ] || fail "set either DATABASE_OWNER_URL(_FILE) or DATABASE_OWNER_PASSWORD_FILE, not both"
  DATABASE_OWNER_URL=$(url_from_password_file DATABASE_OWNER_PASSWORD_FILE "$DATABASE_OWNER_PASSWORD_FILE" "${DATABASE_OWNER_USER:-datamigrate}") || exit 2
  export DATABASE_OWNER_URL
  unset DATABASE_OWNER_PASSWORD_FILE
fi

exec "$@"
