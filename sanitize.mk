# make SANITIZE=1 (make test SANITIZE=1): the module, the test module,
# maintenancectl and the unit tests built with AddressSanitizer and
# UndefinedBehaviorSanitizer, and the integration tests run httpd under
# them. The Makefile includes this after its own settings, some of which
# it overrides.
#
# The outputs go to build/sanitize (the module to build/sanitize/.libs), so
# a plain build's are never mixed with them, nor rebuilt by a switch. The
# exception is the test module, which it_api loads from tests/modules/.libs:
# TEST_MOD_FLAGS records the flags it was built with, so a switch rebuilds
# it.

SAN_CHECKS     = address,undefined
SAN_FLAGS      = -fsanitize=$(SAN_CHECKS) -fno-omit-frame-pointer \
                 -fno-sanitize-recover=undefined
TEST_MOD_FLAGS = build/test_module.flags

ifeq ($(SANITIZE),1)
BUILD        = build/sanitize
MODULE       = $(BUILD)/.libs/mod_maintenance.so
HOST_CFLAGS += $(SAN_FLAGS)
LIB_CFLAGS  += $(SAN_FLAGS)
# Not the integration tests' own code: it runs beside what they test, and
# there GCC's -Wformat-truncation takes -fsanitize=undefined's null checks
# after fail_msg() (which never returns) for paths that go on.
$(IT_TESTS): private HOST_CFLAGS := $(filter-out $(SAN_FLAGS),$(HOST_CFLAGS))
# apxs passes compiler flags through -Wc and linker flags through -Wl.
SAN_APXS     = $(foreach f,$(SAN_FLAGS),-Wc,$(f)) -Wl,-fsanitize=$(SAN_CHECKS)
APXS_CFLAGS += $(SAN_APXS)

# httpd is not instrumented: the fixture preloads into it (and into it
# alone) the runtimes of the compiler apxs builds modules with.
SAN_CC      = $(shell $(APXS) -q CC)
SAN_PRELOAD = $(shell $(SAN_CC) -print-file-name=libasan.so):$(shell \
              $(SAN_CC) -print-file-name=libubsan.so)

# What make test runs the tests with. Any report aborts the process that
# makes it, which no test takes for an expected exit status.
# verify_asan_link_order=0: tools/run-tests.sh's stdbuf preloads
# libstdbuf.so ahead of ASan's runtime (it only sets stdio's buffering),
# and it_install's apache2ctl configtest loads the installed module into
# an httpd that preloads nothing. fast_unwind_on_malloc=0: a leak's stack
# goes on through APR, built without frame pointers, to the caller that
# tests/lsan.supp may name as meaning it. FX_GRACEFUL_STOP: the fixture
# stops httpd as apachectl graceful-stop does (see tests/lib/fixture.c).
#
# httpd's ASan reports go to the fixture's reports/; its UBSan ones go to
# stderr, the error log, whatever log_path says (GCC's UBSan runtime does
# so beside ASan's), and the fixture polices the log for them (see
# tests/lib/fixture.h). allow_user_segv_handler=0: a segfault is ASan's
# to report, not httpd's to turn into a core. No leak detection there:
# httpd leaves memory of its own (compiled regexes, allocators) at exit.
SAN_TEST_ENV = MODULE_SO=$(abspath $(MODULE)) MAINTENANCECTL=$(CTL) \
    FX_GRACEFUL_STOP=1 \
    ASAN_OPTIONS=abort_on_error=1:verify_asan_link_order=0:fast_unwind_on_malloc=0 \
    UBSAN_OPTIONS=abort_on_error=1:print_stacktrace=1 \
    LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp):print_suppressions=0 \
    FX_HTTPD_ENV='LD_PRELOAD=$(SAN_PRELOAD) \
        ASAN_OPTIONS=detect_leaks=0:allow_user_segv_handler=0:log_path=$${TESTDIR}/reports/asan \
        UBSAN_OPTIONS=print_stacktrace=1'
endif
