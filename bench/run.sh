#!/usr/bin/env bash
# make bench: what mod_maintenance costs a real httpd, measured three ways.
#
#   1. throughput: wrk against httpds serving the same 1 KiB page, plain and
#      with the module (maintenance off, then on), alternating rounds, plus
#      the common mod_rewrite flag-file recipe as a reference; maintenance
#      off is measured with each state provider: a file, memcached and an S3
#      store (s3rver behind tests/s3/front.mjs, which checks signatures),
#      the two stores started here; for these, the store reads made during
#      each round are counted against one per MaintenanceStateTTL per httpd
#      process;
#   2. instructions per request: `apache2 -X` under callgrind, counting only
#      inside ap_process_(async_)request, keep-alive requests from ab; two runs
#      (warm-up only, warm-up + N requests) whose difference is divided by N;
#   3. syscalls per request: strace -f -c attached to one `apache2 -X` after
#      its warm-up, for the same N requests.
#
# Throughput on a shared 2-core machine is noisy, so (2) and (3) are the
# numbers to trust. Targets never fail the run: each is printed PASS/MISS.
# Everything runs on 127.0.0.1 only, under build/bench/, and every process
# started here is stopped on exit.
#
# Knobs (environment):
#   MODULE_SO       the module under test   (.libs/mod_maintenance.so)
#   BENCH_CONFIGS   configurations to run   ("plain off memcache s3 on
#                   rewrite"; with only plain and rewrite the module is not
#                   needed; s3 is skipped, with a note, without node or
#                   tests/s3's node modules: npm ci --prefix tests/s3)
#   BENCH_ROUNDS    wrk rounds per config   (7)
#   BENCH_DURATION  wrk round length        (3s)
#   BENCH_THREADS / BENCH_CONNS  wrk -t/-c  (2 / 32)
#   BENCH_REQUESTS  requests counted by callgrind and strace (1000)
#   BENCH_PATH      URL path requested      (/index.html; / adds mod_dir's subrequest)
#   BENCH_VALGRIND_MPM  MPM for the callgrind and strace runs (event)
set -euo pipefail
export LC_ALL=C   # "." decimals for awk/printf, byte order for sort/join
# Every server is on 127.0.0.1: a proxy from the environment must not carry
# the module's S3 reads (libcurl honours these) nor the bench's own curls.
export NO_PROXY=127.0.0.1 no_proxy=127.0.0.1

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MODULE_SO=${MODULE_SO:-$ROOT/.libs/mod_maintenance.so}
HTTPD=${HTTPD:-/usr/sbin/apache2}
MODDIR=${MODDIR:-/usr/lib/apache2/modules}
CONFIGS=${BENCH_CONFIGS:-plain off memcache s3 on rewrite}
ROUNDS=${BENCH_ROUNDS:-7}
DURATION=${BENCH_DURATION:-3s}
WRK_THREADS=${BENCH_THREADS:-2}
WRK_CONNS=${BENCH_CONNS:-32}
REQUESTS=${BENCH_REQUESTS:-1000}
WARMUP=${BENCH_WARMUP:-50}
URL_PATH=${BENCH_PATH:-/index.html}
SINGLE_MPM=${BENCH_VALGRIND_MPM:-event}
MEMCACHED=${MEMCACHED:-/usr/bin/memcached}
S3_FRONT=$ROOT/tests/s3/front.mjs

# Targets for the module with maintenance off.
TARGET_RATIO=0.99        # wrk req/s, module / plain
TARGET_P99=1.10          # wrk p99, module / plain: "unchanged", give or take
                         # the noise of a shared machine
TARGET_INSTR=250         # extra instructions per request
TARGET_SYSCALLS=0.1      # extra syscalls per request, amortized: "none"

STATE_TTL=1              # MaintenanceStateTTL of every module config, s

# The local S3 store's bucket and credentials: made up, it accepts only these.
S3_BUCKET=bench
S3_ACCESS_KEY=BENCHACCESSKEY
S3_SECRET=bench-secret-key
S3_REGION=us-east-1

BENCH_DIR=$ROOT/build/bench
RUN=                     # this run's directory, set in main
BUSY=0                   # 1 when other work loaded the machine during wrk
declare -A PORT=()       # config name -> port of its running daemon
declare -A STORE_PORT=() # memcache|s3 -> port of the store it reads
DAEMON_PIDFILES=()       # httpds started with -k start
declare -A FG_PIDS=()    # pids of running children (apache2 -X, valgrind,
                         # strace, memcached, node), removed once reaped so
                         # that a reused pid is never signalled

# ---------------------------------------------------------------- helpers

say()  { printf '%s\n' "$*"; }
warn() { printf 'bench: %s\n' "$*" >&2; }
die()  { warn "$*"; exit 1; }

# A config's directory name, the same length for every config: the
# directory walk's string work grows with the path, and must not show up
# as the module's cost.
slug() { local s="${1}________"; printf '%s' "${s:0:8}"; }

label() {
    case $1 in
        plain)   echo "plain" ;;
        off)     echo "module off" ;;
        on)      echo "module on (503)" ;;
        memcache) echo "off via memcache" ;;
        s3)      echo "off via s3" ;;
        rewrite) echo "rewrite recipe" ;;
        *)       echo "$1" ;;
    esac
}

has_config() { [[ " $CONFIGS " == *" $1 "* ]]; }

# The configs whose state lives in a store the bench starts (section below).
is_store() { [[ $1 == memcache || $1 == s3 ]]; }

# Whether any selected config loads the module.
needs_module() {
    local c
    for c in $CONFIGS; do
        [[ $c == plain || $c == rewrite ]] || return 0
    done
    return 1
}

