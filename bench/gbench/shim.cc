// shim.cc — the only C++ in corobench: gb.h implemented over Google Benchmark
// (Debian's libbenchmark-dev 1.7.1). Kept small so the benchmark bodies stay
// C and one file shows every way the suite uses the library.
#include "gb.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

struct gb_state {
    benchmark::State *st;
    bool started, stopped;
};

namespace {

double stat_min(const std::vector<double> &v) {
    return v.empty() ? 0.0 : *std::min_element(v.begin(), v.end());
}
double stat_max(const std::vector<double> &v) {
    return v.empty() ? 0.0 : *std::max_element(v.begin(), v.end());
}

std::vector<std::pair<std::string, std::string>> &contexts() {
    static std::vector<std::pair<std::string, std::string>> c;
    return c;
}

void run_body(benchmark::State &st, gb_fn fn, void *arg) {
    gb_state s{&st, false, false};
    fn(&s, arg);
    if (st.error_occurred()) return;
    if (!s.started) {
        st.SkipWithError("benchmark body never called gb_start");
        return;
    }
    if (!s.stopped) gb_stop(&s);
}

void print_help() {
    benchmark::PrintDefaultHelp();
    std::fprintf(stdout,
                 "\ncorobench additions:\n"
                 "  --quick   3 repetitions of at least 0.05 s each (a full pass in seconds)\n"
                 "Defaults: --benchmark_repetitions=5 --benchmark_min_time=0.2\n"
                 "          --benchmark_display_aggregates_only=true (later flags win).\n"
                 "--benchmark_out=FILE is written to a temporary file and renamed on success.\n");
}

bool starts_with(const char *s, const char *prefix) {
    return std::strncmp(s, prefix, std::strlen(prefix)) == 0;
}

// Google Benchmark accepts a negative or zero minimum time and repetition
// count and then measures nonsense; refuse them with a usage error instead.
bool bad_value(const char *prog, const char *arg) {
    const char *v = std::strchr(arg, '=');
    if (!v) return false;
    v++;
    char *end = nullptr;
    if (starts_with(arg, "--benchmark_min_time=")) {
        double t = std::strtod(v, &end);
        if (end == v || *end != '\0' || !(t > 0)) {
            std::fprintf(
                stderr, "%s: --benchmark_min_time must be a positive number of seconds, not '%s'\n",
                prog, v);
            return true;
        }
    } else if (starts_with(arg, "--benchmark_repetitions=")) {
        long r = std::strtol(v, &end, 10);
        if (end == v || *end != '\0' || r < 1 || r > 1000000) {
            std::fprintf(stderr,
                         "%s: --benchmark_repetitions must be a positive integer, not '%s'\n", prog,
                         v);
            return true;
        }
    }
    return false;
}

} // namespace

extern "C" {

void gb_register(const char *name, gb_fn fn, void *arg, const gb_opts *o) {
    benchmark::internal::Benchmark *b = benchmark::RegisterBenchmark(
        name, [fn, arg](benchmark::State &st) { run_body(st, fn, arg); });
    b->ComputeStatistics("min", stat_min)->ComputeStatistics("max", stat_max);
    if (o && o->real_time) b->UseRealTime();
}

uint64_t gb_start(gb_state *s, uint64_t multiple) {
    if (s->started || s->st->error_occurred()) return 0;
    if (multiple == 0) multiple = 1;
    benchmark::IterationCount want = s->st->max_iterations;
    if (want < 1) want = 1;
    benchmark::IterationCount m = (benchmark::IterationCount)multiple;
    benchmark::IterationCount n = (want + m - 1) / m * m;
    s->started = true;
    // The first KeepRunningBatch starts the clock and, when n exceeds the
    // requested count, books the excess so that iterations() == n.
    if (!s->st->KeepRunningBatch(n)) return 0;
    return (uint64_t)n;
}

void gb_stop(gb_state *s) {
    if (!s->started || s->stopped) return;
    s->stopped = true;
    // Every iteration is used up, so this call stops the clock and returns false.
    while (s->st->KeepRunningBatch(1)) {
    }
}

void gb_pause(gb_state *s) {
    s->st->PauseTiming();
}
void gb_resume(gb_state *s) {
    s->st->ResumeTiming();
}
void gb_skip(gb_state *s, const char *msg) {
    s->st->SkipWithError(msg);
}

void gb_set_items_processed(gb_state *s, uint64_t items) {
    s->st->SetItemsProcessed((int64_t)items);
}

void gb_counter(gb_state *s, const char *name, double value, int kind) {
    benchmark::Counter::Flags f = benchmark::Counter::kDefaults;
    if (kind == GB_RATE) f = benchmark::Counter::kIsRate;
    if (kind == GB_PER_ITER) f = benchmark::Counter::kAvgIterations;
    s->st->counters[name] = benchmark::Counter(value, f);
}

void gb_add_context(const char *key, const char *value) {
    contexts().emplace_back(key, value ? value : "");
}

int gb_main(int argc, char **argv) {
    std::vector<std::string> args;
    args.emplace_back(argc > 0 ? argv[0] : "corobench-micro");
    args.emplace_back("--benchmark_repetitions=5");
    args.emplace_back("--benchmark_min_time=0.2");
    args.emplace_back("--benchmark_display_aggregates_only=true");
    std::string out_final;
    for (int i = 1; i < argc; i++) {
        if (std::strcmp(argv[i], "--quick") == 0) {
            args.emplace_back("--benchmark_repetitions=3");
            args.emplace_back("--benchmark_min_time=0.05");
        } else if (starts_with(argv[i], "--benchmark_out=")) {
            out_final = argv[i] + std::strlen("--benchmark_out=");
            if (out_final.empty()) {
                std::fprintf(stderr, "%s: --benchmark_out needs a file name\n", args[0].c_str());
                return 2;
            }
        } else if (bad_value(args[0].c_str(), argv[i])) {
            return 2;
        } else {
            args.emplace_back(argv[i]);
        }
    }
    std::string out_tmp;
    if (!out_final.empty()) {
        out_tmp = out_final + ".tmp." + std::to_string((long)getpid());
        std::FILE *probe = std::fopen(out_tmp.c_str(), "w");
        if (!probe) {
            std::fprintf(stderr, "%s: cannot write --benchmark_out file %s: %s\n", args[0].c_str(),
                         out_final.c_str(), std::strerror(errno));
            return 2;
        }
        std::fclose(probe);
        args.emplace_back("--benchmark_out=" + out_tmp);
    }

    std::vector<char *> cargv;
    for (std::string &a : args) cargv.push_back(&a[0]);
    cargv.push_back(nullptr);
    int cargc = (int)args.size();
    benchmark::Initialize(&cargc, cargv.data(), print_help);
    if (benchmark::ReportUnrecognizedArguments(cargc, cargv.data())) return 2;
    for (auto &kv : contexts()) benchmark::AddCustomContext(kv.first, kv.second);

    size_t ran = benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    if (ran == 0) {
        std::fprintf(stderr, "%s: no benchmark matches --benchmark_filter\n", args[0].c_str());
        if (!out_tmp.empty()) std::remove(out_tmp.c_str());
        return 2;
    }
    if (!out_tmp.empty() && std::rename(out_tmp.c_str(), out_final.c_str()) != 0) {
        std::fprintf(stderr, "%s: cannot rename %s to %s\n", args[0].c_str(), out_tmp.c_str(),
                     out_final.c_str());
        return 1;
    }
    return 0;
}

} // extern "C"
