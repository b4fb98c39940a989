# bpfsdt - static-defined tracing probes for BPF programs.
#
#   make            library (static + shared), CLI, examples
#   make check      all tests (installs missing Debian packages first)
#   make check-unit the tests of pure functions: no root, no apt, seconds
#   make check-deps the library's objects depend on each other one way
#   make demo       the main job (installs missing Debian packages first)
#   make install    PREFIX=/usr/local DESTDIR=
#   make fuzz       libFuzzer run of discovery under ASan+UBSan (FUZZ_SECONDS)
#   make SANITIZE=1 check   everything under ASan+UBSan, in build-san/
#   make check-clang19      all tests with the BPF corpus built by clang 19, in build-clang19/
#   make corpus             the kernel's BPF selftests, built and classified (docs/corpus.md)
#   make sweep-corpus       bpfsdt sweep over all of them
#   make kernel-test        the kernel series booted in QEMU (kernel/README.md)
#   make kernel-series      kernel/patches regenerated as git format-patch output
#   make kernel-checkpatch  checkpatch.pl --strict over kernel/patches

VERSION     := 0.2.0
PREFIX      ?= /usr/local
DESTDIR     ?=
LIBDIR      ?= $(PREFIX)/lib
INCLUDEDIR  ?= $(PREFIX)/include
BINDIR      ?= $(PREFIX)/sbin
MANDIR      ?= $(PREFIX)/share/man

CC          ?= gcc
CLANG       ?= clang
MULTIARCH   := $(shell $(CC) -dumpmachine 2>/dev/null)

ifeq ($(SANITIZE),1)
BUILD       ?= build-san
CC          := clang
SAN_FLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD       ?= build
SAN_FLAGS   :=
endif

CFLAGS      ?= -O2 -g
WARNINGS    := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ALL_CFLAGS  := -std=gnu11 $(WARNINGS) $(CFLAGS) $(SAN_FLAGS) -Iinclude -Isrc \
               -DBPFSDT_VERSION='"$(VERSION)"'
LIBS        := -lbpf -lelf -lz
CLI_LIBS    := $(LIBS) -lpcap
LDFLAGS     += $(SAN_FLAGS)

BPF_CFLAGS  := -O2 -g -Wall -target bpf -Iinclude -I/usr/include/$(MULTIARCH)

