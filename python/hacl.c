/*
 * acl.hacl: hostacl's own extensions with Pythonic wrappers (filled in by
 * hacl_pipeline.c and friends as they land).
 */
#include "binding.h"

PyMethodDef hpy_hacl_methods[] = {
    {NULL, NULL, 0, NULL},
};
