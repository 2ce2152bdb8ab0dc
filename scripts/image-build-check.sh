#!/usr/bin/env bash
# Replays docker/Dockerfile's build and start steps without Docker, in a clean temporary directory:
# npm ci, the image typecheck, npm prune --omit=dev, then the entrypoint + CMD, /readyz, the
# HEALTHCHECK command and a clean SIGTERM stop. A broken image recipe fails here (and so CI).
# Needs the repository's own node_modules (npm ci) for tsx. Options: --keep (leave the directory).
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --import tsx scripts/image-build-check.ts "$@"
