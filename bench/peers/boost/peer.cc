// peer.cc — options, JSON result, machine helpers (see peer.hh).
#include "peer.hh"

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <thread>

namespace peer {

static uint64_t check_uint(const opt_spec &s, const std::string &v) {
    if (!v.empty() && v[0] == '-')
        throw usage_error("--" + s.name + ": must not be negative, got '" + v + "'");
    if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos)
        throw usage_error("--" + s.name + ": expected an unsigned integer, got '" + v + "'");
    errno = 0;
    unsigned long long x = strtoull(v.c_str(), nullptr, 10);
    if (errno == ERANGE) throw usage_error("--" + s.name + ": value '" + v + "' overflows");
    if (x < s.lo || x > s.hi)
        throw usage_error("--" + s.name + ": " + std::to_string(x) + " is out of range [" +
                          std::to_string(s.lo) + ", " + std::to_string(s.hi) + "]");
    return x;
}

opts parse(const std::vector<opt_spec> &specs, const std::vector<std::string> &args) {
    opts o;
    o.specs = specs;
    for (const auto &s : specs) o.vals[s.name] = s.kind == opt_spec::FLAG ? "0" : s.def;
    for (size_t i = 0; i < args.size(); i++) {
        const std::string &a = args[i];
        if (a == "--json") {
            o.json = true;
            continue;
        }
        if (a == "--help" || a == "-h") {
            o.help = true;
            continue;
        }
        if (a.compare(0, 2, "--") != 0) throw usage_error("unexpected argument '" + a + "'");
        std::string name = a.substr(2), val;
        bool has_val = false;
        size_t eq = name.find('=');
        if (eq != std::string::npos) {
            val = name.substr(eq + 1);
            name = name.substr(0, eq);
            has_val = true;
        }
        const opt_spec *spec = nullptr;
        for (const auto &s : specs)
            if (s.name == name) spec = &s;
        if (!spec) throw usage_error("unknown option '--" + name + "'");
        if (spec->kind == opt_spec::FLAG) {
            if (has_val) throw usage_error("--" + name + " takes no value");
            o.vals[name] = "1";
            continue;
        }
        if (!has_val) {
            if (i + 1 >= args.size()) throw usage_error("--" + name + " needs a value");
            val = args[++i];
        }
        if (spec->kind == opt_spec::ENUM) {
            bool found = false;
            std::string all;
            for (const auto &c : spec->choices) {
                found |= c == val;
                all += (all.empty() ? "" : "|") + c;
            }
            if (!found)
                throw usage_error("--" + name + ": expected one of " + all + ", got '" + val + "'");
        } else {
            check_uint(*spec, val);
        }
        o.vals[name] = val;
    }
    return o;
}

uint64_t opts::u(const std::string &n) const {
    return strtoull(vals.at(n).c_str(), nullptr, 10);
}

void print_help(const char *prog, const std::string &workload, const std::string &text,
                const std::vector<opt_spec> &specs) {
    printf("usage: %s %s [options] [--json]\n%s\noptions:\n", prog, workload.c_str(), text.c_str());
    for (const auto &s : specs) {
        if (s.kind == opt_spec::FLAG) {
            printf("  --%-12s %s\n", s.name.c_str(), s.help.c_str());
        } else if (s.kind == opt_spec::ENUM) {
            std::string all;
            for (const auto &c : s.choices) all += (all.empty() ? "" : "|") + c;
            printf("  --%-12s %s (%s; default %s)\n", s.name.c_str(), s.help.c_str(), all.c_str(),
                   s.def.c_str());
        } else {
            printf("  --%-12s %s (%" PRIu64 "..%" PRIu64 "; default %s)\n", s.name.c_str(),
                   s.help.c_str(), s.lo, s.hi, s.def.c_str());
        }
    }
}

// ---- result --------------------------------------------------------------

std::string json_str(const std::string &s) {
    std::string o = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            o += '\\';
            o += (char)c;
        } else if (c < 0x20) {
            char b[8];
            snprintf(b, sizeof b, "\\u%04x", c);
            o += b;
        } else {
            o += (char)c;
        }
    }
    return o + "\"";
}

static void set(std::vector<std::pair<std::string, std::string>> &f, const std::string &n,
                const std::string &v) {
    for (auto &p : f)
        if (p.first == n) {
            p.second = v;
            return;
        }
    f.emplace_back(n, v);
}
void result::u64(const std::string &n, uint64_t v) {
    set(fields, n, std::to_string(v));
}
void result::i64(const std::string &n, int64_t v) {
    set(fields, n, std::to_string(v));
}
void result::f64(const std::string &n, double v) {
    char b[64];
    snprintf(b, sizeof b, "%.17g", v);
    set(fields, n, b);
}
void result::null(const std::string &n) {
    set(fields, n, "null");
}

static std::string cpu_model() {
    FILE *f = fopen("/proc/cpuinfo", "r");
    std::string m = "unknown";
    if (!f) return m;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) == 0) {
            const char *c = strchr(line, ':');
            if (c) {
                m = c + 1;
                while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
                while (!m.empty() && m[0] == ' ') m.erase(0, 1);
            }
            break;
        }
    }
    fclose(f);
    return m;
}