# Median of the numbers on stdin, one per line.
median() {
    sort -g | awk '{ v[NR] = $1 }
        END { if (NR == 0) { print "nan"; exit }
              if (NR % 2) print v[(NR + 1) / 2]
              else printf "%.10g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# calc EXPR: floating-point arithmetic (bash has none).
calc() { awk "BEGIN { printf \"%.10g\\n\", $1 }"; }

# verdict OK_EXPR: PASS when the awk expression holds.
verdict() { awk "BEGIN { exit !($1) }" && echo PASS || echo MISS; }

# A port nothing listens on, below the ephemeral range so that wrk's and ab's
# own outgoing connections cannot take it. A race with another program is
# still possible; start_daemon retries on "Address already in use".
pick_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 12000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return
        fi
    done
}

# --------------------------------------------------------------- configs

# The one page every server serves: exactly 1 KiB of HTML, so that the cost
# measured is httpd's per-request work, not copying.
write_docroot() {
    local head tail pad
    head=$'<!DOCTYPE html>\n<html><head><title>bench</title></head><body>\n<p>mod_maintenance bench page</p>\n<!-- '
    tail=$' -->\n</body></html>\n'
    printf -v pad '%*s' $((1024 - ${#head} - ${#tail})) ''
    mkdir -p "$RUN/htdocs"
    printf '%s%s%s' "$head" "${pad// /x}" "$tail" >"$RUN/htdocs/index.html"
    printf 'text/html html htm\ntext/plain txt\n' > "$RUN/mime.types"
    chmod -R a+rX "$RUN"
}

# The module's part of a config: where its state lives and a few ignore
# policies, as a real site would have, none matching 127.0.0.1. The state
# file is absent (off) or says on; memcached holds "off", and the S3 object
# is absent, which is off too. The s3 config's credentials come from httpd's
# environment (start_stores).
module_conf() {
    local dir=$1 config=$2
    echo "LoadModule maintenance_module $MODULE_SO"
    case $config in
        off|on)
            mkdir -p "$dir/state"
            if [[ $config == on ]]; then
                echo on > "$dir/state/state"
            fi
            echo "MaintenanceState file:$dir/state/state"
            ;;
        memcache)
            echo "MaintenanceState memcache:127.0.0.1:${STORE_PORT[memcache]}"
            ;;
        s3)
            echo "MaintenanceState s3:http://127.0.0.1:${STORE_PORT[s3]}/$S3_BUCKET/state"
            echo "MaintenanceS3Region $S3_REGION"
            ;;
    esac
    cat <<EOF
MaintenanceStateTTL $STATE_TTL
MaintenanceIgnoreURL ^/admin ^/health
MaintenanceIgnoreURL ^/status/
MaintenanceIgnoreIP 10.0.0.0/8 192.168.1.1
MaintenanceIgnoreIP 172.16.0.0/12 2001:db8::/32
EOF
}

# The usual hand-made maintenance switch: 503 while a flag file exists. The
# flag is absent, so this is the cost of the check alone.
rewrite_conf() {
    local dir=$1
    cat <<EOF
LoadModule rewrite_module $MODDIR/mod_rewrite.so
RewriteEngine On
RewriteCond $dir/maintenance.flag -f
RewriteRule ^ - [R=503,L]
EOF
}

# write_conf DIR CONFIG PORT MPM THREADS: one self-contained httpd.conf.
# Only the modules a static page needs, no access log (log_config is built
# in, but without CustomLog nothing is logged), keep-alive without a request
# limit so one connection carries all the counted requests.
write_conf() {
    local dir=$1 config=$2 port=$3 mpm=$4 threads=$5
    mkdir -p "$dir"
    {
        cat <<EOF
# generated by bench/run.sh: config "$config"
ServerRoot "$dir"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile "$dir/httpd.pid"
DefaultRuntimeDir "$dir"
ErrorLog "$dir/error.log"
LogLevel warn

LoadModule mpm_${mpm}_module $MODDIR/mod_mpm_${mpm}.so
LoadModule authz_core_module $MODDIR/mod_authz_core.so
LoadModule mime_module $MODDIR/mod_mime.so
LoadModule dir_module $MODDIR/mod_dir.so
EOF
        if [[ $(id -u) == 0 ]]; then
            printf 'User www-data\nGroup www-data\n'
        fi
        case $mpm in
            # Every process and thread exists before the first round, so no
            # round pays for spawning them.
            event) cat <<EOF
StartServers 2
ServerLimit 2
ThreadsPerChild $threads
MaxRequestWorkers $((2 * threads))
MinSpareThreads $threads
MaxSpareThreads $((2 * threads))
MaxConnectionsPerChild 0
EOF
            ;;
            prefork) cat <<EOF
StartServers $threads
MinSpareServers $threads
MaxSpareServers $((2 * threads))
MaxRequestWorkers $((2 * threads))
MaxConnectionsPerChild 0
EOF
            ;;
        esac
        cat <<EOF
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 60
Timeout 120

TypesConfig "$RUN/mime.types"
DocumentRoot "$RUN/htdocs"
DirectoryIndex index.html
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "$RUN/htdocs">
    Require all granted
</Directory>
EOF
        case $config in
            plain)   ;;
            off|on|memcache|s3) module_conf "$dir" "$config" ;;
            rewrite) rewrite_conf "$dir" ;;
            *)       die "unknown config $config" ;;
        esac
    } > "$dir/httpd.conf"
    chmod -R a+rX "$dir"
}

# ---------------------------------------------------------- processes

# wait_ready PORT SECONDS [PID]: until the server answers HTTP at all.
# Under valgrind start-up takes many seconds, hence the caller's deadline.
wait_ready() {
    local port=$1 deadline=$((SECONDS + $2)) pid=${3:-}
    while ((SECONDS < deadline)); do
        if curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$port/"; then
            return 0
        fi
        if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
            return 1
        fi
        sleep 0.3
    done
    return 1
}

