/*
 * Entry points whose issue has not landed yet.
 *
 * Each returns ACL_ERROR_FEATURE_UNSUPPORTED (or NULL / 0 / an UNDEFINED enum
 * where the function returns no aclError) and records a message naming the
 * function, so an application learns exactly what is missing. README.md lists
 * these; the list shrinks as issues land.
 */
#include "runtime.h"

aclError hacl_unsupported(const char *api)
{
    return hacl_err(ACL_ERROR_FEATURE_UNSUPPORTED, api, "not implemented by hostacl yet");
}

