// fiber.cc — Boost.Fiber (round-robin scheduler, one thread): switch by
// this_fiber::yield, spawn by fiber + join, prodcons over buffered_channel.
// Stacks come from pooled_fixedsize_stack (Boost's recycling allocator, the
// counterpart of corobench's warm stack pool) unless --stack-alloc fixed.
#include <boost/context/fixedsize_stack.hpp>
#include <boost/context/pooled_fixedsize_stack.hpp>
#include <boost/fiber/all.hpp>

#include <memory>
#include <string>
#include <vector>

#include "workloads.hh"

namespace bf = boost::fibers;
namespace bc = boost::context;

namespace peer {

namespace {

// Either allocator behind one interface (Boost takes allocators by value).
template <class F> bf::fiber make_fiber(const opts &o, F &&f) {
    size_t sz = o.u("stack") ? (size_t)o.u("stack") : bc::stack_traits::default_size();
    if (o.s("stack-alloc") == "fixed")
        return bf::fiber(std::allocator_arg, bc::fixedsize_stack(sz), std::forward<F>(f));
    static bc::pooled_fixedsize_stack pool(sz);
    return bf::fiber(std::allocator_arg, pool, std::forward<F>(f));
}

size_t stack_size(const opts &o) {
    return o.u("stack") ? (size_t)o.u("stack") : bc::stack_traits::default_size();
}

} // namespace

// Two fibers and a turn word, exactly corobench's coroutine switch.
void fib_switch(const opts &o, result &r) {
    uint64_t n = o.u("n");
    int turn = 0;
    uint64_t seq = FNV_INIT;
    auto player = [&](int me) {
        for (uint64_t i = 0; i < n; i++) {
            while (turn != me) boost::this_fiber::yield();
            seq = switch_record(seq, me, i);
            turn = !me;
            boost::this_fiber::yield();
        }
    };
    csw c0 = csw_now();
    uint64_t t0 = now_ns();
    try {
        bf::fiber a = make_fiber(o, [&] { player(0); });
        bf::fiber b = make_fiber(o, [&] { player(1); });
        a.join();
        b.join();
    } catch (const std::exception &e) {
        return r.fail(std::string("fiber creation failed: ") + e.what());
    }
    uint64_t wall = now_ns() - t0;
    csw c1 = csw_now();
    uint64_t switches = 2 * n;
    r.checksum = fnv_u64(seq, switches);
    r.u64("switches", switches);
    r.u64("wall_ns", wall);
    r.f64("ns_per_switch", (double)wall / (double)switches);
    r.i64("vol_csw", c1.vol - c0.vol);
    r.i64("invol_csw", c1.invol - c0.invol);
}

static void fib_alive(const opts &o, result &r) {
    uint64_t n = o.u("n");
    bf::mutex mu;
    bf::condition_variable cv;
    bool released = false;
    uint64_t started = 0, sum = 0;
    // Handles constructed (empty, so touched) before the baseline is read, as
    // corobench's own spawn does: they are the harness's, not the fibers'.
    std::vector<bf::fiber> fs(n);
    uint64_t reached = 0;
    std::string limit;
    int64_t rss0 = status_bytes("VmRSS");
    uint64_t t0 = now_ns();
    try {
        for (; reached < n; reached++) {
            uint64_t i = reached;
            fs[i] = make_fiber(o, [&, i] {
                std::unique_lock<bf::mutex> lk(mu);
                started++;
                cv.wait(lk, [&] { return released; });
                sum += fnv_item(SPAWN_TAG, i, 0);
            });
        }
    } catch (const std::exception &e) {
        limit = "fiber creation failed at task " + std::to_string(reached) + ": " + e.what();
    }
    while (started < reached) boost::this_fiber::yield(); // let each run up to its wait
    uint64_t t_alive = now_ns() - t0;
    int64_t rss1 = status_bytes("VmRSS"), hwm = status_bytes("VmHWM");
    {
        std::unique_lock<bf::mutex> lk(mu);
        released = true;
    }
    cv.notify_all();
    for (uint64_t i = 0; i < reached; i++) fs[i].join();
    uint64_t wall = now_ns() - t0;
    r.checksum = fnv_u64(fnv_u64(FNV_INIT, sum), reached);
    r.u64("tasks", reached);
    r.u64("tasks_requested", n);
    r.u64("tasks_reached", reached);
    r.u64("wall_ns", wall);
    r.u64("spawn_all_ns", t_alive);
    r.i64("baseline_rss_bytes", rss0);
    r.i64("peak_rss_bytes", rss1);
    r.i64("vmhwm_bytes", hwm);
    r.u64("rss_per_task_bytes", reached && rss1 > rss0 ? (uint64_t)(rss1 - rss0) / reached : 0);
    if (limit.empty())
        r.null("limit_error");
    else
        r.fields.emplace_back("limit_error", json_str(limit));
    r.f64("ns_per_task", reached ? (double)wall / (double)reached : 0.0);
    r.u64("stack_bytes", stack_size(o));
}

// One fiber spawned and joined at a time, as corobench's default spawn mode.
void fib_spawn(const opts &o, result &r) {
    if (o.flag("alive")) return fib_alive(o, r);
    uint64_t n = o.u("n"), sum = 0, ran = 0;
    uint64_t t0 = now_ns();
    try {
        for (uint64_t i = 0; i < n; i++, ran++) {
            bf::fiber f = make_fiber(o, [&sum, i] { sum += fnv_item(SPAWN_TAG, i, 0); });
            f.join();
        }
    } catch (const std::exception &e) {
        r.fail("fiber creation failed at task " + std::to_string(ran) + ": " + e.what());
    }
    uint64_t wall = now_ns() - t0;
    r.checksum = fnv_u64(fnv_u64(FNV_INIT, sum), ran);
    r.u64("tasks", ran);
    r.u64("wall_ns", wall);
    r.f64("ns_per_task", ran ? (double)wall / (double)ran : 0.0);
    r.u64("stack_bytes", stack_size(o));
}

// buffered_channel needs a power-of-2 size >= 2 and holds one item less than
// its size. --capacity 1 uses size 2 (exactly one slot); another power of 2 Q
// uses size Q (Q - 1 slots, reported as effective_capacity). Anything else,
// and 0 (unbounded: Boost.Fiber has no unbounded channel), is a usage error,
// checked in main.cc before the run.
void fib_prodcons(const opts &o, result &r) {
    uint64_t P = o.u("producers"), C = o.u("consumers"), items = o.u("items");
    uint64_t q = o.u("capacity"), size = q == 1 ? 2 : q;
    uint64_t iters = o.u("work-ns") ? ns_to_iters(o.u("work-ns")) : 0;
    bf::buffered_channel<uint64_t> ch(size);
    uint64_t sum = 0, consumed = 0, fold = 0;
    std::vector<bf::fiber> cs, ps;
    uint64_t t0 = now_ns();
    try {
        for (uint64_t c = 0; c < C; c++)
            cs.push_back(make_fiber(o, [&] {
                uint64_t v;
                while (ch.pop(v) == bf::channel_op_status::success) {
                    if (iters) fold += spin(iters);
                    sum += fnv_item(PC_TAG, v, 0);
                    consumed++;
                }
            }));
        for (uint64_t p = 1; p <= P; p++)
            ps.push_back(make_fiber(o, [&, p] {
                for (uint64_t k = p; k <= items; k += P) ch.push(k);
            }));
    } catch (const std::exception &e) {
        r.fail(std::string("fiber creation failed: ") + e.what());
    }
    for (auto &f : ps) f.join();
    ch.close();
    for (auto &f : cs) f.join();
    uint64_t wall = now_ns() - t0;
    if (!r.ok) return;
    if (iters && fold == 0x5eed) r.u64("spin_fold", fold); // keeps the work observable
    if (consumed != items)
        return r.fail("consumed " + std::to_string(consumed) + " items, expected " +
                      std::to_string(items));
    r.checksum = fnv_u64(fnv_u64(FNV_INIT, sum), consumed);
    r.u64("items", consumed);
    r.u64("wall_ns", wall);
    r.f64("items_per_s", wall ? (double)consumed * 1e9 / (double)wall : 0.0);
    r.u64("work_iters_per_item", iters);
    r.u64("effective_capacity", size - 1);
    r.u64("channel_size", size);
}

} // namespace peer

