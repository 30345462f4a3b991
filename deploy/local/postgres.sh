#!/usr/bin/env bash
# Starts and stops a throwaway PostgreSQL server on a private port and data folder, with logical
# decoding enabled, from the operating system's PostgreSQL binaries. See README.md beside this file.
#
#   postgres.sh start DATADIR PORT   initdb if needed, then start; prints one "postgres ready" line
#   postgres.sh stop DATADIR         fast shutdown; silent success if not running or DATADIR missing
#   postgres.sh bindir               prints the PostgreSQL bin directory (pg_ctl, psql, pgbench)
#
# Exit codes: 0 success, 1 failure (the tail of server.log is printed), 2 usage error or missing
# binaries that this user cannot install.
#
# The servers trust every local connection: they are for tests and demos only.
set -euo pipefail

PROG=$(basename "$0")

die() {
    echo "$PROG: $*" >&2
    exit 1
}

usage() {
    cat >&2 <<EOF
usage: $PROG start DATADIR PORT
       $PROG stop DATADIR
       $PROG bindir
EOF
    exit 2
}

is_root() {
    [ "$(id -u)" -eq 0 ]
}

# Prints the highest installed /usr/lib/postgresql/*/bin directory, or nothing.
find_bindir() {
    local initdb
    initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$initdb" ]; then
        dirname "$initdb"
    fi
}

# Installs the Debian PostgreSQL packages without letting Debian create and start its own default
# cluster (that would take port 5432 and belongs to no one here).
install_postgres() {
    if ! is_root; then
        echo "$PROG: PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin/initdb)." >&2
        echo "$PROG: install the Debian packages 'postgresql' and 'postgresql-contrib', e.g.:" >&2
        echo "    sudo apt-get install -y postgresql postgresql-contrib" >&2
        exit 2
    fi
    local conf=/etc/postgresql-common/createcluster.conf
    mkdir -p "$(dirname "$conf")"
    if [ -f "$conf" ] && grep -Eq '^[[:space:]]*#?[[:space:]]*create_main_cluster[[:space:]]*=' "$conf"; then
        sed -i -E 's/^[[:space:]]*#?[[:space:]]*create_main_cluster[[:space:]]*=.*/create_main_cluster = false/' "$conf"
    else
        echo "create_main_cluster = false" >>"$conf"
    fi
    echo "$PROG: installing PostgreSQL (apt-get install postgresql postgresql-contrib)..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y postgresql postgresql-contrib >&2
}

# Sets BINDIR, installing PostgreSQL first when it is missing.
ensure_bindir() {
    BINDIR=$(find_bindir)
    if [ -z "$BINDIR" ]; then
        install_postgres
        BINDIR=$(find_bindir)
        [ -n "$BINDIR" ] || die "PostgreSQL was installed but no /usr/lib/postgresql/*/bin/initdb exists"
    fi
}

