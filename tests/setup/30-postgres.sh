# A throwaway PostgreSQL for the integration suite's PostgreSQL run and the two-replica tests: Debian's
# postgresql package (installed when missing), a cluster made with initdb in a temp directory, served by
# pg_ctl on a free loopback port, stopped and deleted when the tests end. Exports
# LICENSEHUB_TEST_POSTGRES, a connection string to a superuser that may create a database per test class.
#
# A developer who already has a server can export LICENSEHUB_TEST_POSTGRES before running the tests;
# then nothing is installed or started here.
if [ -z "${LICENSEHUB_TEST_POSTGRES:-}" ]; then
  apt_install postgresql
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    echo "PostgreSQL binaries not found under /usr/lib/postgresql/*/bin" >&2
    exit 1
  fi

  PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/lh-postgres.XXXXXX")"
  on_exit "rm -rf '$PG_DIR'"
  PG_PASSWORD="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
  printf '%s\n' "$PG_PASSWORD" > "$PG_DIR/pwfile"

  # initdb and postgres refuse to run as root: as root, the cluster belongs to the postgres user.
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres:postgres "$PG_DIR"
    lh_pg_as() { runuser -u postgres -- "$@"; }
  else
    lh_pg_as() { "$@"; }
  fi

  lh_pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U licensehub --pwfile="$PG_DIR/pwfile" --auth=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; exit 1; }
  rm -f "$PG_DIR/pwfile"

  # A free port: try a few random ones until the server starts (another process may take one meanwhile).
  # Durability settings are off: the cluster lives only as long as this test run.
  PG_PORT=""
  for _ in 1 2 3 4 5 6 7 8; do
    candidate=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null && continue
    if lh_pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $candidate -k $PG_DIR -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      >/dev/null 2>&1; then
      PG_PORT="$candidate"
      break
    fi
  done
  if [ -z "$PG_PORT" ]; then
    echo "Could not start the test PostgreSQL; its log:" >&2
    cat "$PG_DIR/server.log" >&2 || true
    exit 1
  fi
  # Registered after the directory removal, so it runs first (exit commands run in reverse order).
  on_exit "lh_pg_as '$PG_BIN/pg_ctl' -D '$PG_DIR/data' -m immediate stop >/dev/null 2>&1"
  export LICENSEHUB_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=licensehub;Password=$PG_PASSWORD;Database=postgres"
  echo "Test PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT ($PG_DIR)"
fi
