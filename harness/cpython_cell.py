#!/usr/bin/env python3
"""harness/cpython_cell.py -- the `cpython` reference series: one cell's
workload as the equivalent Python loop, in the python3 that runs this.

Run by a cell runner (harness/cell.c) for the strategy `cpython`, never by
hand.  Times the loop timeit-style -- the whole workload per call, repeated
until a repetition lasts --min-time, --reps repetitions, the cyclic GC
enabled as in any Python program -- and prints KEY VALUE lines on stdout:
the runtime's version, the process's RSS before the workload, the
repetitions' times per call, and the checksum, computed as the C workloads
compute it, which the runner checks against its own.
"""
import argparse
import gc
import math
import platform
import resource
import statistics
import sys
import time

FIRST = 1000                    # WL_FIRST_VALUE: above the small-int cache


def list_append(n, k, window):
    def run():
        l = []
        for i in range(FIRST, FIRST + n):
            l.append(i)
        checksum = len(l) + l[0] + l[-1]
        del l
        return checksum
    return run


def tuple_create(n, k, window):
    # One BUILD_TUPLE of k fresh ints, as `t = (v, v + 1, v + 2)` for k = 3.
    items = ", ".join("v + %d" % j for j in range(k)) + ","
    ring = "ring[i % window] = t" if window else "pass"
    src = ("def run():\n"
           "    ring = [None] * window\n"
           "    s = 0\n"
           "    for i in range(n):\n"
           "        v = FIRST + i * k\n"
           "        t = (%s)\n"
           "        s += t[-1]\n"
           "        %s\n"
           "    return s\n") % (items, ring)
    scope = {"n": n, "k": k, "window": window, "FIRST": FIRST}
    exec(src, scope)
    return scope["run"]


def cycles(n, k, window):
    def run():
        s = 0
        for i in range(n):
            x = FIRST + 2 * i
            a = [x]
            b = [x + 1]
            a.append(b)
            b.append(a)
            s += a[1][0]
            del a, b
        return s
    return run


WORKLOADS = {"list_append": list_append, "tuple_create": tuple_create, "cycles": cycles}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workload", required=True, choices=sorted(WORKLOADS))
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--k", type=int, default=3)
    ap.add_argument("--window", type=int, default=0)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--min-time", type=float, default=0.1)
    a = ap.parse_args()

    gc.enable()
    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    run = WORKLOADS[a.workload](a.size, a.k, a.window)
    before = gc.get_stats()
    checksum = run()                            # warm-up
    # Collections of each generation in one run, as a C cell counts them in
    # its one counted run: the warm-up's.
    per_gen = [s["collections"] - b["collections"] for s, b in zip(gc.get_stats(), before)]
    number = 1                                  # calls per repetition
    while True:
        t0 = time.perf_counter_ns()
        for _ in range(number):
            run()
        if time.perf_counter_ns() - t0 >= a.min_time * 1e9 or number >= 1 << 20:
            break
        number *= 2
    times = []
    for _ in range(a.reps):
        t0 = time.perf_counter_ns()
        for _ in range(number):
            run()
        times.append((time.perf_counter_ns() - t0) / number)

    mean = statistics.fmean(times)
    stddev = statistics.stdev(times) if len(times) > 1 else 0.0
    print("backend_version CPython %s" % platform.python_version())
    print("baseline_rss_kb %d" % baseline_kb)
    print("iterations %d" % number)
    print("median %.1f" % statistics.median(times))
    print("mean %.1f" % mean)
    print("stddev %.1f" % stddev)
    print("min %.1f" % min(times))
    print("cv %.5f" % (stddev / mean if mean > 0 else math.nan))
    print("checksum %d" % checksum)
    print("collections %d" % sum(s["collections"] for s in gc.get_stats()))
    print("collections_gen %s" % "/".join(str(c) for c in per_gen))


if __name__ == "__main__":
    sys.exit(main())
