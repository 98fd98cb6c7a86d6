# lrt - the liquid restaking token accounting engine.
#
#   make            build/liblrt.a, build/liblrt.so, build/lrt
#   make check      build and run every test (unit, database, scenarios)
#   make scenarios  lrt simulate and lrt stress on tests/scenarios*, and their drift
#   make asan       the tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make coverage   the tests with gcov instrumentation, then a line-coverage report
#   make fuzz       libFuzzer on the scenario/event parser (clang), FUZZ_SECONDS=300
#   make bench      lrt simulate, ingest and settle on a million events, with baselines
#   make demo       the engine at work on a private PostgreSQL cluster
#   make install    PREFIX=/usr/local DESTDIR= (library, headers, lrt.pc, lrt, share/lrt,
#                   the manual page share/man/man1/lrt.1)
#
# Every output lives under $(BUILD) (default build/).  `make check` and
# `make demo` first install the missing Debian packages when run as root
# (tests/deps.sh), else name them.  Nothing outside the repository is needed;
# the shared folder ($(SHARED), default ../shared), when there, is compared
# with the repository's copies of its scenarios.

VERSION     := 0.1.0
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
LIBDIR      ?= $(PREFIX)/lib
INCLUDEDIR  ?= $(PREFIX)/include
DATADIR     ?= $(PREFIX)/share
MANDIR      ?= $(DATADIR)/man
BUILD       ?= build
SHARED      ?= ../shared

CC          ?= cc
CFLAGS      ?= -O2 -g
PKG_CONFIG  ?= pkg-config
HELP2MAN    ?= help2man
# libcrypto: the SHA-256 of migrations (libpq links it already).
PKGS        := libpq gmp jansson libcrypto

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
# The library's objects hide every symbol but those the public headers mark
# LRT_API (include/lrt/common.h): liblrt.so exports the API and nothing else.
LIB_CFLAGS  := -fvisibility=hidden
ALL_LDFLAGS := $(SAN_FLAGS) $(COV_FLAGS) $(LDFLAGS)

