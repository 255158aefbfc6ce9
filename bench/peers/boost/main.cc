// main.cc — corobench-boost: the Boost peer of corobench.
//   corobench-boost <switch|spawn|prodcons|skynet> --backend boost-context|boost-fiber [options]
//   [--json]
// prints the result object of `corobench <workload> --json` (bench/result.schema.json).
// Bad command lines (and workloads a backend does not have) exit 2 with one line.
#include <cstdio>
#include <string>
#include <vector>

#include "workloads.hh"

using peer::opt_spec;

static const char *PROG = "corobench-boost";

namespace {

struct workload {
    const char *name, *help;
    std::vector<opt_spec> specs;
    void (*ctx)(const peer::opts &, peer::result &); // nullptr: not on boost-context
    void (*fib)(const peer::opts &, peer::result &);
};

opt_spec backend_opt() {
    return {"backend",
            opt_spec::ENUM,
            0,
            0,
            {"boost-context", "boost-fiber"},
            "boost-fiber",
            "Boost.Context jump_fcontext, or Boost.Fiber"};
}
opt_spec uint_opt(const char *n, uint64_t lo, uint64_t hi, const char *def, const char *help) {
    return {n, opt_spec::UINT, lo, hi, {}, def, help};
}
opt_spec stack_opts() {
    return uint_opt("stack", 0, 1ull << 30, "0", "stack bytes per task, 0 = Boost's default");
}
opt_spec alloc_opt() {
    return {"stack-alloc",
            opt_spec::ENUM,
            0,
            0,
            {"pooled", "fixed"},
            "pooled",
            "boost-fiber stacks: pooled_fixedsize_stack or fixedsize_stack"};
}

std::vector<workload> table() {
    return {
        {"switch",
         "two tasks hand control back and forth, --n times each (2n switches)",
         {backend_opt(),
          uint_opt("n", 1, 10000000000ull, "20000", "hand-offs per task (2n switches in all)"),
          stack_opts(), alloc_opt()},
         peer::ctx_switch,
         peer::fib_switch},
        {"spawn",
         "spawn and join --n trivial tasks one at a time; --alive keeps all alive",
         {backend_opt(),
          uint_opt("n", 1, 1000000000, "2000", "tasks (at most 10000000 with --alive)"),
          {"alive", opt_spec::FLAG, 0, 0, {}, "", "keep all --n alive at once (boost-fiber)"},
          stack_opts(),
          alloc_opt()},
         peer::ctx_spawn,
         peer::fib_spawn},
        {"prodcons",
         "P producers, C consumers over a buffered_channel (boost-fiber only)",
         {backend_opt(), uint_opt("producers", 1, 100000, "1", "producer fibers"),
          uint_opt("consumers", 1, 100000, "1", "consumer fibers"),
          uint_opt("capacity", 0, 100000000, "64",
                   "channel capacity: 1 or a power of 2 (holds capacity-1 then)"),
          uint_opt("items", 1, 10000000000ull, "100000", "items in all"),
          uint_opt("work-ns", 0, 100000000, "0", "busy work per consumed item, ns"), stack_opts(),
          alloc_opt()},
         nullptr,
         peer::fib_prodcons},
        {"skynet",
         "every fiber starts --fanout children down to fanout^depth leaves (boost-fiber only)",
         {backend_opt(),
          uint_opt("depth", 0, 12, "6", "levels below the root (leaves: fanout^depth)"),
          uint_opt("fanout", 2, 1000, "10", "children per fiber"), stack_opts(), alloc_opt()},
         nullptr,
         peer::fib_skynet},
    };
}

void usage() {
    fprintf(stderr,
            "usage: %s <workload> --backend boost-context|boost-fiber [options] [--json]\n"
            "workloads: switch spawn prodcons skynet\n`%s <workload> --help` lists its options\n",
            PROG, PROG);
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
        o = peer::parse(wl->specs, std::vector<std::string>(argv + 2, argv + argc));
        if (o.help) {
            peer::print_help(PROG, w, wl->help, wl->specs);
            return 0;
        }
        bool ctx = o.s("backend") == "boost-context";
        if (ctx && !wl->ctx)
            throw peer::usage_error("workload " + w + " is not available on boost-context " +
                                    "(Boost.Context has no scheduler or queue); use boost-fiber");
        if (w == "spawn" && o.flag("alive") && o.u("n") > 10000000)
            throw peer::usage_error(
                "--n: with --alive, expected an integer in [1, 10000000], got '" + o.s("n") + "'");
        if (ctx && w == "spawn" && o.flag("alive"))
            throw peer::usage_error("--alive needs --backend boost-fiber");
        if (w == "prodcons") {
            uint64_t q = o.u("capacity");
            if (q == 0)
                throw peer::usage_error("--capacity: 0 (unbounded) is not available, "
                                        "Boost.Fiber has no unbounded channel");
            if (q != 1 && (q & (q - 1)) != 0)
                throw peer::usage_error(
                    "--capacity: buffered_channel needs 1 or a power of 2, got " +
                    std::to_string(q));
        }
        if (w == "skynet") {
            double leaves = 1;
            for (uint64_t d = 0; d < o.u("depth"); d++) leaves *= (double)o.u("fanout");
            if (leaves > 1e8)
                throw peer::usage_error("--depth: --fanout ^ --depth must be at most 100000000 "
                                        "leaves, got " +
                                        o.s("fanout") + " ^ " + o.s("depth"));
        }
        if (o.vals.count("stack") && o.u("stack") != 0 && o.u("stack") < 16384)
            throw peer::usage_error("--stack: at least 16384 bytes, got " + o.s("stack"));
    } catch (const peer::usage_error &e) {
        fprintf(stderr, "%s %s: %s\n", PROG, w.c_str(), e.what());
        return 2;
    }
    peer::result r;
    r.workload = w;
    r.backend = o.s("backend");
    r.o = &o;
    if (r.backend == "boost-context")
        wl->ctx(o, r);
    else
        wl->fib(o, r);
    r.print(o.json);
    return r.ok ? 0 : 1;
}
