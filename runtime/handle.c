/*
 * Checked handles (see handle.h).
 *
 * The registry is an open-addressing hash set of object pointers with
 * tombstones, grown by rehashing at 50% load. It is process-wide on purpose:
 * a handle must stay recognisably dead after aclFinalize and across
 * re-initialisation.
 */
#include "handle.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "device/alloc.h"
#include "error.h"

#define TOMB ((struct hacl_obj *)(uintptr_t)1)

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hacl_obj **slots;
static size_t cap, used, live; /* used counts live + tombstones */
static atomic_uint_fast64_t next_serial = 1;

void hacl_obj_init(struct hacl_obj *obj, enum hacl_kind kind, void (*release)(struct hacl_obj *))
{
    obj->magic = HACL_OBJ_MAGIC;
    obj->kind = (uint32_t)kind;
    obj->serial = atomic_fetch_add(&next_serial, 1);
    atomic_init(&obj->refs, 1);
    obj->release = release;
}

void hacl_obj_ref(struct hacl_obj *obj)
{
    atomic_fetch_add_explicit(&obj->refs, 1, memory_order_relaxed);
}

void hacl_obj_put(struct hacl_obj *obj)
{
    if (!obj)
        return;
    if (atomic_fetch_sub_explicit(&obj->refs, 1, memory_order_acq_rel) == 1) {
        obj->magic = 0;
        if (obj->release)
            obj->release(obj);
    }
}

static size_t hash_ptr(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

/* Index of p's slot, or of the first free slot on its probe path. */
static size_t probe(struct hacl_obj **tab, size_t n, const void *p, int for_insert)
{
    size_t i = hash_ptr(p) & (n - 1);
    size_t first_tomb = SIZE_MAX;
    for (;;) {
        struct hacl_obj *s = tab[i];
        if (s == NULL)
            return (for_insert && first_tomb != SIZE_MAX) ? first_tomb : i;
        if (s == TOMB) {
            if (first_tomb == SIZE_MAX)
                first_tomb = i;
        } else if ((const void *)s == p) {
            return i;
        }
        i = (i + 1) & (n - 1);
    }
}

static int grow(void)
{
    size_t ncap = cap ? cap * 2 : 64;
    while (live * 2 >= ncap)
        ncap *= 2;
    struct hacl_obj **nt = hacl_calloc(ncap, sizeof *nt);
    if (!nt)
        return -1;
    for (size_t i = 0; i < cap; i++)
        if (slots[i] && slots[i] != TOMB)
            nt[probe(nt, ncap, slots[i], 1)] = slots[i];
    hacl_free(slots);
    slots = nt;
    cap = ncap;
    used = live;
    return 0;
}

aclError hacl_handle_register(struct hacl_obj *obj)
{
    aclError rc = ACL_SUCCESS;
    pthread_mutex_lock(&reg_lock);
    if ((used + 1) * 2 > cap && grow() != 0) {
        rc = ACL_ERROR_BAD_ALLOC;
        goto out;
    }
    size_t i = probe(slots, cap, obj, 1);
    if (slots[i] != obj) {
        if (slots[i] == NULL)
            used++;
        slots[i] = obj;
        live++;
    }
out:
    pthread_mutex_unlock(&reg_lock);
    return rc;
}

int hacl_handle_unregister(struct hacl_obj *obj)
{
    int was = 0;
    pthread_mutex_lock(&reg_lock);
    if (cap) {
        size_t i = probe(slots, cap, obj, 0);
        if (slots[i] == obj) {
            slots[i] = TOMB;
            live--;
            was = 1;
        }
    }
    if (live == 0 && cap) { /* forget everything once idle: no leak at exit */
        hacl_free(slots);
        slots = NULL;
        cap = used = 0;
    }
    pthread_mutex_unlock(&reg_lock);
    return was;
}

static struct hacl_obj *lookup(const void *h, enum hacl_kind kind, int check_serial, uint64_t serial)
{
    struct hacl_obj *found = NULL;
    if (!h)
        return NULL;
    pthread_mutex_lock(&reg_lock);
    if (cap) {
        size_t i = probe(slots, cap, h, 0);
        struct hacl_obj *o = slots[i];
        if ((const void *)o == h && o->magic == HACL_OBJ_MAGIC && o->kind == (uint32_t)kind &&
            (!check_serial || o->serial == serial)) {
            hacl_obj_ref(o);
            found = o;
        }
    }
    pthread_mutex_unlock(&reg_lock);
    return found;
}

struct hacl_obj *hacl_handle_get(const void *h, enum hacl_kind kind)
{
    return lookup(h, kind, 0, 0);
}

struct hacl_obj *hacl_handle_get_serial(const void *h, enum hacl_kind kind, uint64_t serial)
{
    return lookup(h, kind, 1, serial);
}

int hacl_handle_is_live(const void *p)
{
    int live_obj = 0;
    if (!p)
        return 0;
    pthread_mutex_lock(&reg_lock);
    if (cap) {
        struct hacl_obj *o = slots[probe(slots, cap, p, 0)];
        live_obj = (const void *)o == p && o->magic == HACL_OBJ_MAGIC;
    }
    pthread_mutex_unlock(&reg_lock);
    return live_obj;
}

size_t hacl_handle_count(void)
{
    pthread_mutex_lock(&reg_lock);
    size_t n = live;
    pthread_mutex_unlock(&reg_lock);
    return n;
}

struct hacl_obj *hacl_handle_checked(const char *api, const void *h, enum hacl_kind kind, const char *what,
                                     aclError *rc)
{
    struct hacl_obj *o = h ? hacl_handle_get(h, kind) : NULL;
    if (o)
        *rc = ACL_SUCCESS;
    else if (h)
        *rc = hacl_err(ACL_ERROR_INVALID_RESOURCE_HANDLE, api, "%p is not a live %s", h, what);
    else
        *rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "the %s must not be NULL", what);
    return o;
}
