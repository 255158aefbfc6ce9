/* opts.c — option tables of every workload and the strict parser (opts.h). */
#include "opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const bk_names[BK_COUNT] = {"coro", "threads", "ucontext"};

static const char *const art_progs[] = {"sequential", "concurrent", "queue", NULL};
static const char *const pins[] = {"none", "same", "split", NULL};
static const char *const mechs[] = {"yield", "futex", "condvar", NULL};
static const char *const stack_modes[] = {"own", "shared", NULL};

#define U64(nm, field, lo, hi, d, h)                                                               \
    { nm, OPT_U64, lo, hi, d, offsetof(wl_params, field), NULL, 0, h }
#define U64Z(nm, field, lo, hi, d, h)                                                              \
    { nm, OPT_U64, lo, hi, d, offsetof(wl_params, field), NULL, 1, h }
#define ENUM(nm, field, ch, d, h)                                                                  \
    { nm, OPT_ENUM, 0, 0, d, offsetof(wl_params, field), ch, 0, h }
#define FLAG(nm, field, h)                                                                         \
    { nm, OPT_FLAG, 0, 1, 0, offsetof(wl_params, field), NULL, 0, h }

#define E10 UINT64_C(10000000000)
#define STACK_OPT                                                                                  \
    U64Z("--stack", stack, 16384, UINT64_C(1) << 30, 0,                                            \
         "stack bytes per task, 0 = the backend's default")

static const opt_spec article_opts[] = {
    ENUM("program", article_prog, art_progs, 0, "which of the article's programs (positional)"),
    U64("--n", n, 1, E10, 6, "count down from n (at most 1000000 with --runs above 1)"),
    U64Z("--capacity", capacity, 0, 1000000000, 0, "queue program: queue capacity, 0 = unbounded"),
    U64("--runs", runs, 1, 1000, 1, "run K times in memory and count distinct output orders"),
};
static const opt_spec switch_opts[] = {
    U64("--n", n, 1, E10, 20000, "hand-offs per task (2n switches in all)"),
    ENUM("--pin", pin, pins, 1, "none | same (one CPU) | split (two CPUs)"),
    ENUM("--mech", mech, mechs, 1, "threads: futex | condvar (coroutines always yield)"),
};
static const opt_spec spawn_opts[] = {
    U64("--n", n, 1, 1000000000, 2000, "tasks (at most 10000000 with --alive)"),
    FLAG("--alive", alive, "keep all n alive at once; report memory per task and the limit hit"),
    STACK_OPT,
    ENUM("--stack-mode", stack_mode, stack_modes, 0,
         "coroutines: own stacks, or shared: one stack per worker, copied out at switches"),
};
static const opt_spec prodcons_opts[] = {
    U64("--producers", producers, 1, 100000, 1, "producer tasks"),
    U64("--consumers", consumers, 1, 100000, 1, "consumer tasks"),
    U64Z("--capacity", capacity, 0, 100000000, 64, "queue capacity, 0 = unbounded"),
    U64("--items", items, 1, E10, 100000, "items put in all"),
    U64Z("--work-ns", work_ns, 0, 100000000, 0, "CPU work per consumed item (calibrated spin), ns"),
    U64("--workers", workers, 1, 64, 1, "coro: worker threads (1 = M:1, more = M:N)"),
};
static const opt_spec cpubound_opts[] = {
    U64("--tasks", tasks, 1, 10000000, 2, "tasks sharing the work"),
    U64("--total-work", total_work, 1, UINT64_C(1000000000000), 200000, "work steps in all"),
    U64Z("--wss", wss, 0, UINT64_C(1) << 30, 4096,
         "bytes of working set per task, touched each step"),
    U64Z("--yield-every", yield_every, 0, UINT64_C(1000000000000), 0,
         "yield every K steps, 0 = never"),
    STACK_OPT,
    U64("--workers", workers, 1, 64, 1,
        "coro: worker threads (1 = M:1, more = M:N); threads: W pinned threads that "
        "run the tasks split statically, back to back, no scheduler (M:N's reference)"),
};
static const opt_spec fairness_opts[] = {
    U64Z("--tasks", tasks, 0, 10000, 2, "CPU-bound tasks beside the ticker"),
    U64("--period-us", period_us, 1, 1000000, 1000, "the ticker's period, us"),
    U64Z("--yield-us", yield_us, 0, 1000000, 100, "CPU work between yields, us; 0 = never yield"),
    U64("--duration-ms", duration_ms, 1, 60000, 50,
        "CPU work per task, ms (the ticker runs at least this long)"),
};

