#!/usr/bin/env bash
# Starts and stops a throwaway MariaDB server on a private port and data folder, with a row-based
# binary log for change data capture, from the operating system's MariaDB binaries. See README.md
# beside this file.
#
#   mariadb.sh start DATADIR PORT   mariadb-install-db if needed, then start; prints one "mariadb ready" line
#   mariadb.sh stop DATADIR         clean shutdown; silent success if not running or DATADIR missing
#   mariadb.sh bindir               prints the directory of the client programs (mariadb, mariadb-admin,
#                                   mariadb-dump, mariadb-binlog)
#
# Exit codes: 0 success, 1 failure (the tail of server.log is printed), 2 usage error or missing
# binaries that this user cannot install.
#
# root has an empty password, over the socket and over TCP from 127.0.0.1: for tests and demos only.
set -euo pipefail

PROG=$(basename "$0")
# How long start waits for the server to accept connections, and stop for it to exit.
START_TIMEOUT_S=60
STOP_TIMEOUT_S=60
# Marks a data folder whose mariadb-install-db completed (a half-initialized one is not reused).
INIT_MARKER=bluegreen-initialized

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

# Prints the absolute path of the first of the programs $@ found in PATH, /usr/sbin or /usr/bin
# (mariadbd lives in /usr/sbin, which is not in every user's PATH), or nothing.
find_program() {
    local name path
    for name in "$@"; do
        path=$(PATH="$PATH:/usr/sbin:/usr/bin" command -v "$name" 2>/dev/null || true)
        if [ -n "$path" ]; then
            echo "$path"
            return 0
        fi
    done
}

find_binaries() {
    MARIADBD=$(find_program mariadbd)
    INSTALL_DB=$(find_program mariadb-install-db)
    CLIENT=$(find_program mariadb)
    ADMIN=$(find_program mariadb-admin)
}

have_binaries() {
    [ -n "$MARIADBD" ] && [ -n "$INSTALL_DB" ] && [ -n "$CLIENT" ] && [ -n "$ADMIN" ]
}

# Installs Debian's MariaDB server without letting the package start its own server (that one
# would take port 3306 and /var/lib/mysql, and belongs to no one here): a policy-rc.d that denies
# every service start, present only during the install, unless the machine already has one.
install_mariadb() {
    if ! is_root; then
        echo "$PROG: MariaDB binaries not found (mariadbd, mariadb-install-db, mariadb, mariadb-admin)." >&2
        echo "$PROG: install the Debian package 'mariadb-server', e.g.:" >&2
        echo "    sudo apt-get install -y mariadb-server" >&2
        exit 2
    fi
    local policy=/usr/sbin/policy-rc.d
    local own_policy=false
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\n# written by %s while it installs mariadb-server\nexit 101\n' "$PROG" >"$policy"
        chmod 755 "$policy"
        own_policy=true
        trap 'rm -f "'"$policy"'"' EXIT
    fi
    echo "$PROG: installing MariaDB (apt-get install mariadb-server)..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y mariadb-server >&2
    if $own_policy; then
        rm -f "$policy"
        trap - EXIT
    fi
}

# Sets MARIADBD, INSTALL_DB, CLIENT and ADMIN, installing MariaDB first when any is missing.
ensure_binaries() {
    find_binaries
    if ! have_binaries; then
        install_mariadb
        find_binaries
        have_binaries || die "mariadb-server was installed but mariadbd, mariadb-install-db, mariadb or mariadb-admin is still missing"
    fi
}

# Prints the PIDs of the mariadbd processes serving DATADIR (the exact --datadir= argument this
# script gives), one a line. Never matches the machine's own server or another data folder's.
# Bash builtins only: this runs every 0.2 s while a server starts.
server_pids() {
    local cmdline arg argv=()
    for cmdline in /proc/[0-9]*/cmdline; do
        # argv is NUL-separated; the process may be gone by now
        mapfile -d '' -t argv 2>/dev/null <"$cmdline" || continue
        [ "${#argv[@]}" -gt 0 ] || continue
        case "${argv[0]}" in
            mariadbd | */mariadbd) ;;
            *) continue ;;
        esac
        for arg in "${argv[@]}"; do
            if [ "$arg" = "--datadir=$DATADIR" ]; then
                cmdline=${cmdline#/proc/}
                echo "${cmdline%/cmdline}"
                break
            fi
        done
    done
}

# Prints the --port= argument of process $1.
server_port() {
    local arg argv=()
    mapfile -d '' -t argv 2>/dev/null <"/proc/$1/cmdline" || return 0
    for arg in "${argv[@]}"; do
        case "$arg" in
            --port=*) echo "${arg#--port=}"; return 0 ;;
        esac
    done
}

