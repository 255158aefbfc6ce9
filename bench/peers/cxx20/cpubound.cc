// cpubound.cc — bench/workloads/cpubound.c on the C++20 runtime: --total-work steps split over
// --tasks tasks, each mixing a 64-bit state and touching its own --wss bytes
// every step, yielding every --yield-every steps. Tasks wait on a start event
// so that the timed region is the work, not the spawning. Same step and
// checksum as bench/workloads/cpubound.c.
#include <cstdlib>
#include <ctime>
#include <vector>

#include "cxx20.hh"
#include "sched.hh"

namespace peer {

namespace {

constexpr size_t LINE = 64;

uint64_t cpu_ns() { // the process's CPU time, as corobench's si_cpu_ns()
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct cb_state {
    cb_state(uint64_t t, uint64_t w, uint64_t b, uint64_t k)
        : tasks(t), total(w), wss(b), every(k) {}
    uint64_t tasks, total, wss, every;
    sl::event go;
    uint64_t sum = 0, steps = 0, wall = 0, cpu = 0;
    csw c0{}, c1{};
};

uint64_t mix_step(uint64_t x, uint64_t *ws, size_t lines) {
    for (int i = 0; i < 16; i++) {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdull;
    }
    for (size_t l = 0; l < lines; l++) {
        uint64_t *w = &ws[l * (LINE / 8)];
        *w += x;
        x ^= *w >> 7;
    }
    return x;
}

sl::task<> worker(cb_state &s, uint64_t id) {
    co_await s.go.wait();
    uint64_t steps = s.total / s.tasks + (id < s.total % s.tasks ? 1 : 0);
    size_t lines = (size_t)(s.wss + LINE - 1) / LINE;
    uint64_t *ws = nullptr;
    if (lines) {
        ws = static_cast<uint64_t *>(std::malloc(lines * LINE));
        if (!ws) throw std::bad_alloc();
        for (size_t l = 0; l < lines; l++) ws[l * (LINE / 8)] = l; // first touch by the task
    }
    uint64_t x = fnv_item(CB_TAG, id, 0), since = 0;
    for (uint64_t st = 0; st < steps; st++) {
        x = mix_step(x, ws, lines);
        if (s.every && ++since == s.every) {
            since = 0;
            co_await sl::yield();
        }
    }
    std::free(ws);
    s.sum += fnv_item(CB_TAG, id, x);
    s.steps += steps;
}

sl::task<> cb_main(cb_state &s) {
    std::vector<sl::task<>> ts(s.tasks);
    for (uint64_t i = 0; i < s.tasks; i++) {
        ts[i] = worker(s, i);
        if (!ts[i].spawn()) throw std::bad_alloc();
    }
    s.c0 = csw_now();
    uint64_t cpu0 = cpu_ns(), t0 = now_ns();
    s.go.set();
    for (auto &t : ts) co_await t;
    s.wall = now_ns() - t0;
    s.cpu = cpu_ns() - cpu0;
    s.c1 = csw_now();
}

} // namespace

void cxx_cpubound(const opts &o, result &r) {
    cb_state s{o.u("tasks"), o.u("total-work"), o.u("wss"), o.u("yield-every")};
    guarded(r, "cpubound", [&] {
        sl::task<> m = cb_main(s);
        if (!m.run()) r.fail("cpubound: every task waits (deadlock)");
    });
    if (!r.ok) return;
    r.checksum = fnv_u64(fnv_u64(FNV_INIT, s.sum), s.steps);
    r.u64("tasks", s.tasks);
    r.u64("work_units", s.steps);
    r.u64("wall_ns", s.wall);
    r.u64("cpu_ns", s.cpu);
    r.i64("vol_csw", s.c1.vol - s.c0.vol);
    r.i64("invol_csw", s.c1.invol - s.c0.invol);
    r.f64("units_per_s", s.wall ? (double)s.steps * 1e9 / (double)s.wall : 0.0);
}

} // namespace peer
