/* bm_thread_switch.c — what a hand-off between two kernel threads costs.
 *
 * Two threads pass a turn back and forth through a futex, a condition
 * variable or a pair of pipes, both pinned to one CPU (every hand-off is a
 * real context switch) or to two (every hand-off is a cross-CPU wake-up).
 * sched_yield between two threads on one CPU is the cheapest kernel switch.
 * One iteration is one hand-off (one sched_yield call); the csw_per_iter
 * counter (context switches counted by getrusage) shows what really happened.
 */
#define _GNU_SOURCE
#include "bm.h"
#include "cpus.h"
#include "gb.h"
#include "thr.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

enum mech { MECH_FUTEX, MECH_CONDVAR, MECH_PIPE, MECH_SCHED_YIELD };

typedef struct pp_case {
    const char *name;
    enum mech mech;
    int two_cores;
} pp_case;

typedef struct pingpong {
    enum mech mech;
    _Atomic int turn; /* condvar */
    thr_turn_t fturn; /* futex (threads/thr.h) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int pipes[2][2]; /* pipes[i]: written by the other thread, read by thread i */
    /* start gate: the threads exist before the clock starts */
    pthread_mutex_t gate_mu;
    pthread_cond_t gate_cv;
    int gate_open;
    uint64_t rounds; /* per thread; 0 = abort */
    long csw[2];
    _Atomic int failed;
} pingpong;

typedef struct side {
    pingpong *pp;
    int me;
} side;

static void wait_turn(pingpong *pp, int me) {
    switch (pp->mech) {
    case MECH_FUTEX:
        thr_turn_wait(&pp->fturn, me);
        break;
    case MECH_CONDVAR:
        pthread_mutex_lock(&pp->mu);
        while (atomic_load_explicit(&pp->turn, memory_order_relaxed) != me)
            pthread_cond_wait(&pp->cv, &pp->mu);
        pthread_mutex_unlock(&pp->mu);
        break;
    case MECH_PIPE: {
        char c;
        ssize_t r;
        while ((r = read(pp->pipes[me][0], &c, 1)) < 0 && errno == EINTR) {
        }
        if (r != 1) atomic_store(&pp->failed, 1);
        break;
    }
    case MECH_SCHED_YIELD:
        break;
    }
}

static void pass_turn(pingpong *pp, int me) {
    int other = 1 - me;
    switch (pp->mech) {
    case MECH_FUTEX:
        thr_turn_pass(&pp->fturn, other);
        break;
    case MECH_CONDVAR:
        pthread_mutex_lock(&pp->mu);
        atomic_store_explicit(&pp->turn, other, memory_order_relaxed);
        pthread_cond_signal(&pp->cv);
        pthread_mutex_unlock(&pp->mu);
        break;
    case MECH_PIPE: {
        char c = 'x';
        ssize_t r;
        while ((r = write(pp->pipes[other][1], &c, 1)) < 0 && errno == EINTR) {
        }
        if (r != 1) atomic_store(&pp->failed, 1);
        break;
    }
    case MECH_SCHED_YIELD:
        sched_yield();
        break;
    }
}

static void *side_main(void *arg) {
    side *sd = arg;
    pingpong *pp = sd->pp;
    pthread_mutex_lock(&pp->gate_mu);
    while (!pp->gate_open) pthread_cond_wait(&pp->gate_cv, &pp->gate_mu);
    uint64_t rounds = pp->rounds;
    pthread_mutex_unlock(&pp->gate_mu);

    long csw0 = bm_thread_csw();
    for (uint64_t r = 0; r < rounds && !atomic_load_explicit(&pp->failed, memory_order_relaxed);
         r++) {
        wait_turn(pp, sd->me);
        pass_turn(pp, sd->me);
    }
    pp->csw[sd->me] = bm_thread_csw() - csw0;
    return NULL;
}

static void open_gate(pingpong *pp, uint64_t rounds) {
    pthread_mutex_lock(&pp->gate_mu);
    pp->rounds = rounds;
    pp->gate_open = 1;
    pthread_cond_broadcast(&pp->gate_cv);
    pthread_mutex_unlock(&pp->gate_mu);
}

static void bm_pingpong(gb_state *s, void *arg) {
    const pp_case *pc = arg;
    int cpu[2];
    if (bm_cpus(&cpu[0], &cpu[1]) < (pc->two_cores ? 2 : 1)) {
        gb_skip(s, "needs two CPUs in the affinity mask");
        return;
    }
    if (!pc->two_cores) cpu[1] = cpu[0];

    pingpong pp;
    memset(&pp, 0, sizeof pp);
    pp.mech = pc->mech;
    atomic_init(&pp.turn, 0);
    thr_turn_init(&pp.fturn, 0);
    pthread_mutex_init(&pp.mu, NULL);
    pthread_cond_init(&pp.cv, NULL);
    pthread_mutex_init(&pp.gate_mu, NULL);
    pthread_cond_init(&pp.gate_cv, NULL);
    for (int i = 0; i < 2; i++) pp.pipes[i][0] = pp.pipes[i][1] = -1;
    char msg[160];
    int npipes = 0;
    if (pc->mech == MECH_PIPE) {
        for (; npipes < 2; npipes++) {
            if (pipe(pp.pipes[npipes]) != 0) {
                snprintf(msg, sizeof msg, "pipe: %s", strerror(errno));
                gb_skip(s, msg);
                goto out;
            }
        }
        /* thread 0 goes first: its pipe already holds the turn */
        if (write(pp.pipes[0][1], "x", 1) != 1) {
            gb_skip(s, "pipe: cannot write the first turn");
            goto out;
        }
    }

    side sides[2] = {{&pp, 0}, {&pp, 1}};
    pthread_t t[2];
    int started = 0;
    for (; started < 2; started++) {
        int err = bm_thread_start(&t[started], cpu[started], 0, side_main, &sides[started]);
        if (err) {
            snprintf(msg, sizeof msg, "thread %d on cpu %d: %s", started, cpu[started],
                     strerror(err));
            gb_skip(s, msg);
            break;
        }
    }
    if (started < 2) {
        open_gate(&pp, 0);
        for (int i = 0; i < started; i++) pthread_join(t[i], NULL);
        goto out;
    }

    uint64_t n = gb_start(s, 2);
    open_gate(&pp, n / 2);
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    gb_stop(s);
    if (atomic_load(&pp.failed))
        gb_skip(s, "pipe read or write failed");
    else
        gb_counter(s, "csw_per_iter", (double)(pp.csw[0] + pp.csw[1]), GB_PER_ITER);

out:
    for (int i = 0; i < npipes; i++) {
        close(pp.pipes[i][0]);
        close(pp.pipes[i][1]);
    }
    pthread_mutex_destroy(&pp.mu);
    pthread_cond_destroy(&pp.cv);
    pthread_mutex_destroy(&pp.gate_mu);
    pthread_cond_destroy(&pp.gate_cv);
}

static const pp_case cases[] = {
    {"switch/futex/same_core", MECH_FUTEX, 0},
    {"switch/futex/two_cores", MECH_FUTEX, 1},
    {"switch/condvar/same_core", MECH_CONDVAR, 0},
    {"switch/condvar/two_cores", MECH_CONDVAR, 1},
    {"switch/pipe/same_core", MECH_PIPE, 0},
    {"switch/pipe/two_cores", MECH_PIPE, 1},
    {"switch/sched_yield/same_core", MECH_SCHED_YIELD, 0},
};

void bm_register_thread_switch(void) {
    static const gb_opts real = {.real_time = 1};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        gb_register(cases[i].name, bm_pingpong, (void *)&cases[i], &real);
}
