/*
 * hostacl internal: sharing between processes (ipc.c).
 *
 * Every process that exports something keeps one registry: a memfd of
 * fixed slots, mapped shared. An exported object (device memory, physical
 * memory, an event, a notify) takes a slot that records the exporter's
 * descriptor of the memory (a memfd), the range, the pids allowed to import
 * it and, for events and notifies, the shared words their state lives in.
 * A slot is published with a random nonce; handles and keys carry
 * (pid, slot, nonce). An importer maps the exporter's registry through
 * /proc/<pid>/fd, checks the nonce and its own pid, and opens the memory's
 * memfd the same way. A forged or stale handle names no published slot and
 * is refused; a dead exporter's registry is gone with it.
 *
 * Registries, once mapped, stay mapped for the life of the process, so a
 * word of an imported event stays readable by any task still waiting on it.
 *
 * Thread: any. Locks: the registry lock is a leaf.
 */
#ifndef HOSTACL_RUNTIME_IPC_H
#define HOSTACL_RUNTIME_IPC_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "acl/acl_base.h"

enum hacl_ipc_kind { HACL_IPC_MEM = 1, HACL_IPC_PHYS, HACL_IPC_EVENT, HACL_IPC_NOTIFY };

#define HACL_IPC_MAX_PIDS 32

struct hacl_ipc_slot {
    _Atomic uint32_t nonce; /* 0: not published */
    uint32_t kind;
    uint32_t any_pid;       /* pid validation disabled */
    int32_t fd;             /* the exporter's descriptor of the memory; -1: none */
    uint64_t offset, size;
    _Atomic uint32_t npids;
    int32_t pids[HACL_IPC_MAX_PIDS];
    _Atomic uint64_t words[4]; /* events and notifies keep their state here */
};

struct hacl_ipc_ref {
    int32_t pid;
    uint32_t slot, nonce;
};

/* Takes a slot of this process's registry for an object of `kind` (not yet
 * published) into *index. */
aclError hacl_ipc_slot_take(const char *api, enum hacl_ipc_kind kind, int fd, uint64_t offset, uint64_t size,
                            uint32_t *index);
struct hacl_ipc_slot *hacl_ipc_slot_at(uint32_t index);
/* Publishes slot index (any_pid: importable by every process); *ref names it. */
void hacl_ipc_publish(uint32_t index, int any_pid, struct hacl_ipc_ref *ref);
/* Unpublishes and frees the slot. */
void hacl_ipc_slot_free(uint32_t index);
/* Adds pids to a published slot of this process: ACL_SUCCESS or an error. */
aclError hacl_ipc_allow(const char *api, const struct hacl_ipc_ref *ref, const int32_t *pids, size_t n);

/* Keys (text, at most HACL_IPC_KEY_LEN bytes with the NUL) and 64-bit
 * handles. Parsing returns 0, or -1 for text that is no key. */
#define HACL_IPC_KEY_LEN 40
void hacl_ipc_format_key(const struct hacl_ipc_ref *ref, char *out, size_t len);
int hacl_ipc_parse_key(const char *key, struct hacl_ipc_ref *ref);
uint64_t hacl_ipc_pack(const struct hacl_ipc_ref *ref);
int hacl_ipc_unpack(uint64_t h, struct hacl_ipc_ref *ref);

/* Parses key (what_made names the call that makes such keys, for the
 * message), needs a current context, and imports the slot (no memory). */
aclError hacl_ipc_import_key(const char *api, const char *key, enum hacl_ipc_kind kind, const char *what_made,
                             struct hacl_ipc_ref *ref, struct hacl_ipc_slot **slot);

/* Imports what ref names: checks kind, nonce and this process's right to
 * it; on success *slot is the slot (in the exporter's registry, mapped
 * here) and *fd, when asked for, a descriptor of the memory (the caller
 * closes it). */
aclError hacl_ipc_import(const char *api, const struct hacl_ipc_ref *ref, enum hacl_ipc_kind kind,
                         struct hacl_ipc_slot **slot, int *fd);

#endif
