#!/bin/sh
# Installs what building, testing and the demo need, if anything is missing.
# Debian packages only; as root it runs apt-get, otherwise it says what to run.
set -eu

# package:file-it-provides
need="
apache2:/usr/sbin/apache2
apache2-dev:/usr/bin/apxs
apache2-utils:/usr/bin/htpasswd
libapr1-dev:/usr/include/apr-1.0/apr.h
libaprutil1-dev:/usr/include/apr-1.0/apr_memcache.h
libpcre2-dev:/usr/include/pcre2.h
libcurl4-openssl-dev:/usr/bin/curl-config
libcmocka-dev:/usr/include/cmocka.h
libjansson-dev:/usr/include/jansson.h
memcached:/usr/bin/memcached
curl:/usr/bin/curl
chromium:/usr/bin/chromium
nodejs:/usr/bin/node
npm:/usr/bin/npm
wrk:/usr/bin/wrk
valgrind:/usr/bin/valgrind
strace:/usr/bin/strace
prometheus:/usr/bin/promtool
"

missing=""
for entry in $need; do
    pkg=${entry%%:*}
    file=${entry#*:}
    [ -e "$file" ] || missing="$missing $pkg"
done

top=$(cd "$(dirname "$0")/.." && pwd)

# The browser test's driver and the S3 test store, pinned in their
# package-lock.json files.
npm_deps() {
    for dir in tests/browser tests/s3; do
        [ -d "$top/$dir/node_modules" ] && continue
        echo "installing: $dir's npm packages"
        npm ci --prefix "$top/$dir" --no-audit --no-fund --silent </dev/null
    done
}

if [ -z "$missing" ]; then
    npm_deps
    exit 0
fi

if [ "$(id -u)" != 0 ]; then
    echo "mod_maintenance needs these Debian packages:$missing" >&2
    echo "install them as root: apt-get install -y$missing" >&2
    exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq $missing </dev/null
npm_deps
