/*
 * hostacl internal: the scheduler's counters (C and C++, for tests and
 * tools; see scheduler.h).
 */
#ifndef HOSTACL_DEVICE_SCHED_STATS_H
#define HOSTACL_DEVICE_SCHED_STATS_H

#include <stdint.h>

struct hacl_sched_stats {
    unsigned workers;
    uint64_t tasks_run;   /* tasks run (or dropped) by device workers */
    uint64_t defers;      /* tasks that waited for another thread */
    uint64_t inline_runs; /* tasks run on a pushing or completing thread */
};

#endif