show_log() {
    local dir=$1 f
    for f in "$dir"/start.log "$dir"/error.log "$dir"/store.log; do
        [[ -s $f ]] && { warn "--- $f"; tail -n 20 "$f" >&2; }
    done
    return 0
}

# start_daemon NAME: a multi-process httpd for the wrk rounds; sets PORT[NAME].
start_daemon() {
    local name=$1 dir port _
    dir=$RUN/tput-$(slug "$1")
    for _ in 1 2 3; do  # retried only when the port was taken
        port=$(pick_port)
        write_conf "$dir" "$name" "$port" event "$WRK_CONNS"
        rm -f "$dir/error.log"
        if "$HTTPD" -d "$dir" -f "$dir/httpd.conf" -k start >"$dir/start.log" 2>&1; then
            DAEMON_PIDFILES+=("$dir/httpd.pid")
            if wait_ready "$port" 20; then
                PORT[$name]=$port
                return 0
            fi
        fi
        if grep -qs 'Address already in use' "$dir/start.log" "$dir/error.log"; then
            stop_pidfile "$dir/httpd.pid"
            continue
        fi
        show_log "$dir"
        die "httpd for config '$name' did not start"
    done
    die "no free port for config '$name'"
}

# stop_pid PID: TERM, wait up to 20 s, then KILL. Only pids we started.
stop_pid() {
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.2
    done
    warn "pid $pid ignored SIGTERM, killing it"
    kill -KILL "$pid" 2>/dev/null || true
}

# child_pids PID: the processes whose parent is PID (from /proc: procps is
# not on every Debian machine).
child_pids() {
    local status key value
    for status in /proc/[0-9]*/status; do
        while read -r key value; do
            if [[ $key == PPid: ]]; then
                [[ $value == "$1" ]] && { status=${status#/proc/}; echo "${status%/status}"; }
                break
            fi
        done 2>/dev/null <"$status" || true   # it may have exited
    done
}

# A daemon's children go with their parent; any straggler is killed by pid.
stop_pidfile() {
    local pidfile=$1 pid kids
    [[ -s $pidfile ]] || return 0
    pid=$(<"$pidfile")
    kids=$(child_pids "$pid")
    stop_pid "$pid"
    for pid in $kids; do
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    done
    rm -f "$pidfile"
}

cleanup() {
    local f pid
    for pid in "${!FG_PIDS[@]}"; do
        stop_pid "$pid"
    done
    for f in "${DAEMON_PIDFILES[@]}"; do
        stop_pidfile "$f"
    done
    return 0
}

# start_single NAME CONFIG WRAPPER...: one `apache2 -X` (one process, no
# detach) under an optional wrapper command, in the background; sets
# SINGLE_PID, SINGLE_PORT and SINGLE_DIR.
start_single() {
    local name=$1 config=$2; shift 2
    local dir=$RUN/$name port _
    for _ in 1 2 3; do  # retried only when the port was taken
        port=$(pick_port)
        # Two worker threads: under -X the MPM still starts its threads, and
        # fewer of them makes valgrind's start-up faster.
        write_conf "$dir" "$config" "$port" "$SINGLE_MPM" 2
        rm -f "$dir/error.log"
        # As root, become www-data before the wrapper starts rather than in
        # httpd's child init: callgrind creates its output file at start-up
        # and could not reopen it for the final dump after httpd's setuid.
        # Requests run as www-data either way (the User line is then a no-op).
        local drop=()
        if [[ $(id -u) == 0 ]]; then
            chown -R www-data:www-data "$dir"
            drop=(setpriv --reuid=www-data --regid=www-data --init-groups)
        fi
        "${drop[@]}" "$@" "$HTTPD" -X -d "$dir" -f "$dir/httpd.conf" >"$dir/start.log" 2>&1 &
        SINGLE_PID=$!
        FG_PIDS[$SINGLE_PID]=1
        if wait_ready "$port" 180 "$SINGLE_PID"; then
            SINGLE_PORT=$port SINGLE_DIR=$dir
            return 0
        fi
        stop_single
        grep -qs 'Address already in use' "$dir/start.log" "$dir/error.log" && continue
        show_log "$dir"
        die "apache2 -X for '$name' did not start"
    done
    die "no free port for '$name'"
}

stop_single() {
    stop_pid "$SINGLE_PID"
    reap "$SINGLE_PID"
}

reap() {
    wait "$1" 2>/dev/null || true
    unset 'FG_PIDS[$1]'
}

# drive PORT COUNT LOG: COUNT requests on one keep-alive connection (ab -k
# -c 1 reconnects only when the server closes, as it does after a 503).
drive() {
    local port=$1 count=$2 log=$3
    timeout 120 ab -k -q -n "$count" -c 1 -s 120 \
        "http://127.0.0.1:$port$URL_PATH" >"$log" 2>&1 ||
        { cat "$log" >&2; die "ab failed against port $port"; }
    local completed
    completed=$(awk '/^Complete requests:/ { print $3 }' "$log")
    [[ $completed == "$count" ]] ||
        die "ab completed ${completed:-0} of $count requests (see $log)"
}

# ---------------------------------------------------------------- stores

# The memcache and s3 configs read their state from a store started here, on
# 127.0.0.1, that lives as long as the run: the callgrind and strace parts
# use it too. Each store counts the reads it serves, which is how the bench
# sees how often the module reads its state.

# Why the s3 config cannot run on this machine, if it cannot: its store is
# the tests' own, installed by npm, which not every machine has.
s3_missing() {
    local m
    if ! command -v node >/dev/null; then
        echo "node not found (apt-get install nodejs)"
    elif [[ ! -f $S3_FRONT ]]; then
        echo "$S3_FRONT not found"
    else
        for m in s3rver @smithy/signature-v4 @smithy/protocol-http @aws-crypto/sha256-js; do
            if [[ ! -d $ROOT/tests/s3/node_modules/$m ]]; then
                echo "its node modules are missing: npm ci --prefix tests/s3"
                return
            fi
        done
    fi
}

# memcache_ask PORT REQUEST: memcached's answer to REQUEST, through bash's
# /dev/tcp (no client to install); the "quit" after it makes memcached close
# the connection, which ends the read.
memcache_ask() {
    (
        exec 3<>"/dev/tcp/127.0.0.1/$1"
        printf '%squit\r\n' "$2" >&3
        timeout 5 cat <&3
    ) 2>/dev/null | tr -d '\r'
}

# store_reads NAME: how many state reads NAME's store has served so far.
store_reads() {
    local port=${STORE_PORT[$1]}
    case $1 in
        memcache)
            # cmd_get: the keys asked for by get commands, hit or miss.
            memcache_ask "$port" $'stats\r\n' |
                awk '$1 == "STAT" && $2 == "cmd_get" { print $3; found = 1 }
                     END { exit !found }'
            ;;
        s3)
            # The front's S3 requests by method, e.g. {"refused":0,"GET":12};
            # no "GET" before the first one.
            curl -sf --max-time 5 "http://127.0.0.1:$port/__stats" |
                awk '{ n = 0; if (match($0, /"GET":[0-9]+/)) n = substr($0, RSTART + 6, RLENGTH - 6)
                       print n }'
            ;;
    esac
}

