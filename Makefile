# memstrat -- memory-management strategies side by side.
#
#   make bench     install what is missing, build, run the default matrix, draw
#   make bench-threads  the thread matrix (issue #16), into results/threads/
#   make test      the test suite (also under ASan+UBSan and valgrind)
#   make deps      install the Debian packages memstrat needs
#   make publish   add a run's report to a static site (RUN=results/<id> DEST=site)
#
# Everything built goes to build/ (build/asan/ for the sanitizer build).

CC  ?= gcc
CXX ?= g++
OPT ?= -O2
CFLAGS   = -std=c11 -Wall -Wextra -Werror $(OPT) -g -D_GNU_SOURCE $(EXTRA_CFLAGS)
CXXFLAGS = -std=c++17 -Wall -Wextra -Werror $(OPT) -g $(EXTRA_CFLAGS)
LDLIBS   = -lgc -lbenchmark -lpthread -ldl -lm

# ---- backend registry: one line per backend -------------------------------
# BACKEND_NAME := the Debian package it needs, then its linker flags; its
# code is harness/backends/NAME.c.
BACKEND_glibc    :=
BACKEND_jemalloc := libjemalloc-dev -ljemalloc
BACKEND_mimalloc := libmimalloc-dev -lmimalloc
BACKEND_tcmalloc := libgoogle-perftools-dev -ltcmalloc_minimal
# --------------------------------------------------------------------------
comma := ,
space := $() $()
ALL_BACKENDS := $(sort $(patsubst BACKEND_%,%,$(filter BACKEND_%,$(.VARIABLES))))
backend_libs = $(filter -%,$(BACKEND_$(1)))
BACKEND_PACKAGES := $(foreach b,$(ALL_BACKENDS),$(filter-out -%,$(BACKEND_$(b))))
# What only the tests need: tests/plots.sh renders the report and the site in
# a real browser.  make deps installs it; building does not ask for it.
TEST_PACKAGES := chromium
# Tools some targets use, installed by make deps but not required to build:
# Slurm and munge for make bench-slurm (and the one-node cluster of
# tests/slurm.sh).
TOOL_PACKAGES := slurmctld slurmd slurm-client munge

