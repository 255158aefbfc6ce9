// switch_spawn.cc — switch (two tasks, a turn word, yield) and spawn (spawn +
// run + join one at a time; --alive: all alive at once on one event) on the
// C++20 runtime, as bench/workloads/switch.c and spawn.c do on coroutines.
#include <malloc.h>

#include <string>
#include <vector>

#include "cxx20.hh"
#include "sched.hh"

namespace peer {

namespace {

struct sw_state {
    explicit sw_state(uint64_t n_) : n(n_) {}
    uint64_t n, seq = FNV_INIT, t0 = 0, t1 = 0;
    int turn = 0, started = 0, ended = 0;
    csw c0{}, c1{};
};

// Both players start before the clock does, as corobench's start_line().
sl::task<> player(sw_state &s, int me) {
    s.started++;
    while (s.started < 2) co_await sl::yield();
    if (me == 0) s.c0 = csw_now(), s.t0 = now_ns();
    for (uint64_t i = 0; i < s.n; i++) {
        while (s.turn != me) co_await sl::yield();
        s.seq = switch_record(s.seq, me, i);
        s.turn = !me;
        co_await sl::yield();
    }
    if (++s.ended == 2) s.t1 = now_ns(), s.c1 = csw_now();
}

sl::task<> switch_main(sw_state &s) {
    sl::task<> a = player(s, 0), b = player(s, 1);
    if (!a.spawn() || !b.spawn()) throw std::bad_alloc();
    co_await a;
    co_await b;
}

} // namespace

void cxx_switch(const opts &o, result &r) {
    sw_state s{o.u("n")};
    guarded(r, "switch", [&] {
        sl::task<> m = switch_main(s);
        if (!m.run()) r.fail("switch: every task waits (deadlock)");
    });
    if (!r.ok) return;
    uint64_t switches = 2 * s.n, wall = s.t1 - s.t0;
    r.checksum = fnv_u64(s.seq, switches);
    r.u64("switches", switches);
    r.u64("wall_ns", wall);
    r.f64("ns_per_switch", (double)wall / (double)switches);
    r.i64("vol_csw", s.c1.vol - s.c0.vol);
    r.i64("invol_csw", s.c1.invol - s.c0.invol);
}

namespace {

struct sp_state {
    explicit sp_state(uint64_t n_) : n(n_) {}
    uint64_t n, sum = 0, ran = 0, started = 0, reached = 0, wall = 0, frame = 0, frame_alloc = 0;
    sl::event release;
    std::string limit;
    int64_t rss0 = 0, rss1 = 0, hwm = 0;
    uint64_t t_alive = 0;
};

sl::task<> trivial(sp_state &s, uint64_t id) {
    s.sum += fnv_item(SPAWN_TAG, id, 0);
    co_return;
}

sl::task<> waiter(sp_state &s, uint64_t id) {
    s.started++;
    co_await s.release.wait();
    s.sum += fnv_item(SPAWN_TAG, id, 0);
}

// The frame the compiler laid out for the task just created (t), and what
// malloc gave for it (its size class).
void note_frame(sp_state &s, const sl::task<> &t) {
    if (!t) return;
    s.frame = sl::frames.last_bytes;
    s.frame_alloc = malloc_usable_size(sl::frames.last);
}

sl::task<> spawn_one_by_one(sp_state &s) {
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < s.n; i++) {
        sl::task<> t = trivial(s, i);
        if (!t.spawn())
            throw std::runtime_error("coroutine frame allocation failed at task " +
                                     std::to_string(i));
        co_await t;
        s.ran++;
    }
    s.wall = now_ns() - t0;
}

sl::task<> spawn_alive(sp_state &s, std::vector<sl::task<>> &ts) {
    s.rss0 = status_bytes("VmRSS");
    uint64_t t0 = now_ns();
    for (; s.reached < s.n; s.reached++) {
        ts[s.reached] = waiter(s, s.reached);
        if (!ts[s.reached].spawn()) {
            s.limit = "coroutine frame allocation failed at task " + std::to_string(s.reached);
            break;
        }
    }
    while (s.started < s.reached) co_await sl::yield(); // each runs up to its wait
    s.t_alive = now_ns() - t0;
    s.rss1 = status_bytes("VmRSS"), s.hwm = status_bytes("VmHWM");
    s.release.set();
    for (uint64_t i = 0; i < s.reached; i++) co_await ts[i];
    s.wall = now_ns() - t0;
    s.ran = s.reached;
}

void report_alive(const sp_state &s, result &r) {
    r.u64("tasks_requested", s.n);
    r.u64("tasks_reached", s.reached);
    r.u64("spawn_all_ns", s.t_alive);
    r.i64("baseline_rss_bytes", s.rss0);
    r.i64("peak_rss_bytes", s.rss1);
    r.i64("vmhwm_bytes", s.hwm);
    r.u64("rss_per_task_bytes",
          s.reached && s.rss1 > s.rss0 ? (uint64_t)(s.rss1 - s.rss0) / s.reached : 0);
    if (s.limit.empty())
        r.null("limit_error");
    else
        r.fields.emplace_back("limit_error", json_str(s.limit));
}

} // namespace

void cxx_spawn(const opts &o, result &r) {
    sp_state s{o.u("n")};
    bool alive = o.flag("alive");
    guarded(r, "spawn", [&] {
        // Handles allocated and touched before the baseline RSS is read.
        std::vector<sl::task<>> ts(alive ? s.n : 0);
        { // one throw-away task, only to learn the frame size the compiler chose
            sl::task<> probe = alive ? waiter(s, 0) : trivial(s, 0);
            note_frame(s, probe);
        }
        sl::task<> m = alive ? spawn_alive(s, ts) : spawn_one_by_one(s);
        if (!m.run()) r.fail("spawn: every task waits (deadlock)");
    });
    if (!r.ok) return;
    r.checksum = fnv_u64(fnv_u64(FNV_INIT, s.sum), s.ran);
    r.u64("tasks", s.ran);
    r.u64("wall_ns", s.wall);
    r.f64("ns_per_task", s.ran ? (double)s.wall / (double)s.ran : 0.0);
    if (alive) report_alive(s, r);
    r.u64("frame_bytes", s.frame);
    r.u64("frame_alloc_bytes", s.frame_alloc);
}

} // namespace peer