static const opt_spec echo_opts[] = {
    U64("--connections", connections, 1, 100000, 100,
        "client connections, each one request in flight"),
    U64("--duration-ms", duration_ms, 1, 60000, 1000,
        "timed phase, ms (after every connection is set up)"),
    U64("--size", size, 1, 1048576, 64, "bytes per request, echoed back"),
    U64Z("--max-requests", max_requests, 1, E10, 0,
         "stop after this many requests in all, 0 = time only"),
    U64("--workers", workers, 1, 64, 1, "coro server: worker threads (1 = M:1, more = M:N)"),
    U64("--stack", stack, 16384, UINT64_C(1) << 30, 65536,
        "server stack bytes per connection (coroutine or thread)"),
    U64("--buf", buf, 16, ECHO_BUF_MAX, ECHO_BUF_DEFAULT,
        "server read buffer bytes per connection, on its stack (both backends)"),
    ENUM("--pin", pin, pins, 0,
         "none | same: server and load generator on one CPU | split: one CPU each"),
};

#define N(a) (sizeof a / sizeof a[0])
#define FNS(w)                                                                                     \
    { wl_coro_##w, wl_threads_##w, wl_ucontext_##w }

const wl_spec wl_specs[] = {
    {"article", "the article's programs: countdown with a divisibility test", article_opts,
     N(article_opts), FNS(article)},
    {"switch", "two tasks hand control back and forth: context-switch cost", switch_opts,
     N(switch_opts), FNS(switch)},
    {"spawn", "create, run and join tasks: spawn cost, memory per task, most tasks alive",
     spawn_opts, N(spawn_opts), FNS(spawn)},
    {"prodcons", "producers and consumers over one queue: items/s", prodcons_opts, N(prodcons_opts),
     FNS(prodcons)},
    {"cpubound", "fixed CPU work split over T tasks: oversubscription", cpubound_opts,
     N(cpubound_opts), FNS(cpubound)},
    {"fairness", "ticker lateness beside CPU-bound tasks: what preemption buys", fairness_opts,
     N(fairness_opts), FNS(fairness)},
    {"echo", "TCP echo on 127.0.0.1: coroutine- vs thread-per-connection server, requests/s",
     echo_opts, N(echo_opts), FNS(echo)},
};
const size_t wl_nspecs = N(wl_specs);

int cli_opt_int(const cli *c, const opt_spec *o) {
    return *(const int *)((const char *)&c->params + o->off);
}

uint64_t cli_opt_u64(const cli *c, const opt_spec *o) {
    return *(const uint64_t *)((const char *)&c->params + o->off);
}

static void set_int(cli *c, const opt_spec *o, int v) {
    *(int *)((char *)&c->params + o->off) = v;
}
static void set_u64(cli *c, const opt_spec *o, uint64_t v) {
    *(uint64_t *)((char *)&c->params + o->off) = v;
}

static void print_help(const wl_spec *w) {
    if (!w) {
        printf(
            "usage: corobench <workload> [--backend coro|threads|ucontext] [--json] [--out FILE] "
            "[options]\n"
            "       corobench <workload> --help\n\n"
            "Runs one workload on one backend and prints its result (one JSON object with\n"
            "--json, see bench/SCHEMA.md). Exit 0 ok, 1 the run failed, 2 bad command line.\n\n"
            "workloads:\n");
        for (size_t i = 0; i < wl_nspecs; i++)
            printf("  %-9s %s\n", wl_specs[i].name, wl_specs[i].summary);
        printf("\ncommon options:\n"
               "  --backend B   coro (default) | threads | ucontext (coro on swapcontext)\n"
               "  --json        print one JSON result object\n"
               "  --out FILE    write the JSON result to FILE (atomically) instead of stdout\n");
        return;
    }
    printf("usage: corobench %s%s [--backend coro|threads|ucontext] [--json] [--out FILE] "
           "[options]\n%s\n\noptions:\n",
           w->name, strcmp(w->name, "article") == 0 ? " sequential|concurrent|queue" : "",
           w->summary);
    for (size_t i = 0; i < w->nopts; i++) {
        const opt_spec *o = &w->opts[i];
        char range[96];
        if (o->type == OPT_U64) {
            snprintf(range, sizeof range, "%s[%llu, %llu], default %llu",
                     o->zero_or_min && o->min > 0 ? "0 or " : "", (unsigned long long)o->min,
                     (unsigned long long)o->max, (unsigned long long)o->def);
        } else if (o->type == OPT_ENUM) {
            size_t n = 0;
            range[0] = '\0';
            for (const char *const *ch = o->choices; *ch; ch++)
                n += (size_t)snprintf(range + n, sizeof range - n, "%s%s",
                                      ch == o->choices ? "" : "|", *ch);
            if (o->name[0] == '-' && n < sizeof range)
                snprintf(range + n, sizeof range - n, ", default %s", o->choices[o->def]);
        } else {
            snprintf(range, sizeof range, "flag");
        }
        printf("  %-14s %s (%s)\n", o->name, o->help, range);
    }
}

/* The expected-range text of a numeric option, for error messages. */
static void range_text(const opt_spec *o, uint64_t max, char *buf, size_t cap) {
    if (o->zero_or_min && o->min > 0)
        snprintf(buf, cap, "0 or an integer in [%llu, %llu]", (unsigned long long)o->min,
                 (unsigned long long)max);
    else
        snprintf(buf, cap, "an integer in [%llu, %llu]", (unsigned long long)o->min,
                 (unsigned long long)max);
}

static int bad_number(const opt_spec *o, uint64_t max, const char *text, const char *why) {
    char r[96];
    range_text(o, max, r, sizeof r);
    fprintf(stderr, "corobench: %s: expected %s%s, got '%s'\n", o->name, r, why, text);
    return 2;
}

/* Strict: digits only (no sign, no space, no suffix), no overflow, in range. */
static int parse_u64(const opt_spec *o, const char *text, uint64_t max, uint64_t *out) {
    if (text[0] < '0' || text[0] > '9') return bad_number(o, max, text, "");
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno == ERANGE) return bad_number(o, max, text, " (too large)");
    if (*end != '\0') return bad_number(o, max, text, "");
    if (v > max || (v < o->min && !(o->zero_or_min && v == 0))) return bad_number(o, max, text, "");
    *out = v;
    return 0;
}

