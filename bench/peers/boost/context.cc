// context.cc — Boost.Context's raw primitive, jump_fcontext: the reference a
// hand-written switch is measured against ("no slower than jump_fcontext").
// No scheduler here: main and one context jump to each other directly.
#include <boost/context/detail/fcontext.hpp>

#include <cstdlib>
#include <new>

#include "workloads.hh"

namespace bcd = boost::context::detail;

namespace peer {

namespace {

struct sw_state {
    uint64_t n, seq;
};

// Side B: records its half of every iteration and jumps back to A.
void player_b(bcd::transfer_t t) {
    sw_state *s = static_cast<sw_state *>(t.data);
    for (uint64_t i = 0; i < s->n; i++) {
        s->seq = switch_record(s->seq, 1, i);
        t = bcd::jump_fcontext(t.fctx, nullptr);
    }
    for (;;) t = bcd::jump_fcontext(t.fctx, nullptr); // never returns (fcontext rule)
}

struct stack {
    void *base = nullptr;
    size_t size;
    explicit stack(size_t sz) : size(sz) { base = std::malloc(sz); }
    ~stack() { std::free(base); }
    void *top() const { return static_cast<char *>(base) + size; }
};

} // namespace

void ctx_switch(const opts &o, result &r) {
    uint64_t n = o.u("n");
    stack st(64 * 1024);
    if (!st.base) return r.fail("out of memory for a 64 KiB stack");
    sw_state s = {n, FNV_INIT};
    bcd::fcontext_t b = bcd::make_fcontext(st.top(), st.size, player_b);
    csw c0 = csw_now();
    uint64_t t0 = now_ns();
    bcd::transfer_t t = {b, nullptr};
    for (uint64_t i = 0; i < n; i++) {
        s.seq = switch_record(s.seq, 0, i);
        t = bcd::jump_fcontext(t.fctx, i == 0 ? &s : nullptr); // A -> B, B -> A: 2 switches
    }
    uint64_t wall = now_ns() - t0;
    csw c1 = csw_now();
    uint64_t switches = 2 * n;
    r.checksum = fnv_u64(s.seq, switches);
    r.u64("switches", switches);
    r.u64("wall_ns", wall);
    r.f64("ns_per_switch", (double)wall / (double)switches);
    r.i64("vol_csw", c1.vol - c0.vol);
    r.i64("invol_csw", c1.invol - c0.invol);
}

namespace {
uint64_t g_spawn_sum;

// A trivial task: does its work, then hands control back for good.
void trivial(bcd::transfer_t t) {
    g_spawn_sum += fnv_item(SPAWN_TAG, (uint64_t)(uintptr_t)t.data, 0);
    bcd::jump_fcontext(t.fctx, nullptr);
}
} // namespace

// spawn + run + join of a trivial context, the stack reused (a warm pool of
// one): make_fcontext, one jump in, one jump out. The lower bound of any
// stackful spawn; there is no scheduler or task object.
void ctx_spawn(const opts &o, result &r) {
    if (o.flag("alive"))
        return r.fail("--alive is not available on boost-context (no scheduler to keep tasks)");
    uint64_t n = o.u("n");
    size_t sz = o.u("stack") ? (size_t)o.u("stack") : 64 * 1024;
    stack st(sz);
    if (!st.base) return r.fail("out of memory for the stack");
    g_spawn_sum = 0;
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < n; i++) {
        bcd::fcontext_t c = bcd::make_fcontext(st.top(), st.size, trivial);
        bcd::jump_fcontext(c, (void *)(uintptr_t)i);
    }
    uint64_t wall = now_ns() - t0;
    r.checksum = fnv_u64(fnv_u64(FNV_INIT, g_spawn_sum), n);
    r.u64("tasks", n);
    r.u64("wall_ns", wall);
    r.f64("ns_per_task", (double)wall / (double)n);
    r.u64("stack_bytes", sz);
}

} // namespace peer
