#!/usr/bin/env bash
# `npm run test:postgres [-- <vitest args>]`: the test suite with its PostgreSQL suites on.
# Uses the server ALLOT_TEST_POSTGRES_URL names, if set; otherwise starts a throwaway cluster
# (scripts/postgres-server.sh, which needs PostgreSQL's initdb and pg_ctl installed) and removes it
# afterwards. Arguments go to `vitest run`, e.g. `npm run test:postgres -- test/client/postgres-outage.test.ts`.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${ALLOT_TEST_POSTGRES_URL:-}" ]]; then
  if ! bash scripts/postgres-server.sh bindir >/dev/null; then
    echo "test:postgres: PostgreSQL is not installed (no initdb/pg_ctl on PATH or under /usr/lib/postgresql/*/bin)." >&2
    echo "  Debian/Ubuntu: sudo apt-get install postgresql    macOS: brew install postgresql" >&2
    echo "  Or point ALLOT_TEST_POSTGRES_URL at a server the tests may create schemas on." >&2
    exit 1
  fi
  pg_dir=$(mktemp -d)
  trap 'bash scripts/postgres-server.sh stop "$pg_dir" || true' EXIT
  ALLOT_TEST_POSTGRES_URL=$(bash scripts/postgres-server.sh start "$pg_dir")
  export ALLOT_TEST_POSTGRES_URL
fi
echo "PostgreSQL tests against $ALLOT_TEST_POSTGRES_URL"
ALLOT_REQUIRE_POSTGRES=1 npx vitest run "$@"
