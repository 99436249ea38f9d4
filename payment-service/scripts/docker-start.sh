#!/bin/sh
# Container entrypoint: bring the schema up to date (safe with several replicas: advisory lock),
# make sure the configured webhook endpoint exists, then replace the shell with the server so it
# receives SIGTERM directly and shuts down gracefully.
set -eu
node scripts/migrate.cjs
node dist/seed.js
exec node dist/main.js