print_log_tail() {
    if [ -f "$DATADIR/server.log" ]; then
        echo "---- last 40 lines of $DATADIR/server.log ----" >&2
        tail -n 40 "$DATADIR/server.log" >&2
        echo "----" >&2
    fi
}

# mariadbd refuses to run as root unless told to; as any other user it runs as that user.
user_option() {
    if is_root; then
        echo "--user=root"
    fi
}

init_datadir() {
    if [ -e "$DATADIR" ] && [ -n "$(ls -A "$DATADIR")" ]; then
        die "$DATADIR is not empty but was not initialized by $PROG (no $INIT_MARKER); delete it first"
    fi
    mkdir -p "$DATADIR"
    chmod 700 "$DATADIR"
    local out
    out=$(mktemp)
    # normal: root@localhost, root@127.0.0.1 and root@::1 get an empty password instead of
    # unix_socket authentication, so JDBC from 127.0.0.1 logs in as root without one.
    # shellcheck disable=SC2046
    # a private tmpdir: with the shared /tmp, two servers bootstrapping at once can clash on its
    # #sql-temptable files (seen once: "Error on delete of '/tmp/#sql-temptable-...MAI' (Errcode: 2)")
    mkdir -p "$DATADIR/.tmp"
    if ! "$INSTALL_DB" --no-defaults $(user_option) --datadir="$DATADIR" --tmpdir="$DATADIR/.tmp" \
            --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve >"$out" 2>&1; then
        cat "$out" >&2
        rm -f "$out"
        die "mariadb-install-db failed for $DATADIR"
    fi
    rm -f "$out"
    touch "$DATADIR/$INIT_MARKER"
}

# Starts mariadbd in the background, in its own session so that it outlives this script and the
# signals sent to the caller's process group. Sets SERVER_PID.
launch() {
    local options=(
        --no-defaults # must come first: no /etc/mysql/*.cnf, no ~/.my.cnf
        $(user_option)
        --datadir="$DATADIR"
        --tmpdir="$DATADIR/.tmp"
        --ignore-db-dirs=.tmp # not a database
        --port="$PORT"
        --bind-address=127.0.0.1
        --socket="$DATADIR/mariadbd.sock"
        --pid-file="$DATADIR/mariadbd.pid"
        --log-error="$DATADIR/server.log"
        --skip-name-resolve
        # change data capture (Debezium): every row change, whole before and after images, GTIDs
        --server-id=1
        --log-bin=binlog # relative: binlog.000001 and binlog.index in DATADIR
        --binlog-format=ROW
        --binlog-row-image=FULL
        --log-slave-updates
        --gtid-strict-mode=ON
        --binlog-expire-logs-seconds=86400
        # utf8mb4 with a case- and accent-insensitive collation, as most real MySQL/MariaDB
        # applications run: tests then meet the differences from PostgreSQL's ordering and
        # uniqueness instead of a byte order that hides them (columns can still say COLLATE utf8mb4_bin)
        --character-set-server=utf8mb4
        --collation-server=utf8mb4_unicode_ci
        --default-time-zone=+00:00
        --max-connections=200
        --innodb-buffer-pool-size=128M
        # fast, not crash-safe: a crash of the machine may lose the last second of commits and
        # binlog events, acceptable for throwaway test servers only
        --innodb-flush-log-at-trx-commit=2
        --sync-binlog=0
    )
    setsid "$MARIADBD" "${options[@]}" </dev/null >>"$DATADIR/server.log" 2>&1 &
    # setsid execs mariadbd in place here (a background job is no process group leader), so this
    # is mariadbd's PID; wait_ready still looks the server up should setsid have forked
    SERVER_PID=$!
}

# Waits until the server answers on its socket; fails when it exits or START_TIMEOUT_S passes.
wait_ready() {
    local deadline=$((SECONDS + START_TIMEOUT_S))
    while ! "$ADMIN" --no-defaults --protocol=SOCKET --socket="$DATADIR/mariadbd.sock" -u root \
            --connect-timeout=2 ping >/dev/null 2>&1; do
        if ! kill -0 "$SERVER_PID" 2>/dev/null && [ -z "$(server_pids)" ]; then
            print_log_tail
            die "mariadbd exited during start (127.0.0.1:$PORT, data $DATADIR)"
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            print_log_tail
            stop_pids "$SERVER_PID" || true
            die "mariadbd did not accept connections within ${START_TIMEOUT_S}s (127.0.0.1:$PORT, data $DATADIR)"
        fi
        sleep 0.2
    done
}

