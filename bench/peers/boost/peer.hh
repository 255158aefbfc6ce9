// peer.hh — shared pieces of the Boost peer (corobench-boost): options with
// corobench's names and validation rules, the JSON result of bench/result.schema.json,
// the FNV-1a checksum helpers and the calibrated busy loop.
//
// Why one header for these: the peer is one small program; keeping the
// plumbing in one place leaves the workload files about the workload only.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace peer {

// ---- options -------------------------------------------------------------

struct opt_spec {
    std::string name;
    enum kind_t { UINT, ENUM, FLAG } kind;
    uint64_t lo, hi;
    std::vector<std::string> choices;
    std::string def, help;
};

struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct opts {
    std::vector<opt_spec> specs;
    std::map<std::string, std::string> vals;
    bool json = false, help = false;
    uint64_t u(const std::string &n) const;
    const std::string &s(const std::string &n) const { return vals.at(n); }
    bool flag(const std::string &n) const { return vals.at(n) == "1"; }
};

// Parses args (after the workload name); throws usage_error with one line.
opts parse(const std::vector<opt_spec> &specs, const std::vector<std::string> &args);
void print_help(const char *prog, const std::string &workload, const std::string &text,
                const std::vector<opt_spec> &specs);

// ---- result --------------------------------------------------------------

struct result {
    std::string workload, backend;
    const opts *o = nullptr;
    bool ok = true;
    std::string error;
    uint64_t checksum = 0;
    std::vector<std::pair<std::string, std::string>> fields; // name, JSON text
    void u64(const std::string &n, uint64_t v);
    void i64(const std::string &n, int64_t v);
    void f64(const std::string &n, double v);
    void null(const std::string &n);
    void fail(const std::string &msg) {
        if (ok) ok = false, error = msg;
    }
    void print(bool json) const;
};

std::string json_str(const std::string &s);

// ---- checksum (FNV-1a, as bench/cli/checksum.h) --------------------------

constexpr uint64_t FNV_INIT = 0xcbf29ce484222325ull, FNV_PRIME = 0x100000001b3ull;
inline uint64_t fnv_u64(uint64_t h, uint64_t v) {
    for (int i = 0; i < 8; i++) {
        h ^= (v >> (8 * i)) & 0xff;
        h *= FNV_PRIME;
    }
    return h;
}
// Word-wise, one multiply per word (corobench's fnv_word): items are hashed
// inside the timed region.
inline uint64_t fnv_word(uint64_t h, uint64_t v) {
    return (h ^ v) * FNV_PRIME;
}
inline uint64_t fnv_item(uint64_t tag, uint64_t a, uint64_t b) {
    return fnv_word(fnv_word(fnv_word(FNV_INIT, tag), a), b);
}
inline uint64_t sum_final(uint64_t sum, uint64_t count) {
    return fnv_u64(fnv_u64(FNV_INIT, sum), count);
}

// ---- machine -------------------------------------------------------------

uint64_t now_ns();
struct csw {
    int64_t vol, invol;
};
csw csw_now();
int64_t status_bytes(const char *field); // /proc/self/status field in bytes, -1 unknown
int64_t mem_available();                 // MemAvailable in bytes, -1 unknown
uint64_t spin(uint64_t iters);           // the calibrated busy loop of corobench
uint64_t ns_to_iters(uint64_t ns);

} // namespace peer