# The library, one folder per stage of the pipeline (docs/design.md).
LIB_SRCS    := $(wildcard src/*.c src/*/*.c)
LIB_HDRS    := $(wildcard src/*.h src/*/*.h)
LIB_OBJS    := $(LIB_SRCS:src/%.c=$(BUILD)/obj/lib/%.o) $(BUILD)/obj/lib/insn/helper_args.o
HELPER_DEFS ?= /usr/include/bpf/bpf_helper_defs.h
CLI_SRCS    := $(wildcard tools/bpfsdt/*.c)
CLI_OBJS    := $(CLI_SRCS:tools/bpfsdt/%.c=$(BUILD)/obj/cli/%.o)
SOVER       := 0
LIB_A       := $(BUILD)/libbpfsdt.a
LIB_SO      := $(BUILD)/libbpfsdt.so.$(VERSION)
CLI         := $(BUILD)/bpfsdt

EXAMPLE_SRCS := $(wildcard examples/*.bpf.c)
EXAMPLE_OBJS := $(EXAMPLE_SRCS:examples/%.bpf.c=$(BUILD)/examples/%.bpf.o)

# Test corpus: every program at -mcpu=v3 (the default), plus the whole
# corpus again at v1 and v2.
CORPUS_SRCS := $(wildcard tests/bpf/*.bpf.c)
CORPUS_OBJS := $(CORPUS_SRCS:tests/bpf/%.bpf.c=$(BUILD)/tests/bpf/%.bpf.o) \
               $(CORPUS_SRCS:tests/bpf/%.bpf.c=$(BUILD)/tests/bpf/v1/%.bpf.o) \
               $(CORPUS_SRCS:tests/bpf/%.bpf.c=$(BUILD)/tests/bpf/v2/%.bpf.o)
OBSERVER_SRCS := $(wildcard tests/bpf/observers/*.bpf.c)
OBSERVER_OBJS := $(OBSERVER_SRCS:tests/bpf/observers/%.bpf.c=$(BUILD)/tests/bpf/observers/%.bpf.o)
TEST_SRCS   := $(wildcard tests/unit/*.c)
TEST_OBJS   := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/obj/tests/%.o)
TEST_RUNNER := $(BUILD)/tests/run-tests

FUZZ_SECONDS ?= 600
FUZZ_ARGS   ?=

.PHONY: fuzz-va all deps build-deps check check-unit check-deps check-clang19 demo install uninstall fuzz bench clean kernel-test
.DELETE_ON_ERROR:

all: $(LIB_A) $(LIB_SO) $(CLI) $(EXAMPLE_OBJS)

deps:
	@scripts/install-deps.sh

# A fresh machine: name (as root: install) the missing Debian packages
# before the first compiler error would name a header.
build-deps:
	@scripts/install-deps.sh --build

$(BUILD)/obj/lib/%.o: src/%.c $(LIB_HDRS) include/libbpfsdt.h | build-deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@

# Helper argument counts, generated from the installed libbpf's helper list.
$(BUILD)/gen/helper_args.c: scripts/gen-helper-args.sh $(HELPER_DEFS)
	@mkdir -p $(@D)
	scripts/gen-helper-args.sh $(HELPER_DEFS) > $@

$(BUILD)/obj/lib/insn/helper_args.o: $(BUILD)/gen/helper_args.c src/insn/helper_args.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@

$(BUILD)/obj/cli/%.o: tools/bpfsdt/%.c $(wildcard tools/bpfsdt/*.h) include/libbpfsdt.h | build-deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB_A): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

# libbpfsdt.map: the exported functions, each in the version node of the
# release that added it (tests/unit/test_abi.c checks it against the header).
$(LIB_SO): $(LIB_OBJS) libbpfsdt.map
	$(CC) -shared -Wl,-soname,libbpfsdt.so.$(SOVER) -Wl,--version-script=libbpfsdt.map \
		$(LDFLAGS) $(LIB_OBJS) -o $@ $(LIBS)
	ln -sf $(@F) $(BUILD)/libbpfsdt.so.$(SOVER)
	ln -sf $(@F) $(BUILD)/libbpfsdt.so

$(CLI): $(CLI_OBJS) $(LIB_A)
	$(CC) $(LDFLAGS) $^ -o $@ $(CLI_LIBS)

$(BUILD)/examples/%.bpf.o: examples/%.bpf.c include/bpf_sdt.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/tests/bpf/%.bpf.o: tests/bpf/%.bpf.c include/bpf_sdt.h $(wildcard tests/bpf/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -mcpu=v3 -c $< -o $@

$(BUILD)/tests/bpf/observers/%.bpf.o: tests/bpf/observers/%.bpf.c $(wildcard tests/bpf/observers/*.h tests/bpf/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -mcpu=v3 -c $< -o $@

$(BUILD)/tests/bpf/v1/%.bpf.o: tests/bpf/%.bpf.c include/bpf_sdt.h $(wildcard tests/bpf/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -mcpu=v1 -c $< -o $@

$(BUILD)/tests/bpf/v2/%.bpf.o: tests/bpf/%.bpf.c include/bpf_sdt.h $(wildcard tests/bpf/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -mcpu=v2 -c $< -o $@

$(BUILD)/obj/tests/%.o: tests/unit/%.c $(wildcard tests/unit/*.h) $(LIB_HDRS) include/libbpfsdt.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit -DTEST_BUILD_DIR='"$(BUILD)"' \
		-DTEST_CLANG='"$(CLANG)"' -DTEST_MULTIARCH='"$(MULTIARCH)"' -c $< -o $@

# Every open and close of these goes through tests/unit/test_wrap.c, which
# keeps the test's cleanup list: a failed test leaves nothing open.
TEST_WRAPS  := bpf_sdt_object__open_file bpf_sdt_object__open_mem bpf_sdt_object__close \
               bpf_sdt_target__open_file bpf_sdt_target__open_mem bpf_sdt_target__from_object \
               bpf_sdt_target__open_live bpf_sdt_target__open_xdp bpf_sdt_target__open_link \
               bpf_sdt_target__close bpf_sdt_target__attach bpf_sdt_link__destroy \
               bpf_sdt_tracer__new bpf_sdt_tracer__free bpf_sdt_target__check \
               bpf_sdt_check__free bpf_sdt_target__sweep bpf_sdt_sweep__free \
               bpf_object__open_file bpf_object__open_mem bpf_object__open bpf_object__close
empty       :=
space       := $(empty) $(empty)
comma       := ,

$(TEST_RUNNER): $(TEST_OBJS) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -Wl,--wrap=$(subst $(space),$(comma)--wrap=,$(strip $(TEST_WRAPS))) \
		$^ -o $@ $(LIBS)

check: deps
	@$(MAKE) --no-print-directory all check-deps $(TEST_RUNNER) $(CORPUS_OBJS) $(OBSERVER_OBJS)
	@$(TEST_RUNNER)

# The tests of pure functions (UNIT_TEST in tests/unit): no kernel, no
# root, nothing installed -- a build and a few seconds, as any user.
check-unit:
	@$(MAKE) --no-print-directory all $(TEST_RUNNER) $(CORPUS_OBJS)
	@$(TEST_RUNNER) --unit

# The library's objects depend on each other one way, down the pipeline
# (docs/design.md): no object uses a later stage's, none are in a cycle.
check-deps: $(LIB_OBJS)
	@scripts/check-deps.sh $(BUILD)/obj/lib $(LIB_OBJS:$(BUILD)/obj/lib/%=%)

# The whole suite again with the BPF corpus built by clang 19 (in its own
# build directory): expectations must not depend on one compiler's
# instruction numbering or register allocation.
CLANG19     ?= clang-19
check-clang19: deps
	@command -v $(CLANG19) >/dev/null || apt-get install -y clang-19 >/dev/null 2>&1 || \
		{ apt-get update >/dev/null && apt-get install -y clang-19 >/dev/null; }
	@$(MAKE) --no-print-directory BUILD=build-clang19 CLANG=$(CLANG19) check

demo: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) scripts/demo.sh

install: $(LIB_A) $(LIB_SO) $(CLI)
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/bpfsdt \
		$(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 644 include/libbpfsdt.h $(DESTDIR)$(INCLUDEDIR)/bpfsdt/
	install -m 644 include/bpf_sdt.h $(DESTDIR)$(INCLUDEDIR)/bpfsdt/
	install -m 644 $(LIB_A) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libbpfsdt.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libbpfsdt.so.$(SOVER)
	ln -sf libbpfsdt.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libbpfsdt.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	    libbpfsdt.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/libbpfsdt.pc
	install -m 755 $(CLI) $(DESTDIR)$(BINDIR)/
	install -m 644 docs/bpfsdt.8 $(DESTDIR)$(MANDIR)/man8/
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 644 share/bash-completion/bpfsdt \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/bpfsdt

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libbpfsdt.* $(DESTDIR)$(LIBDIR)/pkgconfig/libbpfsdt.pc \
	      $(DESTDIR)$(BINDIR)/bpfsdt $(DESTDIR)$(MANDIR)/man8/bpfsdt.8 \
	      $(DESTDIR)$(PREFIX)/share/bash-completion/completions/bpfsdt
	rm -rf $(DESTDIR)$(INCLUDEDIR)/bpfsdt

# libFuzzer needs clang's runtime (libclang-rt-14-dev, installed by deps).
FUZZ_BIN := $(BUILD)/fuzz/fuzz-discover
FUZZ_VA_BIN := $(BUILD)/fuzz/fuzz-value-analysis
$(FUZZ_BIN): fuzz/fuzz_discover.c $(LIB_SRCS) $(LIB_HDRS) $(BUILD)/gen/helper_args.c
	@mkdir -p $(@D)
	clang -std=gnu11 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-Iinclude -Isrc $< $(LIB_SRCS) $(BUILD)/gen/helper_args.c -o $@ $(LIBS)

# The offline check's interpreter reads untrusted instructions: its own
# harness, seeded with the corpus programs' instructions (fuzz/va_corpus);
# it drives the observer check too.
VA_FUZZ_SRCS := src/insn/value_analysis.c src/insn/abstract_value.c src/insn/reg_analysis.c \
		src/insn/prog_ctx.c src/insn/helper_effects.c src/check/observer_check.c src/util/log.c \
		src/util/alloc.c
$(FUZZ_VA_BIN): fuzz/fuzz_value_analysis.c $(VA_FUZZ_SRCS) $(LIB_HDRS)
	@mkdir -p $(@D)
	clang -std=gnu11 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-Iinclude -Isrc $< $(VA_FUZZ_SRCS) $(BUILD)/gen/helper_args.c -o $@ $(LIBS)

fuzz-va: deps
	@$(MAKE) --no-print-directory $(BUILD)/gen/helper_args.c $(FUZZ_VA_BIN)
	@mkdir -p $(BUILD)/fuzz/va-corpus
	$(FUZZ_VA_BIN) -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(FUZZ_ARGS) \
		-artifact_prefix=$(BUILD)/fuzz/va- $(BUILD)/fuzz/va-corpus fuzz/va_corpus

fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
	@mkdir -p $(BUILD)/fuzz/corpus
	$(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(FUZZ_ARGS) \
		-dict=fuzz/discover.dict -artifact_prefix=$(BUILD)/fuzz/ \
		$(BUILD)/fuzz/corpus fuzz/corpus

# The design comparison's programs are the guest's (kernel/guest/cost_*.bpf.c).
DESIGN_OBJS := $(foreach d,plain sdt guarded func,$(foreach n,1 64,$(BUILD)/bench/cost_$(d)$(n).bpf.o)) \
               $(BUILD)/bench/guard_observers.bpf.o
BENCH_BINS := $(BUILD)/bench/arm-latency $(BUILD)/bench/trace-throughput \
              $(BUILD)/bench/printk.bpf.o $(BUILD)/bench/check-speed \
              $(BUILD)/bench/many_sites.bpf.o $(BUILD)/bench/arm-speed \
              $(BUILD)/bench/load-stats $(BUILD)/bench/flood $(BUILD)/bench/hits.bpf.o \
              $(BUILD)/bench/hits_no_sites.bpf.o $(BUILD)/bench/hits_hand_count.bpf.o \
              $(BUILD)/bench/hits_hand_percpu.bpf.o $(BUILD)/bench/empty_observer.bpf.o \
              $(BUILD)/bench/designs $(DESIGN_OBJS)

$(BUILD)/bench/trace-throughput: bench/trace_throughput.c $(BUILD)/obj/cli/run_output.o \
		$(BUILD)/obj/cli/json_writer.o $(BUILD)/obj/cli/event_format.o $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itools/bpfsdt $^ -o $@ $(LIBS)

$(BUILD)/bench/%.bpf.o: bench/%.bpf.c
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# bench/hits.bpf.c without its sites, and with hand-written counters at each
$(BUILD)/bench/hits_%.bpf.o: bench/hits.bpf.c include/bpf_sdt.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -D$(shell echo $* | tr a-z A-Z) -c $< -o $@

$(BUILD)/bench/arm-speed: bench/arm_speed.c $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $< $(LIB_A) -o $@ $(LIBS)

$(BUILD)/bench/load-stats: bench/load_stats.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(LIBS)

$(BUILD)/bench/flood: bench/flood.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(LIBS)

$(BUILD)/bench/%.bpf.o: kernel/guest/%.bpf.c kernel/guest/sdt_cost.bpf.c include/bpf_sdt.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bench/designs: bench/designs.c $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $< $(LIB_A) -o $@ $(LIBS)

$(BUILD)/bench/check-speed: bench/check_speed.c $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $< $(LIB_A) -o $@ $(LIBS)

$(BUILD)/bench/arm-latency: bench/arm_latency.c $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $< $(LIB_A) -o $@ $(LIBS)

bench: deps
	@$(MAKE) --no-print-directory all $(BENCH_BINS)
	@BUILD=$(BUILD) CLANG=$(CLANG) BPF_CFLAGS="$(BPF_CFLAGS)" bench/run.sh

clean:
	rm -rf build build-san build-clang19

# Builds a small kernel from Debian's linux-source-6.12 plus kernel/patches,
# boots it in QEMU and runs the guest tests in kernel/guest/ (see kernel/README.md).
kernel-test:
	@kernel/kernel-test.sh

# kernel/patches as `git format-patch --cover-letter` output, regenerated
# through a scratch git repo (kernel/format-series.sh), and checkpatch.pl
# --strict over it (also run by kernel-test whenever the series changes).
.PHONY: kernel-series kernel-checkpatch
kernel-series:
	@kernel/format-series.sh

kernel-checkpatch:
	@kernel/format-series.sh --check

# The corpus: Linux 6.12's BPF selftests programs built with each compiler
# in CORPUS_CLANG and classified on this kernel (docs/corpus.md). Installs
# linux-source-6.12 and clang-19 when missing; needs root. corpus-subset
# builds only the objects tests/corpus/subset.txt names, which make check
# then loads and runs (tests/unit/test_corpus.c).
CORPUS_OUT       := build/corpus
CORPUS_CLANG     ?= clang-14 clang-19
CORPUS_CLASSIFY  := $(CORPUS_OUT)/bin/corpus-classify
CORPUS_TOOL_SRCS := $(wildcard tools/corpus/*.c)

.PHONY: corpus corpus-subset sweep-corpus

$(CORPUS_CLASSIFY): $(CORPUS_TOOL_SRCS) $(wildcard tools/corpus/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CORPUS_TOOL_SRCS) -o $@ $(LDFLAGS) $(LIBS)

corpus: deps
	@$(MAKE) --no-print-directory $(CORPUS_CLASSIFY)
	@CORPUS_OUT=$(abspath $(CORPUS_OUT)) CORPUS_CLANG="$(CORPUS_CLANG)" scripts/corpus/build.sh

corpus-subset: deps
	@CORPUS_OUT=$(abspath $(CORPUS_OUT)) CORPUS_CLANG="$(CORPUS_CLANG)" \
		scripts/corpus/build.sh --subset

# bpfsdt sweep over every corpus program that loads, with each compiler
# (SWEEP_SECONDS per program, default 300); the table docs/corpus.md reports
# goes to build/corpus/sweep-summary.md.
sweep-corpus: corpus
	@$(MAKE) --no-print-directory all
	@CORPUS_OUT=$(abspath $(CORPUS_OUT)) CORPUS_CLANG="$(CORPUS_CLANG)" \
		BPFSDT=$(abspath $(CLI)) scripts/corpus/sweep.sh
