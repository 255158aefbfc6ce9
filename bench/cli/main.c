/* main.c — corobench: run one workload on one backend, print the result.
 *
 *   corobench <workload> --backend coro|threads|ucontext [--json] [--out FILE] [options]
 *
 * Exit codes (bench/result.schema.json): 0 ok, 1 the run failed (the JSON still says
 * why, status "error"), 2 bad command line (one line on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "env.h"
#include "json.h"
#include "opts.h"
#include "result.h"
#include "sink.h"
#include "workload.h"

/* A program's output kept in the JSON result up to this size. */
#define OUTPUT_IN_JSON_MAX 65536

static void build_json(jbuf *j, const cli *c, const wl_result *r) {
    const wl_spec *w = c->wl->spec;
    jb_obj_begin(j, NULL);
    jb_str(j, "schema", "corobench-result/1");
    jb_str(j, "workload", w->name);
    jb_str(j, "backend", bk_names[c->backend]);
    jb_obj_begin(j, "params");
    for (size_t i = 0; i < w->nopts; i++) {
        const opt_spec *o = &w->opts[i];
        const char *name = o->name[0] == '-' ? o->name + 2 : o->name;
        /* JSON keys use underscores: --work-ns -> work_ns. */
        char key[32];
        snprintf(key, sizeof key, "%s", name);
        for (char *k = key; *k; k++)
            if (*k == '-') *k = '_';
        if (o->type == OPT_U64)
            jb_u64(j, key, cli_opt_u64(c, o));
        else if (o->type == OPT_ENUM)
            jb_str(j, key, o->choices[cli_opt_int(c, o)]);
        else
            jb_bool(j, key, cli_opt_int(c, o));
    }
    jb_obj_end(j);
    jb_str(j, "status", r->ok ? "ok" : "error");
    jb_str(j, "error", r->ok ? NULL : r->error);
    char cs[24];
    snprintf(cs, sizeof cs, "0x%016llx", (unsigned long long)r->checksum);
    jb_str(j, "checksum", r->ok ? cs : NULL);
    jb_obj_begin(j, "results");
    for (int i = 0; i < r->nfields; i++) {
        const res_field *f = &r->fields[i];
        switch (f->kind) {
        case RES_U64:
            jb_u64(j, f->name, f->u);
            break;
        case RES_I64:
            jb_i64(j, f->name, f->i);
            break;
        case RES_F64:
            jb_f64(j, f->name, f->f);
            break;
        case RES_STR:
            jb_str(j, f->name, f->s);
            break;
        default:
            jb_null(j, f->name);
            break;
        }
    }
    jb_obj_end(j);
    env_write_json(j, c->wl->switch_impl());
    jb_obj_end(j);
}

/* Writes data and a newline to path through a temporary file and rename(), so a reader never
 * sees a half-written result. */
static int write_atomic(const char *path, const char *data, size_t n) {
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 32);
    if (!tmp) return -1;
    snprintf(tmp, plen + 32, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    int ok = f != NULL;
    if (ok) ok = fwrite(data, 1, n, f) == n && fputc('\n', f) == '\n';
    if (f && fclose(f) != 0) ok = 0;
    if (ok) ok = rename(tmp, path) == 0;
    if (!ok) {
        perror("corobench: --out");
        remove(tmp);
    }
    free(tmp);
    return ok ? 0 : -1;
}

static void print_human(const cli *c, const wl_result *r) {
    printf("%s on %s: %s\n", c->wl->spec->name, bk_names[c->backend], r->ok ? "ok" : "error");
    if (!r->ok) {
        printf("  error: %s\n", r->error);
        return;
    }
    printf("  %-20s 0x%016llx\n", "checksum", (unsigned long long)r->checksum);
    for (int i = 0; i < r->nfields; i++) {
        const res_field *f = &r->fields[i];
        if (strcmp(f->name, "output") == 0) continue;
        switch (f->kind) {
        case RES_U64:
            printf("  %-20s %llu\n", f->name, (unsigned long long)f->u);
            break;
        case RES_I64:
            printf("  %-20s %lld\n", f->name, (long long)f->i);
            break;
        case RES_F64:
            printf("  %-20s %.3f\n", f->name, f->f);
            break;
        case RES_STR:
            printf("  %-20s %s\n", f->name, f->s);
            break;
        default:
            printf("  %-20s -\n", f->name);
            break;
        }
    }
}