LIB_SRC     := $(wildcard src/core/*.c src/io/*.c src/store/*.c)
CLI_SRC     := $(wildcard src/cli/*.c src/demo/*.c)
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
MAN         := $(BUILD)/lrt.1

.PHONY: all check check-nodeps unit scenarios asan coverage fuzz bench demo \
        demo-nodeps demo-clean install uninstall clean deps
.DEFAULT_GOAL := all

all: $(LIB_A) $(LIB_SO) $(LRT) $(MAN)

deps:
	@sh tests/deps.sh

# The compiler flags of the last build, rewritten when they change, so that
# `make install PREFIX=...` (LRT_DATADIR), SANITIZE= or CFLAGS= rebuild the
# objects instead of reusing ones built for other flags.
FLAGS_FILE  := $(BUILD)/flags
ifneq ($(file <$(FLAGS_FILE)),$(strip $(ALL_CFLAGS) $(LIB_CFLAGS) $(ALL_LDFLAGS)))
$(shell mkdir -p $(BUILD))
$(file >$(FLAGS_FILE),$(strip $(ALL_CFLAGS) $(LIB_CFLAGS) $(ALL_LDFLAGS)))
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

$(LIB_OBJ): ALL_CFLAGS += $(LIB_CFLAGS)
$(LIB_A): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(LIB_SO): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,liblrt.so.0 $(ALL_LDFLAGS) -o $@ $^ $(DEPS_LIBS)

$(LRT): $(CLI_OBJ) $(LIB_A)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(LIB_A) $(DEPS_LIBS)

# The manual page, made from the help texts by Debian's help2man: the
# overview (lrt --help) and the version (lrt --version) make its synopsis,
# description, options and environment; src/tools/man_commands.sh adds
# `lrt help COMMAND` of every command.  Made again with lrt, so that
# `man lrt` never says other than the program.
$(MAN): $(LRT) src/tools/man_commands.sh
	@command -v $(HELP2MAN) >/dev/null || \
	  { echo "make: $(HELP2MAN) is missing: sh tests/deps.sh installs it" >&2; exit 1; }
	sh src/tools/man_commands.sh $(LRT) > $(BUILD)/lrt.h2m
	$(HELP2MAN) --no-info --section=1 --include=$(BUILD)/lrt.h2m \
	  --name='the liquid restaking token accounting engine' --output=$@.tmp $(LRT)
	mv $@.tmp $@

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
# check_exports reads the dynamic symbols of the library built beside it.
$(RUNNER): $(LIB_SO)

# check_oom preloads this into `lrt` to make its N-th allocation fail
# (tests/oom/shim.c).  Built plain, without the sanitizers or coverage: it
# is part of no program, and stands in front of their allocator.
OOM_SHIM    := $(BUILD)/tests/liblrt_oom.so
$(OOM_SHIM): tests/oom/shim.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror $(CFLAGS) -shared -fPIC $< -o $@ -ldl
$(RUNNER): $(OOM_SHIM)

# The scenarios the tests run live in the repository, a copy of a folder of
# $(SHARED) (COPY=SHARED_FOLDER): the SPEC's second edition.  The first
# edition's folder is retired: its figures are the second's first fifteen.
SCENARIO_COPIES    := tests/scenarios=scenarios-2
# The edition `lrt simulate` and `lrt stress` are checked on: the second.
SIMULATE_SCENARIOS := tests/scenarios
# The edition the database path (ingest, settle, export, verify) is checked
# on: the second too.
DB_SCENARIOS       := tests/scenarios

# The copies whose shared folder is here, as the runner reads them
# (LRT_SCENARIO_COPIES: absolute COPY=SHARED pairs); empty without $(SHARED).
copy_of             = $(word 1,$(subst =, ,$(1)))
shared_of           = $(SHARED)/$(word 2,$(subst =, ,$(1)))
PRESENT_COPIES     := $(strip $(foreach c,$(SCENARIO_COPIES),$(if $(wildcard $(call shared_of,$(c))/.),$(c))))
RUNNER_ENV          = LRT_BIN=$(abspath $(LRT)) \
                      LRT_SCENARIOS=$(abspath $(SIMULATE_SCENARIOS)) \
                      LRT_DB_SCENARIOS=$(abspath $(DB_SCENARIOS)) \
                      LRT_SCENARIO_COPIES='$(foreach c,$(PRESENT_COPIES),$(abspath $(call copy_of,$(c)))=$(abspath $(call shared_of,$(c))))'
ifneq ($(PRESENT_COPIES),)
DRIFT_NOTE          = scenarios: copies checked byte for byte against $(SHARED): $(foreach c,$(PRESENT_COPIES),$(call copy_of,$(c))=$(call shared_of,$(c))); what $(SIMULATE_SCENARIOS) lacks runs from its shared folder
else
DRIFT_NOTE          = scenarios: no $(SHARED)/scenarios-2 here: the copies in tests/ run as they are, compared with nothing (SHARED=DIR to compare)
endif

# `make check` and `make demo` first install what the machine lacks
# (tests/deps.sh), then make the rest in a new make: the flags from
# pkg-config above are read when a make starts, so only one started after
# the packages are there has them.  check-nodeps and demo-nodeps are the
# same without the first step.
check demo:
	@sh tests/deps.sh
	@$(MAKE) --no-print-directory $@-nodeps

# The README's C example built through pkg-config, the proof that the test
# cluster never outlives a run, then every Check suite (unit, property,
# database, the scenarios and their copies); the runner's summary line
# comes last.
check-nodeps: all $(RUNNER)
	@rm -rf $(BUILD)/example
	@$(MAKE) --no-print-directory -s install DESTDIR=$(abspath $(BUILD)/example/root) >/dev/null
	EXAMPLE_CFLAGS='$(SAN_FLAGS) $(COV_FLAGS)' sh tests/example.sh $(BUILD)
	sh tests/cluster-cleanup.sh $(RUNNER)
	@echo "$(DRIFT_NOTE)"
	$(RUNNER_ENV) $(RUNNER)

unit: all $(RUNNER)
	$(RUNNER_ENV) $(RUNNER)

# The scenarios alone: `lrt simulate` and `lrt stress` on $(SIMULATE_SCENARIOS),
# and the copies against $(SHARED).
scenarios: all $(RUNNER)
	CK_RUN_SUITE=scenarios $(RUNNER_ENV) $(RUNNER)

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
	@sh tests/bench/serve_load.sh $(BUILD)

demo-nodeps: all
	@sh tests/demo.sh $(BUILD)

demo-clean:
	@sh tests/demo.sh $(BUILD) clean

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig \
	           $(DESTDIR)$(INCLUDEDIR)/lrt $(DESTDIR)$(DATADIR)/lrt/migrations \
	           $(DESTDIR)$(DATADIR)/lrt/sql $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(LRT) $(DESTDIR)$(BINDIR)/lrt
	install -m 0644 $(MAN) $(DESTDIR)$(MANDIR)/man1/lrt.1
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
	      $(DESTDIR)$(LIBDIR)/liblrt.so* $(DESTDIR)$(LIBDIR)/pkgconfig/lrt.pc \
	      $(DESTDIR)$(MANDIR)/man1/lrt.1
	rm -rf $(DESTDIR)$(INCLUDEDIR)/lrt $(DESTDIR)$(DATADIR)/lrt

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
