#!/usr/bin/env bash
# Starts and stops a throwaway PgBouncer on a private port and folder, in front of one database, for
# tests and demos of the cutover's PgBouncer router. Installs Debian's pgbouncer package when missing
# (as root) without starting the system's own service.
#
#   pgbouncer.sh start DIR PORT DATABASE HOST DBPORT DBNAME [USER...]
#       writes DIR/pgbouncer.ini (transaction pooling, trust auth, admin user 'postgres'; the auth file
#       lists 'postgres' and every USER given, since trust auth still needs the name there) with one
#       [databases] line "DATABASE = host=HOST port=DBPORT dbname=DBNAME", starts PgBouncer on
#       127.0.0.1:PORT and prints one "pgbouncer ready" line. Clients must not use server-side prepared
#       statements (PgJDBC: prepareThreshold=0): this PgBouncer runs in transaction pooling mode.
#   pgbouncer.sh stop DIR     stops it (silent success when not running)
#
# Exit codes: 0 success, 1 failure (the log tail is printed), 2 usage error or pgbouncer missing and
# not installable by this user.
set -euo pipefail

PROG=$(basename "$0")

die() {
    echo "$PROG: $*" >&2
    exit 1
}

usage() {
    echo "usage: $PROG start DIR PORT DATABASE HOST DBPORT DBNAME [USER...] | $PROG stop DIR" >&2
    exit 2
}

is_root() {
    [ "$(id -u)" -eq 0 ]
}

ensure_pgbouncer() {
    if command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ]; then
        return 0
    fi
    if ! is_root; then
        echo "$PROG: pgbouncer not found; install it: sudo apt-get install -y pgbouncer" >&2
        exit 2
    fi
    echo "$PROG: installing pgbouncer (apt-get install pgbouncer)..." >&2
    # policy-rc.d 101: the package must not start the system's own PgBouncer
    local policy=/usr/sbin/policy-rc.d created=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod +x "$policy"
        created=1
    fi
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends pgbouncer >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends pgbouncer >/dev/null \
            || { [ "$created" = 1 ] && rm -f "$policy"; die "apt-get install pgbouncer failed"; }
    fi
    [ "$created" = 1 ] && rm -f "$policy"
    return 0
}

bin() {
    command -v pgbouncer 2>/dev/null || echo /usr/sbin/pgbouncer
}

# PgBouncer refuses to run as root: root runs it as the 'postgres' OS user (created by the PostgreSQL packages).
as_owner() {
    if is_root; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pid_of() {
    local f="$1/pgbouncer.pid"
    [ -f "$f" ] && cat "$f" 2>/dev/null || true
}

cmd_start() {
    [ $# -ge 6 ] || usage
    local dir=$1 port=$2 database=$3 host=$4 dbport=$5 dbname=$6
    shift 6
    ensure_pgbouncer
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    local pid
    pid=$(pid_of "$dir")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        echo "pgbouncer ready on 127.0.0.1:$port (dir $dir, pid $pid)"
        return 0
    fi
    cat >"$dir/pgbouncer.ini" <<INI
;; written by $PROG; the cutover coordinator rewrites the [databases] line at the flip
[databases]
$database = host=$host port=$dbport dbname=$dbname

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
admin_users = postgres
pool_mode = transaction
max_client_conn = 500
default_pool_size = 20
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
pidfile = $dir/pgbouncer.pid
logfile = $dir/pgbouncer.log
INI
    printf '"postgres" ""\n' >"$dir/userlist.txt"
    local user
    for user in "$@"; do
        printf '"%s" ""\n' "$user" >>"$dir/userlist.txt"
    done
    if is_root; then
        chown -R postgres:postgres "$dir"
        local d
        d=$(dirname "$dir")
        while [ "$d" != "/" ]; do
            runuser -u postgres -- test -x "$d" || chmod o+x "$d"
            d=$(dirname "$d")
        done
    fi
    if ! as_owner "$(bin)" -d "$dir/pgbouncer.ini"; then
        [ -f "$dir/pgbouncer.log" ] && tail -n 20 "$dir/pgbouncer.log" >&2
        die "could not start PgBouncer on 127.0.0.1:$port"
    fi
    for _ in $(seq 1 100); do
        pid=$(pid_of "$dir")
        if [ -n "$pid" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "pgbouncer ready on 127.0.0.1:$port (dir $dir, pid $pid)"
            return 0
        fi
        sleep 0.1
    done
    [ -f "$dir/pgbouncer.log" ] && tail -n 20 "$dir/pgbouncer.log" >&2
    die "PgBouncer did not listen on 127.0.0.1:$port within 10 s"
}

cmd_stop() {
    [ $# -eq 1 ] || usage
    local dir=$1 pid
    pid=$(pid_of "$dir")
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case "$cmd" in
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    *) usage ;;
esac
