// main.cc — corobench-cxx20: the C++20 stackless-coroutine peer of corobench.
//   corobench-cxx20 <switch|spawn|prodcons|cpubound|article|skynet> [options] [--json]
// prints the result object of `corobench <workload> --json` (bench/SCHEMA.md);
// `article` without --json prints the program's output, as corobench does.
// A bad command line exits 2 with one line naming the option.
#include <cstdio>
#include <string>
#include <vector>

#include "cxx20.hh"

using peer::opt_spec;

static const char *PROG = "corobench-cxx20";

namespace peer {
uint64_t skynet_leaves(uint64_t fanout, uint64_t depth, uint64_t limit);
}

namespace {

constexpr uint64_t E10 = 10000000000ull, SKYNET_MAX_LEAVES = 100000000;

struct workload {
    const char *name, *help;
    std::vector<opt_spec> specs;
    void (*run)(const peer::opts &, peer::result &);
};

opt_spec u(const char *n, uint64_t lo, uint64_t hi, const char *def, const char *help) {
    return {n, opt_spec::UINT, lo, hi, {}, def, help};
}

std::vector<workload> table() {
    return {
        {"switch",
         "two tasks hand control back and forth, --n times each (2n switches)",
         {u("n", 1, E10, "20000", "hand-offs per task (2n switches in all)")},
         peer::cxx_switch},
        {"spawn",
         "spawn and join --n trivial tasks one at a time; --alive keeps all alive",
         {u("n", 1, 1000000000, "2000", "tasks (at most 10000000 with --alive)"),
          {"alive",
           opt_spec::FLAG,
           0,
           0,
           {},
           "",
           "keep all --n alive at once, report RSS per task"}},
         peer::cxx_spawn},
        {"prodcons",
         "P producers, C consumers over one queue of --capacity (0 = unbounded)",
         {u("producers", 1, 100000, "1", "producer tasks"),
          u("consumers", 1, 100000, "1", "consumer tasks"),
          u("capacity", 0, 100000000, "64", "queue capacity, 0 = unbounded"),
          u("items", 1, E10, "100000", "items put in all"),
          u("work-ns", 0, 100000000, "0", "CPU work per consumed item (calibrated spin), ns")},
         peer::cxx_prodcons},
        {"cpubound",
         "fixed CPU work split over T tasks: oversubscription",
         {u("tasks", 1, 10000000, "2", "tasks sharing the work"),
          u("total-work", 1, 1000000000000ull, "200000", "work steps in all"),
          u("wss", 0, 1ull << 30, "4096", "bytes of working set per task, touched each step"),
          u("yield-every", 0, 1000000000000ull, "0", "yield every K steps, 0 = never")},
         peer::cxx_cpubound},
        {"article",
         "the article's programs: article sequential|concurrent|queue --n N",
         {{"program",
           opt_spec::ENUM,
           0,
           0,
           {"sequential", "concurrent", "queue"},
           "sequential",
           "which program (also accepted as the first argument)"},
          u("n", 1, E10, "6", "countdown start"),
          u("capacity", 0, 1000000000, "0", "queue program: queue capacity, 0 = unbounded")},
         peer::cxx_article},
        {"skynet",
         "every task spawns --fanout children down to fanout^depth leaves; sums return",
         {u("depth", 0, 12, "6", "levels below the root (leaves = fanout^depth)"),
          u("fanout", 2, 1000, "10", "children per task")},
         peer::cxx_skynet},
    };
}

void usage() {
    fprintf(stderr,
            "usage: %s <workload> [options] [--json]\n"
            "workloads: switch spawn prodcons cpubound article skynet\n"
            "`%s <workload> --help` lists its options\n",
            PROG, PROG);
}

// Checks that span options; throws usage_error naming the option.
void cross_check(const std::string &w, const peer::opts &o) {
    if (w == "spawn" && o.flag("alive") && o.u("n") > 10000000)
        throw peer::usage_error("--n: with --alive, expected an integer in [1, 10000000], got '" +
                                o.s("n") + "'");
    if (w == "skynet" && !peer::skynet_leaves(o.u("fanout"), o.u("depth"), SKYNET_MAX_LEAVES))
        throw peer::usage_error("--depth: fanout^depth must be at most " +
                                std::to_string(SKYNET_MAX_LEAVES) + " leaves, got " +
                                o.s("fanout") + "^" + o.s("depth"));
}

// The article takes its program as the first argument, as corobench does.
std::vector<std::string> args_of(const std::string &w, int argc, char **argv) {
    std::vector<std::string> a(argv + 2, argv + argc);
    if (w == "article" && !a.empty() && a[0].compare(0, 1, "-") != 0)
        a.insert(a.begin(), "--program");
    return a;
}

} // namespace

int main(int argc, char **argv) {
    if (argc < 2) return usage(), 2;
    std::string w = argv[1];
    if (w == "--help" || w == "-h") return usage(), 0;
    auto all = table();
    const workload *wl = nullptr;
    for (const auto &x : all)
        if (w == x.name) wl = &x;
    if (!wl) {
        fprintf(stderr, "%s: unknown workload '%s' (try --help)\n", PROG, w.c_str());
        return 2;
    }
    peer::opts o;
    try {
        o = peer::parse(wl->specs, args_of(w, argc, argv));
        if (o.help) {
            peer::print_help(PROG, w, wl->help, wl->specs);
            return 0;
        }
        cross_check(w, o);
    } catch (const peer::usage_error &e) {
        fprintf(stderr, "%s %s: %s\n", PROG, w.c_str(), e.what());
        return 2;
    }
    peer::result r;
    r.workload = w;
    r.backend = "cxx20";
    r.o = &o;
    wl->run(o, r);
    if (w != "article" || o.json || !r.ok) r.print(o.json); // else the program's output is out
    return r.ok ? 0 : 1;
}
