/* env.h — the machine and build a result was measured on, recorded in every
 * result (bench/SCHEMA.md "env"), because numbers without their context
 * cannot be compared. */
#ifndef WL_ENV_H
#define WL_ENV_H

#include "json.h"

/* Appends "env": {...}; switch_impl is the backend's context switch. */
void env_write_json(jbuf *j, const char *switch_impl);

#endif
