#!/bin/sh
# Stands in for `docker compose` in test/packaging/backup-restore.test.ts (no Docker engine on CI):
# `exec -T <service> cmd…` runs cmd on this machine, against the Postgres that PGHOST/PGPORT name;
# stop/start are only recorded in $FAKE_COMPOSE_LOG.
set -eu
case "$1" in
  exec)
    shift
    [ "$1" = "-T" ] && shift
    shift # the service
    exec "$@"
    ;;
  stop | start)
    echo "$*" >>"$FAKE_COMPOSE_LOG"
    ;;
  *)
    echo "fake-compose: unsupported: $*" >&2
    exit 64
    ;;
esac
