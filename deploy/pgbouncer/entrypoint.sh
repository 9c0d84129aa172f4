#!/bin/sh
# Starts PgBouncer (deploy/pgbouncer/pgbouncer.ini) with the database and the login taken
# from the environment, as the postgres image itself takes them: POSTGRES_HOST (default db),
# POSTGRES_PORT (5432), POSTGRES_DB (osm), POSTGRES_USER (osm) and POSTGRES_PASSWORD (required).
# PGBOUNCER_RUN_DIR and PGBOUNCER_CONFIG move the generated files and the configuration
# (the tests run it outside the image).
set -eu

run_dir="${PGBOUNCER_RUN_DIR:-/run/pgbouncer}"
config="${PGBOUNCER_CONFIG:-/etc/pgbouncer/pgbouncer.ini}"
host="${POSTGRES_HOST:-db}"
port="${POSTGRES_PORT:-5432}"
db="${POSTGRES_DB:-osm}"
user="${POSTGRES_USER:-osm}"
if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "POSTGRES_PASSWORD must be set: PgBouncer logs in to PostgreSQL with it." >&2
    exit 1
fi

# The password in plain text: readable by this user alone. In userlist.txt a double quote
# is written twice.
umask 077
printf '[databases]\n%s = host=%s port=%s dbname=%s\n' "$db" "$host" "$port" "$db" \
    > "$run_dir/databases.ini"
printf '"%s" "%s"\n' "$(printf '%s' "$user" | sed 's/"/""/g')" \
    "$(printf '%s' "$POSTGRES_PASSWORD" | sed 's/"/""/g')" > "$run_dir/userlist.txt"

exec pgbouncer "$config"
