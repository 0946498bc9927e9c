/*
 * hostacl internal: the one allocation wrapper.
 *
 * Every allocation the runtime makes goes through here: runtime objects come
 * from the C library's allocator, device memory from a private jemalloc arena
 * per device. Tests can make the N-th allocation fail (hacl_alloc_fail_after)
 * to check that every constructor unwinds without leaking.
 *
 * Thread: any. Locks: none (the fault counter is atomic).
 */
#ifndef HOSTACL_DEVICE_ALLOC_H
#define HOSTACL_DEVICE_ALLOC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Runtime objects (host memory owned by hostacl). */
void *hacl_malloc(size_t size);
void *hacl_calloc(size_t count, size_t size);
void *hacl_realloc(void *ptr, size_t size);
void hacl_free(void *ptr);
char *hacl_strdup(const char *s);
/* Aligned host memory, released with hacl_free. */
void *hacl_malloc_aligned(size_t align, size_t size);
/* Large host memory read over and over (a model's weights, its work
 * buffer): from 4 MB up, 2 MB aligned and asked of the kernel in
 * transparent huge pages (MADV_HUGEPAGE; HOSTACL_HUGE_PAGES=0: never);
 * smaller, as hacl_malloc_aligned(64, size). Released with hacl_free. */
void *hacl_malloc_large(size_t size);

/* Gives back the whole pages inside [p, p + n) of memory from hacl_malloc
 * whose contents will never be read again (they read as zeros after). */
void hacl_drop_pages(void *p, size_t n);
/* Test hook: the next `n` allocations succeed and every later one fails,
 * until called again with a negative n (which disables the limit). */
void hacl_alloc_fail_after(long n);

/* Device arenas: aligned, uninitialised memory for one simulated device. */
struct hacl_arena;
struct hacl_arena *hacl_arena_create(void);
void *hacl_arena_alloc(struct hacl_arena *arena, size_t size, size_t align);
void hacl_arena_free(struct hacl_arena *arena, void *ptr);
void hacl_arena_destroy(struct hacl_arena *arena);
/* "jemalloc" or "system", for logs and tests. */
const char *hacl_arena_backend(void);

#ifdef __cplusplus
}
#endif

#endif
