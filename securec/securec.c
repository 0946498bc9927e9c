/*
 * The bounds-checked functions of securec.h.
 */
#define _GNU_SOURCE
#include "securec.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

static int overlap(const void *a, size_t na, const void *b, size_t nb)
{
    uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;
    return x < y + nb && y < x + na;
}

EXPORT errno_t memset_s(void *dest, size_t destMax, int c, size_t count)
{
    if (destMax == 0 || destMax > SECUREC_MEM_MAX_LEN)
        return 34;
    if (!dest)
        return 22;
    if (count > destMax) {
        memset(dest, c, destMax);
        return ERANGE_AND_RESET;
    }
    memset(dest, c, count);
    return EOK;
}

static errno_t copy_checked(void *dest, size_t destMax, const void *src, size_t count, int allow_overlap)
{
    if (destMax == 0 || destMax > SECUREC_MEM_MAX_LEN)
        return 34;
    if (!dest)
        return 22;
    if (!src) {
        memset(dest, 0, destMax);
        return EINVAL_AND_RESET;
    }
    if (count > destMax) {
        memset(dest, 0, destMax);
        return ERANGE_AND_RESET;
    }
    if (count == 0 || dest == src)
        return EOK;
    if (!allow_overlap && overlap(dest, count, src, count)) {
        memset(dest, 0, destMax);
        return EOVERLAP_AND_RESET;
    }
    memmove(dest, src, count);
    return EOK;
}

EXPORT errno_t memcpy_s(void *dest, size_t destMax, const void *src, size_t count)
{
    return copy_checked(dest, destMax, src, count, 0);
}

EXPORT errno_t memmove_s(void *dest, size_t destMax, const void *src, size_t count)
{
    return copy_checked(dest, destMax, src, count, 1);
}

/* Copies n bytes of src after `at` bytes of dest, with the terminator,
 * when it fits in destMax. */
static errno_t put_string(char *dest, size_t destMax, size_t at, const char *src, size_t n)
{
    if (at + n >= destMax) {
        dest[0] = '\0';
        return ERANGE_AND_RESET;
    }
    if (overlap(dest, destMax, src, n + 1)) {
        dest[0] = '\0';
        return EOVERLAP_AND_RESET;
    }
    memcpy(dest + at, src, n);
    dest[at + n] = '\0';
    return EOK;
}

static errno_t string_args(char *dest, size_t destMax, const char *src)
{
    if (destMax == 0 || destMax > SECUREC_STRING_MAX_LEN)
        return 34;
    if (!dest)
        return 22;
    if (!src) {
        dest[0] = '\0';
        return EINVAL_AND_RESET;
    }
    return EOK;
}

EXPORT errno_t strcpy_s(char *strDest, size_t destMax, const char *strSrc)
{
    errno_t rc = string_args(strDest, destMax, strSrc);
    return rc != EOK ? rc : put_string(strDest, destMax, 0, strSrc, strnlen(strSrc, destMax));
}

EXPORT errno_t strncpy_s(char *strDest, size_t destMax, const char *strSrc, size_t count)
{
    errno_t rc = string_args(strDest, destMax, strSrc);
    return rc != EOK ? rc : put_string(strDest, destMax, 0, strSrc, strnlen(strSrc, count < destMax ? count : destMax));
}

static errno_t append(char *dest, size_t destMax, const char *src, size_t limit)
{
    errno_t rc = string_args(dest, destMax, src);
    if (rc != EOK)
        return rc;
    size_t at = strnlen(dest, destMax);
    if (at == destMax) { /* no terminator in the destination */
        dest[0] = '\0';
        return EINVAL_AND_RESET;
    }
    return put_string(dest, destMax, at, src, strnlen(src, limit < destMax ? limit : destMax));
}

EXPORT errno_t strcat_s(char *strDest, size_t destMax, const char *strSrc)
{
    return append(strDest, destMax, strSrc, destMax);
}

EXPORT errno_t strncat_s(char *strDest, size_t destMax, const char *strSrc, size_t count)
{
    return append(strDest, destMax, strSrc, count);
}

EXPORT int vsnprintf_s(char *strDest, size_t destMax, size_t count, const char *format, va_list argList)
{
    if (!strDest || !format || destMax == 0 || destMax > SECUREC_STRING_MAX_LEN) {
        if (strDest && destMax > 0 && destMax <= SECUREC_STRING_MAX_LEN)
            strDest[0] = '\0';
        return -1;
    }
    size_t room = count < destMax ? count + 1 : destMax; /* at most count characters, and the terminator */
    int n = vsnprintf(strDest, room, format, argList);
    if (n < 0 || (size_t)n >= room) {
        if (n >= 0 && count < destMax) /* cut at count characters, as asked: not an error */
            return -1;
        strDest[0] = '\0';
        return -1;
    }
    return n;
}

EXPORT int vsprintf_s(char *strDest, size_t destMax, const char *format, va_list argList)
{
    if (!strDest || !format || destMax == 0 || destMax > SECUREC_STRING_MAX_LEN) {
        if (strDest && destMax > 0 && destMax <= SECUREC_STRING_MAX_LEN)
            strDest[0] = '\0';
        return -1;
    }
    int n = vsnprintf(strDest, destMax, format, argList);
    if (n < 0 || (size_t)n >= destMax) {
        strDest[0] = '\0';
        return -1;
    }
    return n;
}

EXPORT int sprintf_s(char *strDest, size_t destMax, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    int n = vsprintf_s(strDest, destMax, format, ap);
    va_end(ap);
    return n;
}

EXPORT int snprintf_s(char *strDest, size_t destMax, size_t count, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf_s(strDest, destMax, count, format, ap);
    va_end(ap);
    return n;
}
