/*
 * hostacl: profiling (AscendCL's aclprof calls).
 *
 * Three ways to look at what the runtime did, all fed by one recorder:
 *   - a collection: aclprofInit(dir), aclprofStart(config) ... aclprofStop,
 *     aclprofFinalize. Between start and stop the runtime records a
 *     timeline (API calls, every stream task, the workers, the compute
 *     thread with one slice per operator, callbacks, msproftx marks, memory
 *     counters) and writes it at stop as Chrome trace-event JSON under
 *     dir/PROF_.../mindstudio_profiler_output/msprof_<time>.json, the layout
 *     msprof uses (the aclInit JSON's "profiler" section does the same from
 *     aclInit to aclFinalize);
 *   - marks (msproftx): stamps with a message, instant marks, nested
 *     push/pop ranges per thread and ranges that may end on another thread;
 *   - model subscription: per-operator timings of every execution of a
 *     model, written as fixed-size records into a pipe the application
 *     reads and walks with the aclprofGetOp* calls.
 * Collections and subscriptions are process-wide and exclusive: while one
 * is in use the other is refused. docs/semantics.md, "Profiling".
 */
#ifndef HOSTACL_ACL_ACL_PROF_H
#define HOSTACL_ACL_ACL_PROF_H

#ifndef MSVP_PROF_API
#define MSVP_PROF_API __attribute__((visibility("default")))
#endif

#include "acl_base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a collection records (OR-ed). Flags naming hardware hostacl does
 * not have are accepted and noted once in the log. */
#define ACL_PROF_ACL_API 0x0001ULL        /* API calls on the calling threads */
#define ACL_PROF_TASK_TIME 0x0002ULL      /* tasks, and one slice per operator */
#define ACL_PROF_AICORE_METRICS 0x0004ULL /* hardware counters (none here) */
#define ACL_PROF_AICPU 0x0008ULL
#define ACL_PROF_L2CACHE 0x0010ULL
#define ACL_PROF_HCCL_TRACE 0x0020ULL
#define ACL_PROF_TRAINING_TRACE 0x0040ULL
#define ACL_PROF_MSPROFTX 0x0080ULL    /* aclprofMark/Push/Range... */
#define ACL_PROF_RUNTIME_API 0x0100ULL /* runtime calls (recorded as API calls) */
#define ACL_PROF_GE_API_L0 0x0200ULL
#define ACL_PROF_TASK_TIME_L0 0x0800ULL /* tasks without operator slices */
#define ACL_PROF_TASK_MEMORY 0x1000ULL  /* memory counters */
#define ACL_PROF_GE_API_L1 0x01000000ULL
#define ACL_PROF_TASK_TIME_L2 0x2000ULL
#define ACL_PROF_OP_ATTR 0x4000ULL
#define ACL_PROF_TASK_TIME_L3 0x8000ULL
#define ACL_PROF_API_STATS 0x400000000ULL
#define ACL_PROF_AICORE_SHAPE 0x800000000ULL

/* Kept for old programs: use aclprofGetOpTypeLen/aclprofGetOpNameLen. */
#define ACL_PROF_MAX_OP_NAME_LEN 257
#define ACL_PROF_MAX_OP_TYPE_LEN 65

#ifndef ACL_PROF_TENSOR_DATA_SHAPE_LEN
#define ACL_PROF_TENSOR_DATA_SHAPE_LEN 8
#endif

/* Hardware metric groups (accepted; hostacl has no such counters). */
typedef enum {
    ACL_AICORE_ARITHMETIC_UTILIZATION = 0,
    ACL_AICORE_PIPE_UTILIZATION = 1,
    ACL_AICORE_MEMORY_BANDWIDTH = 2,
    ACL_AICORE_L0B_AND_WIDTH = 3,
    ACL_AICORE_RESOURCE_CONFLICT_RATIO = 4,
    ACL_AICORE_MEMORY_UB = 5,
    ACL_AICORE_L2_CACHE = 6,
    ACL_AICORE_PIPE_EXECUTE_UTILIZATION = 7,
    ACL_AICORE_MEMORY_ACCESS = 8,
    ACL_AICORE_NONE = 0xFF
} aclprofAicoreMetrics;

typedef enum {
    ACL_STEP_START = 0,
    ACL_STEP_END = 1
} aclprofStepTag;

/* What a subscription record describes. */
typedef enum {
    ACL_SUBSCRIBE_OP = 0,
    ACL_SUBSCRIBE_SUBGRAPH = 1,
    ACL_SUBSCRIBE_OP_THREAD = 2,
    ACL_SUBSCRIBE_NONE = 0xFF
} aclprofSubscribeOpFlag;

typedef enum { ACL_SUBSCRIBE_ATTRI_THREADID = 0, ACL_SUBSCRIBE_ATTRI_NONE } aclprofSubscribeOpAttri;