# Runs a PostgreSQL program as the owner of the data folder: initdb and postgres refuse to run as
# root, so root runs them as the 'postgres' OS user.
as_pg() {
    if is_root; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Gives 'others' execute (search) permission on every ancestor of $1 that the postgres user cannot
# traverse, so that the server can reach its data folder (only needed when running as root).
make_traversable() {
    local dir
    dir=$(dirname "$1")
    while [ "$dir" != "/" ]; do
        if ! runuser -u postgres -- test -x "$dir"; then
            echo "$PROG: adding o+x to $dir so that the postgres user can reach the data folder" >&2
            chmod o+x "$dir"
        fi
        dir=$(dirname "$dir")
    done
}

# Exit status 0 when a server runs on DATADIR.
is_running() {
    [ -f "$DATADIR/PG_VERSION" ] && as_pg "$BINDIR/pg_ctl" -D "$DATADIR" status >/dev/null 2>&1
}

print_log_tail() {
    if [ -f "$DATADIR/server.log" ]; then
        echo "---- last 40 lines of $DATADIR/server.log ----" >&2
        tail -n 40 "$DATADIR/server.log" >&2
        echo "----" >&2
    fi
}

# The first line of postmaster.pid is the postmaster's PID, the fourth its port.
postmaster_field() {
    sed -n "${1}p" "$DATADIR/postmaster.pid" 2>/dev/null || true
}

init_cluster() {
    local locale=C.UTF-8
    if ! locale -a 2>/dev/null | grep -Eqi '^c\.utf-?8$'; then
        locale=C
    fi
    mkdir -p "$DATADIR"
    if is_root; then
        chown postgres:postgres "$DATADIR"
        make_traversable "$DATADIR"
    fi
    chmod 700 "$DATADIR"
    local out
    out=$(mktemp)
    if ! as_pg "$BINDIR/initdb" -D "$DATADIR" --auth=trust -U postgres --encoding=UTF8 \
            --locale="$locale" >"$out" 2>&1; then
        cat "$out" >&2
        rm -f "$out"
        die "initdb failed for $DATADIR"
    fi
    rm -f "$out"
    # Our settings live in their own file, rewritten at every start (the port may change).
    echo "include_if_exists = 'bluegreen.conf'" >>"$DATADIR/postgresql.conf"
    cat >>"$DATADIR/pg_hba.conf" <<'EOF'
# bluegreen throwaway server: trust local TCP clients, including replication (logical decoding)
host    all             all             127.0.0.1/32            trust
host    replication     all             127.0.0.1/32            trust
EOF
}

write_config() {
    local conf="$DATADIR/bluegreen.conf"
    cat >"$conf" <<EOF
# written by $PROG at every start; edits are lost
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DATADIR'
wal_level = logical
max_replication_slots = 20
max_wal_senders = 20
max_connections = 200
fsync = off
full_page_writes = off
shared_buffers = 128MB
logging_collector = off
EOF
    if is_root; then
        chown postgres:postgres "$conf"
    fi
}

cmd_start() {
    ensure_bindir
    case "$PORT" in
        '' | *[!0-9]*) echo "$PROG: PORT must be a number, got '$PORT'" >&2; exit 2 ;;
    esac
    if [ "$PORT" -lt 1 ] || [ "$PORT" -gt 65535 ]; then
        echo "$PROG: PORT must be in 1..65535, got $PORT" >&2
        exit 2
    fi
    if is_running; then
        local running_port
        running_port=$(postmaster_field 4)
        if [ "$running_port" != "$PORT" ]; then
            die "a server already runs on $DATADIR with port $running_port, not $PORT; stop it first: $PROG stop $DATADIR"
        fi
        echo "postgres ready on 127.0.0.1:$PORT (data $DATADIR, pid $(postmaster_field 1))"
        return 0
    fi
    if [ ! -f "$DATADIR/PG_VERSION" ]; then
        init_cluster
    fi
    write_config
    local out
    out=$(mktemp)
    if ! as_pg "$BINDIR/pg_ctl" -D "$DATADIR" -l "$DATADIR/server.log" -w -t 60 start >"$out" 2>&1; then
        cat "$out" >&2
        rm -f "$out"
        print_log_tail
        die "could not start PostgreSQL on 127.0.0.1:$PORT (data $DATADIR)"
    fi
    rm -f "$out"
    echo "postgres ready on 127.0.0.1:$PORT (data $DATADIR, pid $(postmaster_field 1))"
}

cmd_stop() {
    if [ ! -f "$DATADIR/PG_VERSION" ]; then
        return 0
    fi
    BINDIR=$(find_bindir)
    if [ -z "$BINDIR" ]; then
        # No binaries, so nothing of ours can be running.
        return 0
    fi
    if ! is_running; then
        return 0
    fi
    local out
    out=$(mktemp)
    if ! as_pg "$BINDIR/pg_ctl" -D "$DATADIR" -m fast -w -t 60 stop >"$out" 2>&1; then
        cat "$out" >&2
        rm -f "$out"
        print_log_tail
        die "could not stop PostgreSQL (data $DATADIR)"
    fi
    rm -f "$out"
}

# Absolute path without requiring it to exist.
absolute() {
    realpath -m -- "$1"
}

[ $# -ge 1 ] || usage
case "$1" in
    start)
        [ $# -eq 3 ] || usage
        DATADIR=$(absolute "$2")
        PORT=$3
        cmd_start
        ;;
    stop)
        [ $# -eq 2 ] || usage
        DATADIR=$(absolute "$2")
        cmd_stop
        ;;
    bindir)
        [ $# -eq 1 ] || usage
        ensure_bindir
        echo "$BINDIR"
        ;;
    *)
        usage
        ;;
esac
