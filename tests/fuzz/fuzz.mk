# Fuzzing the library's parsers of outside input, one libFuzzer harness
# each (tests/fuzz/fuzz_NAME.c, seeds in tests/fuzz/corpus/NAME/):
#
#     make fuzz [FUZZ_SECONDS=60]   each harness for that long, under
#                                   AddressSanitizer and UBSan (needs clang)
#     make fuzz-regress             the corpus replays make test runs
#
# Included by the Makefile after its settings. Everything goes into
# build/fuzz/, sanitized as it is whatever SANITIZE says.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_OUT      = build/fuzz
FUZZ_NAMES    = $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS     = $(FUZZ_NAMES:%=$(FUZZ_OUT)/fuzz_%)
FUZZ_REGRESS  = $(FUZZ_NAMES:%=$(FUZZ_OUT)/regress/fuzz_%)
FUZZ_HEADERS  = $(LIB_HEADERS) $(wildcard tests/fuzz/*.h)

# Undefined behaviour stops a run as a memory error does, so libFuzzer
# keeps the input and the replay fails on it.
FUZZ_SAN    = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS = -g -O1 -fno-omit-frame-pointer -std=gnu99 $(WARNINGS) \
              -iquote include -iquote lib -iquote $(BUILD) -iquote tests/fuzz \
              $(APR_CFLAGS) $(FUZZ_SAN)
FUZZ_LIBS   = $(APR_LIBS) $(LIB_LIBS)

# The library built twice more: with libFuzzer's coverage for the fuzzers
# (clang), and with the sanitizers alone for the replay ($(CC)), so that
# make test needs no clang.
FUZZ_LIB_OBJS    = $(LIB_SRCS:%.c=$(FUZZ_OUT)/cov/%.o)
FUZZ_REPLAY_OBJS = $(LIB_SRCS:%.c=$(FUZZ_OUT)/regress/%.o)

.PHONY: fuzz fuzz-regress

fuzz: $(FUZZ_BINS)
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_NAMES)

fuzz-regress: $(FUZZ_REGRESS)

# Static pattern rules: the objects are targets of their own, never
# intermediate files make would delete after a link.
$(FUZZ_LIB_OBJS): $(FUZZ_OUT)/cov/%.o: %.c $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_BINS): $(FUZZ_OUT)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_OBJS) $(FUZZ_HEADERS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB_OBJS) \
	    $(FUZZ_LIBS)

$(FUZZ_REPLAY_OBJS): $(FUZZ_OUT)/regress/%.o: %.c $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_REGRESS): $(FUZZ_OUT)/regress/fuzz_%: tests/fuzz/fuzz_%.c \
                  tests/fuzz/regress.c $(FUZZ_REPLAY_OBJS) $(FUZZ_HEADERS)
	$(CC) $(FUZZ_CFLAGS) -DFUZZ_NAME='"$*"' -o $@ $< tests/fuzz/regress.c \
	    $(FUZZ_REPLAY_OBJS) -lcmocka $(FUZZ_LIBS)