/* Settings of aclprofSetConfig (given as text). */
typedef enum {
    ACL_PROF_ARGS_MIN = 0,
    ACL_PROF_STORAGE_LIMIT = 1, /* "<n>MB": the largest trace file written */
    ACL_PROF_SYS_HARDWARE_MEM_FREQ = 3,
    ACL_PROF_LLC_MODE = 4,
    ACL_PROF_SYS_IO_FREQ = 5,
    ACL_PROF_SYS_INTERCONNECTION_FREQ = 6,
    ACL_PROF_DVPP_FREQ = 7,
    ACL_PROF_HOST_SYS = 8,
    ACL_PROF_HOST_SYS_USAGE = 9,
    ACL_PROF_HOST_SYS_USAGE_FREQ = 10,
    ACL_PROF_LOW_POWER_FREQ = 11,
    ACL_PROF_SYS_MEM_SERVICEFLOW = 12,
    ACL_PROF_SYS_CPU_FREQ = 13,
    ACL_PROF_OPTYPE = 14,
    ACL_PROF_NTS_METRICS = 15,
    ACL_PROF_PATH = 16, /* the output folder, instead of aclprofInit's */
    ACL_PROF_ARGS_MAX = 17
} aclprofConfigType;

typedef enum { ACL_PROF_MESSAGE_TYPE_TENSOR_INFO = 0 } aclprofMessageType;

typedef struct aclprofConfig aclprofConfig;
typedef struct aclprofStopConfig aclprofStopConfig;
typedef struct aclprofAicoreEvents aclprofAicoreEvents;
typedef struct aclprofSubscribeConfig aclprofSubscribeConfig;
typedef struct aclprofStepInfo aclprofStepInfo;

/* The payload of aclprofRangePushEx. A program that defined these structs
 * itself defines ACL_PROF_TENSOR_INFO_DEFINED first to keep its own. */
#ifndef ACL_PROF_TENSOR_INFO_DEFINED
#define ACL_PROF_TENSOR_INFO_DEFINED

#define ACL_PROF_EVENT_ATTR_VERSION 1

typedef struct aclprofTensor {
    uint32_t type;     /* 0 input, 1 output */
    uint32_t format;   /* an aclFormat */
    uint32_t dataType; /* an aclDataType */
    uint32_t shapeDim; /* at most ACL_PROF_TENSOR_DATA_SHAPE_LEN */
    uint32_t shape[ACL_PROF_TENSOR_DATA_SHAPE_LEN];
} aclprofTensor;

typedef struct aclprofTensorInfo {
    uint64_t opNameId; /* aclprofStr2Id of the operator's name */
    uint64_t opTypeId; /* ... and of its type */
    uint32_t resv;
    uint32_t tensorNum;
    uint32_t kernelType;
    uint32_t blockNums;
    void *stream;
    aclprofTensor *tensors; /* tensorNum of them */
} aclprofTensorInfo;

typedef struct aclprofEventAttributes {
    uint16_t version; /* ACL_PROF_EVENT_ATTR_VERSION */
    uint16_t size;    /* sizeof(aclprofEventAttributes) */
    uint32_t messageType;
    union Message {
        aclprofTensorInfo *tensorInfo;
    } message;
} aclprofEventAttributes;

#endif

/* ---- collections ---- */

/* Where collections write (a folder, created when missing; at most 4096
 * bytes). After aclInit; pairs with aclprofFinalize. */
MSVP_PROF_API aclError aclprofInit(const char *profilerResultPath, size_t length);
/* Stops what is still started (writing its trace) and ends the session. */
MSVP_PROF_API aclError aclprofFinalize(void);
/* Records on the config's devices until aclprofStop with the same devices.
 * Several collections may run at once on distinct devices. */
MSVP_PROF_API aclError aclprofStart(const aclprofConfig *profilerConfig);
MSVP_PROF_API aclError aclprofStop(const aclprofConfig *profilerConfig);
/* deviceIdList: deviceNums existing devices, no repeats; aicoreEvents must
 * be NULL; dataTypeConfig: ACL_PROF_* flags. NULL when refused. */
MSVP_PROF_API aclprofConfig *aclprofCreateConfig(uint32_t *deviceIdList, uint32_t deviceNums,
                                                 aclprofAicoreMetrics aicoreMetrics,
                                                 const aclprofAicoreEvents *aicoreEvents, uint64_t dataTypeConfig);
MSVP_PROF_API aclError aclprofDestroyConfig(const aclprofConfig *profilerConfig);
/* A setting for the next aclprofStart (after aclprofInit; config at most
 * 256 bytes). */
MSVP_PROF_API aclError aclprofSetConfig(aclprofConfigType configType, const char *config, size_t configLength);

/* ---- model subscription ---- */

