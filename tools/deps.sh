#!/bin/sh
# Installs what a make target needs, if anything is missing:
#
#     tools/deps.sh demo    building the module and running it (make demo)
#     tools/deps.sh deb     building the Debian package (make deb)
#     tools/deps.sh test    everything: make test, bench and soak (the default)
#
# Debian packages only; as root it runs apt-get, otherwise it says what to run.
set -eu

set_name=${1:-test}

# package:file-it-provides
build="
gcc:/usr/bin/gcc
pkgconf:/usr/bin/pkg-config
apache2-dev:/usr/bin/apxs
libapr1-dev:/usr/include/apr-1.0/apr.h
libaprutil1-dev:/usr/include/apr-1.0/apr_memcache.h
libpcre2-dev:/usr/include/pcre2.h
libcurl4-openssl-dev:/usr/bin/curl-config
libssl-dev:/usr/include/openssl/sha.h
libssl-dev:/usr/include/openssl/hmac.h
libhiredis-dev:/usr/include/hiredis/hiredis.h
"
# The demo's httpd, its password file, and the curl its banner shows.
demo="$build
apache2:/usr/sbin/apache2
apache2-utils:/usr/bin/htpasswd
curl:/usr/bin/curl
"
# dh_apache2 comes with apache2-dev.
deb="$build
debhelper:/usr/bin/dh
dpkg-dev:/usr/bin/dpkg-buildpackage
lintian:/usr/bin/lintian
"
test="$demo $deb
libcmocka-dev:/usr/include/cmocka.h
libjansson-dev:/usr/include/jansson.h
memcached:/usr/bin/memcached
redis-server:/usr/bin/redis-server
chromium:/usr/bin/chromium
nodejs:/usr/bin/node
npm:/usr/bin/npm
wrk:/usr/bin/wrk
valgrind:/usr/bin/valgrind
strace:/usr/bin/strace
prometheus:/usr/bin/promtool
"

case $set_name in
demo) need=$demo ;;
deb) need=$deb ;;
test) need=$test ;;
*)
    echo "usage: tools/deps.sh [demo|deb|test]" >&2
    exit 2
    ;;
esac

missing=""
for entry in $need; do
    pkg=${entry%%:*}
    file=${entry#*:}
    case " $missing " in
    *" $pkg "*) ;;
    *) [ -e "$file" ] || missing="$missing $pkg" ;;
    esac
done

top=$(cd "$(dirname "$0")/.." && pwd)

# The browser test's driver and the S3 test store, pinned in their
# package-lock.json files: for the tests alone.
npm_deps() {
    [ "$set_name" = test ] || return 0
    for dir in tests/browser tests/s3; do
        # npm ci leaves node_modules/.package-lock.json: newer than the
        # lock file means what the lock file pins is installed.
        [ "$top/$dir/node_modules/.package-lock.json" -nt \
          "$top/$dir/package-lock.json" ] && continue
        echo "installing: $dir's npm packages"
        npm ci --prefix "$top/$dir" --no-audit --no-fund --silent </dev/null
    done
}

if [ -z "$missing" ]; then
    npm_deps
    exit 0
fi

if [ "$(id -u)" != 0 ]; then
    echo "make $set_name needs these Debian packages:$missing" >&2
    echo "install them as root: apt-get install -y$missing" >&2
    exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq $missing </dev/null
# The tests start redis-servers of their own: the package's service is
# stopped and not started at boot.
case " $missing " in
*" redis-server "*)
    service redis-server stop >/dev/null 2>&1 || true
    systemctl disable redis-server >/dev/null 2>&1 \
        || update-rc.d redis-server disable >/dev/null 2>&1 || true
    ;;
esac
npm_deps
