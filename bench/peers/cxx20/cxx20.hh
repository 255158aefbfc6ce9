// cxx20.hh — the C++20 peer's workloads (corobench-cxx20). Each fills a
// peer::result the way corobench's workload of the same name does
// (bench/workloads/*.c), with the same checksum definition, so equal params
// give an equal checksum. The options, JSON result and checksum helpers are
// the Boost peer's (bench/peers/boost/peer.hh), shared rather than copied.
#pragma once

#include "../boost/workloads.hh"

namespace peer {

constexpr uint64_t CB_TAG = 0x4342; // cpubound's, as bench/workloads/cpubound.c

// FNV-1a over bytes, as bench/cli/checksum.h's fnv_bytes (the article's line tags).
inline uint64_t fnv_bytes(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = static_cast<const unsigned char *>(p);
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= FNV_PRIME;
    }
    return h;
}

void cxx_switch(const opts &o, result &r);
void cxx_spawn(const opts &o, result &r);
void cxx_prodcons(const opts &o, result &r);
void cxx_cpubound(const opts &o, result &r);
void cxx_skynet(const opts &o, result &r);
// The article's programs; without --json the program's own output is printed.
void cxx_article(const opts &o, result &r);

// Runs a workload body and turns what it throws into a failed result.
template <class F> void guarded(result &r, const char *what, F &&f) {
    try {
        f();
    } catch (const std::bad_alloc &) {
        r.fail(std::string(what) + ": out of memory");
    } catch (const std::exception &e) {
        r.fail(std::string(what) + ": " + e.what());
    }
}

} // namespace peer
