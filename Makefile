# lrt - the liquid restaking token accounting engine.
#
#   make            build/liblrt.a, build/liblrt.so, build/lrt
#   make check      build and run every test (unit, database, scenarios)
#   make asan       the tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make coverage   the tests with gcov instrumentation, then a line-coverage report
#   make fuzz       libFuzzer on the scenario/event parser (clang), FUZZ_SECONDS=300
#   make bench      lrt simulate, ingest and settle on a million events, with baselines
#   make demo       the engine at work on a private PostgreSQL cluster
#   make install    PREFIX=/usr/local DESTDIR= (library, headers, lrt.pc, lrt, share/lrt)
#
# Every output lives under $(BUILD) (default build/).  Missing Debian packages
# are installed first when run as root (tests/deps.sh), else named.

VERSION     := 0.1.0
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
LIBDIR      ?= $(PREFIX)/lib
INCLUDEDIR  ?= $(PREFIX)/include
DATADIR     ?= $(PREFIX)/share
BUILD       ?= build
SHARED      ?= ../shared

CC          ?= cc
CFLAGS      ?= -O2 -g
PKG_CONFIG  ?= pkg-config
PKGS        := libpq gmp jansson

# SANITIZE=address,undefined adds the sanitizers; COVERAGE=1 adds gcov.
ifneq ($(SANITIZE),)
SAN_FLAGS   := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif
ifneq ($(COVERAGE),)
COV_FLAGS   := --coverage -O0
endif

DEPS_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
DEPS_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS := $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS  := $(shell $(PKG_CONFIG) --libs check 2>/dev/null)

LRT_CFLAGS  := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
               -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
               -Iinclude -Isrc -I$(BUILD)/gen -fPIC -MMD -MP \
               -DLRT_VERSION='"$(VERSION)"' -DLRT_DATADIR='"$(DATADIR)/lrt"' \
               $(DEPS_CFLAGS) $(SAN_FLAGS) $(COV_FLAGS)
ALL_CFLAGS  := $(LRT_CFLAGS) $(CFLAGS)
ALL_LDFLAGS := $(SAN_FLAGS) $(COV_FLAGS) $(LDFLAGS)

