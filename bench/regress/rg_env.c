/* rg_env.c — the machine and build as JSON (bench/cli/env.h), for a gate
 * build that has no corobench CLI. `rg_env --json` prints what
 * `corobench env --json` prints. */
#include "env.h"

int main(int argc, char **argv) {
    return env_main(argc, argv);
}