# start_store NAME: memcached, or s3rver behind its signature-checking front,
# in the background; sets STORE_PORT[NAME] once its read counter answers.
start_store() {
    local name=$1 dir=$RUN/store-$1 port pid _ cmd
    mkdir -p "$dir/data"
    for _ in 1 2 3; do  # retried only when the port was taken
        port=$(pick_port)
        case $name in
            memcache)
                cmd=("$MEMCACHED" -l 127.0.0.1 -p "$port" -U 0)
                if [[ $(id -u) == 0 ]]; then
                    cmd+=(-u nobody)   # memcached refuses to run as root
                fi
                ;;
            s3)
                cmd=(node "$S3_FRONT" --port "$port" --dir "$dir/data"
                     --bucket "$S3_BUCKET" --access-key "$S3_ACCESS_KEY"
                     --secret "$S3_SECRET" --region "$S3_REGION")
                ;;
        esac
        "${cmd[@]}" >"$dir/store.log" 2>&1 &
        pid=$!
        FG_PIDS[$pid]=1
        STORE_PORT[$name]=$port
        if wait_store "$name" "$pid"; then
            return 0
        fi
        stop_pid "$pid"
        reap "$pid"
        grep -qs 'Address already in use\|EADDRINUSE' "$dir/store.log" && continue
        show_log "$dir"
        die "the $name store did not start: ${cmd[*]}"
    done
    die "no free port for the $name store"
}

# wait_store NAME PID: until NAME's store answers, while PID lives.
wait_store() {
    local name=$1 pid=$2 deadline=$((SECONDS + 30))
    while ((SECONDS < deadline)); do
        if store_reads "$name" >/dev/null 2>&1; then
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.2
    done
    return 1
}

start_stores() {
    if has_config memcache; then
        start_store memcache
        # "off\n", as the module itself writes it: every read is a hit.
        [[ $(memcache_ask "${STORE_PORT[memcache]}" \
                $'set maintenance_mode_state 0 0 4\r\noff\n\r\n') == STORED ]] ||
            die "memcached did not store the state"
        say "memcache: memcached at 127.0.0.1:${STORE_PORT[memcache]}, maintenance_mode_state = off"
    fi
    if has_config s3; then
        # httpd takes its S3 credentials from its environment: every httpd
        # started from now on has them, and those without s3: ignore them.
        # A session token from the caller's environment would be refused.
        export AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET
        unset AWS_SESSION_TOKEN
        start_store s3
        say "s3: s3rver behind tests/s3/front.mjs at 127.0.0.1:${STORE_PORT[s3]}, object $S3_BUCKET/state absent (off)"
    fi
}

# daemon_procs NAME: the httpd processes of NAME's daemon that read the
# state, one reader each: the children of the pid in its pid file.
daemon_procs() {
    child_pids "$(<"$RUN/tput-$(slug "$1")/httpd.pid")" | wc -l
}

# -------------------------------------------------------------- sanity

# The comparison means nothing unless each server answers as its config says.
check_status() {
    local name=$1 want got
    case $name in on) want=503 ;; *) want=200 ;; esac
    got=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORT[$name]}$URL_PATH")
    [[ $got == "$want" ]] ||
        die "config '$name' answered $got to $URL_PATH, expected $want (logs: $RUN/tput-$(slug "$name"))"
    # An unreadable state would still answer 200 (MaintenanceFailMode open),
    # but measure the failure path, not the state read.
    if grep -qs 'cannot read the state' "$RUN/tput-$(slug "$name")/error.log"; then
        show_log "$RUN/tput-$(slug "$name")"
        die "config '$name' cannot read its state"
    fi
}

# -------------------------------------------------------------- 1. wrk

# wrk_round NAME: one wrk run against a daemon; sets RPS and P99 (ms).
wrk_round() {
    local name=$1 out
    out=$(wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"$DURATION" --latency \
        "http://127.0.0.1:${PORT[$name]}$URL_PATH" 2>&1) ||
        { say "$out" >&2; die "wrk failed against '$name'"; }
    RPS=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    # "99%  1.23ms": wrk picks the unit; normalise to milliseconds.
    P99=$(awk '$1 == "99%" {
                v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
                f = (u == "us") ? 0.001 : (u == "s") ? 1000 : (u == "m") ? 60000 : 1
                printf "%.3f", v * f }' <<<"$out")
    [[ -n $RPS && -n $P99 ]] || { say "$out" >&2; die "cannot parse wrk output"; }
}

