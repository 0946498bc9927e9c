/*
 * Allocation registry (see memreg.h).
 */
#include "memreg.h"
#include "trace.h"

#include <string.h>

#include "alloc.h"

void hacl_memreg_init(struct hacl_memreg *reg, size_t budget)
{
    memset(reg, 0, sizeof *reg);
    pthread_mutex_init(&reg->lock, NULL);
    reg->budget = budget;
}

void hacl_memreg_fini(struct hacl_memreg *reg)
{
    hacl_free(reg->v);
    reg->v = NULL;
    reg->n = reg->cap = 0;
    pthread_mutex_destroy(&reg->lock);
}

int hacl_memreg_reserve(struct hacl_memreg *reg, size_t real)
{
    int rc = 0;
    pthread_mutex_lock(&reg->lock);
    if (reg->budget && (real > reg->budget || reg->used > reg->budget - real))
        rc = -1;
    else
        reg->used += real;
    if (reg->trace_pid && hacl_tracing_of(HACL_TRACE_MEMORY))
        hacl_trace_counter(reg->trace_pid, "device memory in use (bytes)", hacl_trace_now(), (int64_t)reg->used);
    pthread_mutex_unlock(&reg->lock);
    return rc;
}

void hacl_memreg_unreserve(struct hacl_memreg *reg, size_t real)
{
    pthread_mutex_lock(&reg->lock);
    reg->used -= real;
    if (reg->trace_pid && hacl_tracing_of(HACL_TRACE_MEMORY))
        hacl_trace_counter(reg->trace_pid, "device memory in use (bytes)", hacl_trace_now(), (int64_t)reg->used);
    pthread_mutex_unlock(&reg->lock);
}

/* First index whose base is greater than p. Caller holds the lock. */
static size_t upper_bound(const struct hacl_memreg *reg, uintptr_t p)
{
    size_t lo = 0, hi = reg->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (reg->v[mid].base <= p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int hacl_memreg_add(struct hacl_memreg *reg, uintptr_t base, size_t size, size_t real)
{
    int rc = 0;
    pthread_mutex_lock(&reg->lock);
    if (reg->n == reg->cap) {
        size_t ncap = reg->cap ? reg->cap * 2 : 64;
        struct hacl_memreg_entry *nv = hacl_realloc(reg->v, ncap * sizeof *nv);
        if (!nv) {
            rc = -1;
            goto out;
        }
        reg->v = nv;
        reg->cap = ncap;
    }
    size_t i = upper_bound(reg, base);
    memmove(&reg->v[i + 1], &reg->v[i], (reg->n - i) * sizeof reg->v[0]);
    reg->v[i] = (struct hacl_memreg_entry){base, size, real, 0};
    reg->n++;
out:
    pthread_mutex_unlock(&reg->lock);
    return rc;
}

int hacl_memreg_remove(struct hacl_memreg *reg, uintptr_t base, struct hacl_memreg_entry *out)
{
    int rc = -1;
    pthread_mutex_lock(&reg->lock);
    size_t i = upper_bound(reg, base);
    if (i > 0 && reg->v[i - 1].base == base) {
        *out = reg->v[i - 1];
        memmove(&reg->v[i - 1], &reg->v[i], (reg->n - i) * sizeof reg->v[0]);
        reg->n--;
        rc = 0;
    }
    pthread_mutex_unlock(&reg->lock);
    return rc;
}

int hacl_memreg_find(struct hacl_memreg *reg, uintptr_t p, struct hacl_memreg_entry *out)
{
    int rc = -1;
    pthread_mutex_lock(&reg->lock);
    size_t i = upper_bound(reg, p);
    if (i > 0) {
        const struct hacl_memreg_entry *e = &reg->v[i - 1];
        if (p - e->base < e->real) {
            *out = *e;
            rc = 0;
        }
    }
    pthread_mutex_unlock(&reg->lock);
    return rc;
}

int hacl_memreg_add_mapped(struct hacl_memreg *reg, uintptr_t base, size_t size)
{
    if (hacl_memreg_add(reg, base, size, size) != 0)
        return -1;
    return hacl_memreg_set_flags(reg, base, HACL_MEM_MAPPED);
}

int hacl_memreg_set_flags(struct hacl_memreg *reg, uintptr_t base, unsigned flags)
{
    int rc = -1;
    pthread_mutex_lock(&reg->lock);
    size_t i = upper_bound(reg, base);
    if (i > 0 && reg->v[i - 1].base == base) {
        reg->v[i - 1].flags = flags;
        rc = 0;
    }
    pthread_mutex_unlock(&reg->lock);
    return rc;
}

int hacl_memreg_pop(struct hacl_memreg *reg, struct hacl_memreg_entry *out)
{
    int rc = -1;
    pthread_mutex_lock(&reg->lock);
    if (reg->n) {
        *out = reg->v[reg->n - 1];
        reg->n--;
        rc = 0;
    }
    pthread_mutex_unlock(&reg->lock);
    return rc;
}

void hacl_memreg_usage(struct hacl_memreg *reg, size_t *used, size_t *budget, size_t *count)
{
    pthread_mutex_lock(&reg->lock);
    if (used)
        *used = reg->used;
    if (budget)
        *budget = reg->budget;
    if (count)
        *count = reg->n;
    pthread_mutex_unlock(&reg->lock);
}
