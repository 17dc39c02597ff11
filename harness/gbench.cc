// harness/gbench.cc -- the C shim over Google Benchmark.  See gbench.h.
#include "gbench.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

benchmark::State &S(gb_state *st) { return *reinterpret_cast<benchmark::State *>(st); }
const benchmark::State &S(const gb_state *st)
{
    return *reinterpret_cast<const benchmark::State *>(st);
}

double min_of(const std::vector<double> &v)
{
    return v.empty() ? 0.0 : *std::min_element(v.begin(), v.end());
}

// Collects every run for the C side, and forwards to the console reporter
// unless quiet.
class Collector : public benchmark::BenchmarkReporter {
  public:
    explicit Collector(bool quiet) : quiet_(quiet) {}

    bool ReportContext(const Context &context) override
    {
        return quiet_ ? true : console_.ReportContext(context);
    }

    void ReportRuns(const std::vector<Run> &runs) override
    {
        for (const Run &r : runs)
            runs_.push_back(r);
        if (!quiet_)
            console_.ReportRuns(runs);
    }

    void Finalize() override
    {
        if (!quiet_)
            console_.Finalize();
    }

    const std::vector<Run> &runs() const { return runs_; }

  private:
    bool quiet_;
    benchmark::ConsoleReporter console_;
    std::vector<Run> runs_;
};

void copy(char *dst, size_t n, const std::string &s)
{
    std::snprintf(dst, n, "%s", s.c_str());
}

}  // namespace

extern "C" {

void gb_register(const char *name, gb_fn fn, void *arg, const gb_options *opt)
{
    benchmark::internal::Benchmark *b = benchmark::RegisterBenchmark(
        name, [fn, arg](benchmark::State &st) {
            fn(reinterpret_cast<gb_state *>(&st), arg);
        });
    b->Unit(benchmark::kNanosecond);
    // Manual and real time exclude each other (Google Benchmark aborts).
    if (opt && opt->manual_time)
        b->UseManualTime();
    else
        b->UseRealTime();
    b->ComputeStatistics("min", min_of);
    if (opt) {
        if (opt->repetitions > 0)
            b->Repetitions(opt->repetitions);
        // Fixed iterations and a minimum time exclude each other (Google
        // Benchmark aborts on both): fixed iterations win.
        if (opt->iterations > 0)
            b->Iterations(opt->iterations);
        else if (opt->min_time > 0)
            b->MinTime(opt->min_time);
    }
}

int gb_keep_running(gb_state *st) { return S(st).KeepRunning(); }
void gb_pause_timing(gb_state *st) { S(st).PauseTiming(); }
void gb_resume_timing(gb_state *st) { S(st).ResumeTiming(); }
void gb_skip_with_error(gb_state *st, const char *m) { S(st).SkipWithError(m); }
int64_t gb_iterations(const gb_state *st) { return S(st).iterations(); }
void gb_set_items_processed(gb_state *st, int64_t n) { S(st).SetItemsProcessed(n); }

void gb_set_iteration_time(gb_state *st, double s) { S(st).SetIterationTime(s); }

void gb_set_counter(gb_state *st, const char *name, double value)
{
    S(st).counters[name] = benchmark::Counter(value);
}

size_t gb_run(int argc, char **argv, int quiet, gb_result *results, size_t max)
{
    benchmark::Initialize(&argc, argv);
    Collector collector(quiet != 0);
    benchmark::RunSpecifiedBenchmarks(&collector);
    benchmark::Shutdown();

    // Group the runs by benchmark: the iteration runs give the count and the
    // single-repetition time; the aggregates, when there are repetitions,
    // give the statistics.
    size_t n = 0;
    for (const auto &r : collector.runs()) {
        std::string name = r.run_name.function_name;
        size_t i = 0;
        while (i < n && name != results[i].name)
            i++;
        if (i == n) {
            if (n == max)
                continue;
            std::memset(&results[n], 0, sizeof results[n]);
            copy(results[n].name, sizeof results[n].name, name);
            n++;
        }
        gb_result &g = results[i];
        if (r.error_occurred) {
            g.error = 1;
            copy(g.error_message, sizeof g.error_message, r.error_message);
            continue;
        }
        double t = r.GetAdjustedRealTime();
        if (r.run_type == benchmark::BenchmarkReporter::Run::RT_Iteration) {
            g.iterations = r.iterations;
            if (g.repetitions++ == 0 || t < g.min)
                g.min = t;
            // Without repetitions Google Benchmark makes no aggregates: the
            // single run is its own mean and median.
            if (g.repetitions == 1)
                g.mean = g.median = t;
        } else if (r.aggregate_name == "mean") {
            g.mean = t;
        } else if (r.aggregate_name == "median") {
            g.median = t;
        } else if (r.aggregate_name == "stddev") {
            g.stddev = t;
        } else if (r.aggregate_name == "cv") {
            g.cv = r.real_accumulated_time;   // a fraction, not a time
        } else if (r.aggregate_name == "min") {
            g.min = t;
        }
    }
    return n;
}

void gb_clear(void) { benchmark::ClearRegisteredBenchmarks(); }

}  // extern "C"
