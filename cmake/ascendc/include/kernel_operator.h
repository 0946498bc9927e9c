/*
 * hostacl: the part of Ascend C that simple kernels use, for running them
 * on the host (see ascendc.cmake). A kernel is a plain C++ function; its
 * launch is rewritten into hacl_ascendc_launch, which queues a task on the
 * stream running the kernel once per block, block_idx set (on the launching
 * thread when the stream is idle, as a device would start it at once). Device pointers are host memory in hostacl, so __gm__ pointers
 * are ordinary pointers.
 */
#ifndef HOSTACL_ASCENDC_KERNEL_OPERATOR_H
#define HOSTACL_ASCENDC_KERNEL_OPERATOR_H

#include <cstdint>
#include <cstdio>
#include <functional>
#include <utility>

#include "acl/acl.h"

#define __global__
#define __aicore__
#define __gm__

/* The block the calling kernel instance runs as, and how many there are. */
inline thread_local int64_t block_idx = 0;
inline thread_local int64_t block_num = 1;

namespace AscendC {
inline int64_t GetBlockIdx() { return block_idx; }
inline int64_t GetBlockNum() { return block_num; }
template <class... A> inline void printf(const char *fmt, A &&...args)
{
    std::printf(fmt, std::forward<A>(args)...);
    std::fflush(stdout);
}
} // namespace AscendC

/* A kernel's trap: that kernel instance stops and its launch fails the
 * stream (ACL_ERROR_RT_AICORE_TRAP_EXCEPTION), as a device exception does:
 * later work is skipped in ACL_STOP_ON_FAILURE mode. */
struct hacl_ascendc_fault {};
[[noreturn]] inline void hacl_ascendc_trap() { throw hacl_ascendc_fault{}; }

/* hostacl's runtime queues host-run kernels with this (exported by
 * libascendcl, declared in no public header): fn runs in stream order, on
 * the launching thread when the stream is idle; a nonzero return fails the
 * stream; drop(arg) runs once after, or instead when the task is dropped. */
extern "C" aclError haclCompanionLaunchKernel(const char *api, aclrtStream stream,
                                              aclError (*fn)(void *arg, char *why, size_t whylen),
                                              void (*drop)(void *arg), void *arg);

struct hacl_ascendc_job {
    std::function<void()> fn;
    uint32_t blocks;
};

/* Runs every block: the number of blocks that trapped. */
inline uint32_t hacl_ascendc_blocks(hacl_ascendc_job *job)
{
    uint32_t trapped = 0;
    block_num = job->blocks;
    for (uint32_t b = 0; b < job->blocks; b++) {
        block_idx = b;
        try {
            job->fn();
        } catch (const hacl_ascendc_fault &) {
            trapped++;
        }
    }
    return trapped;
}

inline aclError hacl_ascendc_result(uint32_t trapped, char *why, size_t whylen)
{
    if (!trapped)
        return ACL_SUCCESS;
    std::snprintf(why, whylen, "%u kernel block(s) trapped", trapped);
    return 507016; /* ACL_ERROR_RT_AICORE_TRAP_EXCEPTION */
}

inline aclError hacl_ascendc_task(void *arg, char *why, size_t whylen)
{
    return hacl_ascendc_result(hacl_ascendc_blocks(static_cast<hacl_ascendc_job *>(arg)), why, whylen);
}

inline void hacl_ascendc_free(void *arg) { delete static_cast<hacl_ascendc_job *>(arg); }

template <class F> inline void hacl_ascendc_launch(uint32_t blocks, void *l2ctrl, void *stream, F &&fn)
{
    (void)l2ctrl;
    hacl_ascendc_job *job = new hacl_ascendc_job{std::function<void()>(std::forward<F>(fn)), blocks};
    if (haclCompanionLaunchKernel("kernel", stream, hacl_ascendc_task, hacl_ascendc_free, job) != ACL_SUCCESS)
        std::fprintf(stderr, "hostacl: kernel launch failed: %s\n", aclGetRecentErrMsg());
}

#endif
