/*
 * Peer access between the simulated devices: aclrtDeviceCanAccessPeer,
 * aclrtDeviceEnablePeerAccess, aclrtDeviceDisablePeerAccess.
 *
 * Every pair of distinct devices can access each other (they share the
 * host's memory). An ACL_MEMCPY_DEVICE_TO_DEVICE (or DEFAULT) copy between
 * two devices is refused unless access was enabled between them, in either
 * direction, as on Ascend (runtime/memory.c asks hacl_peer_enabled);
 * ACL_MEMCPY_INTER_DEVICE_TO_DEVICE names the crossing and needs none. Enabling is from the
 * calling thread's current device to the peer; enabling twice is harmless;
 * disabling what is not enabled is an error. aclFinalize forgets it all.
 *
 * Thread: any (the table is atomic).
 */
#include "runtime.h"

static _Atomic unsigned char peer[HACL_MAX_DEVICES][HACL_MAX_DEVICES];

int hacl_peer_enabled(int32_t a, int32_t b)
{
    if (a < 0 || b < 0 || a >= HACL_MAX_DEVICES || b >= HACL_MAX_DEVICES)
        return 0;
    return atomic_load(&peer[a][b]) || atomic_load(&peer[b][a]);
}

void hacl_peer_reset(void)
{
    for (int a = 0; a < HACL_MAX_DEVICES; a++)
        for (int b = 0; b < HACL_MAX_DEVICES; b++)
            atomic_store(&peer[a][b], 0);
}

ACL_FUNC_VISIBILITY aclError aclrtDeviceCanAccessPeer(int32_t *canAccessPeer, int32_t deviceId, int32_t peerDeviceId)
{
    if (!canAccessPeer)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "canAccessPeer must not be NULL");
    aclError rc;
    if (!hacl_rt_device(__func__, deviceId, &rc) || !hacl_rt_device(__func__, peerDeviceId, &rc))
        return rc;
    *canAccessPeer = deviceId != peerDeviceId;
    return ACL_SUCCESS;
}

/* The calling thread's current device and a distinct, valid peer. */
static aclError pair(const char *api, int32_t peerDeviceId, int32_t *self)
{
    aclError rc;
    struct hacl_context *ctx = hacl_context_current(api, &rc);
    if (!ctx)
        return rc;
    *self = ctx->dev->id;
    hacl_obj_put(&ctx->hdr);
    if (!hacl_rt_device(api, peerDeviceId, &rc))
        return rc;
    if (peerDeviceId == *self)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "device %d is the current device, not a peer", (int)peerDeviceId);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtDeviceEnablePeerAccess(int32_t peerDeviceId, uint32_t flags)
{
    if (flags != 0)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "flags is reserved and must be 0 (got %u)", flags);
    int32_t self;
    aclError rc = pair(__func__, peerDeviceId, &self);
    if (rc == ACL_SUCCESS)
        atomic_store(&peer[self][peerDeviceId], 1);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtDeviceDisablePeerAccess(int32_t peerDeviceId)
{
    int32_t self;
    aclError rc = pair(__func__, peerDeviceId, &self);
    if (rc != ACL_SUCCESS)
        return rc;
    if (!atomic_exchange(&peer[self][peerDeviceId], 0))
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "peer access from device %d to %d is not enabled", (int)self,
                        (int)peerDeviceId);
    return ACL_SUCCESS;
}
