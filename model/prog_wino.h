/*
 * hostacl internal: Winograd convolution weights transformed by us into
 * oneDNN's Winograd layouts (prog_wino.c), instead of oneDNN's conversion.
 */
#ifndef HOSTACL_MODEL_PROG_WINO_H
#define HOSTACL_MODEL_PROG_WINO_H

#include <oneapi/dnnl/dnnl.h>

/* Whether hacl_pg_wino_weights writes `to` from `from`: plain oihw float32
 * 3x3 weights into a float32 Winograd layout this oneDNN version has and
 * prog_wino.c knows. */
int hacl_pg_wino_ours(const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to);
/* src (layout from) transformed into dst (layout to, its whole size
 * written, padding channels zero); only where hacl_pg_wino_ours says so. */
void hacl_pg_wino_weights(const dnnl_memory_desc_t *from, const float *src, const dnnl_memory_desc_t *to, float *dst);

#endif
