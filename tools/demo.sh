#!/bin/sh
# make demo: httpd on 127.0.0.1:8080 in the foreground with the module, a
# sample page and a state file of its own. Ctrl-C stops it.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
demo="$top/build/demo"
port=${DEMO_PORT:-8080}
modules=/usr/lib/apache2/modules

mkdir -p "$demo/htdocs" "$demo/logs" "$demo/state"
cat > "$demo/htdocs/index.html" <<'HTML'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>mod_maintenance demo</title></head>
<body><h1>The site is up</h1>
<p>Maintenance mode: <!--#echo var="MAINTENANCE_MODE" --></p></body></html>
HTML

user_lines=""
if [ "$(id -u)" = 0 ]; then
    # httpd drops root; the state directory is handed to it at start-up.
    user_lines="User www-data
Group www-data"
    chmod -R a+rX "$demo"
    chown www-data:www-data "$demo/state"    # the toggle page writes there
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

# A demo user with a password of its own for each demo.
password=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
htpasswd -cbB "$demo/htpasswd" demo "$password" 2>/dev/null
chmod 644 "$demo/htpasswd"

cat <<TXT
mod_maintenance demo: http://127.0.0.1:$port/   (Ctrl-C stops it)

  the toggle page:       http://127.0.0.1:$port/maintenance-mode/
                         user demo, password $password

  or from a shell:       build/maintenancectl --state file:$demo/state/state on --for 10m --message 'Back soon'
                         build/maintenancectl --state file:$demo/state/state off
  see it:                curl -i http://127.0.0.1:$port/
  as JSON:               curl -i -H 'Accept: application/json' http://127.0.0.1:$port/
  a health check passes: curl -i -A HealthCheck/1.0 http://127.0.0.1:$port/

A change is seen within MaintenanceStateTTL (1 second).
TXT
exec /usr/sbin/apache2 -f "$demo/httpd.conf" -DFOREGROUND
