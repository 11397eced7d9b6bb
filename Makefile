# mod_maintenance: make | make test (check) | make unit | make demo |
# make bench | make soak | make fuzz | make install | make deb

include apxs.mk

BUILD      = build
MODULE     = .libs/mod_maintenance.so
CTL        = $(BUILD)/maintenancectl
TEST_MOD   = tests/modules/.libs/mod_maintenance_test.so

UNIT_TESTS = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/*.c))
IT_TESTS   = $(patsubst tests/it/%.c,$(BUILD)/tests/%,$(wildcard tests/it/*.c))
TEST_LIB   = $(wildcard tests/lib/*.c)

# maintenancectl and the tests: APR's headers, and the library's.
HOST_CFLAGS = -g -O2 -std=gnu99 $(WARNINGS) -iquote include -iquote lib \
              -iquote $(BUILD) $(APR_CFLAGS)

include sanitize.mk

LIB_OBJS    = $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIB_A       = $(BUILD)/libmaintenance.a
LIB_HEADERS = $(wildcard include/*.h lib/*.h) $(BUILD)/maintenance_build.h
HEADERS     = $(LIB_HEADERS) $(wildcard httpd/*.h)

.PHONY: all deps test check unit it demo deb bench install clean FORCE

all: $(MODULE) $(CTL)

include tests/fuzz/fuzz.mk

# The values conf/ is written with; make install puts this build's in.
LIBEXECDIR_DEFAULT = /usr/lib/apache2/modules
STATE_FILE_DEFAULT = /var/lib/apache2/maintenance/state

# Regenerated only when STATE_FILE changes, so a changed default rebuilds all.
$(BUILD)/maintenance_build.h: FORCE
	@mkdir -p $(dir $@)
	@printf '#define MAINTENANCE_STATE_FILE "%s"\n' '$(STATE_FILE)' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

# The library, once, for everything that links it.
$(LIB_OBJS): $(BUILD)/lib/%.o: lib/%.c $(LIB_HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(LIB_CFLAGS) -c -o $@ $<

$(LIB_A): $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

# libtool says that linking a static archive into a module is not
# portable: it is, for PIC objects on the platforms httpd's apxs serves.
$(MODULE): $(GLUE_SRCS) $(LIB_A) $(HEADERS)
	$(APXS) -c $(APXS_CFLAGS) \
	    -o $(MODULE:.libs/mod_maintenance.so=mod_maintenance.la) \
	    $(GLUE_SRCS) $(LIB_A) $(LIB_LIBS) $(PCRE2_LIBS) 2>&1 >/dev/null \
	    | { grep -v -e 'is not portable' -e '^\*\*\*' || true; } >&2

$(CTL): ctl/maintenancectl.c $(LIB_A) $(LIB_HEADERS)
	$(CC) $(HOST_CFLAGS) $(EXTRA_CFLAGS) $(EXTRA_LDFLAGS) -o $@ $< $(LIB_A) \
	    $(APR_LIBS) $(LIB_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB_A) $(LIB_HEADERS) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $< $(LIB_A) -lcmocka $(APR_LIBS) $(LIB_LIBS)

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

# The integration tests' fixture (tests/lib) runs the httpd apxs names,
# with its modules and its htpasswd; it_install checks that make install
# puts things where this Makefile's install does.
TEST_CFLAGS = -Itests/lib \
    -DFX_HTTPD='"$(shell $(APXS) -q SBINDIR)/$(shell $(APXS) -q progname)"' \
    -DFX_MODULES_DIR='"$(shell $(APXS) -q LIBEXECDIR)"' \
    -DFX_HTPASSWD='"$(shell $(APXS) -q BINDIR)/htpasswd"' \
    -DINSTALL_LIBEXECDIR='"$(LIBEXECDIR)"' \
    -DINSTALL_INCLUDEDIR='"$(INCLUDEDIR)"' \
    -DINSTALL_SYSCONFDIR='"$(SYSCONFDIR)"'
TEST_LIBS   = -lcmocka -lcurl -ljansson $(HIREDIS_LIBS) $(APR_LIBS)

$(BUILD)/tests/%: tests/it/%.c $(TEST_LIB) $(wildcard tests/lib/*.h) $(MODULE) $(CTL) $(TEST_MOD)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(TEST_CFLAGS) -o $@ $< $(TEST_LIB) $(TEST_LIBS)

# What make test, bench and soak need: everything (tools/deps.sh says
# what each set holds).
deps:
	@tools/deps.sh test

# The unit tests alone: cmocka and APR, no root, no httpd, no browser.
unit: $(UNIT_TESTS)
	@tools/run-tests.sh $(UNIT_TESTS)

it: $(IT_TESTS)

check: test

test: deps
	@$(MAKE) --no-print-directory all $(UNIT_TESTS) fuzz-regress it
	@$(SAN_TEST_ENV) tools/run-tests.sh $(UNIT_TESTS) $(FUZZ_REGRESS) $(IT_TESTS)

# A busy port is said before anything is installed or built.
DEMO_PORT ?= 8080

demo:
	@DEMO_PORT=$(DEMO_PORT) tools/demo.sh check
	@tools/deps.sh demo
	@$(MAKE) --no-print-directory all
	@DEMO_PORT=$(DEMO_PORT) tools/demo.sh

# The Debian package libapache2-mod-maintenance (debian/), and its -dbgsym,
# into build/deb/: built by dpkg-buildpackage from a copy of the sources in
# build/deb/src, so the work tree stays as it is, then checked by lintian.
# What this make was given (SANITIZE=1...) does not reach the package.
DEB_DIR  = build/deb
DEB_SRCS = Makefile apxs.mk sanitize.mk tests/fuzz/fuzz.mk LICENSE README.md \
           $(GLUE_SRCS) $(LIB_SRCS) $(wildcard include/*.h lib/*.h httpd/*.h) \
           ctl/maintenancectl.c ctl/maintenancectl.1 conf debian

deb:
	@tools/deps.sh deb
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_DIR)/src
	tar -cf - $(DEB_SRCS) | tar -xf - -C $(DEB_DIR)/src
	cd $(DEB_DIR)/src && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u SANITIZE \
	    dpkg-buildpackage -us -uc -b
	lintian --fail-on error $(DEB_DIR)/*.changes

# What the module costs httpd (bench/bench.c), on the tests' fixture.
BENCH = $(BUILD)/bench/bench

$(BENCH): bench/bench.c $(TEST_LIB) $(wildcard tests/lib/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(TEST_CFLAGS) -o $@ $< $(TEST_LIB) $(TEST_LIBS)

bench: deps
	@$(MAKE) --no-print-directory all $(BENCH)
	@$(BENCH)

# Not part of make test: SOAK_SECONDS of load, state changes and graceful
# restarts per MPM (tests/soak/soak.c).
SOAK_SECONDS ?= 60
SOAK       = $(BUILD)/tests/soak
SOAK_SRCS  = $(wildcard tests/soak/*.c)

$(SOAK): $(SOAK_SRCS) $(wildcard tests/soak/*.h) $(TEST_LIB) $(wildcard tests/lib/*.h) $(MODULE) $(CTL)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(TEST_CFLAGS) -o $@ $(SOAK_SRCS) $(TEST_LIB) $(TEST_LIBS)

.PHONY: soak
soak: deps
	@$(MAKE) --no-print-directory all $(SOAK)
	@SOAK_SECONDS=$(SOAK_SECONDS) tools/run-tests.sh $(SOAK)

# Where make install puts things; DESTDIR is honoured for packaging.
PREFIX     ?= /usr/local
LIBEXECDIR ?= $(shell $(APXS) -q LIBEXECDIR)
INCLUDEDIR ?= $(shell $(APXS) -q INCLUDEDIR)
SYSCONFDIR ?= $(shell $(APXS) -q SYSCONFDIR)
DOCDIR     ?= $(PREFIX)/share/doc/mod_maintenance
HTTPD_USER ?= www-data
# Binaries are installed stripped; a packager that keeps the symbols apart
# (debian/rules) says INSTALL_STRIP=.
INSTALL_STRIP ?= -s

# Where conf/maintenance.conf says the README is: the Debian package's.
DOC_DEFAULT = /usr/share/doc/libapache2-mod-maintenance/README.md.gz

install: all
	install -d $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(PREFIX)/bin \
	    $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(INCLUDEDIR) \
	    $(DESTDIR)$(DOCDIR)
	install -m 644 $(INSTALL_STRIP) $(MODULE) \
	    $(DESTDIR)$(LIBEXECDIR)/mod_maintenance.so
	install -m 755 $(INSTALL_STRIP) $(CTL) $(DESTDIR)$(PREFIX)/bin/maintenancectl
	install -m 644 ctl/maintenancectl.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 include/mod_maintenance.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 README.md $(DESTDIR)$(DOCDIR)/
	@# A Debian-style layout gets the a2enmod files and a state directory
	@# httpd's User can write.
	if [ -d $(SYSCONFDIR)/mods-available ]; then \
	    install -d $(DESTDIR)$(SYSCONFDIR)/mods-available && \
	    sed 's|$(LIBEXECDIR_DEFAULT)|$(LIBEXECDIR)|' conf/maintenance.load \
	        > $(DESTDIR)$(SYSCONFDIR)/mods-available/maintenance.load && \
	    sed -e 's|$(STATE_FILE_DEFAULT)|$(STATE_FILE)|' \
	        -e 's|$(DOC_DEFAULT)|$(DOCDIR)/README.md|' conf/maintenance.conf \
	        > $(DESTDIR)$(SYSCONFDIR)/mods-available/maintenance.conf && \
	    install -d $(DESTDIR)$(dir $(STATE_FILE)) && \
	    if [ "$$(id -u)" = 0 ] && id $(HTTPD_USER) >/dev/null 2>&1; then \
	        chown $(HTTPD_USER):$(HTTPD_USER) $(DESTDIR)$(dir $(STATE_FILE)); \
	    fi; \
	fi

clean:
	rm -rf $(BUILD) .libs *.la *.lo *.slo *.o httpd/*.lo httpd/*.slo httpd/*.o \
	    httpd/.libs \
	    tests/modules/.libs tests/modules/*.la tests/modules/*.lo tests/modules/*.slo
