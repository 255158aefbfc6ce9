/* opts.c — the strict parser (opts.h), driven by the workloads' specs. */
#include "opts.h"

#include "json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_opt_int(const cli *c, const opt_spec *o) {
    return *(const int *)((const char *)c->params + o->off);
}

uint64_t cli_opt_u64(const cli *c, const opt_spec *o) {
    return *(const uint64_t *)((const char *)c->params + o->off);
}

static void set_int(cli *c, const opt_spec *o, int v) {
    *(int *)((char *)c->params + o->off) = v;
}
static void set_u64(cli *c, const opt_spec *o, uint64_t v) {
    *(uint64_t *)((char *)c->params + o->off) = v;
}

static int is_positional(const opt_spec *o) {
    return o->name[0] != '-';
}

/* "a|b|c" (sep "|") or "a, b, c" (sep ", ") into buf. */
static void choice_list(const opt_spec *o, const char *sep, char *buf, size_t cap) {
    size_t n = 0;
    buf[0] = '\0';
    for (const char *const *ch = o->choices; *ch && n < cap; ch++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", ch == o->choices ? "" : sep, *ch);
}

/* Each registered workload once, in name order. */
static const wl_entry *next_workload(const wl_entry *e) {
    const char *name = e->spec->name;
    while (e && strcmp(e->spec->name, name) == 0) e = e->next;
    return e;
}

static void print_main_help(void) {
    printf("usage: corobench <workload> [--backend coro|threads|ucontext] [--json] [--out FILE] "
           "[options]\n"
           "       corobench <workload> --help | --results-schema\n"
           "       corobench env --json\n\n"
           "Runs one workload on one backend and prints its result (one JSON object with\n"
           "--json, see bench/result.schema.json). Exit 0 ok, 1 the run failed, 2 bad command\n"
           "line. `corobench env --json` prints the machine and build alone.\n\n"
           "workloads:\n");
    for (const wl_entry *e = wl_entries(); e; e = next_workload(e))
        printf("  %-9s %s\n", e->spec->name, e->spec->summary);
    printf("\ncommon options:\n"
           "  --backend B   coro (default) | threads | ucontext (coro on swapcontext)\n"
           "  --json        print one JSON result object\n"
           "  --out FILE    write the JSON result to FILE (atomically) instead of stdout\n");
}

static void range_help(const opt_spec *o, char *range, size_t cap) {
    if (o->type == OPT_U64) {
        snprintf(range, cap, "%s[%llu, %llu], default %llu",
                 o->zero_or_min && o->min > 0 ? "0 or " : "", (unsigned long long)o->min,
                 (unsigned long long)o->max, (unsigned long long)o->def);
    } else if (o->type == OPT_ENUM) {
        choice_list(o, "|", range, cap);
        size_t n = strlen(range);
        if (!is_positional(o) && n < cap)
            snprintf(range + n, cap - n, ", default %s", o->choices[o->def]);
    } else {
        snprintf(range, cap, "flag");
    }
}

static void print_workload_help(const wl_spec *w) {
    char pos[96] = "";
    for (size_t i = 0; i < w->nopts; i++) {
        if (!is_positional(&w->opts[i])) continue;
        pos[0] = ' ';
        choice_list(&w->opts[i], "|", pos + 1, sizeof pos - 1);
    }
    printf("usage: corobench %s%s [--backend coro|threads|ucontext] [--json] [--out FILE] "
           "[options]\n%s\n\noptions:\n",
           w->name, pos, w->summary);
    for (size_t i = 0; i < w->nopts; i++) {
        char range[96];
        range_help(&w->opts[i], range, sizeof range);
        printf("  %-14s %s (%s)\n", w->opts[i].name, w->opts[i].help, range);
    }
    printf("\nresults (--json; --results-schema prints them as JSON Schema):\n");
    for (size_t i = 0; i < w->nresults; i++) {
        const wl_result_spec *f = &w->results[i];
        printf("  %-26s %s%s (%s)\n", f->name, f->required ? "" : "[some runs] ", f->help, f->type);
    }
}

/* The workload's "results" object as JSON Schema (one line). */
static int print_results_schema(const wl_spec *w) {
    jbuf j;
    jb_init(&j);
    jb_obj_begin(&j, NULL);
    jb_str(&j, "type", "object");
    jb_str(&j, "description", w->summary);
    jb_arr_begin(&j, "required");
    for (size_t i = 0; i < w->nresults; i++)
        if (w->results[i].required) jb_str(&j, NULL, w->results[i].name);
    jb_arr_end(&j);
    jb_obj_begin(&j, "properties");
    for (size_t i = 0; i < w->nresults; i++) {
        const wl_result_spec *f = &w->results[i];
        jb_obj_begin(&j, f->name);
        const char *bar = strchr(f->type, '|');
        if (bar) {
            char first[16];
            snprintf(first, sizeof first, "%.*s", (int)(bar - f->type), f->type);
            jb_arr_begin(&j, "type");
            jb_str(&j, NULL, first);
            jb_str(&j, NULL, bar + 1);
            jb_arr_end(&j);
        } else {
            jb_str(&j, "type", f->type);
        }
        jb_str(&j, "description", f->help);
        jb_obj_end(&j);
    }
    jb_obj_end(&j);
    jb_bool(&j, "additionalProperties", 0);
    jb_obj_end(&j);
    int rc = j.oom ? 2 : 1;
    if (!j.oom) printf("%s\n", j.s);
    jb_free(&j);
    return rc;
}

static int bad_number(const opt_spec *o, const char *text, const char *why) {
    if (o->zero_or_min && o->min > 0)
        return wl_usage("%s: expected 0 or an integer in [%llu, %llu]%s, got '%s'", o->name,
                        (unsigned long long)o->min, (unsigned long long)o->max, why, text);
    return wl_usage("%s: expected an integer in [%llu, %llu]%s, got '%s'", o->name,
                    (unsigned long long)o->min, (unsigned long long)o->max, why, text);
}

/* Strict: digits only (no sign, no space, no suffix), no overflow, in range. */
static int parse_u64(const opt_spec *o, const char *text, uint64_t *out) {
    if (text[0] < '0' || text[0] > '9') return bad_number(o, text, "");
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno == ERANGE) return bad_number(o, text, " (too large)");
    if (*end != '\0') return bad_number(o, text, "");
    if (v > o->max || (v < o->min && !(o->zero_or_min && v == 0))) return bad_number(o, text, "");
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
    choice_list(o, ", ", list, sizeof list);
    return wl_usage("%s: expected one of %s, got '%s'", o->name, list, text);
}