# store_round NAME: wrk_round, counting the reads of NAME's store meanwhile;
# sets READS, and BOUND, the most the module may make. Each httpd process
# reads from a thread of its own, whatever the load, and starts its next
# read TTL after the last one ended: in T seconds (from one reading of the
# counter to the other) a process reads at most floor(T / TTL) + 1 times.
store_round() {
    local name=$1 before after t0 t1 procs now
    procs=$(daemon_procs "$name")
    t0=$EPOCHREALTIME
    before=$(store_reads "$name") || die "cannot read the $name store's counter"
    wrk_round "$name"
    after=$(store_reads "$name") || die "cannot read the $name store's counter"
    t1=$EPOCHREALTIME
    # A process started during the round reads at once: count it too.
    now=$(daemon_procs "$name")
    if ((now > procs)); then procs=$now; fi
    READS=$((after - before))
    BOUND=$(awk -v t0="$t0" -v t1="$t1" -v ttl="$STATE_TTL" -v n="$procs" \
        'BEGIN { printf "%d", n * (int((t1 - t0) / ttl) + 1) }')
}

sum() { awk '{ s += $1 } END { print s + 0 }'; }

# reads_verdict NAME: PASS when the module read its store during the rounds,
# never more often than the bound, and every read succeeded (the S3 front
# counts the requests it refuses too). Failed reads or none at all would mean
# that the rounds measured something else than a working store.
reads_verdict() {
    local reads bound log
    reads=$(sum <"$RUN/results/wrk-$1.reads")
    bound=$(sum <"$RUN/results/wrk-$1.bound")
    log=$RUN/tput-$(slug "$1")/error.log
    if ((reads == 0)); then
        echo "MISS (no reads: is the module reading its store?)"
    elif grep -qs 'cannot read the state' "$log"; then
        echo "MISS (reads failed: see $log)"
    else
        verdict "$reads <= $bound"
    fi
}

# compare NAME: ROUNDS rounds of plain and NAME, in ABBA order so that a
# drift of the machine's speed during the run hits both alike. Writes
# $RUN/results/wrk-NAME.{ratio,rps,p99,plain-rps,plain-p99}, and for a store
# config .{reads,bound}: its store's reads in each round, and their bound.
compare() {
    local name=$1 i c res=$RUN/results/wrk-$1 rps_plain rps_other reads
    say ""
    say "== throughput: $(label "$name") vs plain ($ROUNDS rounds of wrk -t$WRK_THREADS -c$WRK_CONNS -d$DURATION, alternating)"
    [[ $name == on ]] &&
        say "   informative only: httpd closes the connection after a 503, so wrk reconnects for every request"
    if is_store "$name"; then
        say "   counting the store's reads in each round: $(daemon_procs "$name") httpd processes, MaintenanceStateTTL $STATE_TTL"
    fi
    # Warm-up: first requests page in files and fill caches.
    for c in plain "$name"; do wrk_round "$c"; done
    : >"$res.ratio"; : >"$res.rps"; : >"$res.p99"; : >"$res.plain-rps"; : >"$res.plain-p99"
    : >"$res.reads"; : >"$res.bound"
    for ((i = 1; i <= ROUNDS; i++)); do
        local order=(plain "$name")
        ((i % 2)) || order=("$name" plain)
        for c in "${order[@]}"; do
            reads=
            if [[ $c == plain ]]; then
                wrk_round "$c"
                rps_plain=$RPS
                echo "$RPS" >>"$res.plain-rps"; echo "$P99" >>"$res.plain-p99"
            else
                if is_store "$c"; then
                    store_round "$c"
                    echo "$READS" >>"$res.reads"; echo "$BOUND" >>"$res.bound"
                    reads="   store reads $READS (at most $BOUND)"
                else
                    wrk_round "$c"
                fi
                rps_other=$RPS
                echo "$RPS" >>"$res.rps"; echo "$P99" >>"$res.p99"
            fi
            printf '   round %d  %-16s %10.0f req/s   p99 %7.3f ms%s\n' "$i" "$(label "$c")" "$RPS" "$P99" "$reads"
        done
        calc "$rps_other / $rps_plain" >>"$res.ratio"
        printf '   round %d  ratio %s/plain   %.4f\n' "$i" "$name" "$(tail -n 1 "$res.ratio")"
    done
    printf '   median: plain %.0f req/s (p99 %.3f ms), %s %.0f req/s (p99 %.3f ms), ratio %.4f\n' \
        "$(median <"$res.plain-rps")" "$(median <"$res.plain-p99")" \
        "$(label "$name")" "$(median <"$res.rps")" "$(median <"$res.p99")" \
        "$(median <"$res.ratio")"
    if is_store "$name"; then
        printf '   store reads: %d in %d rounds, at most %d (one per TTL per process): %s\n' \
            "$(sum <"$res.reads")" "$ROUNDS" "$(sum <"$res.bound")" "$(reads_verdict "$name")"
    fi
}

# Other work on the machine moves wrk's numbers far more than 1 %: say how
# busy it is, so that a reader can tell a noisy run from a slow module.
load_note() {
    local load
    load=$(cut -d ' ' -f 1 /proc/loadavg)
    say "   load average $1: $load on $(nproc) CPUs"
    if awk -v l="$load" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
        say "   warning: the machine is busy with other work; the wrk ratios are unreliable"
        BUSY=1
    fi
}