B     ?= build
# The workload files (bench/list_append.c, ...) are not compiled alone: every
# strategy file includes them through bench/instance.h.
CORE  := bench/object.c bench/list.c bench/latency.c bench/workloads.c bench/threads_rule.c \
         $(wildcard strategies/*.c) harness/options.c
HARN  := harness/backend.c harness/backend_options.c
MAIN  := harness/main.c harness/runner.c harness/results.c harness/run_options.c \
         harness/backend_options.c \
         harness/matrix.c harness/sysinfo.c harness/pin.c harness/schedule.c \
         harness/supervise.c harness/stats.c harness/files.c harness/compare.c \
         harness/system.c harness/rundir.c harness/shard.c harness/merge.c \
         harness/probe.c harness/drift.c
HDRS  := $(wildcard bench/*.h strategies/*.h harness/*.h)

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))
CORE_O := $(call obj,$(CORE))

CELLS := $(foreach b,$(ALL_BACKENDS),$(B)/cell-$(b))
TESTS := $(foreach b,$(ALL_BACKENDS),$(B)/test-core-$(b) $(B)/test-threads-$(b) \
           $(B)/test-workloads-mt-$(b)) \
         $(B)/test-gbench $(B)/test-options $(B)/test-stats

# Keep intermediate objects: they are shared by several binaries.
.SECONDARY:


.PHONY: all asan tsan deps check-deps test bench bench-threads bench-slurm plots report publish perf-check readme-results clean
all: check-deps $(B)/memstrat $(CELLS) $(TESTS)

deps:
	@sh harness/deps.sh --install $(BACKEND_PACKAGES) $(TEST_PACKAGES) $(TOOL_PACKAGES)

check-deps:
	@sh harness/deps.sh $(BACKEND_PACKAGES)

$(B)/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

$(B)/obj/harness/gbench.o: harness/gbench.cc harness/gbench.h
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c $< -o $@

# One runner per backend: the same objects, a different malloc.  The backend
# library comes first so that it defines malloc for the whole process.
$(B)/cell-%: $(call obj,harness/cell.c harness/cell_account.c harness/cell_external.c harness/cell_faults.c harness/cell_gbench.c harness/cell_output.c harness/team.c harness/backends/%.c $(HARN)) $(B)/obj/harness/gbench.o $(CORE_O)
	$(CXX) $(EXTRA_CFLAGS) -o $@ $^ $(call backend_libs,$*) $(LDLIBS)

# The core suite: tests/test_core.c runs the checks of tests/core_*.c.
CORE_TESTS := tests/test_core.c $(wildcard tests/core_*.c)
$(B)/test-core-%: $(call obj,$(CORE_TESTS) harness/backends/%.c $(HARN)) $(CORE_O)
	$(CC) $(EXTRA_CFLAGS) -o $@ $^ $(call backend_libs,$*) $(LDLIBS)

$(B)/test-threads-%: $(call obj,tests/test_threads.c harness/backends/%.c $(HARN)) $(CORE_O)
	$(CC) $(EXTRA_CFLAGS) -o $@ $^ $(call backend_libs,$*) $(LDLIBS)

# The workloads whose objects cross threads, on each backend: its cross-thread
# frees are the backend's.
$(B)/test-workloads-mt-%: $(call obj,tests/test_workloads_mt.c harness/team.c harness/backends/%.c $(HARN)) $(CORE_O)
	$(CC) $(EXTRA_CFLAGS) -o $@ $^ $(call backend_libs,$*) $(LDLIBS)

$(B)/test-gbench: $(call obj,tests/test_gbench.c) $(B)/obj/harness/gbench.o
	$(CXX) $(EXTRA_CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/test-options: $(call obj,tests/test_options.c) $(CORE_O)
	$(CC) $(EXTRA_CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/test-stats: $(call obj,tests/test_stats.c harness/stats.c harness/schedule.c harness/results.c)
	$(CC) $(EXTRA_CFLAGS) -o $@ $^ -lm

$(B)/memstrat: $(call obj,$(MAIN)) $(CORE_O)
	$(CC) $(EXTRA_CFLAGS) -o $@ $^ $(LDLIBS)

# Where the cell finds the scripts of external reference series (cpython).
$(B)/obj/harness/cell.o $(B)/obj/harness/cell_external.o: CFLAGS += -DMEMSTRAT_SOURCE_DIR='"$(CURDIR)"'

# What the runner records in meta.json.
$(B)/obj/harness/runner.o: CFLAGS += -DMEMSTRAT_BACKENDS='"$(subst $(space),$(comma),$(ALL_BACKENDS))"'
$(B)/obj/harness/sysinfo.o: CFLAGS += -DMEMSTRAT_CFLAGS='"$(OPT) -g $(EXTRA_CFLAGS)"' \
  -DMEMSTRAT_GBENCH_VERSION='"$(shell pkg-config --modversion benchmark 2>/dev/null)"'
$(B)/obj/harness/runner.o $(B)/obj/harness/sysinfo.o: Makefile

# The sanitizer build: everything again under build/asan.
asan:
	@$(MAKE) -s --no-print-directory B=build/asan OPT=-O1 \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  build/asan/memstrat $(foreach b,$(ALL_BACKENDS),build/asan/cell-$(b) build/asan/test-core-$(b) \
	  build/asan/test-threads-$(b) \
	    build/asan/test-workloads-mt-$(b)) build/asan/test-gbench build/asan/test-options build/asan/test-stats

# The ThreadSanitizer build of the threaded strategies' tests, under
# build/tsan.  glibc's only: under TSan malloc is TSan's interceptor whatever
# library is linked (the guard says so for jemalloc, mimalloc and tcmalloc
# too), so the other backends' binaries would run the very same code.
tsan:
	@$(MAKE) -s --no-print-directory B=build/tsan OPT=-O1 \
	  EXTRA_CFLAGS="-fsanitize=thread -fno-omit-frame-pointer" build/tsan/test-threads-glibc \
	  build/tsan/test-workloads-mt-glibc

# ---- bench, plots, report -------------------------------------------------
# make bench [QUICK=1] [STRATEGIES=..] [BACKENDS=..] [WORKLOADS=..] [SIZES=..]
#            [POLICIES=..] [TRIALS=..] [MAX_TRIALS=..] [BUDGET=s] [REPS=..]
#            [SEED=..] [OUT=dir]
# The default matrix: every strategy x backend x workload, N = 1e3..1e6, the
# CPython growth policy, and marksweep at five heap factors for chart 5.
# STRATEGIES and WORKLOADS empty: memstrat run's defaults, every strategy
# but the threaded models (rc_gil, rc_atomic, rc_biased) and every workload
# but those whose objects cross threads (handoff, shared_read) -- make
# bench-threads runs them -- so that this matrix keeps its 12-minute budget;
# STRATEGIES=all, WORKLOADS=all add them.
STRATEGIES ?=
BACKENDS   ?= all
WORKLOADS  ?=
POLICIES   ?= cpython
# The budget goes where the variance is: separate processes (trials), not
# long repetitions inside one (Kalibera & Jones, ISMM 2013); and, after
# TRIALS rounds, more trials (up to MAX_TRIALS) only for the cells whose
# median is not yet within +-3% (95% interval), for as long as BUDGET seconds
# allow: the 12 minutes (60 s QUICK) issue #12 gives make bench, less the
# calibration and the charts.  Measured on the 2-core VM (perf-check-r3, idle):
# a trial of a small cell costs 80 ms at REPS=2 MIN_TIME=0.02, 20 ms at 1 and
# 0.005, and a 1e6 cell's trial ~0.8 s at 2 reps: the full matrix's 896 cells
# cost ~255 s a round at the old settings, ~150 s at these, so 4 rounds fit
# (4 trials against 4 can be significant: the U test's smallest p is 0.029).
ifeq ($(QUICK),1)
SIZES        ?= 1e3,1e4
HEAP_FACTORS ?= 1.5,2,4
TRIALS       ?= 4
MAX_TRIALS   ?= 9
BUDGET       ?= 35
REPS         ?= 1
MIN_TIME     ?= 0.005
else
SIZES        ?= 1e3..1e6x10
HEAP_FACTORS ?= 1.25,1.5,2,3,4
TRIALS       ?= 4
MAX_TRIALS   ?= 12
BUDGET       ?= 640
REPS         ?= 1
MIN_TIME     ?= 0.005
endif
RUN ?= results/latest
RUN_ARGS = $(if $(STRATEGIES),--strategy $(STRATEGIES)) --backend $(BACKENDS) $(if $(WORKLOADS),--workload $(WORKLOADS)) \
  --size $(SIZES) --policy $(POLICIES) --heap-factor $(HEAP_FACTORS) --reps $(REPS) \
  --trials $(TRIALS) --max-trials $(MAX_TRIALS) --budget $(BUDGET) --min-time $(MIN_TIME) \
  $(if $(SEED),--seed $(SEED))

bench: all
	@build/memstrat run $(RUN_ARGS) $(if $(OUT),--out $(OUT)) > build/last-run; \
	  rc=$$?; [ $$rc -eq 0 ] || [ $$rc -ge 64 ] || exit $$rc; \
	  run=$$(cat build/last-run); sh plots/plot.sh $$run && sh plots/report.sh $$run > /dev/null && \
	  echo "memstrat: report: $$run/report.html (and report.md)"

# make bench-threads [QUICK=1] [BACKENDS=..] [THREADS=1,2] [OUT=dir]: the thread
# matrix of issue #16 -- refcount and the three threaded models on every
# backend, the two single-threaded workloads and the two whose objects cross
# threads, at 1 and 2 threads -- in a run directory of its own
# (results/threads/<UTC time>-<host>, results/latest-threads points at the
# newest), so that make bench keeps its matrix and budget.
THREAD_STRATEGIES ?= refcount,rc_gil,rc_atomic,rc_biased
THREAD_WORKLOADS  ?= list_append,tuple_create,handoff,shared_read
THREADS           ?= 1,2
ifeq ($(QUICK),1)
THREAD_SIZES ?= 1e4
else
THREAD_SIZES ?= 1e5,1e6
endif
bench-threads: all
	@out='$(OUT)'; [ -n "$$out" ] || out=results/threads/$$(date -u +%Y%m%dT%H%M%SZ)-$$(hostname); \
	  build/memstrat run --strategy $(THREAD_STRATEGIES) --backend $(BACKENDS) \
	  --workload $(THREAD_WORKLOADS) --threads $(THREADS) --size $(THREAD_SIZES) --reps $(REPS) \
	  --trials $(TRIALS) --min-time $(MIN_TIME) $(if $(SEED),--seed $(SEED)) --out $$out > build/last-threads; \
	  rc=$$?; [ $$rc -eq 0 ] || [ $$rc -ge 64 ] || exit $$rc; \
	  run=$$(cat build/last-threads); [ -n '$(OUT)' ] || ln -sfn "$${run#results/}" results/latest-threads; \
	  sh plots/plot.sh $$run && sh plots/report.sh $$run > /dev/null && \
	  echo "memstrat: report: $$run/report.html (and report.md)"

# make bench-slurm SHARDS=N [PARTITION=p] [SPLIT=cells|hosts] [WAIT=1] [OUT=dir]
#                  [matrix variables as for bench]  |  make bench-slurm RESUME=results/<id>
# One Slurm job array (a shard per task, a node each) and a merge job after
# it that draws the charts: harness/slurm/.
bench-slurm: all
	@SHARDS='$(SHARDS)' PARTITION='$(PARTITION)' SPLIT='$(SPLIT)' WAIT='$(WAIT)' OUT='$(OUT)' \
	  RESUME='$(RESUME)' sh harness/slurm/submit.sh $(RUN_ARGS)

plots: check-deps
	@sh plots/plot.sh $(RUN)

report: check-deps
	@sh plots/report.sh $(RUN)

# make publish RUN=results/<id> [DEST=site]: the run's report into a static
# site, and the site's index rebuilt from every run published there.
DEST ?= site
publish: check-deps
	@sh plots/publish.sh $(RUN) $(DEST)

test: all
	@$(MAKE) --no-print-directory asan
	@$(MAKE) --no-print-directory tsan
	@sh tests/run.sh

# A benchmark of the strategies themselves: is each one close to the best of
# its kind?  Prints PASS/FAIL per target; not part of make test.
perf-check: all
	@sh harness/perf-check.sh $(OUT)

# README's "Results on a reference machine": from RUN, a perf-check
# directory, or from a new perf-check run.
readme-results: all
	@if [ -n "$(RUN)" ] && [ "$(RUN)" != results/latest ]; then dir=$(RUN); \
	  else dir=results/perf-check-$$(date -u +%Y%m%dT%H%M%SZ); sh harness/perf-check.sh $$dir || exit $$?; fi; \
	  sh plots/readme-results.sh $$dir

clean:
	rm -rf build
