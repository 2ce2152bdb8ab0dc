#!/bin/sh
# First-start TLS for the nginx container: when no certificate is supplied in the certificate
# directory, write a self-signed one so that https works at once. A certificate you mount there
# (tls.crt + tls.key) is never touched. Run by the official nginx image's entrypoint from
# /docker-entrypoint.d/ before nginx starts; also runnable by hand (and by the tests).
#
#   DATAMIGRATE_CERT_DIR   where tls.crt and tls.key live   (default /etc/nginx/certs)
#   TLS_COMMON_NAME        the host name browsers use        (default localhost)
#   TLS_EXTRA_SANS         more subjectAltNames, comma-separated, e.g. "DNS:dm.corp,IP:10.0.0.5"
#   TLS_DAYS               validity in days                  (default 825)
set -eu

dir="${DATAMIGRATE_CERT_DIR:-/etc/nginx/certs}"
crt="$dir/tls.crt"
key="$dir/tls.key"
name="${TLS_COMMON_NAME:-localhost}"
days="${TLS_DAYS:-825}"

if [ -s "$crt" ] && [ -s "$key" ]; then
  echo "datamigrate-tls: using the certificate in $crt"
  exit 0
fi
if [ -e "$crt" ] || [ -e "$key" ]; then
  # Half a pair is a mistake worth stopping for, not something to paper over.
  echo "datamigrate-tls: $dir holds only one of tls.crt / tls.key (or an empty one); supply both or neither" >&2
  exit 1
fi
if ! command -v openssl >/dev/null 2>&1; then
  echo "datamigrate-tls: no certificate in $dir and no openssl to make one; mount tls.crt and tls.key there" >&2
  exit 1
fi

# A host name goes in as DNS:, an address as IP: (browsers check the matching kind).
case "$name" in
  *[!0-9.]*) san="DNS:$name" ;;
  *) san="IP:$name" ;;
esac
[ "$name" = "localhost" ] || san="$san,DNS:localhost"
san="$san,IP:127.0.0.1"
[ -z "${TLS_EXTRA_SANS:-}" ] || san="$san,$TLS_EXTRA_SANS"

mkdir -p "$dir"
umask 077
tmp_key="$key.tmp.$$"
tmp_crt="$crt.tmp.$$"
trap 'rm -f "$tmp_key" "$tmp_crt"' EXIT
openssl req -x509 -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
  -keyout "$tmp_key" -out "$tmp_crt" -days "$days" \
  -subj "/CN=$name/O=DataMigrate self-signed" \
  -addext "subjectAltName=$san" \
  -addext "basicConstraints=critical,CA:FALSE" \
  -addext "keyUsage=critical,digitalSignature" \
  -addext "extendedKeyUsage=serverAuth" >/dev/null 2>&1
chmod 600 "$tmp_key"
chmod 644 "$tmp_crt"
mv "$tmp_key" "$key"
mv "$tmp_crt" "$crt"
echo "datamigrate-tls: wrote a self-signed certificate for $name ($san), valid $days days, to $crt"