LIB_SRC     := $(wildcard src/core/*.c src/io/*.c src/store/*.c)
CLI_SRC     := $(wildcard src/cli/*.c)
TEST_SRC    := $(wildcard tests/*.c)
EMBED_IN    := $(sort $(wildcard migrations/*.sql)) $(sort $(wildcard sql/*.sql))
LIMITS_SQL  := $(BUILD)/gen/limits.sql

LIB_OBJ     := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/embedded.o
CLI_OBJ     := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_OBJ    := $(TEST_SRC:%.c=$(BUILD)/obj/%.o)

LIB_A       := $(BUILD)/liblrt.a
LIB_SO      := $(BUILD)/liblrt.so
LRT         := $(BUILD)/lrt
RUNNER      := $(BUILD)/tests/runner

.PHONY: all check unit scenarios asan coverage fuzz bench demo demo-clean \
        install uninstall clean deps
.DEFAULT_GOAL := all

all: $(LIB_A) $(LIB_SO) $(LRT)

deps:
	@sh tests/deps.sh

# The compiler flags of the last build, rewritten when they change, so that
# `make install PREFIX=...` (LRT_DATADIR), SANITIZE= or CFLAGS= rebuild the
# objects instead of reusing ones built for other flags.
FLAGS_FILE  := $(BUILD)/flags
ifneq ($(file <$(FLAGS_FILE)),$(strip $(ALL_CFLAGS) $(ALL_LDFLAGS)))
$(shell mkdir -p $(BUILD))
$(file >$(FLAGS_FILE),$(strip $(ALL_CFLAGS) $(ALL_LDFLAGS)))
endif

$(BUILD)/obj/%.o: %.c $(FLAGS_FILE)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c $(FLAGS_FILE)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# The migrations and reporting SQL travel inside the library, so that
# `lrt migrate` works from any directory without an installed share/lrt/.
$(BUILD)/embed: src/tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror -O1 $< -o $@

# The bounds the schema states too come from src/core/limits.h, written
# once: sql/limits.sql is generated, and travels with the reporting SQL.
$(BUILD)/limits_sql: src/tools/limits_sql.c src/core/limits.h
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror -O1 -Isrc $< -o $@

$(LIMITS_SQL): $(BUILD)/limits_sql
	@mkdir -p $(dir $@)
	$(BUILD)/limits_sql > $@.tmp
	mv $@.tmp $@

$(BUILD)/gen/embedded.c: $(BUILD)/embed $(EMBED_IN) $(LIMITS_SQL) Makefile
	@mkdir -p $(dir $@)
	$(BUILD)/embed $@ $(EMBED_IN) $(LIMITS_SQL)=sql/limits.sql

$(LIB_A): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(LIB_SO): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,liblrt.so.0 $(ALL_LDFLAGS) -o $@ $^ $(DEPS_LIBS)

$(LRT): $(CLI_OBJ) $(LIB_A)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(LIB_A) $(DEPS_LIBS)

# Every `Suite *NAME_suite(void)` in tests/check_*.c registers itself: the
# runner includes this list, so a new suite needs no other edit.
$(BUILD)/gen/suites.h: $(wildcard tests/check_*.c)
	@mkdir -p $(dir $@)
	sed -n 's/^Suite \*\([a-z0-9_]*\)_suite(void)$$/LRT_SUITE(\1)/p' $^ /dev/null > $@.tmp
	mv $@.tmp $@

$(BUILD)/obj/tests/runner.o: $(BUILD)/gen/suites.h
$(BUILD)/obj/tests/%.o: ALL_CFLAGS += $(CHECK_CFLAGS) -DLRT_TEST_BUILD
$(RUNNER): $(TEST_OBJ) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(TEST_OBJ) $(LIB_A) $(DEPS_LIBS) $(CHECK_LIBS)

# The unit and database suites (one Check runner, one private PostgreSQL
# cluster, stopped and removed by the runner whatever happens), the proof
# that a failing or interrupted run leaves no server and no folder behind,
# then the shared scenarios through `lrt simulate`.
# The shared scenarios through `lrt simulate`, the README's C example built
# through pkg-config, the proof that the test cluster never outlives a run,
# then every Check suite; the runner's summary line comes last.
check: deps all $(RUNNER)
	@$(MAKE) --no-print-directory scenarios
	EXAMPLE_CFLAGS='$(SAN_FLAGS) $(COV_FLAGS)' sh tests/example.sh $(BUILD) $(SHARED)
	sh tests/cluster-cleanup.sh $(RUNNER)
	LRT_BIN=$(abspath $(LRT)) LRT_SHARED=$(abspath $(SHARED)) $(RUNNER)

unit: all $(RUNNER)
	LRT_BIN=$(abspath $(LRT)) LRT_SHARED=$(abspath $(SHARED)) $(RUNNER)

scenarios: $(LRT)
	@test -d $(SHARED)/scenarios || { echo "no $(SHARED)/scenarios: set SHARED=" >&2; exit 1; }
	$(SHARED)/tools/check-scenarios '$(abspath $(LRT)) simulate' $(SHARED)/scenarios

asan:
	$(MAKE) BUILD=build/asan SANITIZE=address,undefined CFLAGS='-O1 -g' check

coverage:
	$(MAKE) BUILD=build/coverage COVERAGE=1 CFLAGS='-g' check
	gcovr --root . --filter src/ --print-summary build/coverage/obj \
	      > build/coverage/report.txt
	@cat build/coverage/report.txt

fuzz:
	@sh tests/fuzz/run.sh $(BUILD) $(or $(FUZZ_SECONDS),300)

bench: all
	@sh tests/bench/run.sh $(BUILD)
	@sh tests/bench/db.sh $(BUILD)

demo: deps all
	@sh tests/demo.sh $(BUILD)

demo-clean:
	@sh tests/demo.sh $(BUILD) clean

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig \
	           $(DESTDIR)$(INCLUDEDIR)/lrt $(DESTDIR)$(DATADIR)/lrt/migrations \
	           $(DESTDIR)$(DATADIR)/lrt/sql
	install -m 0755 $(LRT) $(DESTDIR)$(BINDIR)/lrt
	install -m 0644 $(LIB_A) $(DESTDIR)$(LIBDIR)/liblrt.a
	install -m 0755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/liblrt.so.$(VERSION)
	ln -sf liblrt.so.$(VERSION) $(DESTDIR)$(LIBDIR)/liblrt.so.0
	ln -sf liblrt.so.0 $(DESTDIR)$(LIBDIR)/liblrt.so
	install -m 0644 include/lrt/*.h $(DESTDIR)$(INCLUDEDIR)/lrt/
	install -m 0644 migrations/*.sql $(DESTDIR)$(DATADIR)/lrt/migrations/
	if ls sql/*.sql >/dev/null 2>&1; then install -m 0644 sql/*.sql $(DESTDIR)$(DATADIR)/lrt/sql/; fi
	install -m 0644 $(LIMITS_SQL) $(DESTDIR)$(DATADIR)/lrt/sql/limits.sql
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	    src/lrt.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/lrt.pc

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/lrt $(DESTDIR)$(LIBDIR)/liblrt.a \
	      $(DESTDIR)$(LIBDIR)/liblrt.so* $(DESTDIR)$(LIBDIR)/pkgconfig/lrt.pc
	rm -rf $(DESTDIR)$(INCLUDEDIR)/lrt $(DESTDIR)$(DATADIR)/lrt

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
