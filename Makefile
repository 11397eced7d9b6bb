# mod_maintenance: make | make test | make demo | make bench | make install

include apxs.mk
include tests/fuzz/fuzz.mk

BUILD      = build
MODULE     = .libs/mod_maintenance.so
CTL        = $(BUILD)/maintenancectl
TEST_MOD   = tests/modules/.libs/mod_maintenance_test.so
CORE_OBJS  = $(CORE_SRCS:%.c=$(BUILD)/%.o)
HEADERS    = $(wildcard include/*.h src/*.h) $(BUILD)/maintenance_build.h

UNIT_TESTS = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/*.c))
IT_TESTS   = $(patsubst tests/it/%.c,$(BUILD)/tests/%,$(wildcard tests/it/*.c))
TEST_LIB   = $(wildcard tests/lib/*.c)

HOST_CFLAGS = -g -O2 -std=gnu99 $(WARNINGS) -iquote include -iquote src \
              -iquote $(BUILD) $(APR_CFLAGS)

include sanitize.mk

.PHONY: all deps test unit it demo bench install clean FORCE

all: $(MODULE) $(CTL)

# The values conf/ is written with; make install puts this build's in.
LIBEXECDIR_DEFAULT = /usr/lib/apache2/modules
STATE_FILE_DEFAULT = /var/lib/apache2/maintenance/state

# Regenerated only when STATE_FILE changes, so a changed default rebuilds all.
# build/'s too, whatever $(BUILD): tests/fuzz/fuzz.mk reads that one.
$(sort $(BUILD)/maintenance_build.h build/maintenance_build.h): FORCE
	@mkdir -p $(dir $@)
	@printf '#define MAINTENANCE_STATE_FILE "%s"\n' '$(STATE_FILE)' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(MODULE): $(MOD_SRCS) $(CORE_SRCS) $(HEADERS)
	$(APXS) -c $(APXS_CFLAGS) \
	    -o $(MODULE:.libs/mod_maintenance.so=mod_maintenance.la) \
	    $(MOD_SRCS) $(CORE_SRCS) $(CURL_LIBS) >/dev/null

$(CTL): ctl/maintenancectl.c $(CORE_OBJS) $(HEADERS)
	$(CC) $(HOST_CFLAGS) -o $@ $< $(CORE_OBJS) $(APR_LIBS) $(CURL_LIBS)

$(BUILD)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(CORE_OBJS) $(HEADERS) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $< $(CORE_OBJS) -lcmocka $(APR_LIBS) $(CURL_LIBS)

# A third-party module using the C API, for the integration tests.
$(TEST_MOD): tests/modules/mod_maintenance_test.c include/mod_maintenance.h \
            $(TEST_MOD_FLAGS)
	$(APXS) -c $(foreach f,$(WARNINGS) -iquote include,-Wc,$(f)) $(SAN_APXS) \
	    -o tests/modules/mod_maintenance_test.la $< >/dev/null

# What the test module was built with (see sanitize.mk).
$(TEST_MOD_FLAGS): FORCE
	@mkdir -p $(dir $@)
	@echo '$(SAN_APXS)' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(BUILD)/tests/%: tests/it/%.c $(TEST_LIB) $(wildcard tests/lib/*.h) $(MODULE) $(CTL) $(TEST_MOD)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Itests/lib -o $@ $< $(TEST_LIB) -lcmocka -lcurl $(APR_LIBS)

deps:
	@tools/deps.sh

unit: $(UNIT_TESTS)
it: $(IT_TESTS)

test: deps
	@$(MAKE) --no-print-directory all unit fuzz-regress it
	@$(SAN_TEST_ENV) tools/run-tests.sh $(UNIT_TESTS) $(FUZZ_REGRESS) $(IT_TESTS)

demo: deps
	@$(MAKE) --no-print-directory all
	@tools/demo.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@bench/run.sh

# Not part of make test: SOAK_SECONDS of load, state changes and graceful
# restarts per MPM (tests/soak/soak.c).
SOAK_SECONDS ?= 60
SOAK       = $(BUILD)/tests/soak
SOAK_SRCS  = $(wildcard tests/soak/*.c)

$(SOAK): $(SOAK_SRCS) $(wildcard tests/soak/*.h) $(TEST_LIB) $(wildcard tests/lib/*.h) $(MODULE) $(CTL)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Itests/lib -o $@ $(SOAK_SRCS) $(TEST_LIB) -lcmocka -lcurl $(APR_LIBS)

.PHONY: soak
soak: deps
	@$(MAKE) --no-print-directory all $(SOAK)
	@SOAK_SECONDS=$(SOAK_SECONDS) tools/run-tests.sh $(SOAK)

# Where make install puts things; DESTDIR is honoured for packaging.
PREFIX     ?= /usr/local
LIBEXECDIR ?= $(shell $(APXS) -q LIBEXECDIR)
INCLUDEDIR ?= $(shell $(APXS) -q INCLUDEDIR)
SYSCONFDIR ?= $(shell $(APXS) -q SYSCONFDIR)
HTTPD_USER ?= www-data

install: all
	install -d $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(PREFIX)/bin \
	    $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(INCLUDEDIR)
	install -m 644 $(MODULE) $(DESTDIR)$(LIBEXECDIR)/mod_maintenance.so
	install -m 755 $(CTL) $(DESTDIR)$(PREFIX)/bin/maintenancectl
	install -m 644 ctl/maintenancectl.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 include/mod_maintenance.h $(DESTDIR)$(INCLUDEDIR)/
	@# A Debian-style layout gets the a2enmod files and a state directory
	@# httpd's User can write.
	if [ -d $(SYSCONFDIR)/mods-available ]; then \
	    install -d $(DESTDIR)$(SYSCONFDIR)/mods-available && \
	    sed 's|$(LIBEXECDIR_DEFAULT)|$(LIBEXECDIR)|' conf/maintenance.load \
	        > $(DESTDIR)$(SYSCONFDIR)/mods-available/maintenance.load && \
	    sed 's|$(STATE_FILE_DEFAULT)|$(STATE_FILE)|' conf/maintenance.conf \
	        > $(DESTDIR)$(SYSCONFDIR)/mods-available/maintenance.conf && \
	    install -d $(DESTDIR)$(dir $(STATE_FILE)) && \
	    if [ "$$(id -u)" = 0 ] && id $(HTTPD_USER) >/dev/null 2>&1; then \
	        chown $(HTTPD_USER):$(HTTPD_USER) $(DESTDIR)$(dir $(STATE_FILE)); \
	    fi; \
	fi

clean:
	rm -rf $(BUILD) .libs *.la *.lo *.slo *.o src/*.lo src/*.slo src/*.o src/.libs \
	    tests/modules/.libs tests/modules/*.la tests/modules/*.lo tests/modules/*.slo
