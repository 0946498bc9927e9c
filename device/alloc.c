/*
 * The one allocation wrapper (see alloc.h).
 *
 * Runtime objects use the C library's malloc so that memory we hand to or
 * take from libc never crosses allocators. Device memory comes from a jemalloc
 * arena created for each device with "arenas.create" and used only through
 * mallocx/dallocx with the thread cache disabled, so device allocations never
 * mix with the application's heap and an arena can be destroyed whole at
 * finalize. We only ever call jemalloc's non-standard entry points: the
 * application's malloc stays glibc's because libc precedes libjemalloc in the
 * process's symbol lookup order (a test checks it).
 *
 * When HACL_HAVE_JEMALLOC is not defined (the static library, sanitizer
 * builds) device memory comes from posix_memalign, which lets AddressSanitizer
 * see overruns of device buffers.
 */
#include "alloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifdef HACL_HAVE_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

static _Atomic long fail_budget = -1;

void hacl_alloc_fail_after(long n)
{
    atomic_store(&fail_budget, n < 0 ? -1 : n);
}

/* True when the fault-injection budget says this allocation must fail. */
static int injected_failure(void)
{
    long b = atomic_load_explicit(&fail_budget, memory_order_relaxed);
    while (b >= 0) {
        if (b == 0)
            return 1;
        if (atomic_compare_exchange_weak(&fail_budget, &b, b - 1))
            return 0;
    }
    return 0;
}

void *hacl_malloc(size_t size)
{
    if (injected_failure())
        return NULL;
    return malloc(size ? size : 1);
}

void *hacl_calloc(size_t count, size_t size)
{
    if (injected_failure())
        return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *hacl_realloc(void *ptr, size_t size)
{
    if (injected_failure())
        return NULL;
    return realloc(ptr, size ? size : 1);
}

void hacl_free(void *ptr)
{
    free(ptr);
}

void hacl_drop_pages(void *p, size_t n)
{
    long ps = sysconf(_SC_PAGESIZE);
    size_t page = ps > 0 ? (size_t)ps : 4096;
    uintptr_t lo = ((uintptr_t)p + page - 1) & ~(uintptr_t)(page - 1);
    uintptr_t hi = ((uintptr_t)p + n) & ~(uintptr_t)(page - 1);
    if (p && hi > lo) /* anonymous private memory: the pages are freed, later reads see zeros */
        (void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

void *hacl_malloc_aligned(size_t align, size_t size)
{
    void *p = NULL;
    if (injected_failure())
        return NULL;
    if (posix_memalign(&p, align, size ? size : 1) != 0)
        return NULL;
    return p;
}

/* A 4 KB page per TLB entry covers 8 MB with this generation's 2048
 * second-level entries, less than one ResNet-50's weights (100 MB) or its
 * Winograd scratch (16 MB); a 2 MB page covers 4 GB. Linux gives huge
 * pages to regions that ask (transparent_hugepage "madvise", Debian's
 * default) or to all ("always"); with "never" the advice does nothing. */
#define HUGE_PAGE ((size_t)2 << 20)

void *hacl_malloc_large(size_t size)
{
    const char *e = getenv("HOSTACL_HUGE_PAGES");
    if ((e && strcmp(e, "0") == 0) || size < 2 * HUGE_PAGE)
        return hacl_malloc_aligned(64, size);
    size_t whole = (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    void *p = hacl_malloc_aligned(HUGE_PAGE, whole);
#ifdef MADV_HUGEPAGE
    if (p)
        (void)madvise(p, whole, MADV_HUGEPAGE);
#endif
    return p;
}

char *hacl_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = hacl_malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

struct hacl_arena {
    unsigned index;
};

#ifdef HACL_HAVE_JEMALLOC

const char *hacl_arena_backend(void) { return "jemalloc"; }

struct hacl_arena *hacl_arena_create(void)
{
    struct hacl_arena *a = hacl_malloc(sizeof *a);
    if (!a)
        return NULL;
    size_t sz = sizeof a->index;
    if (mallctl("arenas.create", &a->index, &sz, NULL, 0) != 0) {
        hacl_free(a);
        return NULL;
    }
    return a;
}

void *hacl_arena_alloc(struct hacl_arena *arena, size_t size, size_t align)
{
    if (injected_failure())
        return NULL;
    return mallocx(size, MALLOCX_ARENA(arena->index) | MALLOCX_ALIGN(align) | MALLOCX_TCACHE_NONE);
}

void hacl_arena_free(struct hacl_arena *arena, void *ptr)
{
    (void)arena;
    if (ptr)
        dallocx(ptr, MALLOCX_TCACHE_NONE);
}

void hacl_arena_destroy(struct hacl_arena *arena)
{
    if (!arena)
        return;
    char name[64];
    snprintf(name, sizeof name, "arena.%u.destroy", arena->index);
    (void)mallctl(name, NULL, NULL, NULL, 0);
    hacl_free(arena);
}

#else

const char *hacl_arena_backend(void) { return "system"; }

struct hacl_arena *hacl_arena_create(void)
{
    return hacl_malloc(sizeof(struct hacl_arena));
}

void *hacl_arena_alloc(struct hacl_arena *arena, size_t size, size_t align)
{
    (void)arena;
    if (injected_failure())
        return NULL;
    void *p = NULL;
    if (posix_memalign(&p, align, size) != 0)
        return NULL;
    return p;
}

void hacl_arena_free(struct hacl_arena *arena, void *ptr)
{
    (void)arena;
    free(ptr);
}

void hacl_arena_destroy(struct hacl_arena *arena)
{
    hacl_free(arena);
}

#endif
