// prodcons.cc — P producers, C consumers over one sl::queue of --capacity, as
// bench/workloads/prodcons.c: producer j puts j, j+P, ...; main joins the
// producers, closes the queue and joins the consumers. wall_ns runs from the
// first spawn to the last join; --work-ns is corobench's calibrated spin.
#include <string>
#include <vector>

#include "cxx20.hh"
#include "queue.hh"

namespace peer {

namespace {

struct pc_state {
    pc_state(uint64_t p, uint64_t c, uint64_t n, uint64_t it, uint64_t cap)
        : P(p), C(c), items(n), iters(it), q(cap) {}
    uint64_t P, C, items, iters;
    sl::queue<uint64_t> q;
    uint64_t sum = 0, consumed = 0, fold = 0, wall = 0;
    bool put_failed = false;
};

sl::task<> producer(pc_state &s, uint64_t j) {
    for (uint64_t k = j; k <= s.items; k += s.P)
        if (!co_await s.q.put(k)) {
            s.put_failed = true;
            co_return;
        }
}

sl::task<> consumer(pc_state &s) {
    uint64_t v, sum = 0, n = 0, fold = 0;
    while (co_await s.q.get(&v)) {
        if (s.iters) fold += spin(s.iters);
        sum += fnv_item(PC_TAG, v, 0);
        n++;
    }
    s.sum += sum, s.consumed += n, s.fold += fold;
}

sl::task<> pc_main(pc_state &s) {
    std::vector<sl::task<>> cs, ps;
    cs.reserve(s.C), ps.reserve(s.P);
    uint64_t t0 = now_ns();
    for (uint64_t c = 0; c < s.C; c++) {
        cs.push_back(consumer(s));
        if (!cs.back().spawn()) throw std::bad_alloc();
    }
    for (uint64_t j = 1; j <= s.P; j++) {
        ps.push_back(producer(s, j));
        if (!ps.back().spawn()) throw std::bad_alloc();
    }
    for (auto &t : ps) co_await t;
    s.q.close();
    for (auto &t : cs) co_await t;
    s.wall = now_ns() - t0;
}

} // namespace

void cxx_prodcons(const opts &o, result &r) {
    uint64_t w = o.u("work-ns");
    pc_state s{o.u("producers"), o.u("consumers"), o.u("items"), w ? ns_to_iters(w) : 0,
               o.u("capacity")};
    guarded(r, "prodcons", [&] {
        sl::task<> m = pc_main(s);
        if (!m.run()) r.fail("prodcons: every task waits (deadlock)");
    });
    if (!r.ok) return;
    if (s.put_failed) return r.fail("queue put failed: closed");
    if (s.consumed != s.items)
        return r.fail("consumed " + std::to_string(s.consumed) + " items, expected " +
                      std::to_string(s.items));
    if (s.iters && s.fold == 0x5eed) r.u64("spin_fold", s.fold); // keeps the work observable
    r.checksum = fnv_u64(fnv_u64(FNV_INIT, s.sum), s.consumed);
    r.u64("items", s.consumed);
    r.u64("wall_ns", s.wall);
    r.f64("items_per_s", s.wall ? (double)s.consumed * 1e9 / (double)s.wall : 0.0);
    r.u64("work_iters_per_item", s.iters);
}

} // namespace peer
