#!/bin/sh
# Entrypoint of the app image: turns secret files into the environment the server reads
# (server/config.ts knows nothing of files), then runs the command (by default the server).
#
#   DATABASE_URL_FILE            a file holding the whole postgres:// URL
#   DATABASE_PASSWORD_FILE       a file holding only the password; the URL is built from
#                                DATABASE_USER (datamigrate), DATABASE_HOST (postgres),
#                                DATABASE_PORT (5432) and DATABASE_NAME (datamigrate). compose.yaml
#                                uses this with the same secret file as the postgres container.
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

for name in DATABASE_URL OPENAI_COMPAT_API_KEY; do
  eval "file=\${${name}_FILE:-}"
  eval "plain=\${${name}:-}"
  if [ -n "$file" ]; then
    [ -z "$plain" ] || fail "set either $name or ${name}_FILE, not both"
    read_secret "$name" "$file"
  fi
done

if [ -n "${DATABASE_PASSWORD_FILE:-}" ]; then
  [ -z "${DATABASE_URL:-}" ] || fail "set either DATABASE_URL(_FILE) or DATABASE_PASSWORD_FILE, not both"
  [ -f "$DATABASE_PASSWORD_FILE" ] && [ -r "$DATABASE_PASSWORD_FILE" ] || fail "DATABASE_PASSWORD_FILE: cannot read '$DATABASE_PASSWORD_FILE'"
  # Percent-encoding in node (always in this image): passwords may hold any character.
  DATABASE_URL=$(node -e '
    const fs = require("node:fs");
    const password = fs.readFileSync(process.env.DATABASE_PASSWORD_FILE, "utf8").replace(/\n+$/, "");
    if (!password) { console.error("datamigrate-entrypoint: DATABASE_PASSWORD_FILE is empty"); process.exit(2); }
    const e = encodeURIComponent;
    const user = process.env.DATABASE_USER || "datamigrate";
    const host = process.env.DATABASE_HOST || "postgres";
    const port = process.env.DATABASE_PORT || "5432";
    const db = process.env.DATABASE_NAME || "datamigrate";
    const h = host.includes(":") ? `[${host}]` : host;
    process.stdout.write(`postgres://${e(user)}:${e(password)}@${h}:${port}/${e(db)}`);
  ') || exit 2
  export DATABASE_URL
  unset DATABASE_PASSWORD_FILE
fi

exec "$@"