/* The sink a workload's program output goes to (workload.h wl_spec.output);
 * 0, or 1 when /dev/null cannot be opened. */
static int open_sink(const cli *c, out_sink *sink, FILE **devnull, int *stream) {
    const wl_spec *w = c->wl->spec;
    int mode = w->output ? w->output(c->params, c->json) : WL_OUT_MEM;
    *stream = mode == WL_OUT_STREAM;
    *devnull = NULL;
    if (mode == WL_OUT_STREAM) {
        sink_init_file(sink, stdout);
    } else if (mode == WL_OUT_MEM) {
        sink_init_mem(sink);
    } else {
        *devnull = fopen("/dev/null", "w");
        if (!*devnull) {
            perror("corobench: /dev/null");
            return 1;
        }
        sink_init_file(sink, *devnull);
    }
    return 0;
}

/* Prints or writes the result; the exit status. */
static int emit(const cli *c, const wl_result *r, int stream) {
    int status = r->ok ? 0 : 1;
    if (c->json) {
        jbuf j;
        jb_init(&j);
        build_json(&j, c, r);
        if (j.oom) {
            fprintf(stderr, "corobench: out of memory writing the JSON result\n");
            status = 1;
        } else if (c->out_path) {
            if (write_atomic(c->out_path, j.s, j.len) != 0) status = 1;
        } else {
            printf("%s\n", j.s);
        }
        jb_free(&j);
    } else if (!stream) {
        print_human(c, r);
    }
    if (!r->ok) fprintf(stderr, "corobench: %s\n", r->error);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (!stream || r->ok) fprintf(stderr, "corobench: writing to stdout failed\n");
        status = 1;
    }
    return status;
}

/* The results a successful run recorded must be the ones its spec declares
 * (workload.h wl_result_spec): a mismatch is a bug in the workload. */
static void check_declared(const wl_spec *w, wl_result *r) {
    for (int i = 0; i < r->nfields && r->ok; i++) {
        size_t k = 0;
        while (k < w->nresults && strcmp(w->results[k].name, r->fields[i].name) != 0) k++;
        if (k == w->nresults)
            res_fail(r, "internal error: %s recorded results.%s, which it does not declare",
                     w->name, r->fields[i].name);
    }
    for (size_t k = 0; k < w->nresults && r->ok; k++) {
        int found = 0;
        for (int i = 0; i < r->nfields; i++)
            found |= strcmp(w->results[k].name, r->fields[i].name) == 0;
        if (w->results[k].required && !found)
            res_fail(r, "internal error: %s did not record results.%s", w->name,
                     w->results[k].name);
    }
}

static int run(cli *c) {
    out_sink sink;
    FILE *devnull;
    int stream;
    if (open_sink(c, &sink, &devnull, &stream)) return 1;
    wl_result r;
    res_init(&r);
    c->wl->run(c->params, &sink, &r);
    if (stream && fflush(stdout) != 0) res_fail(&r, "writing the program's output failed");
    if (c->wl->spec->output && c->json) {
        if (!sink.f && sink.len <= OUTPUT_IN_JSON_MAX)
            res_str(&r, "output", sink.buf ? sink.buf : "");
        else
            res_null(&r, "output");
    }
    if (r.ok) check_declared(c->wl->spec, &r);
    int status = emit(c, &r, stream);
    res_free(&r);
    sink_free(&sink);
    if (devnull) fclose(devnull);
    return status;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "env") == 0) return env_main(argc - 1, argv + 1);
    cli c;
    int rc = cli_parse(&c, argc, argv);
    int status = rc == 1 ? 0 : rc != 0 ? 2 : run(&c);
    cli_free(&c);
    return status;
}
