// workloads.hh — the Boost peer's workloads. Each fills a peer::result the
// way corobench's workload of the same name does (bench/workloads/*.c), with
// the same checksum definition, so equal params give an equal checksum.
#pragma once

#include "peer.hh"

namespace peer {

// Tags of corobench's order-independent checksums (bench/workloads/*.c).
constexpr uint64_t SPAWN_TAG = 0x5350, PC_TAG = 0x5043;

// switch: a (task, iteration) hand-off folded in order, as corobench's record().
// One multiply per hand-off (corobench's fnv_word): the chain is folded inside
// the timed loop.
inline uint64_t switch_record(uint64_t seq, int me, uint64_t i) {
    return fnv_word(seq, i << 1 | (uint64_t)me);
}

void ctx_switch(const opts &o, result &r);   // Boost.Context jump_fcontext
void ctx_spawn(const opts &o, result &r);    // make_fcontext + 2 jumps on a reused stack
void fib_switch(const opts &o, result &r);   // Boost.Fiber this_fiber::yield
void fib_spawn(const opts &o, result &r);    // fiber + join; --alive
void fib_prodcons(const opts &o, result &r); // buffered_channel
void fib_skynet(const opts &o, result &r);   // a tree of fibers, sums coming back up

} // namespace peer