/* From now on each execution of the model writes one record per operator
 * into the config's pipe. */
MSVP_PROF_API aclError aclprofModelSubscribe(uint32_t modelId, const aclprofSubscribeConfig *profSubscribeConfig);
/* Ends it: records already produced are written, then the pipe's write end
 * is closed (the reader sees end of file once every subscription on it has
 * ended). */
MSVP_PROF_API aclError aclprofModelUnSubscribe(uint32_t modelId);
/* timeInfoSwitch must be 1; fd points at the pipe's write end. */
MSVP_PROF_API aclprofSubscribeConfig *aclprofCreateSubscribeConfig(int8_t timeInfoSwitch,
                                                                   aclprofAicoreMetrics aicoreMetrics, void *fd);
MSVP_PROF_API aclError aclprofDestroySubscribeConfig(const aclprofSubscribeConfig *profSubscribeConfig);

/* The size of one record: read the pipe in multiples of it. */
MSVP_PROF_API aclError aclprofGetOpDescSize(size_t *opDescSize);
/* How many whole records the opInfoLen bytes at opInfo hold. */
MSVP_PROF_API aclError aclprofGetOpNum(const void *opInfo, size_t opInfoLen, uint32_t *opNumber);
/* Lengths include the terminating zero. */
MSVP_PROF_API aclError aclprofGetOpTypeLen(const void *opInfo, size_t opInfoLen, uint32_t index, size_t *opTypeLen);
MSVP_PROF_API aclError aclprofGetOpType(const void *opInfo, size_t opInfoLen, uint32_t index, char *opType,
                                        size_t opTypeLen);
MSVP_PROF_API aclError aclprofGetOpNameLen(const void *opInfo, size_t opInfoLen, uint32_t index, size_t *opNameLen);
MSVP_PROF_API aclError aclprofGetOpName(const void *opInfo, size_t opInfoLen, uint32_t index, char *opName,
                                        size_t opNameLen);
/* Microseconds (0 when the record cannot be read). */
MSVP_PROF_API uint64_t aclprofGetOpStart(const void *opInfo, size_t opInfoLen, uint32_t index);
MSVP_PROF_API uint64_t aclprofGetOpEnd(const void *opInfo, size_t opInfoLen, uint32_t index);
MSVP_PROF_API uint64_t aclprofGetOpDuration(const void *opInfo, size_t opInfoLen, uint32_t index);
MSVP_PROF_API size_t aclprofGetModelId(const void *opInfo, size_t opInfoLen, uint32_t index);
MSVP_PROF_API aclprofSubscribeOpFlag aclprofGetOpFlag(const void *opInfo, size_t opInfoLen, uint32_t index);
/* The thread that ran the operator, as text; NULL when unreadable. */
MSVP_PROF_API const char *aclprofGetOpAttriValue(const void *opInfo, size_t opInfoLen, uint32_t index,
                                                 aclprofSubscribeOpAttri attri);

/* ---- steps and marks (msproftx) ---- */

/* Marks the start or end of a training/inference step on the timeline. */
MSVP_PROF_API aclError aclprofGetStepTimestamp(aclprofStepInfo *stepInfo, aclprofStepTag tag, aclrtStream stream);
MSVP_PROF_API aclprofStepInfo *aclprofCreateStepInfo(void);
MSVP_PROF_API void aclprofDestroyStepInfo(aclprofStepInfo *stepinfo);

MSVP_PROF_API void *aclprofCreateStamp(void);
MSVP_PROF_API void aclprofDestroyStamp(void *stamp);
/* Nested ranges of the calling thread. */
MSVP_PROF_API aclError aclprofPush(void *stamp);
MSVP_PROF_API aclError aclprofPop(void);
/* A range that may stop on another thread. */
MSVP_PROF_API aclError aclprofRangeStart(void *stamp, uint32_t *rangeId);
MSVP_PROF_API aclError aclprofRangeStop(uint32_t rangeId);
/* The stamp's message (msgLen bytes, at most 127). */
MSVP_PROF_API aclError aclprofSetStampTraceMessage(void *stamp, const char *msg, uint32_t msgLen);
MSVP_PROF_API aclError aclprofMark(void *stamp);
/* A mark on the host and, in stream order, on the stream (msgLen excludes
 * the zero). */
MSVP_PROF_API aclError aclprofMarkEx(const char *msg, size_t msgLen, aclrtStream stream);
/* A stable 64-bit id of a string (0 for NULL). */
MSVP_PROF_API uint64_t aclprofStr2Id(const char *message);
/* A nested range described by an operator's tensors. */
MSVP_PROF_API aclError aclprofRangePushEx(aclprofEventAttributes *attr);
MSVP_PROF_API aclError aclprofRangePop(void);

#ifdef __cplusplus
}
#endif

#endif