#ifndef PEER_CXXFLAGS
#define PEER_CXXFLAGS ""
#endif

// The C++ flags CMake used, trimmed; "(none)" when there were none.
static std::string cxxflags() {
    std::string f = PEER_CXXFLAGS;
    while (!f.empty() && f[0] == ' ') f.erase(0, 1);
    while (!f.empty() && f.back() == ' ') f.pop_back();
    return f.empty() ? "(none)" : f;
}

void result::print(bool json) const {
    char cs[32];
    snprintf(cs, sizeof cs, "0x%016" PRIx64, checksum);
    // The binary's own name: this file serves every C++ peer (Boost, C++20).
    if (!ok) fprintf(stderr, "%s: %s\n", program_invocation_short_name, error.c_str());
    if (!json) {
        printf("%s %s: %s\n", backend.c_str(), workload.c_str(), ok ? "ok" : "error");
        if (!ok) printf("  error: %s\n", error.c_str());
        printf("  checksum: %s\n", cs);
        for (const auto &p : fields) printf("  %s: %s\n", p.first.c_str(), p.second.c_str());
        return;
    }
    std::string j = "{\"schema\":\"corobench-result/1\",\"workload\":" + json_str(workload) +
                    ",\"backend\":" + json_str(backend) + ",\"params\":{";
    bool first = true;
    for (const auto &s : o->specs) {
        if (s.name == "backend") continue;
        j += first ? "" : ",";
        first = false;
        std::string key = s.name; // JSON keys as corobench: --work-ns -> work_ns
        for (auto &ch : key)
            if (ch == '-') ch = '_';
        j += json_str(key) + ":";
        if (s.kind == opt_spec::UINT)
            j += std::to_string(o->u(s.name));
        else if (s.kind == opt_spec::FLAG)
            j += o->flag(s.name) ? "true" : "false";
        else
            j += json_str(o->s(s.name));
    }
    j += "},\"status\":";
    j += ok ? "\"ok\",\"error\":null" : "\"error\",\"error\":" + json_str(error);
    j += ok ? ",\"checksum\":\"" + std::string(cs) + "\"" : std::string(",\"checksum\":null");
    j += ",\"results\":{";
    first = true;
    for (const auto &p : fields) {
        if (!first) j += ','; // not `"," + str`: g++ 12 -O3 -std=c++20 warns falsely there
        j += json_str(p.first) + ":" + p.second;
        first = false;
    }
    struct utsname u;
    std::string kernel = "unknown";
    if (uname(&u) == 0) kernel = std::string(u.sysname) + " " + u.release + " " + u.machine;
    const char *commit = getenv("COROBENCH_COMMIT");
    j += "},\"env\":{\"cpu_model\":" + json_str(cpu_model()) +
         ",\"cores\":" + std::to_string(std::thread::hardware_concurrency()) +
         ",\"kernel\":" + json_str(kernel) + ",\"compiler\":" + json_str("g++ " __VERSION__) +
         ",\"cflags\":" + json_str(cxxflags()) +
         ",\"commit\":" + json_str(commit && *commit ? commit : "unknown") + "}}\n";
    fputs(j.c_str(), stdout);
}

// ---- machine -------------------------------------------------------------

uint64_t now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

csw csw_now() {
    rusage ru;
    csw c = {0, 0};
    if (getrusage(RUSAGE_SELF, &ru) == 0) c = {ru.ru_nvcsw, ru.ru_nivcsw};
    return c;
}

static int64_t kb_field(const char *path, const char *field) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[256];
    size_t fl = strlen(field);
    int64_t v = -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, field, fl) == 0 && line[fl] == ':') {
            v = (int64_t)strtoll(line + fl + 1, nullptr, 10) * 1024;
            break;
        }
    }
    fclose(f);
    return v;
}
int64_t status_bytes(const char *field) {
    return kb_field("/proc/self/status", field);
}
int64_t mem_available() {
    return kb_field("/proc/meminfo", "MemAvailable");
}

// The same xorshift loop as corobench's si_spin(), calibrated the same way.
uint64_t spin(uint64_t iters) {
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (uint64_t i = 0; i < iters; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        __asm__ __volatile__("" : "+r"(x));
    }
    return x;
}

static volatile uint64_t spin_sink;

uint64_t ns_to_iters(uint64_t ns) {
    static double per_ns = 0;
    if (per_ns <= 0) {
        uint64_t iters = 100000, dt = 0;
        for (;;) {
            uint64_t t0 = now_ns();
            spin_sink = spin_sink + spin(iters);
            dt = now_ns() - t0;
            if (dt >= 1000000 || iters >= (1ull << 40)) break;
            iters *= 2;
        }
        double best = (double)iters / (double)(dt ? dt : 1);
        for (int rep = 0; rep < 4; rep++) {
            uint64_t t0 = now_ns();
            spin_sink = spin_sink + spin(iters);
            dt = now_ns() - t0;
            double r = (double)iters / (double)(dt ? dt : 1);
            if (r > best) best = r;
        }
        per_ns = best > 0 ? best : 1.0;
    }
    double it = (double)ns * per_ns;
    return it < 1.0 && ns > 0 ? 1 : (uint64_t)it;
}

} // namespace peer
