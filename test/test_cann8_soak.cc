// Random CANN 8 calls from several threads at once, with live, destroyed
// and made-up handles and memory: nothing may crash, hang or leak, every
// call answers a documented code, and queued work finishes (the ASan and
// TSan presets run this too).
#include <stdint.h>
#include <string.h>

#include <atomic>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "acl/acl_tdt.h"
#include "acl/acl_tdt_queue.h"
#include "test_util.h"

namespace {

void *SoakAlloc(aclrtAllocator, size_t) { return nullptr; } // never asked: no model runs here
void SoakFree(aclrtAllocator, aclrtAllocatorBlock) {}
void *SoakAddr(aclrtAllocatorBlock b) { return b; }

struct Shared {
    std::mutex mu;
    std::vector<aclrtStream> streams, dead_streams;
    std::vector<aclrtAllocatorDesc> descs, dead_descs;
    std::vector<void *> mem, dead_mem;
    std::vector<aclmdlRI> ris, dead_ris;
    acltdtChannelHandle *channel = nullptr;
    uint32_t queue = 0;
};

template <class T> T Pick(std::mt19937 &rng, std::vector<T> &live, std::vector<T> &dead)
{
    unsigned r = rng() % 10;
    if (r < 7 && !live.empty())
        return live[rng() % live.size()];
    if (r < 9 && !dead.empty())
        return dead[rng() % dead.size()];
    return reinterpret_cast<T>(static_cast<uintptr_t>(0x1000 + (rng() % 4096) * 8));
}

bool Known(aclError rc)
{
    switch (rc) {
    case ACL_SUCCESS:
    case ACL_ERROR_INVALID_PARAM:
    case ACL_ERROR_INVALID_RESOURCE_HANDLE:
    case ACL_ERROR_RT_PARAM_INVALID:
    case ACL_ERROR_RT_INVALID_DEVICEID:
    case ACL_ERROR_RT_CONTEXT_NULL:
    case ACL_ERROR_RT_STREAM_CONTEXT:
    case ACL_ERROR_MEMORY_ADDRESS_UNALIGNED:
    case ACL_ERROR_RT_QUEUE_FULL:
    case ACL_ERROR_RT_QUEUE_EMPTY:
    case ACL_ERROR_RT_STREAM_MODEL:
    case ACL_ERROR_RT_MODEL_CAPTURED:
    case ACL_ERROR_RT_STREAM_CAPTURED:
    case ACL_ERROR_RT_STREAM_NOT_CAPTURED:
    case ACL_ERROR_RT_CAPTURE_MODE_NOT_SUPPORT:
    case ACL_ERROR_RT_STREAM_CAPTURE_WRONG_THREAD:
    case ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED:
    case ACL_ERROR_RT_TASK_TYPE_NOT_SUPPORT:
    case ACL_ERROR_RT_FEATURE_NOT_SUPPORT:
    case ACL_ERROR_RT_IPC_ERROR:
    case ACL_ERROR_RT_NO_PERMISSION:
    case ACL_ERROR_RT_MEMORY_ALLOCATION:
    case ACL_ERROR_RT_MEMORY_FREE:
    case ACL_ERROR_RT_STREAM_NO_CB_REG:
        return true;
    default:
        return false;
    }
}

void Worker(Shared *sh, aclrtContext ctx, unsigned seed, std::atomic<int> *unknown)
{
    ASSERT_EQ(aclrtSetCurrentContext(ctx), ACL_SUCCESS);
    std::mt19937 rng(seed);
    // Work that writes memory goes to this thread's own buffer on its own
    // stream (two streams writing one buffer unordered would be the
    // application's race), or to freed or made-up memory, which is refused.
    aclrtStream ps = nullptr;
    void *pm = nullptr;
    {
        std::lock_guard<std::mutex> g(sh->mu);
        pm = sh->mem[seed % sh->mem.size()];
    }
    ASSERT_EQ(aclrtCreateStream(&ps), ACL_SUCCESS);
    float value = (float)seed;
    int64_t dim = 1;
    acltdtDataItem *item = acltdtCreateDataItem(ACL_TENSOR_DATA_TENSOR, &dim, 1, ACL_FLOAT, &value, sizeof value);
    acltdtDataset *sendset = acltdtCreateDataset(), *recvset = acltdtCreateDataset();
    ASSERT_EQ(acltdtAddDataItem(sendset, item), ACL_SUCCESS);
    for (int i = 0; i < 3000; i++) {
        aclError rc = ACL_SUCCESS;
        std::unique_lock<std::mutex> lk(sh->mu);
        aclrtStream s = Pick(rng, sh->streams, sh->dead_streams);
        aclrtAllocatorDesc d = Pick(rng, sh->descs, sh->dead_descs);
        std::vector<void *> mine = {pm};
        void *m = Pick(rng, mine, sh->dead_mem);
        aclrtStream ms = m == pm ? ps : s;
        lk.unlock();
        lk.lock();
        aclmdlRI ri = Pick(rng, sh->ris, sh->dead_ris);
        lk.unlock();
        switch (rng() % 31) {
        case 0: {
            aclrtStream ns = nullptr;
            if (aclrtCreateStreamWithConfig(&ns, rng() % 9, 0) == ACL_SUCCESS) {
                lk.lock();
                sh->streams.push_back(ns);
                lk.unlock();
            }
            break;
        }
        case 1: {
            lk.lock();
            if (sh->streams.size() > 2) {
                size_t k = rng() % sh->streams.size();
                aclrtStream gone = sh->streams[k];
                sh->streams.erase(sh->streams.begin() + (long)k);
                sh->dead_streams.push_back(gone);
                lk.unlock();
                rc = aclrtDestroyStream(gone);
            }
            break;
        }
        case 2: {
            aclrtAllocatorDesc nd = aclrtAllocatorCreateDesc();
            if (nd) {
                aclrtAllocatorSetObjToDesc(nd, nd);
                aclrtAllocatorSetAllocFuncToDesc(nd, SoakAlloc);
                if (rng() % 4)
                    aclrtAllocatorSetFreeFuncToDesc(nd, SoakFree);
                aclrtAllocatorSetGetAddrFromBlockFuncToDesc(nd, SoakAddr);
                lk.lock();
                sh->descs.push_back(nd);
                lk.unlock();
            }
            break;
        }
        case 3: {
            lk.lock();
            if (sh->descs.size() > 1) {
                size_t k = rng() % sh->descs.size();
                aclrtAllocatorDesc gone = sh->descs[k];
                sh->descs.erase(sh->descs.begin() + (long)k);
                sh->dead_descs.push_back(gone);
                lk.unlock();
                rc = aclrtAllocatorDestroyDesc(gone);
            }
            break;
        }
        case 4: rc = aclrtAllocatorRegister(rng() % 8 ? s : nullptr, d); break;
        case 5: {
            aclrtAllocatorDesc od;
            aclrtAllocator oa;
            aclrtAllocatorAllocFunc af;
            aclrtAllocatorFreeFunc ff;
            aclrtAllocatorAllocAdviseFunc adv;
            aclrtAllocatorGetAddrFromBlockFunc gf;
            rc = aclrtAllocatorGetByStream(s, &od, &oa, &af, &ff, &adv, &gf);
            break;
        }
        case 6: rc = aclrtAllocatorUnregister(s); break;
        case 7: rc = aclrtAllocatorSetFreeFuncToDesc(d, rng() % 4 ? SoakFree : nullptr); break;
        case 8: rc = aclrtSetStreamOverflowSwitch(s, rng() % 3); break;
        case 9: {
            uint32_t f;
            rc = aclrtGetStreamOverflowSwitch(s, &f);
            break;
        }
        case 10: rc = aclrtSetDeviceSatMode((aclrtFloatOverflowMode)(rng() % 3)); break;
        case 11: rc = aclrtGetOverflowStatus(m, 64 - (rng() % 2) * 32, ms); break;
        case 12: rc = aclrtResetOverflowStatus(s); break;
        case 13:
            rc = aclrtReduceAsync(m, m, 64, (aclrtReduceKind)(10 + rng() % 5), ACL_FLOAT, ms, nullptr);
            break;
        case 14: rc = aclrtValueWrite(m, rng() % 3, 0, ms); break;
        case 15: {
            uint32_t v;
            rc = aclrtSetDeviceResLimit((int32_t)(rng() % 2), (aclrtDevResLimitType)(rng() % 3), rng() % 4);
            if (rng() % 2)
                rc = aclrtGetDeviceResLimit(0, ACL_RT_DEV_RES_VECTOR_CORE, &v);
            break;
        }
        case 16: {
            aclrtDeviceStatus st;
            int32_t lo, hi;
            rc = aclrtQueryDeviceStatus((int32_t)(rng() % 3) - 1, &st);
            if (rc == ACL_SUCCESS)
                rc = aclrtDeviceGetStreamPriorityRange(&lo, &hi);
            break;
        }
        case 17: rc = aclrtSynchronizeStream(s); break;
        case 18: rc = acltdtSendTensor(sh->channel, rng() % 8 ? sendset : recvset, 0); break;
        case 19: rc = acltdtReceiveTensor(sh->channel, rng() % 8 ? recvset : sendset, 0); break;
        case 20: {
            uint64_t v = rng();
            rc = acltdtEnqueueData(rng() % 8 ? sh->queue : 9999, &v, sizeof v, &v, sizeof v, 0, 0);
            break;
        }
        case 21: {
            uint64_t v[2];
            size_t n;
            rc = acltdtDequeueData(sh->queue, v, rng() % 4 ? sizeof v : 4, &n, nullptr, 0, 0);
            break;
        }
        case 23: rc = aclmdlRICaptureBegin(s, (aclmdlRICaptureMode)(rng() % 4)); break;
        case 24: {
            aclmdlRI got = nullptr;
            rc = aclmdlRICaptureEnd(s, &got);
            if (rc == ACL_SUCCESS && got) {
                lk.lock();
                sh->ris.push_back(got);
                lk.unlock();
            }
            break;
        }
        case 25: rc = aclmdlRIExecuteAsync(ri, rng() % 2 ? s : ps); break;
        case 26: {
            lk.lock();
            if (!sh->ris.empty()) {
                size_t k = rng() % sh->ris.size();
                aclmdlRI gone = sh->ris[k];
                sh->ris.erase(sh->ris.begin() + (long)k);
                sh->dead_ris.push_back(gone);
                lk.unlock();
                rc = aclmdlRIDestroy(gone);
            } else {
                lk.unlock();
                aclmdlRICaptureStatus st;
                rc = aclmdlRICaptureGetInfo(s, &st, nullptr);
            }
            break;
        }
        case 27: { // a whole virtual memory round, or a misuse of one
            aclrtPhysicalMemProp prop = {ACL_MEM_HANDLE_TYPE_NONE, ACL_MEM_ALLOCATION_TYPE_PINNED, ACL_HBM_MEM_NORMAL,
                                         {0, ACL_MEM_LOCATION_TYPE_DEVICE}, 0};
            aclrtDrvMemHandle h = nullptr;
            void *va = nullptr;
            const size_t g = 2 << 20;
            if (rng() % 4 == 0) {
                rc = aclrtMapMem(m, g, 0, s, 0); // a stream is no physical memory handle
                break;
            }
            if ((rc = aclrtMallocPhysical(&h, g, &prop, 0)) != ACL_SUCCESS)
                break;
            if ((rc = aclrtReserveMemAddress(&va, 2 * g, 0, nullptr, 0)) == ACL_SUCCESS) {
                if ((rc = aclrtMapMem(va, g, 0, h, 0)) == ACL_SUCCESS) {
                    rc = aclrtMemsetAsync(va, g, 1, 4096, ps);
                    if (rc == ACL_SUCCESS)
                        rc = aclrtUnmapMem(rng() % 4 ? va : (char *)va + g); // the second: not mapped
                    if (rc != ACL_SUCCESS) {
                        EXPECT_EQ(aclrtUnmapMem(va), ACL_SUCCESS);
                    }
                }
                EXPECT_EQ(aclrtReleaseMemAddress(va), ACL_SUCCESS);
            }
            EXPECT_EQ(aclrtFreePhysical(h), ACL_SUCCESS);
            break;
        }
        case 28: { // a notify recorded and waited for on one stream
            aclrtNotify n = nullptr;
            if ((rc = aclrtCreateNotify(&n, 0)) != ACL_SUCCESS)
                break;
            rc = aclrtRecordNotify(n, ps);
            if (rc == ACL_SUCCESS)
                rc = aclrtWaitAndResetNotify(n, ps, 0);
            EXPECT_EQ(aclrtDestroyNotify(n), ACL_SUCCESS);
            break;
        }
        case 29: { // keys: a small block cannot be shared; made-up keys name nothing
            char key[65];
            void *p = nullptr;
            rc = rng() % 2 ? aclrtIpcMemGetExportKey(m, 64, key, sizeof key, 0)
                           : aclrtIpcMemImportByKey(&p, rng() % 2 ? "hacl-ipc:1:2:3" : "junk", 0);
            break;
        }
        case 30: {
            aclrtLabel l = nullptr;
            if ((rc = aclrtCreateLabel(&l)) == ACL_SUCCESS) {
                rc = aclrtSetLabel(l, s);
                EXPECT_EQ(aclrtDestroyLabel(l), ACL_SUCCESS);
            }
            break;
        }
        case 22: {
            acltdtBuf b = nullptr;
            if (rng() % 2) {
                rc = acltdtAllocBuf(16, ACL_TDT_NORMAL_MEM, &b);
                if (rc == ACL_SUCCESS && (rc = acltdtEnqueue(sh->queue, b, 0)) != ACL_SUCCESS) {
                    EXPECT_EQ(acltdtFreeBuf(b), ACL_SUCCESS);
                }
            } else if ((rc = acltdtDequeue(sh->queue, &b, 0)) == ACL_SUCCESS) {
                rc = acltdtFreeBuf(b);
            }
            break;
        }
        }
        if (!Known(rc)) {
            ADD_FAILURE() << "op " << i << " returned " << rc << ": " << TakeErrMsg();
            (*unknown)++;
        }
    }
    aclrtSynchronizeStream(ps);
    EXPECT_EQ(aclrtDestroyStream(ps), ACL_SUCCESS);
    EXPECT_EQ(acltdtDestroyDataset(recvset), ACL_SUCCESS);
    EXPECT_EQ(acltdtDestroyDataset(sendset), ACL_SUCCESS);
    EXPECT_EQ(acltdtDestroyDataItem(item), ACL_SUCCESS);
    aclGetRecentErrMsg();
}

TEST(Cann8Soak, RandomCallsFromFourThreadsNeitherCrashNorHang)
{
    ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    aclrtContext ctx;
    ASSERT_EQ(aclrtGetCurrentContext(&ctx), ACL_SUCCESS);
    Shared sh;
    for (int i = 0; i < 4; i++) {
        aclrtStream s;
        ASSERT_EQ(aclrtCreateStream(&s), ACL_SUCCESS);
        sh.streams.push_back(s);
        void *p;
        ASSERT_EQ(aclrtMalloc(&p, 256, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
        ASSERT_EQ(aclrtMemset(p, 256, 0, 256), ACL_SUCCESS);
        sh.mem.push_back(p);
    }
    void *freed;
    ASSERT_EQ(aclrtMalloc(&freed, 256, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtFree(freed), ACL_SUCCESS);
    sh.dead_mem.push_back(freed);
    static char host_bytes[256];
    sh.dead_mem.push_back(host_bytes);
    sh.channel = acltdtCreateChannelWithCapacity(0, "soak", 4);
    ASSERT_NE(sh.channel, nullptr);
    acltdtQueueAttr *qa = acltdtCreateQueueAttr();
    ASSERT_EQ(acltdtCreateQueue(qa, &sh.queue), ACL_SUCCESS);
    acltdtDestroyQueueAttr(qa);
    std::atomic<int> unknown{0};
    std::vector<std::thread> ts;
    for (unsigned t = 0; t < 4; t++)
        ts.emplace_back(Worker, &sh, ctx, 1234u + t, &unknown);
    for (auto &t : ts)
        t.join();
    EXPECT_EQ(unknown.load(), 0);
    EXPECT_EQ(acltdtDestroyChannel(sh.channel), ACL_SUCCESS);
    EXPECT_EQ(acltdtDestroyQueue(sh.queue), ACL_SUCCESS);
    for (aclrtStream s : sh.streams) {
        aclrtSynchronizeStream(s); // earlier task failures are reported here
        EXPECT_EQ(aclrtDestroyStream(s), ACL_SUCCESS) << TakeErrMsg();
    }
    for (aclrtAllocatorDesc d : sh.descs)
        EXPECT_EQ(aclrtAllocatorDestroyDesc(d), ACL_SUCCESS);
    for (aclmdlRI r : sh.ris)
        EXPECT_EQ(aclmdlRIDestroy(r), ACL_SUCCESS);
    for (void *p : sh.mem)
        EXPECT_EQ(aclrtFree(p), ACL_SUCCESS);
    aclrtResetDeviceResLimit(0);
    aclGetRecentErrMsg();
    EXPECT_EQ(aclrtResetDevice(0), ACL_SUCCESS);
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
}

} // namespace
