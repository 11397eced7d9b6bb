# How the module is built: the apxs and APR settings shared by the Makefile's
# targets. Override any of them on the command line (make APXS=/opt/httpd/bin/apxs).

APXS       ?= apxs
APR_CONFIG ?= $(shell $(APXS) -q APR_CONFIG 2>/dev/null || echo apr-1-config)
APU_CONFIG ?= $(shell $(APXS) -q APU_CONFIG 2>/dev/null || echo apu-1-config)
CC         ?= cc

# The state file the module and maintenancectl use when told nothing.
STATE_FILE ?= /var/lib/apache2/maintenance/state

WARNINGS  = -Wall -Wextra -Werror

# What a packager adds to the compiler's and the linker's flags for what
# ships (debian/rules: dpkg-buildflags' hardening).
EXTRA_CFLAGS  ?=
EXTRA_LDFLAGS ?=

# The library (lib/): the state record, times, templates and escaping,
# Accept, IP lists, form fields and the state providers. It never includes
# httpd's headers and is compiled without their directory, once, into a
# static PIC archive that the module, maintenancectl and the unit tests
# all link.
LIB_SRCS  = $(wildcard lib/*.c)

# The httpd glue (httpd/): configuration, hooks, policies, the answer, the
# toggle handler and the state cache; mod_maintenance.c is the module
# record.
GLUE_SRCS = mod_maintenance.c $(wildcard httpd/*.c)

APR_CFLAGS = $(shell $(APR_CONFIG) --cflags --cppflags --includes) \
             $(shell $(APU_CONFIG) --includes)
APR_LIBS   = $(shell $(APR_CONFIG) --link-ld --libs) \
             $(shell $(APU_CONFIG) --link-ld --libs)
CURL_LIBS  = $(shell curl-config --libs)
# The redis: provider's client, hiredis (Debian's libhiredis-dev).
HIREDIS_LIBS = $(shell pkg-config --libs hiredis 2>/dev/null || echo -lhiredis)
# What the library itself links: libcurl (S3), libcrypto (HMAC, SHA-256)
# and hiredis (redis:).
LIB_LIBS   = $(CURL_LIBS) -lcrypto $(HIREDIS_LIBS)
PCRE2_LIBS = $(shell pkg-config --libs libpcre2-8)

# The library's flags: apxs's own (hardening), position-independent code
# for the module, and APR's headers alone.
LIB_CFLAGS = $(shell $(APXS) -q CFLAGS) -fPIC -fvisibility=hidden -std=gnu99 \
             $(WARNINGS) -iquote include -iquote lib -iquote $(BUILD) \
             $(APR_CFLAGS) $(EXTRA_CFLAGS)

# apxs passes compiler flags through -Wc, one at a time. Hidden symbols:
# the module's own calls go straight to their target, not through the PLT;
# httpd needs only maintenance_module (see httpd/maintenance_conf.h).
# -iquote: our "headers" come before any installed copy in httpd's
# include directory, which apxs names first.
APXS_CFLAGS = $(foreach f,$(WARNINGS) -fvisibility=hidden -iquote include \
                -iquote lib -iquote httpd -iquote $(BUILD) $(EXTRA_CFLAGS),-Wc,$(f)) \
              $(foreach f,$(EXTRA_LDFLAGS),-Wl,$(f))
