// skynet.cc — the public skynet benchmark (github.com/atemerev/skynet) on the
// C++20 runtime: every task spawns --fanout children down to fanout^depth
// leaves; leaf i returns its number i, and every task returns the sum of its
// children's. With the defaults (10, depth 6): 1,111,111 tasks and the sum
// 499999500000. Each child is a spawned task (a ready-queue entry and a frame
// of its own), joined in order, as the benchmark's other implementations do.
//
// Checksum: the sum and the task count folded, fnv_u64(fnv_u64(FNV_INIT, sum),
// tasks), as corobench's order-independent checksums end.
#include <sys/resource.h>

#include <vector>

#include "cxx20.hh"
#include "sched.hh"

namespace peer {

namespace {

struct sk_state {
    explicit sk_state(uint64_t f) : fanout(f) {}
    uint64_t fanout, tasks = 0;
};

sl::task<uint64_t> skynet(sk_state &s, uint64_t num, uint64_t size) {
    s.tasks++;
    if (size == 1) co_return num;
    uint64_t step = size / s.fanout, sum = 0;
    std::vector<sl::task<uint64_t>> kids(s.fanout);
    for (uint64_t i = 0; i < s.fanout; i++) {
        kids[i] = skynet(s, num + i * step, step);
        if (!kids[i].spawn()) throw std::bad_alloc();
    }
    for (auto &k : kids) sum += co_await k;
    co_return sum;
}

long minor_faults() {
    rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_minflt : 0;
}

} // namespace

// fanout^depth, or 0 when it exceeds limit (main.cc checks the options).
uint64_t skynet_leaves(uint64_t fanout, uint64_t depth, uint64_t limit) {
    uint64_t leaves = 1;
    for (uint64_t d = 0; d < depth; d++) {
        if (leaves > limit / fanout) return 0;
        leaves *= fanout;
    }
    return leaves;
}

void cxx_skynet(const opts &o, result &r) {
    sk_state s{o.u("fanout")};
    uint64_t leaves = skynet_leaves(s.fanout, o.u("depth"), UINT64_MAX), sum = 0, wall = 0;
    uint64_t f0 = sl::frames.frames;
    long faults0 = minor_faults(); // first touches of fresh memory: a large share of skynet
    guarded(r, "skynet", [&] {
        uint64_t t0 = now_ns();
        sl::task<uint64_t> root = skynet(s, 0, leaves);
        if (!root.run()) return r.fail("skynet: every task waits (deadlock)");
        wall = now_ns() - t0;
        sum = root.result();
    });
    if (!r.ok) return;
    uint64_t want = leaves % 2 ? (leaves - 1) / 2 * leaves : leaves / 2 * (leaves - 1);
    if (sum != want)
        return r.fail("sum " + std::to_string(sum) + ", expected " + std::to_string(want));
    r.checksum = fnv_u64(fnv_u64(FNV_INIT, sum), s.tasks);
    r.u64("tasks", s.tasks);
    r.u64("leaves", leaves);
    r.u64("sum", sum);
    r.u64("wall_ns", wall);
    r.f64("ns_per_task", (double)wall / (double)s.tasks);
    r.u64("frames", sl::frames.frames - f0);
    r.i64("vmhwm_bytes", status_bytes("VmHWM"));
    r.i64("minor_faults", minor_faults() - faults0);
}

} // namespace peer
