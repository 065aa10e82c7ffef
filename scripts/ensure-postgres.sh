#!/usr/bin/env bash
# The PostgreSQL the tests use for production parity: 127.0.0.1:5432, trust auth, database `test`.
# On this project's machines it is installed and usually running; start it when it is not.
set -euo pipefail
if pg_isready -q -h 127.0.0.1 -p 5432; then
  exit 0
fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; sleep 1; done
fi
echo "ensure-postgres: no PostgreSQL at 127.0.0.1:5432; the PostgreSQL tests need one" >&2
exit 1
