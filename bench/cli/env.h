/* env.h — the machine and build a result was measured on, because numbers
 * without their context cannot be compared. One capture serves every user:
 * each result's "env" object, and `corobench env --json`, which the harness
 * (scripts/lib/env.py) and the regression gate (scripts/regress.py) read
 * instead of probing the machine themselves. */
#ifndef WL_ENV_H
#define WL_ENV_H

#include "json.h"

/* Appends a result's "env": {...}; switch_impl is the backend's context switch. */
void env_write_json(jbuf *j, const char *switch_impl);

/* `corobench env [--json]` (argv[0] is "env"), also rg_env's main: prints
 * the machine and build fields as one JSON object. Returns the exit status. */
int env_main(int argc, char **argv);

#endif
