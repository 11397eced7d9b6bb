# mod_maintenance: make | make test | make demo | make bench | make install

include apxs.mk

BUILD      = build
MODULE     = .libs/mod_maintenance.so
CORE_OBJS  = $(CORE_SRCS:%.c=$(BUILD)/%.o)
HEADERS    = $(wildcard include/*.h src/*.h) $(BUILD)/maintenance_build.h

UNIT_TESTS = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/*.c))
IT_TESTS   = $(patsubst tests/it/%.c,$(BUILD)/tests/%,$(wildcard tests/it/*.c))
TEST_LIB   = $(wildcard tests/lib/*.c)

HOST_CFLAGS = -g -O2 -std=gnu99 $(WARNINGS) -Iinclude -Isrc -I$(BUILD) $(APR_CFLAGS)

.PHONY: all deps test unit it demo bench install clean FORCE

all: $(MODULE)

# Regenerated only when STATE_FILE changes, so a changed default rebuilds all.
$(BUILD)/maintenance_build.h: FORCE
	@mkdir -p $(BUILD)
	@printf '#define MAINTENANCE_STATE_FILE "%s"\n' '$(STATE_FILE)' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(MODULE): $(MOD_SRCS) $(CORE_SRCS) $(HEADERS)
	$(APXS) -c $(APXS_CFLAGS) -o mod_maintenance.la $(MOD_SRCS) $(CORE_SRCS)

$(BUILD)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(CORE_OBJS) $(HEADERS) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $< $(CORE_OBJS) -lcmocka $(APR_LIBS)

$(BUILD)/tests/%: tests/it/%.c $(TEST_LIB) $(wildcard tests/lib/*.h) $(MODULE)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Itests/lib -o $@ $< $(TEST_LIB) -lcmocka -lcurl $(APR_LIBS)

deps:
	@tools/deps.sh

unit: $(UNIT_TESTS)
it: $(IT_TESTS)

test: deps
	@$(MAKE) --no-print-directory all unit it
	@tools/run-tests.sh $(UNIT_TESTS) $(IT_TESTS)

demo: deps
	@$(MAKE) --no-print-directory all
	@tools/demo.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@bench/run.sh

install: all
	$(APXS) -i -n maintenance $(MODULE)

clean:
	rm -rf $(BUILD) .libs *.la *.lo *.slo *.o src/*.lo src/*.slo src/*.o src/.libs
