/*
 * hostacl: bounds-checked memory and string functions under the names of
 * the "securec" library CANN ships (libc_sec.so), for programs written
 * against it.
 *
 * Each function is told the size of its destination (destMax) and refuses
 * rather than overruns: it returns EOK (0) on success, otherwise an error
 * number; the *_AND_RESET errors mean the destination was cleared (memory
 * zeroed, a string made empty) so no partial result survives. The printf
 * family returns the characters written, or -1.
 */
#ifndef HOSTACL_SECUREC_H
#define HOSTACL_SECUREC_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef EOK
#define EOK 0
#endif
#ifndef __errno_t_defined
typedef int errno_t;
#define __errno_t_defined 1
#endif

#define SECUREC_MEM_MAX_LEN 0x7fffffffUL
#define SECUREC_STRING_MAX_LEN 0x7fffffffUL

/* Error numbers beyond errno.h's EINVAL (22), ERANGE (34) and EOVERLAP
 * (54): the same with the destination cleared. */
#define EINVAL_AND_RESET (22 | 128)
#define ERANGE_AND_RESET (34 | 128)
#define EOVERLAP_AND_RESET (54 | 128)

errno_t memset_s(void *dest, size_t destMax, int c, size_t count);
errno_t memcpy_s(void *dest, size_t destMax, const void *src, size_t count);
errno_t memmove_s(void *dest, size_t destMax, const void *src, size_t count);
errno_t strcpy_s(char *strDest, size_t destMax, const char *strSrc);
errno_t strncpy_s(char *strDest, size_t destMax, const char *strSrc, size_t count);
errno_t strcat_s(char *strDest, size_t destMax, const char *strSrc);
errno_t strncat_s(char *strDest, size_t destMax, const char *strSrc, size_t count);
int sprintf_s(char *strDest, size_t destMax, const char *format, ...) __attribute__((format(printf, 3, 4)));
int snprintf_s(char *strDest, size_t destMax, size_t count, const char *format, ...)
    __attribute__((format(printf, 4, 5)));
int vsprintf_s(char *strDest, size_t destMax, const char *format, va_list argList);
int vsnprintf_s(char *strDest, size_t destMax, size_t count, const char *format, va_list argList);

#ifdef __cplusplus
}
#endif

#endif