run_throughput() {
    local c
    say ""
    say "#### 1. throughput (wrk). Noisy on a shared 2-core machine (about +-4 %);"
    say "####    trust the instruction and syscall counts below for small differences."
    load_note "before the rounds"
    for c in $CONFIGS; do start_daemon "$c"; done
    for c in $CONFIGS; do check_status "$c"; done
    for c in $CONFIGS; do
        [[ $c == plain ]] || compare "$c"
    done
    for c in $CONFIGS; do stop_pidfile "$RUN/tput-$(slug "$c")/httpd.pid"; done
    say ""
    load_note "after the rounds"
}

# ------------------------------------------------------- 2. callgrind

# callgrind_run CONFIG COUNT: one apache2 -X under callgrind, counting only
# inside ap_process_request/ap_process_async_request, WARMUP + COUNT requests.
# Writes $RUN/cg-CONFIG-COUNT/callgrind.out; sets CG_TOTAL (instructions).
# --vgdb=no: no control FIFOs, which callgrind_control would need (below).
callgrind_run() {
    local config=$1 count=$2 name
    name=cg-$(slug "$1")-$2
    start_single "$name" "$config" \
        valgrind --tool=callgrind --vgdb=no \
        --toggle-collect=ap_process_request \
        --toggle-collect=ap_process_async_request \
        --callgrind-out-file="$RUN/$name/callgrind.out"
    drive "$SINGLE_PORT" "$WARMUP" "$SINGLE_DIR/ab-warmup.log"
    if ((count > 0)); then
        drive "$SINGLE_PORT" "$count" "$SINGLE_DIR/ab.log"
    fi
    stop_single
    # "totals:" sums all threads; older callgrinds write only "summary:".
    CG_TOTAL=$(awk '/^totals:/ { t = $2 } /^summary:/ { s = $2 }
                    END { print (t != "") ? t : s }' "$SINGLE_DIR/callgrind.out")
    [[ -n $CG_TOTAL ]] || die "no totals in $SINGLE_DIR/callgrind.out"
}

# callgrind_cost CONFIG: instructions per request, as the difference of two
# runs, WARMUP and WARMUP + REQUESTS requests, divided by REQUESTS. Start-up
# and first-request costs (lazy symbol binding, first state read, warming
# caches) fall in both runs and cancel out. (Zeroing the counters after the
# warm-up with callgrind_control would need vgdb to wake a process asleep in
# epoll_wait through ptrace, which fails with EINTR here.)
callgrind_cost() {
    local config=$1 base
    callgrind_run "$config" 0
    base=$CG_TOTAL
    callgrind_run "$config" "$REQUESTS"
    calc "($CG_TOTAL - $base) / $REQUESTS" >"$RUN/results/instr-$config"
    printf '   %-16s %10.0f instructions / request   (%s - %s, %d requests)\n' \
        "$(label "$config")" "$(<"$RUN/results/instr-$config")" "$CG_TOTAL" "$base" "$REQUESTS"
}

# callgrind_functions CONFIG [INCLUSIVE]: instructions per request for each
# function (self cost, or inclusive with "yes"), from the same difference of
# the two runs; "FUNCTION (OBJECT)<TAB>COST", sorted by function.
callgrind_functions() {
    local config=$1 inclusive=${2:-no}
    join -t $'\t' -a 1 -a 2 -e 0 -o 0,1.2,2.2 \
        <(annotate "$RUN/cg-$(slug "$config")-$REQUESTS/callgrind.out" "$inclusive") \
        <(annotate "$RUN/cg-$(slug "$config")-0/callgrind.out" "$inclusive") |
        awk -F '\t' -v n="$REQUESTS" '{ printf "%s\t%.2f\n", $1, ($2 - $3) / n }'
}

# annotate FILE INCLUSIVE: "FUNCTION (OBJECT)<TAB>IR" for every function.
# callgrind_annotate runs in the run directory: it resolves the module's
# relative source names against its working directory, and from the source
# tree it splits a function's costs between two names. Lines without an
# [object] are its aliases of a function listed with one, hence skipped.
annotate() {
    (cd "$RUN" && callgrind_annotate --auto=no --threshold=100 --inclusive="$2" "$1") |
        awk '$1 ~ /^[0-9,]+$/ && match($0, / \[[^]]*\]$/) {
                ir = $1; gsub(/,/, "", ir)
                obj = substr($0, RSTART + 2, RLENGTH - 3); sub(/.*\//, "", obj)
                fn = substr($0, 1, RSTART - 1); sub(/.*:/, "", fn)
                cost[fn " (" obj ")"] += ir
            }
            END { for (f in cost) printf "%s\t%d\n", f, cost[f] }' |
        sort -t $'\t' -k 1,1
}

# Where the extra instructions go: the functions whose self cost per request
# differs most between CONFIG and plain, then the module's own functions with
# their inclusive cost (what each costs with everything it calls).
callgrind_diff() {
    local config=$1
    say "   largest differences in self instructions per request, $(label "$config") - plain:"
    join -t $'\t' -a 1 -a 2 -e 0 -o 0,1.2,2.2 \
        <(callgrind_functions "$config") <(callgrind_functions plain) |
        awk -F '\t' '{ d = $2 - $3; if (d > 0.5 || d < -0.5) printf "%+10.1f  %s\n", d, $1 }' |
        sort -g -r | first 12
    say "   $(basename "$MODULE_SO") functions, inclusive instructions per request:"
    callgrind_functions "$config" yes |
        awk -F '\t' -v obj="($(basename "$MODULE_SO"))" \
            'index($1, obj) && $2 >= 0.5 { printf "%10.1f  %s\n", $2, $1 }' |
        sort -g -r | first 12
}

# first N: the first N lines, reading all input (head would close the pipe
# early, and under pipefail the writer's SIGPIPE would end the run).
first() { awk -v n="$1" 'NR <= n'; }

run_callgrind() {
    local c
    say ""
    say "#### 2. instructions per request: callgrind on one apache2 -X (mpm_$SINGLE_MPM), counting"
    say "####    inside ap_process_request/ap_process_async_request; runs of $WARMUP and $WARMUP + $REQUESTS"
    say "####    keep-alive requests, the difference divided by $REQUESTS"
    for c in $CONFIGS; do callgrind_cost "$c"; done
    if has_config off; then callgrind_diff off; fi
}

# --------------------------------------------------------- 3. strace

# strace_cost CONFIG: syscalls per request, all threads. strace attaches after
# start-up and warm-up, so only the counted requests (and whatever the
# server's background threads do meanwhile, e.g. the module's state reader)
# are seen.
strace_cost() {
    local config=$1 spid total log
    start_single "st-$(slug "$config")" "$config"
    log=$SINGLE_DIR/strace.txt
    drive "$SINGLE_PORT" "$WARMUP" "$SINGLE_DIR/ab-warmup.log"
    strace -f -c -o "$log" -p "$SINGLE_PID" 2>"$SINGLE_DIR/strace.err" &
    spid=$!
    FG_PIDS[$spid]=1
    wait_traced "$SINGLE_PID" || die "strace did not attach to $SINGLE_PID"
    drive "$SINGLE_PORT" "$REQUESTS" "$SINGLE_DIR/ab.log"
    kill -INT "$spid"          # detaches and writes the table
    reap "$spid"
    stop_single
    # The last line of the table: "100.00 secs usecs/call CALLS [ERRORS] total".
    total=$(awk '$NF == "total" { print $4 }' "$log")
    [[ -n $total ]] || die "no total in $log"
    calc "$total / $REQUESTS" >"$RUN/results/sys-$config"
    awk -v n="$REQUESTS" '$1 ~ /^[0-9.]+$/ && $NF != "total" { printf "%s\t%.3f\n", $NF, $4 / n }' \
        "$log" | sort >"$RUN/results/sys-$config.detail"
    printf '   %-16s %8.2f syscalls / request   (%s in %d requests)\n' \
        "$(label "$config")" "$(<"$RUN/results/sys-$config")" "$total" "$REQUESTS"
}

# Until every thread of PID shows a tracer (strace -f -p attaches to all).
wait_traced() {
    local pid=$1 deadline=$((SECONDS + 15)) t all
    while ((SECONDS < deadline)); do
        all=1
        for t in /proc/"$pid"/task/*/status; do
            awk '/^TracerPid:/ { exit $2 == 0 }' "$t" 2>/dev/null || all=0
        done
        ((all)) && return 0
        sleep 0.1
    done
    return 1
}

# Which syscalls differ per request between CONFIG and plain.
strace_diff() {
    local config=$1
    say "   syscalls per request that differ, $(label "$config") - plain:"
    join -t $'\t' -a 1 -a 2 -e 0 -o 0,1.2,2.2 \
        "$RUN/results/sys-$config.detail" "$RUN/results/sys-plain.detail" |
        awk -F '\t' '{ d = $2 - $3; if (d >= 0.005 || d <= -0.005) printf "     %-20s %+8.3f\n", $1, d; else same++ }
                     END { if (same == NR) print "     (none)" }'
}

run_strace() {
    local c
    say ""
    say "#### 3. syscalls per request: strace -f -c on one apache2 -X (mpm_$SINGLE_MPM), $REQUESTS keep-alive requests"
    for c in $CONFIGS; do strace_cost "$c"; done
    for c in $CONFIGS; do
        [[ $c == plain ]] || strace_diff "$c"
    done
}

# ------------------------------------------------------------ summary

result() { [[ -s $RUN/results/$1 ]] && cat "$RUN/results/$1" || echo nan; }

# pct DELTA BASE: "+1.23 %"
pct() { awk -v d="$1" -v b="$2" 'BEGIN { printf "%+.2f %%", 100 * d / b }'; }

summary() {
    local c rps paired ratio p99 plain_p99 instr sys reads instr_plain sys_plain
    instr_plain=$(result instr-plain) sys_plain=$(result sys-plain)
    say ""
    say "###################################################### summary ######################################################"
    printf '%-16s | %-53s | %-19s | %-15s | %s\n' \
        "" "wrk, median of $ROUNDS rounds" "callgrind" "strace" "store"
    printf '%-16s | %9s %12s %8s %10s %10s | %9s %9s | %7s %7s | %s\n' \
        config "req/s" "plain req/s" ratio "p99 ms" "plain p99" "instr/req" delta "sys/req" delta "reads/bound"
    for c in $CONFIGS; do
        reads=-
        if [[ $c == plain ]]; then
            # All plain rounds; the other rows show the plain rounds they ran
            # against, which is what their ratio compares.
            rps=$({ cat "$RUN"/results/wrk-*.plain-rps 2>/dev/null || true; } | median)
            p99=$({ cat "$RUN"/results/wrk-*.plain-p99 2>/dev/null || true; } | median)
            paired=- plain_p99=- ratio=1
        else
            rps=$(median <"$RUN/results/wrk-$c.rps")
            p99=$(median <"$RUN/results/wrk-$c.p99")
            paired=$(median <"$RUN/results/wrk-$c.plain-rps" | xargs printf '%.0f')
            plain_p99=$(median <"$RUN/results/wrk-$c.plain-p99" | xargs printf '%.3f')
            ratio=$(median <"$RUN/results/wrk-$c.ratio")
            if is_store "$c"; then
                reads="$(sum <"$RUN/results/wrk-$c.reads")/$(sum <"$RUN/results/wrk-$c.bound")"
            fi
        fi
        instr=$(result "instr-$c") sys=$(result "sys-$c")
        printf '%-16s | %9.0f %12s %8.4f %10.3f %10s | %9.0f %+9.0f | %7.2f %+7.2f | %s\n' \
            "$(label "$c")" "$rps" "$paired" "$ratio" "$p99" "$plain_p99" \
            "$instr" "$(calc "$instr - $instr_plain")" "$sys" "$(calc "$sys - $sys_plain")" "$reads"
    done
    for c in off memcache s3; do
        if has_config "$c"; then targets "$c"; fi
    done
    if has_config rewrite; then
        local d s
        d=$(calc "$(result instr-rewrite) - $instr_plain")
        s=$(calc "$(result sys-rewrite) - $sys_plain")
        printf '\nreference: the mod_rewrite flag-file recipe costs %+.0f instructions (%s) and %+.2f syscalls per request.\n' \
            "$d" "$(pct "$d" "$instr_plain")" "$s"
    fi
    say ""
    say "instr/req and sys/req are counts over $REQUESTS requests to $URL_PATH on one keep-alive"
    say "connection; they repeat within a few tens of instructions and a few hundredths of a"
    say "syscall between runs (once-a-second work: date strings, the module's state reader)."
    if has_config memcache || has_config s3; then
        say "store reads: memcached's cmd_get and the S3 front's GETs during the counted rounds; the"
        say "bound is one read per MaintenanceStateTTL ($STATE_TTL s) per httpd process, plus one each."
    fi
    say "wrk figures are noisy. Logs and raw data: $RUN"
}

# targets CONFIG: the targets (the stores' too) for the
# module with maintenance off, against the plain rounds CONFIG ran against.
targets() {
    local c=$1 res=$RUN/results/wrk-$1 r p99 plain_p99 d s instr_plain noisy=
    instr_plain=$(result instr-plain)
    r=$(median <"$res.ratio")
    p99=$(median <"$res.p99")
    plain_p99=$(median <"$res.plain-p99")
    d=$(calc "$(result "instr-$c") - $instr_plain")
    s=$(calc "$(result "sys-$c") - $(result sys-plain)")
    if ((BUSY)); then noisy=' (machine busy: unreliable)'; fi
    say ""
    say "targets for $(label "$c"), against plain:"
    printf '  %-36s %16s   %-28s %s\n' \
        "wrk throughput ratio (+-4 % noise)" "$(printf '%.4f' "$r")" ">= $TARGET_RATIO" \
        "$(verdict "$r >= $TARGET_RATIO")$noisy" \
        "wrk p99 latency, ms" "$(printf '%.3f' "$p99")" \
        "<= plain's $(printf '%.3f' "$plain_p99") x $TARGET_P99" \
        "$(verdict "$p99 <= $plain_p99 * $TARGET_P99")$noisy" \
        "extra instructions per request" "$(printf '%+.0f' "$d") ($(pct "$d" "$instr_plain"))" \
        "<= +$TARGET_INSTR (about 1 %)" "$(verdict "$d <= $TARGET_INSTR")" \
        "extra syscalls per request" "$(printf '%+.3f' "$s")" \
        "<= +$TARGET_SYSCALLS (none, amortized)" "$(verdict "$s <= $TARGET_SYSCALLS")"
    if is_store "$c"; then
        printf '  %-36s %16s   %-28s %s\n' \
            "store reads during the rounds" "$(sum <"$res.reads")" \
            "<= $(sum <"$res.bound"), 1/TTL/process" "$(reads_verdict "$c")"
    fi
}

# --------------------------------------------------------------- main

main() {
    local c s3_skipped='' kept=()
    [[ -x $HTTPD ]] || die "$HTTPD not found: apt-get install apache2"
    for c in wrk ab valgrind callgrind_annotate callgrind_control strace curl; do
        command -v "$c" >/dev/null || die "$c not found (packages: wrk apache2-utils valgrind strace curl)"
    done
    if needs_module; then
        [[ -f $MODULE_SO ]] ||
            die "module not found: $MODULE_SO (run 'make' first, set MODULE_SO, or BENCH_CONFIGS=\"plain rewrite\" to bench without it)"
    fi
    has_config plain || die "BENCH_CONFIGS must include plain, the baseline"
    if has_config memcache; then
        [[ -x $MEMCACHED ]] || die "$MEMCACHED not found: apt-get install memcached"
    fi
    # The S3 store is optional: without it the rest still runs, and says so.
    if has_config s3; then
        s3_skipped=$(s3_missing)
        if [[ -n $s3_skipped ]]; then
            for c in $CONFIGS; do
                [[ $c == s3 ]] || kept+=("$c")
            done
            CONFIGS=${kept[*]}
        fi
    fi

    # Keep only the latest run's files.
    mkdir -p "$BENCH_DIR"
    rm -rf "$BENCH_DIR"/run.*
    RUN=$(mktemp -d "$BENCH_DIR/run.XXXXXX")
    chmod 755 "$RUN"
    mkdir -p "$RUN/results"
    trap cleanup EXIT
    trap 'exit 130' INT TERM

    say "mod_maintenance bench, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    say "httpd: $("$HTTPD" -v | sed -n 's/^Server version: //p'), $(nproc) CPUs, $(uname -r)"
    if needs_module; then
        say "module: $MODULE_SO ($(stat -c '%s bytes, built %y' "$MODULE_SO" | cut -d. -f1))"
    fi
    say "page: $URL_PATH -> 1 KiB index.html; configs: $CONFIGS"
    if [[ -n $s3_skipped ]]; then
        say "note: config s3 skipped: $s3_skipped"
    fi

    write_docroot
    start_stores
    run_throughput
    run_callgrind
    run_strace
    summary | tee "$RUN/summary.txt"
}

main "$@"
