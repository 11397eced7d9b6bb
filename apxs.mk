# How the module is built: the apxs and APR settings shared by the Makefile's
# targets. Override any of them on the command line (make APXS=/opt/httpd/bin/apxs).

APXS       ?= apxs
APR_CONFIG ?= $(shell $(APXS) -q APR_CONFIG 2>/dev/null || echo apr-1-config)
APU_CONFIG ?= $(shell $(APXS) -q APU_CONFIG 2>/dev/null || echo apu-1-config)
CC         ?= cc

# The state file the module and maintenancectl use when told nothing.
STATE_FILE ?= /var/lib/apache2/maintenance/state

WARNINGS  = -Wall -Wextra -Werror

# Sources free of httpd headers: the module, maintenancectl and the unit
# tests all link them.
CORE_SRCS = src/state.c src/timefmt.c src/iplist.c src/template.c \
            src/accept.c src/form.c src/provider.c src/provider_file.c \
            src/provider_memcache.c src/provider_s3.c

# Sources that need httpd.
MOD_SRCS  = mod_maintenance.c src/cache.c src/policy.c src/response.c \
            src/toggle.c

APR_CFLAGS = $(shell $(APR_CONFIG) --cflags --cppflags --includes) \
             $(shell $(APU_CONFIG) --includes)
APR_LIBS   = $(shell $(APR_CONFIG) --link-ld --libs) \
             $(shell $(APU_CONFIG) --link-ld --libs)
CURL_LIBS  = $(shell curl-config --libs)

# apxs passes compiler flags through -Wc, one at a time. Hidden symbols:
# the module's own calls go straight to their target, not through the PLT;
# httpd needs only maintenance_module (see maintenance_conf.h).
# -iquote: our "headers" come before any installed copy in httpd's
# include directory, which apxs names first.
APXS_CFLAGS = $(foreach f,$(WARNINGS) -fvisibility=hidden -iquote include \
                -iquote src -iquote $(BUILD),-Wc,$(f))
