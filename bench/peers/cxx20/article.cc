// article.cc — the article's three programs (bench/workloads/article.c) on
// the C++20 runtime, written as the article wrote them in asyncio:
// countdown awaits divisible_by inline (a plain coroutine call, no task), and
// divisible_by first yields in the concurrent and queue programs. The queue
// program spawns consumers C1 and C2, then the producer; main joins the
// producer, then the queue, closes it, joins the consumers and prints "done".
// The output is asyncio's and corobench's line for line; the checksum is
// corobench's (the sum of one hash per line; a consumer's line is hashed
// without its name).
#include <cstdio>
#include <cstring>
#include <string>

#include "cxx20.hh"
#include "queue.hh"

namespace peer {

namespace {

constexpr size_t OUTPUT_MAX = 65536; // corobench puts at most this much output in the JSON

struct art_state {
    explicit art_state(uint64_t n_) : n(n_) {}
    uint64_t n;
    std::string out;
    uint64_t sum = 0, lines = 0;
    sl::queue<uint64_t> *q = nullptr;
    void emit(const char *name, uint64_t k, bool hash_name) {
        bool div = k % 3 == 0;
        char line[64];
        int len = snprintf(line, sizeof line, "%s %llu %s\n", name, (unsigned long long)k,
                           div ? "divisible" : "not-divisible");
        out.append(line, (size_t)len);
        uint64_t tag = hash_name ? fnv_bytes(FNV_INIT, name, strlen(name)) : 0;
        sum += fnv_item(tag, k, div);
        lines++;
    }
};

sl::task<> divisible_by(art_state &a, const char *name, uint64_t k, bool suspend, bool hash_name) {
    if (suspend) co_await sl::yield();
    a.emit(name, k, hash_name);
}

sl::task<> countdown(art_state &a, const char *name, bool suspend) {
    for (uint64_t k = a.n; k > 0; k--) co_await divisible_by(a, name, k, suspend, true);
}

sl::task<> consumer(art_state &a, const char *name) {
    uint64_t k;
    while (co_await a.q->get(&k)) {
        co_await divisible_by(a, name, k, true, false);
        a.q->task_done();
    }
}

sl::task<> producer(art_state &a) {
    for (uint64_t k = a.n; k > 0; k--)
        if (!co_await a.q->put(k)) co_return;
}

sl::task<> art_main(art_state &a, const std::string &prog, uint64_t capacity) {
    if (prog != "queue") {
        sl::task<> ta = countdown(a, "A", prog == "concurrent");
        sl::task<> tb = countdown(a, "B", prog == "concurrent");
        if (!ta.spawn() || !tb.spawn()) throw std::bad_alloc();
        co_await ta;
        co_await tb;
        co_return;
    }
    sl::queue<uint64_t> q(capacity);
    a.q = &q;
    sl::task<> c1 = consumer(a, "C1"), c2 = consumer(a, "C2"), p = producer(a);
    if (!c1.spawn() || !c2.spawn() || !p.spawn()) throw std::bad_alloc();
    co_await p;
    co_await q.join();
    q.close();
    co_await c1;
    co_await c2;
    a.out += "done\n";
    a.sum += fnv_bytes(FNV_INIT, "done", 4);
    a.lines++;
}

} // namespace

void cxx_article(const opts &o, result &r) {
    art_state a{o.u("n")};
    guarded(r, "article", [&] {
        sl::task<> m = art_main(a, o.s("program"), o.u("capacity"));
        if (!m.run()) r.fail("article: every task waits (deadlock)");
    });
    if (!r.ok) return;
    r.checksum = fnv_u64(fnv_u64(FNV_INIT, a.sum), a.lines);
    r.u64("lines", a.lines);
    r.u64("runs", 1);
    r.u64("distinct_orders", 1);
    if (!o.json) {
        fwrite(a.out.data(), 1, a.out.size(), stdout);
        return;
    }
    if (a.out.size() <= OUTPUT_MAX)
        r.fields.emplace_back("output", json_str(a.out));
    else
        r.null("output");
}

} // namespace peer