/* Parses and stores the value of option idx. */
static int set_value(cli *c, const wl_spec *w, size_t idx, const char *val) {
    const opt_spec *o = &w->opts[idx];
    if (o->type == OPT_ENUM) {
        int v = 0;
        if (parse_enum(o, val, &v)) return 2;
        set_int(c, o, v);
    } else {
        uint64_t v = 0;
        if (parse_u64(o, val, &v)) return 2;
        set_u64(c, o, v);
    }
    c->given[idx] = 1;
    return 0;
}

static long find_opt(const wl_spec *w, const char *name, size_t len) {
    for (size_t i = 0; i < w->nopts; i++)
        if (strlen(w->opts[i].name) == len && strncmp(w->opts[i].name, name, len) == 0)
            return (long)i;
    return -1;
}

static long find_positional(const wl_spec *w) {
    for (size_t i = 0; i < w->nopts; i++)
        if (is_positional(&w->opts[i])) return (long)i;
    return -1;
}

static int parse_backend(cli *c, const char *val) {
    for (int k = 0; k < BK_COUNT; k++) {
        if (strcmp(bk_names[k], val) == 0) {
            c->backend = k;
            return 0;
        }
    }
    return wl_usage("--backend: expected one of coro, threads, ucontext, got '%s'", val);
}

/* One "--name[=value]" argument at argv[*a]; may consume the next one. */
static int parse_option(cli *c, const wl_spec *w, int argc, char **argv, int *a) {
    const char *arg = argv[*a];
    const char *eq = strchr(arg, '=');
    size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
    const char *val = eq ? eq + 1 : NULL;
    int is_json = nlen == 6 && strncmp(arg, "--json", 6) == 0;
    int is_backend = nlen == 9 && strncmp(arg, "--backend", 9) == 0;
    int is_out = nlen == 5 && strncmp(arg, "--out", 5) == 0;
    long idx = (is_json || is_backend || is_out) ? -1 : find_opt(w, arg, nlen);
    if (!is_json && !is_backend && !is_out && idx < 0)
        return wl_usage("%s: unknown option '%.*s' (see corobench %s --help)", w->name, (int)nlen,
                        arg, w->name);
    int flag = is_json || (idx >= 0 && w->opts[idx].type == OPT_FLAG);
    if (flag && val) return wl_usage("%.*s: takes no value, got '%s'", (int)nlen, arg, val);
    if (is_json) {
        c->json = 1;
        return 0;
    }
    if (flag) {
        set_int(c, &w->opts[idx], 1);
        c->given[idx] = 1;
        return 0;
    }
    if (!val) {
        if (*a + 1 >= argc) return wl_usage("%.*s: missing value", (int)nlen, arg);
        val = argv[++*a];
    }
    if (is_backend) return parse_backend(c, val);
    if (is_out) {
        if (!*val) return wl_usage("--out: expected a file name, got ''");
        c->out_path = val;
        c->json = 1;
        return 0;
    }
    return set_value(c, w, (size_t)idx, val);
}