namespace peer {

namespace {

// One skynet task: a leaf returns its number; any other task starts --fanout
// child fibers, joins them in order and returns their sum. A child that
// cannot be created ends the growth: the children that exist are joined
// (a joinable fiber must not be destroyed) and the error goes up.
uint64_t sky_node(const opts &o, uint64_t num, uint64_t size, uint64_t fanout, uint64_t &tasks) {
    tasks++;
    if (size == 1) return num;
    uint64_t step = size / fanout, sum = 0;
    std::vector<uint64_t> sums(fanout, 0);
    std::vector<bf::fiber> kids;
    kids.reserve(fanout);
    try {
        for (uint64_t i = 0; i < fanout; i++)
            kids.push_back(make_fiber(
                o, [&, i] { sums[i] = sky_node(o, num + i * step, step, fanout, tasks); }));
    } catch (...) {
        for (auto &k : kids) k.join();
        throw;
    }
    for (uint64_t i = 0; i < fanout; i++) {
        kids[i].join();
        sum += sums[i];
    }
    return sum;
}

} // namespace

// skynet (github.com/atemerev/skynet) with corobench's options and checksum:
// fnv_u64(fnv_u64(FNV_INIT, sum), tasks).
void fib_skynet(const opts &o, result &r) {
    uint64_t fanout = o.u("fanout"), leaves = 1, tasks = 0, sum = 0;
    for (uint64_t d = 0; d < o.u("depth"); d++) leaves *= fanout; // main.cc bounds it
    uint64_t t0 = now_ns();
    try {
        sum = sky_node(o, 0, leaves, fanout, tasks);
    } catch (const std::exception &e) {
        return r.fail("fiber creation failed after " + std::to_string(tasks) +
                      " tasks: " + e.what());
    }
    uint64_t wall = now_ns() - t0;
    uint64_t want = leaves % 2 ? (leaves - 1) / 2 * leaves : leaves / 2 * (leaves - 1);
    if (sum != want)
        return r.fail("sum " + std::to_string(sum) + ", expected " + std::to_string(want));
    r.checksum = fnv_u64(fnv_u64(FNV_INIT, sum), tasks);
    r.u64("tasks", tasks);
    r.u64("leaves", leaves);
    r.u64("sum", sum);
    r.u64("wall_ns", wall);
    r.f64("ns_per_task", (double)wall / (double)tasks);
    r.i64("vmhwm_bytes", status_bytes("VmHWM"));
    r.u64("stack_bytes", stack_size(o));
}

} // namespace peer
