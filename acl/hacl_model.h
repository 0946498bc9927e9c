/*
 * hostacl extension: model options of hostacl's own.
 *
 * HACL_MDL_PRECISION_MODE_PTR is an aclmdlSetConfigOpt attribute for
 * aclmdlLoadWithConfig. Its value lies far above AscendCL's own attribute
 * numbers, so it can never collide with them. attrValue points to a
 * `const char *` naming the mode and valueSize is sizeof(const char *),
 * as for AscendCL's other _PTR attributes:
 *
 *   const char *mode = "allow_bf16";
 *   aclmdlSetConfigOpt(cfg, HACL_MDL_PRECISION_MODE_PTR, &mode, sizeof mode);
 *
 * Modes (the aclInit JSON's hostacl.precision_mode sets the default):
 *   "force_fp32"              every operator in float32 (the default);
 *   "allow_bf16"              convolutions, pooling and matrix products in
 *                             bfloat16 with float32 accumulation, activations
 *                             between them in bfloat16, everything else in
 *                             float32 (float32 on CPUs without bfloat16
 *                             instructions, with a warning in the log);
 *   "must_keep_origin_dtype"  every tensor in its model type (float32 models
 *                             compute as with force_fp32).
 */
#ifndef HOSTACL_ACL_HACL_MODEL_H
#define HOSTACL_ACL_HACL_MODEL_H

#include "acl/acl_mdl.h"

#define HACL_MDL_PRECISION_MODE_PTR ((aclmdlConfigAttr)0x48410001)

#endif