# Makes sure root can log in over TCP from 127.0.0.1 with an empty password and every privilege
# (mariadb-install-db creates this user already; this keeps it true), then checks that login.
# sql_log_bin=0: the binary log starts empty, with nothing but the tests' own changes.
grant_tcp_root() {
    local out host drop_host_root=""
    # mariadb-install-db also makes root@<this host's name>, which --skip-name-resolve can never
    # match (a warning at every start): dropped
    host=$(hostname 2>/dev/null || true)
    if [[ "$host" =~ ^[A-Za-z0-9.-]+$ ]] && [ "$host" != localhost ]; then
        drop_host_root="DROP USER IF EXISTS 'root'@'$host';"
    fi
    out=$(mktemp)
    if ! "$CLIENT" --no-defaults --protocol=SOCKET --socket="$DATADIR/mariadbd.sock" -u root --batch -e "
            SET SESSION sql_log_bin = 0;
            CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
            GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
            $drop_host_root" >"$out" 2>&1; then
        cat "$out" >&2
        rm -f "$out"
        stop_pids "$SERVER_PID" || true
        die "could not grant root@127.0.0.1 (data $DATADIR)"
    fi
    if ! "$CLIENT" --no-defaults --protocol=TCP -h 127.0.0.1 -P "$PORT" -u root --batch \
            --connect-timeout=5 -e "SELECT 1" >"$out" 2>&1; then
        cat "$out" >&2
        rm -f "$out"
        print_log_tail
        stop_pids "$SERVER_PID" || true
        die "mariadbd runs but root cannot log in over TCP on 127.0.0.1:$PORT (data $DATADIR)"
    fi
    rm -f "$out"
}

any_alive() {
    local pid
    for pid in "$@"; do
        if kill -0 "$pid" 2>/dev/null; then
            return 0
        fi
    done
    return 1
}

# Sends SIGTERM (a clean shutdown) to the PIDs $@ and waits for them to exit; after STOP_TIMEOUT_S
# sends SIGKILL (a throwaway server left running is worse than one killed) and returns 1.
stop_pids() {
    local pid deadline=$((SECONDS + STOP_TIMEOUT_S))
    kill -TERM "$@" 2>/dev/null || true
    for pid in "$@"; do
        while kill -0 "$pid" 2>/dev/null; do
            if [ "$SECONDS" -ge "$deadline" ]; then
                echo "$PROG: mariadbd $pid did not stop within ${STOP_TIMEOUT_S}s; sending SIGKILL" >&2
                kill -KILL "$@" 2>/dev/null || true
                deadline=$((SECONDS + 10))
                while [ "$SECONDS" -lt "$deadline" ] && any_alive "$@"; do
                    sleep 0.1
                done
                return 1
            fi
            sleep 0.1
        done
    done
}

ready_line() {
    echo "mariadb ready on 127.0.0.1:$PORT (data $DATADIR, pid $1)"
}

cmd_start() {
    ensure_binaries
    case "$PORT" in
        '' | *[!0-9]*) echo "$PROG: PORT must be a number, got '$PORT'" >&2; exit 2 ;;
    esac
    if [ "$PORT" -lt 1 ] || [ "$PORT" -gt 65535 ]; then
        echo "$PROG: PORT must be in 1..65535, got $PORT" >&2
        exit 2
    fi
    local running
    running=$(server_pids | head -n 1)
    if [ -n "$running" ]; then
        local running_port
        running_port=$(server_port "$running")
        if [ "$running_port" != "$PORT" ]; then
            die "a server already runs on $DATADIR with port $running_port, not $PORT; stop it first: $PROG stop $DATADIR"
        fi
        ready_line "$running"
        return 0
    fi
    if [ ! -f "$DATADIR/$INIT_MARKER" ]; then
        init_datadir
    fi
    rm -f "$DATADIR/mariadbd.sock" "$DATADIR/mariadbd.pid"
    launch
    wait_ready
    SERVER_PID=$(server_pids | head -n 1)
    [ -n "$SERVER_PID" ] || die "mariadbd answered but no process serves $DATADIR any more"
    grant_tcp_root
    ready_line "$SERVER_PID"
}

cmd_stop() {
    if [ ! -d "$DATADIR" ]; then
        return 0
    fi
    local pids
    pids=$(server_pids)
    if [ -z "$pids" ]; then
        return 0
    fi
    # shellcheck disable=SC2086
    if ! stop_pids $pids; then
        print_log_tail
        die "mariadbd did not shut down cleanly and was killed (data $DATADIR)"
    fi
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
        ensure_binaries
        dirname "$CLIENT"
        ;;
    *)
        usage
        ;;
esac
