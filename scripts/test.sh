#!/usr/bin/env bash
# `make test`: install what the checks need, make sure PostgreSQL and Redis answer
# (start local ones from Debian's packages when none is running), then run every check.
# Any failure stops with a non-zero exit; a skipped PostgreSQL, Redis or browser suite
# fails too (POSTDESK_REQUIRE_SERVICES=1).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

# each step says how long the one before it took (the seconds CI spends where)
STEP_NAME=""; STEP_START=$SECONDS
step() {
  [ -z "$STEP_NAME" ] || printf '    (%s: %ss)\n' "$STEP_NAME" $((SECONDS - STEP_START))
  STEP_NAME="$*"; STEP_START=$SECONDS
  printf '\n==> %s\n' "$*"
}

apt_install() {
  step "installing Debian packages: $*"
  $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

bash scripts/system-deps.sh

export PG_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postdesk}"
export REDIS_TEST_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
unset DATABASE_URL REDIS_URL

pg_up() { $BIN/python - "$PG_URL" <<'PY'
import sys, psycopg, dj_database_url
c = dj_database_url.parse(sys.argv[1])
try:
    psycopg.connect(host=c["HOST"] or "127.0.0.1", port=c["PORT"] or 5432, user=c["USER"] or "postgres",
                    password=c["PASSWORD"] or None, dbname="postgres", connect_timeout=3).close()
except Exception as exc:
    print(exc); sys.exit(1)
PY
}
redis_up() { $BIN/python -c "import redis,sys; redis.Redis.from_url(sys.argv[1], socket_timeout=2).ping()" "$REDIS_TEST_URL" 2>/dev/null; }

if ! pg_up >/dev/null; then
  command -v pg_ctlcluster >/dev/null || apt_install postgresql
  step "starting a local PostgreSQL"
  ver=$(ls /etc/postgresql | sort -V | tail -1)
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null || pg_ctlcluster "$ver" main start
  hba=/etc/postgresql/$ver/main/pg_hba.conf
  if ! grep -q "postdesk-test" "$hba"; then
    # local test cluster only: trust on loopback, as CI's is
    sed -i '1i host all all 127.0.0.1/32 trust # postdesk-test\nhost all all ::1/128 trust # postdesk-test' "$hba"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main reload 2>/dev/null || pg_ctlcluster "$ver" main reload
  fi
  for _ in $(seq 30); do pg_up >/dev/null && break; sleep 1; done
  pg_up
fi
if ! redis_up; then
  command -v redis-server >/dev/null || apt_install redis-server
  step "starting a local Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 20); do redis_up && break; sleep 0.5; done
  redis_up
fi

step "ruff"
$BIN/ruff check .
$BIN/ruff format --check .

step "mypy (strict on services, selectors and pure modules)"
$BIN/mypy postdesk

step "migrations are complete"
$BIN/postdesk makemigrations --check --dry-run

step "translations"
$BIN/postdesk i18n --extract >/dev/null
$BIN/postdesk i18n --check --compile

export POSTDESK_REQUIRE_SERVICES=1
PYTEST="$BIN/python -m pytest -q"
# Two workers (pytest-xdist) for the suites: each has a test database (`_gw0`, `_gw1`),
# a Redis database (REDIS_URL's and the next) and files of its own (conftest.py); work
# goes out by module (`--dist loadfile`: a module's fixtures start once). The browser
# tests stay in one process (one Chromium).
PARALLEL="-n ${POSTDESK_TEST_WORKERS:-2} --dist loadfile"

step "tests on SQLite"
DATABASE_URL="sqlite:///$(pwd)/var/test-unused.sqlite3" $PYTEST $PARALLEL -m "not browser and not services"

step "tests on PostgreSQL with Redis and real Celery workers"
# as commands and workers connect (nothing prepared); the served tests run the web's mode
DATABASE_URL="$PG_URL" REDIS_URL="$REDIS_TEST_URL" $PYTEST $PARALLEL -m "not browser"

step "the tests of our own SQL on web paths again, connected as the web application (prepared statements)"
DATABASE_URL="$PG_URL" REDIS_URL="$REDIS_TEST_URL" POSTDESK_TEST_PREPARE=2 $PYTEST $PARALLEL \
  -m "prepared and not browser and not services"

step "browser tests (Chromium via Playwright)"
DJANGO_ALLOW_ASYNC_UNSAFE=1 DATABASE_URL="$PG_URL" REDIS_URL="" $PYTEST -m browser

step "all checks passed"
