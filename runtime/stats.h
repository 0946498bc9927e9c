/*
 * hostacl internal: runtime counters for tests and tools (C and C++).
 */
#ifndef HOSTACL_RUNTIME_STATS_H
#define HOSTACL_RUNTIME_STATS_H

#include <stdint.h>

#include "device/sched_stats.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The scheduler counters of a device: 0, or -1 when the runtime is not
 * initialised, the id is out of range or the device has no scheduler yet.
 * Thread: any (not concurrently with aclFinalize). */
int hacl_rt_sched_stats(int32_t device, struct hacl_sched_stats *out);

#ifdef __cplusplus
}
#endif

#endif