/* The positional argument (at most one); 0 or 2. */
static int parse_positional(cli *c, const wl_spec *w, const char *arg) {
    long i = find_positional(w);
    if (i < 0 || c->given[i]) return wl_usage("%s: unexpected argument '%s'", w->name, arg);
    return set_value(c, w, (size_t)i, arg);
}

/* The options after the workload's name: 0, 1 (help printed) or 2. */
static int parse_args(cli *c, const wl_spec *w, int argc, char **argv) {
    for (int a = 2; a < argc; a++) {
        const char *arg = argv[a];
        int rc;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            print_workload_help(w);
            return 1;
        }
        if (strcmp(arg, "--results-schema") == 0) return print_results_schema(w);
        if (strncmp(arg, "--", 2) != 0)
            rc = parse_positional(c, w, arg);
        else
            rc = parse_option(c, w, argc, argv, &a);
        if (rc) return rc;
    }
    return 0;
}

/* "a, b or c" of every registered workload. */
static int unknown_workload(const char *name) {
    char list[256] = "";
    size_t n = 0;
    for (const wl_entry *e = wl_entries(); e && n < sizeof list; e = next_workload(e)) {
        const wl_entry *nx = next_workload(e);
        const char *sep = e == wl_entries() ? "" : nx ? ", " : " or ";
        n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", sep, e->spec->name);
    }
    return wl_usage("unknown workload '%s' (expected %s)", name, list);
}

/* The parameter struct with every option's default. */
static int apply_defaults(cli *c, const wl_spec *w) {
    c->params = calloc(1, w->params_size ? w->params_size : 1);
    if (!c->params) return wl_usage("out of memory");
    for (size_t i = 0; i < w->nopts; i++) {
        const opt_spec *o = &w->opts[i];
        if (o->type == OPT_U64)
            set_u64(c, o, o->def);
        else
            set_int(c, o, (int)o->def);
    }
    return 0;
}

/* After all options: the positional argument, the backend, the workload's
 * own checks; then the entry that runs. */
static int validate(cli *c, const wl_spec *w) {
    long pos = find_positional(w);
    if (pos >= 0 && !c->given[pos]) {
        const opt_spec *o = &w->opts[pos];
        char list[96] = "";
        size_t n = 0;
        for (const char *const *ch = o->choices; *ch && n < sizeof list; ch++)
            n += (size_t)snprintf(list + n, sizeof list - n, "%s%s",
                                  ch == o->choices ? ""
                                  : ch[1]          ? ", "
                                                   : " or ",
                                  *ch);
        return wl_usage("%s: missing %s (expected %s)", w->name, o->name, list);
    }
    if (wl_check_backend(w, c->backend)) return 2;
    wl_check_ctx ctx = {c->backend, w, c->given};
    if (w->check && w->check(c->params, &ctx)) return 2;
    c->wl = wl_find(w->name, c->backend);
    if (!c->wl) return wl_usage("--backend: %s is not built for %s", w->name, bk_names[c->backend]);
    return 0;
}

int cli_parse(cli *c, int argc, char **argv) {
    memset(c, 0, sizeof *c);
    c->backend = BK_CORO;
    if (argc < 2) return wl_usage("missing workload (see corobench --help)");
    const char *wname = argv[1];
    if (strcmp(wname, "--help") == 0 || strcmp(wname, "-h") == 0) {
        print_main_help();
        return 1;
    }
    const wl_entry *any = wl_find(wname, -1);
    if (!any) return unknown_workload(wname);
    const wl_spec *w = any->spec;
    int rc = apply_defaults(c, w);
    if (!rc) rc = parse_args(c, w, argc, argv);
    if (!rc) rc = validate(c, w);
    return rc;
}

void cli_free(cli *c) {
    free(c->params);
    c->params = NULL;
}