static int parse_enum(const opt_spec *o, const char *text, int *out) {
    for (int i = 0; o->choices[i]; i++) {
        if (strcmp(o->choices[i], text) == 0) {
            *out = i;
            return 0;
        }
    }
    char list[96];
    size_t n = 0;
    list[0] = '\0';
    for (const char *const *ch = o->choices; *ch; ch++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", ch == o->choices ? "" : ", ", *ch);
    fprintf(stderr, "corobench: %s: expected one of %s, got '%s'\n", o->name, list, text);
    return 2;
}

static const opt_spec *find_opt(const wl_spec *w, const char *name, size_t len, size_t *idx) {
    for (size_t i = 0; i < w->nopts; i++) {
        if (strlen(w->opts[i].name) == len && strncmp(w->opts[i].name, name, len) == 0) {
            *idx = i;
            return &w->opts[i];
        }
    }
    return NULL;
}

/* Checks between options, after all are parsed. */
static int cross_checks(cli *c) {
    const wl_spec *w = c->wl;
    wl_params *p = &c->params;
    size_t i = 0;
    /* prodcons: M:N workers exist only on the coroutine runtime; cpubound
     * also takes them on threads (the static split), not on ucontext. */
    if (strcmp(w->name, "cpubound") == 0 || strcmp(w->name, "prodcons") == 0) {
        const opt_spec *o = find_opt(w, "--workers", 9, &i);
        int cpub = strcmp(w->name, "cpubound") == 0;
        int ok = c->backend == BK_CORO || (cpub && c->backend == BK_THREADS);
        if (o && !ok && c->given[i]) {
            fprintf(stderr,
                    "corobench: --workers: the %s backend has no workers; "
                    "--workers needs --backend coro%s, got '%llu'\n",
                    bk_names[c->backend], cpub ? " or threads" : "",
                    (unsigned long long)p->workers);
            return 2;
        }
    }
    if (strcmp(w->name, "article") == 0) {
        if (p->runs > 1 && p->n > 1000000) {
            char buf[32];
            snprintf(buf, sizeof buf, "%llu", (unsigned long long)p->n);
            fprintf(stderr,
                    "corobench: --n: with --runs above 1, expected an integer in [1, 1000000], got "
                    "'%s'\n",
                    buf);
            return 2;
        }
    } else if (strcmp(w->name, "switch") == 0) {
        const opt_spec *o = find_opt(w, "--mech", 6, &i);
        if (!o) return 0;
        if (c->backend == BK_THREADS) {
            if (p->mech == WL_MECH_YIELD) {
                fprintf(stderr, "corobench: --mech: expected futex or condvar with --backend "
                                "threads, got 'yield'\n");
                return 2;
            }
        } else {
            if (c->given[i] && p->mech != WL_MECH_YIELD) {
                fprintf(stderr,
                        "corobench: --mech: coroutines always yield; futex and condvar need "
                        "--backend threads, got '%s'\n",
                        o->choices[p->mech]);
                return 2;
            }
            p->mech = WL_MECH_YIELD;
        }
    } else if (strcmp(w->name, "fairness") == 0) {
        /* Coroutines that never yield run one after another: bound the run. */
        if (p->tasks * p->duration_ms > 600000) {
            fprintf(stderr,
                    "corobench: --duration-ms: --tasks x --duration-ms must be at most 600000 "
                    "(10 minutes of CPU work), got %llu x %llu\n",
                    (unsigned long long)p->tasks, (unsigned long long)p->duration_ms);
            return 2;
        }
    } else if (strcmp(w->name, "echo") == 0) {
        if (c->backend == BK_UCONTEXT) {
            fprintf(stderr, "corobench: --backend: echo runs on coro or threads, got 'ucontext'\n");
            return 2;
        }
        const opt_spec *o = find_opt(w, "--workers", 9, &i);
        if (o && c->backend == BK_THREADS && c->given[i]) {
            fprintf(stderr,
                    "corobench: --workers: thread-per-connection has no workers; "
                    "--workers needs --backend coro, got '%llu'\n",
                    (unsigned long long)p->workers);
            return 2;
        }
    } else if (strcmp(w->name, "spawn") == 0) {
        if (p->stack_mode && c->backend == BK_THREADS) {
            fprintf(stderr, "corobench: --stack-mode: threads have their own stacks; 'shared' "
                            "needs --backend coro or ucontext\n");
            return 2;
        }
        if (p->alive && p->n > 10000000) {
            fprintf(
                stderr,
                "corobench: --n: with --alive, expected an integer in [1, 10000000], got '%llu'\n",
                (unsigned long long)p->n);
            return 2;
        }
    }
    return 0;
}

int cli_parse(cli *c, int argc, char **argv) {
    memset(c, 0, sizeof *c);
    c->backend = BK_CORO;
    if (argc < 2) {
        fprintf(stderr, "corobench: missing workload (see corobench --help)\n");
        return 2;
    }
    const char *wname = argv[1];
    if (strcmp(wname, "--help") == 0 || strcmp(wname, "-h") == 0) {
        print_help(NULL);
        return 1;
    }
    for (size_t i = 0; i < wl_nspecs; i++)
        if (strcmp(wl_specs[i].name, wname) == 0) c->wl = &wl_specs[i];
    if (!c->wl) {
        fprintf(stderr,
                "corobench: unknown workload '%s' (expected article, switch, spawn, prodcons, "
                "cpubound, fairness or echo)\n",
                wname);
        return 2;
    }
    const wl_spec *w = c->wl;
    for (size_t i = 0; i < w->nopts; i++) {
        const opt_spec *o = &w->opts[i];
        if (o->type == OPT_U64)
            set_u64(c, o, o->def);
        else
            set_int(c, o, (int)o->def);
    }
    int have_positional = 0;
    for (int a = 2; a < argc; a++) {
        const char *arg = argv[a];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            print_help(w);
            return 1;
        }
        if (strncmp(arg, "--", 2) != 0) {
            /* The only positional argument is the article's program. */
            size_t i;
            const opt_spec *o = find_opt(w, "program", 7, &i);
            if (!o || have_positional) {
                fprintf(stderr, "corobench: %s: unexpected argument '%s'\n", w->name, arg);
                return 2;
            }
            int v;
            if (parse_enum(o, arg, &v)) return 2;
            set_int(c, o, v);
            c->given[i] = 1;
            have_positional = 1;
            continue;
        }
        const char *eq = strchr(arg, '=');
        size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
        const char *val = eq ? eq + 1 : NULL;
        if (nlen == 6 && strncmp(arg, "--json", 6) == 0) {
            if (val) {
                fprintf(stderr, "corobench: --json: takes no value, got '%s'\n", val);
                return 2;
            }
            c->json = 1;
            continue;
        }
        int is_backend = nlen == 9 && strncmp(arg, "--backend", 9) == 0;
        int is_out = nlen == 5 && strncmp(arg, "--out", 5) == 0;
        size_t idx = 0;
        const opt_spec *o = (is_backend || is_out) ? NULL : find_opt(w, arg, nlen, &idx);
        if (!is_backend && !is_out && !o) {
            fprintf(stderr, "corobench: %s: unknown option '%.*s' (see corobench %s --help)\n",
                    w->name, (int)nlen, arg, w->name);
            return 2;
        }
        if (o && o->type == OPT_FLAG) {
            if (val) {
                fprintf(stderr, "corobench: %s: takes no value, got '%s'\n", o->name, val);
                return 2;
            }
            set_int(c, o, 1);
            c->given[idx] = 1;
            continue;
        }
        if (!val) {
            if (a + 1 >= argc) {
                fprintf(stderr, "corobench: %.*s: missing value\n", (int)nlen, arg);
                return 2;
            }
            val = argv[++a];
        }
        if (is_backend) {
            int b = -1;
            for (int k = 0; k < BK_COUNT; k++)
                if (strcmp(bk_names[k], val) == 0) b = k;
            if (b < 0) {
                fprintf(stderr,
                        "corobench: --backend: expected one of coro, threads, ucontext, got '%s'\n",
                        val);
                return 2;
            }
            c->backend = b;
        } else if (is_out) {
            if (!*val) {
                fprintf(stderr, "corobench: --out: expected a file name, got ''\n");
                return 2;
            }
            c->out_path = val;
            c->json = 1;
        } else if (o->type == OPT_ENUM) {
            int v;
            if (parse_enum(o, val, &v)) return 2;
            set_int(c, o, v);
            c->given[idx] = 1;
        } else {
            uint64_t v;
            if (parse_u64(o, val, o->max, &v)) return 2;
            set_u64(c, o, v);
            c->given[idx] = 1;
        }
    }
    if (strcmp(w->name, "article") == 0 && !have_positional) {
        fprintf(stderr,
                "corobench: article: missing program (expected sequential, concurrent or queue)\n");
        return 2;
    }
    return cross_checks(c);
}
