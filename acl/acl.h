/*
 * hostacl: the umbrella header of the AscendCL interface.
 *
 * Include this one file to get the runtime (acl_rt.h) and model (acl_mdl.h)
 * interfaces, plus process-wide initialisation and the version query.
 */
#ifndef HOSTACL_ACL_ACL_H
#define HOSTACL_ACL_ACL_H

#include "acl_rt.h"
#include "acl_mdl.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The AscendCL interface version hostacl implements. */
#define ACL_MAJOR_VERSION 1
#define ACL_MINOR_VERSION 15
#define ACL_PATCH_VERSION 0

/* Initialises the library. configPath may be NULL, or name a JSON file
 * (possibly empty). Each call counts one reference; a call while already
 * initialised returns ACL_ERROR_REPEAT_INITIALIZE and keeps the first
 * configuration. */
ACL_FUNC_VISIBILITY aclError aclInit(const char *configPath);

/* Releases everything at once, whatever the reference count. */
ACL_FUNC_VISIBILITY aclError aclFinalize(void);

/* Drops one aclInit reference and releases everything when it reaches zero;
 * refCount (may be NULL) receives the count left. */
ACL_FUNC_VISIBILITY aclError aclFinalizeReference(uint64_t *refCount);

ACL_FUNC_VISIBILITY aclError aclrtGetVersion(int32_t *majorVersion, int32_t *minorVersion,
                                             int32_t *patchVersion);

/* Name of the (simulated) chip; NULL before aclInit. */
ACL_FUNC_VISIBILITY const char *aclrtGetSocName(void);

#ifdef __cplusplus
}
#endif

#endif /* HOSTACL_ACL_ACL_H */
