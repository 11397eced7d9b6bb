#!/bin/sh
# make demo: httpd on 127.0.0.1:$DEMO_PORT (8080) in the foreground with the
# module, a sample page, a toggle page and a state file of its own, until
# Ctrl-C or SIGTERM, which stop it and remove what it made.
#
#     tools/demo.sh check   only says whether the port is free (make demo
#                           asks before it installs or builds anything)
#     tools/demo.sh         runs the demo
#
# What httpd reads (its configuration, the page, the password file, the
# state) is in a directory of its own under /tmp, not in the work tree: run
# as root, httpd serves as www-data, who cannot enter a clone in root's
# 0700 home.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
port=${DEMO_PORT:-8080}
modules=/usr/lib/apache2/modules

case $port in
'' | *[!0-9]* | 0*) port_ok=0 ;;
*) [ "$port" -le 65535 ] && port_ok=1 || port_ok=0 ;;
esac
if [ "$port_ok" = 0 ]; then
    echo "make demo: DEMO_PORT=$port is not a port number (1-65535)" >&2
    exit 2
fi

# Whether a socket listens where httpd would: 127.0.0.1:port, or the port
# on every address (0.0.0.0, ::, ::ffff:127.0.0.1). /proc/net/tcp and tcp6
# list the sockets: "ADDR:PORT" in hex, state 0A is LISTEN.
port_busy() {
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v p="$(printf '%04X' "$1")" '
        $4 == "0A" {
            split($2, a, ":")
            here = a[1] ~ /^0+$/ || a[1] == "0100007F" || a[1] == "0000000000000000FFFF00000100007F"
            if (a[2] == p && here)
                busy = 1
        }
        END { exit !busy }'
}

port_taken() {
    echo "make demo: port $port of 127.0.0.1 is taken; give the demo another:" >&2
    echo "    make demo DEMO_PORT=$((port == 65535 ? 8081 : port + 1))" >&2
    exit 1
}

if port_busy "$port"; then
    port_taken
fi
if [ "${1:-}" = check ]; then
    exit 0
fi

demo=$(mktemp -d "${TMPDIR:-/tmp}/mod_maintenance-demo.XXXXXX")
httpd_pid=""
cleanup() {
    if [ -n "$httpd_pid" ]; then
        kill -TERM "$httpd_pid" 2>/dev/null || true
        wait "$httpd_pid" 2>/dev/null || true
    fi
    rm -rf "$demo"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$demo/htdocs" "$demo/logs" "$demo/state"
cat > "$demo/htdocs/index.html" <<'HTML'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>mod_maintenance demo</title></head>
<body><h1>The site is up</h1>
<p>Maintenance mode: <!--#echo var="MAINTENANCE_MODE" --></p></body></html>
HTML

# A demo user with a password of its own for each demo, readable by httpd
# alone.
password=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
htpasswd -cbB "$demo/htpasswd" demo "$password" 2>/dev/null
chmod 600 "$demo/htpasswd"

user_lines=""
if [ "$(id -u)" = 0 ]; then
    # httpd drops root for www-data: it reads the directory, the password
    # file through its group, and writes the state directory.
    user_lines="User www-data
Group www-data"
    chmod 755 "$demo"
    chgrp www-data "$demo/htpasswd"
    chmod 640 "$demo/htpasswd"
    chown www-data:www-data "$demo/state"
fi

cat > "$demo/httpd.conf" <<CONF
ServerRoot "$demo"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile "$demo/logs/httpd.pid"
DefaultRuntimeDir "$demo/logs"
ErrorLog /dev/stderr
LogLevel warn maintenance:info
$user_lines

LoadModule mpm_event_module $modules/mod_mpm_event.so
LoadModule authz_core_module $modules/mod_authz_core.so
LoadModule mime_module $modules/mod_mime.so
LoadModule dir_module $modules/mod_dir.so
LoadModule include_module $modules/mod_include.so
LoadModule setenvif_module $modules/mod_setenvif.so
LoadModule auth_basic_module $modules/mod_auth_basic.so
LoadModule authn_core_module $modules/mod_authn_core.so
LoadModule authn_file_module $modules/mod_authn_file.so
LoadModule authz_user_module $modules/mod_authz_user.so
LoadModule maintenance_module $top/.libs/mod_maintenance.so

TypesConfig /etc/mime.types
DocumentRoot "$demo/htdocs"
DirectoryIndex index.html
<Directory "$demo/htdocs">
    Options +Includes
    AddOutputFilter INCLUDES .html
    Require all granted
</Directory>

MaintenanceState file:$demo/state/state
# Load balancer health checks always pass.
SetEnvIf User-Agent ^HealthCheck no-maintenance

<Location "/maintenance-mode">
    SetHandler maintenance-toggle
    AuthType Basic
    AuthName "Maintenance"
    AuthUserFile "$demo/htpasswd"
    Require valid-user
</Location>
CONF

# The banner only once httpd listens: it writes its PidFile after binding
# its port, and exits when it cannot (the port taken since the check, a
# bad configuration: its own lines above say which).
/usr/sbin/apache2 -f "$demo/httpd.conf" -DFOREGROUND &
httpd_pid=$!
tries=0
until [ -s "$demo/logs/httpd.pid" ]; do
    if ! kill -0 "$httpd_pid" 2>/dev/null || [ "$tries" -ge 100 ]; then
        wait "$httpd_pid" 2>/dev/null || true
        httpd_pid=""
        if port_busy "$port"; then
            port_taken
        fi
        echo "make demo: httpd did not start (its messages are above)" >&2
        exit 1
    fi
    tries=$((tries + 1))
    sleep 0.1
done

cat <<TXT
mod_maintenance demo: http://127.0.0.1:$port/   (Ctrl-C stops it)

  the toggle page:       http://127.0.0.1:$port/maintenance-mode/
                         user demo, password $password

  or from a shell:       build/maintenancectl --state file:$demo/state/state on --for 10m --message 'Back soon'
                         build/maintenancectl --state file:$demo/state/state off
  see it:                curl -i http://127.0.0.1:$port/
  as JSON:               curl -i -H 'Accept: application/json' http://127.0.0.1:$port/
  a health check passes: curl -i -A HealthCheck/1.0 http://127.0.0.1:$port/

A change is seen within MaintenanceStateTTL (1 second). Its files are in
$demo, removed when it stops.
TXT
wait "$httpd_pid"
