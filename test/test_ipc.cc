// Sharing between processes, against a second process (ipc_peer) driven
// through pipes: IPC memory with and without pid validation, physical
// memory through shareable handles, IPC events and notifies both ways,
// forged and stale keys, and an exporter killed while its memory is used.
// Also virtual memory in one process: mapping, access, budget, misuse.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <string>
#include <thread>
#include <vector>

#include "test_util.h"

extern char **environ;

namespace {

class Peer {
public:
    Peer()
    {
        int in[2], out[2];
        EXPECT_EQ(pipe(in), 0);
        EXPECT_EQ(pipe(out), 0);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, in[0], 0);
        posix_spawn_file_actions_adddup2(&fa, out[1], 1);
        posix_spawn_file_actions_addclose(&fa, in[1]);
        posix_spawn_file_actions_addclose(&fa, out[0]);
        char *argv[] = {(char *)IPC_PEER_PATH, nullptr};
        EXPECT_EQ(posix_spawn(&pid_, IPC_PEER_PATH, &fa, nullptr, argv, environ), 0);
        posix_spawn_file_actions_destroy(&fa);
        close(in[0]);
        close(out[1]);
        to_ = fdopen(in[1], "w");
        from_ = out[0];
    }
    ~Peer()
    {
        if (pid_ > 0) {
            Send("exit");
            int st;
            waitpid(pid_, &st, 0);
        }
        fclose(to_);
        close(from_);
    }
    void Send(const std::string &cmd)
    {
        fprintf(to_, "%s\n", cmd.c_str());
        fflush(to_);
    }
    // The next line of its answers, or "" when none came within ms.
    std::string Read(int ms = 10000)
    {
        std::string line;
        for (;;) {
            struct pollfd p = {from_, POLLIN, 0};
            if (poll(&p, 1, ms) <= 0)
                return "";
            char c;
            if (read(from_, &c, 1) != 1)
                return line;
            if (c == '\n')
                return line;
            line += c;
        }
    }
    std::string Ask(const std::string &cmd)
    {
        Send(cmd);
        return Read();
    }
    pid_t pid() const { return pid_; }
    void Kill()
    {
        kill(pid_, SIGKILL);
        int st;
        waitpid(pid_, &st, 0);
        pid_ = -1;
    }

private:
    pid_t pid_ = -1;
    FILE *to_ = nullptr;
    int from_ = -1;
};

std::string Rc(aclError rc)
{
    return "rc " + std::to_string(rc);
}

class Ipc : public StreamTest {
protected:
    int32_t *Filled(size_t n, int32_t v)
    {
        void *d = nullptr;
        EXPECT_EQ(aclrtMalloc(&d, n * 4, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
        std::vector<int32_t> host(n, v);
        EXPECT_EQ(aclrtMemcpy(d, n * 4, host.data(), n * 4, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
        return (int32_t *)d;
    }
    std::vector<int32_t> Get(const void *d, size_t n)
    {
        std::vector<int32_t> v(n);
        EXPECT_EQ(aclrtMemcpy(v.data(), n * 4, d, n * 4, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS) << TakeErrMsg();
        return v;
    }
};

TEST_F(Ipc, MemoryNeedsThePidAndIsSharedBothWays)
{
    const size_t n = 256 * 1024; // 1 MiB
    int32_t *d = Filled(n, 3);
    char key[65];
    ASSERT_EQ(aclrtIpcMemGetExportKey(d, n * 4, key, sizeof key, ACL_RT_IPC_MEM_EXPORT_FLAG_DEFAULT), ACL_SUCCESS)
        << TakeErrMsg();
    EXPECT_EQ(Get(d, 4), (std::vector<int32_t>{3, 3, 3, 3})); // unchanged by the move into shared memory
    Peer peer;
    EXPECT_EQ(peer.Ask(std::string("import ") + key), Rc(ACL_ERROR_RT_NO_PERMISSION));
    int32_t pid = peer.pid();
    ASSERT_EQ(aclrtIpcMemSetImportPid(key, &pid, 1), ACL_SUCCESS);
    ASSERT_EQ(peer.Ask(std::string("import ") + key), Rc(ACL_SUCCESS));
    EXPECT_EQ(peer.Ask("sum 1000"), "sum 3000");
    ASSERT_EQ(peer.Ask("fill 1000 7"), Rc(ACL_SUCCESS));
    std::vector<int32_t> got = Get(d, 1001);
    EXPECT_EQ(got[0], 7);
    EXPECT_EQ(got[999], 7);
    EXPECT_EQ(got[1000], 3);
    // Closing the export: no new import, the existing one stays usable.
    ASSERT_EQ(aclrtIpcMemClose(key), ACL_SUCCESS);
    EXPECT_EQ(aclrtIpcMemClose(key), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(peer.Ask("sum 2"), "sum 14");
    EXPECT_EQ(peer.Ask(std::string("import ") + key), Rc(ACL_ERROR_RT_IPC_ERROR));
    EXPECT_EQ(peer.Ask(std::string("close ") + key), Rc(ACL_SUCCESS));
    EXPECT_EQ(peer.Ask(std::string("close ") + key), Rc(ACL_ERROR_INVALID_PARAM));
    // A second key on the same allocation, freed while exported.
    char key2[65];
    ASSERT_EQ(aclrtIpcMemGetExportKey(d, 16, key2, sizeof key2, ACL_RT_IPC_MEM_EXPORT_FLAG_DISABLE_PID_VALIDATION),
              ACL_SUCCESS);
    EXPECT_STRNE(key, key2);
    ASSERT_EQ(aclrtFree(d), ACL_SUCCESS);
    EXPECT_EQ(peer.Ask(std::string("import ") + key2), Rc(ACL_ERROR_RT_IPC_ERROR)); // freed: gone
}

TEST_F(Ipc, ForgedStaleAndUnshareableKeysAreRefused)
{
    int32_t *small = Filled(16, 1), *big = Filled(64 * 1024, 1);
    char key[65];
    EXPECT_EQ(aclrtIpcMemGetExportKey(small, 64, key, sizeof key, 0), ACL_ERROR_RT_FEATURE_NOT_SUPPORT);
    EXPECT_EQ(aclrtIpcMemGetExportKey((char *)big + 4096, 64, key, sizeof key, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtIpcMemGetExportKey(big, 64 * 1024 * 4 + 1, key, sizeof key, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtIpcMemGetExportKey(big, 64, key, 8, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtIpcMemGetExportKey(big, 64, key, sizeof key, 4), ACL_ERROR_INVALID_PARAM);
    ASSERT_EQ(aclrtIpcMemGetExportKey(big, 64 * 1024 * 4, key, sizeof key, 1), ACL_SUCCESS);
    std::string forged = key;
    forged[forged.size() - 1] = forged.back() == '0' ? '1' : '0'; // another nonce
    void *p = nullptr;
    Peer peer;
    EXPECT_EQ(peer.Ask("import " + forged), Rc(ACL_ERROR_RT_IPC_ERROR));
    EXPECT_EQ(peer.Ask("import hacl-ipc:1:2:zz"), Rc(ACL_ERROR_RT_IPC_ERROR));
    EXPECT_EQ(peer.Ask("import not-a-key"), Rc(ACL_ERROR_RT_IPC_ERROR));
    EXPECT_EQ(aclrtIpcMemImportByKey(&p, "hacl-ipc:999999:3:12345678", 0), ACL_ERROR_RT_IPC_ERROR);
    EXPECT_EQ(aclrtIpcMemImportByKey(&p, key, 8), ACL_ERROR_INVALID_PARAM);
    int32_t pid = 1;
    EXPECT_EQ(aclrtIpcMemSetImportPid(forged.c_str(), &pid, 1), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtIpcMemSetImportPid(key, &pid, 0), ACL_ERROR_INVALID_PARAM);
    // Imported in this very process: a second view of the same memory.
    ASSERT_EQ(aclrtIpcMemImportByKey(&p, key, 0), ACL_SUCCESS) << TakeErrMsg();
    EXPECT_NE(p, (void *)big);
    int32_t v = 42;
    ASSERT_EQ(aclrtMemcpy(p, 4, &v, 4, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
    EXPECT_EQ(Get(big, 1)[0], 42);
    EXPECT_EQ(aclrtFree(p), ACL_ERROR_RT_MEMORY_FREE); // not the allocator's
    EXPECT_NE(TakeErrMsg().find("aclrtIpcMemClose"), std::string::npos);
    EXPECT_EQ(aclrtIpcMemClose(key), ACL_SUCCESS); // the import here
    EXPECT_EQ(aclrtMemcpy(p, 4, &v, 4, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_RT_PARAM_INVALID); // unmapped
    EXPECT_EQ(aclrtFree(small), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(big), ACL_SUCCESS);
}

TEST_F(Ipc, AKilledExporterLeavesImportedMemoryUsableAndItsKeysDead)
{
    Peer exporter;
    std::string answer = exporter.Ask("export 8192 5");
    ASSERT_EQ(answer.rfind("key ", 0), 0u) << answer;
    std::string key = answer.substr(4);
    void *p = nullptr;
    ASSERT_EQ(aclrtIpcMemImportByKey(&p, key.c_str(), 0), ACL_SUCCESS) << TakeErrMsg();
    exporter.Kill();
    std::vector<int32_t> got = Get(p, 8192);
    EXPECT_EQ(got[0], 5);
    EXPECT_EQ(got[8191], 5);
    void *q = nullptr;
    EXPECT_EQ(aclrtIpcMemImportByKey(&q, key.c_str(), 0), ACL_ERROR_RT_IPC_ERROR);
    EXPECT_NE(TakeErrMsg().find("exited"), std::string::npos);
    EXPECT_EQ(aclrtIpcMemClose(key.c_str()), ACL_SUCCESS);
    // A killed importer: the memory here is unaffected and freed as usual.
    int32_t *d = Filled(64 * 1024, 9);
    char k[65];
    ASSERT_EQ(aclrtIpcMemGetExportKey(d, 64 * 1024 * 4, k, sizeof k, 1), ACL_SUCCESS);
    {
        Peer importer;
        ASSERT_EQ(importer.Ask(std::string("import ") + k), Rc(ACL_SUCCESS));
        ASSERT_EQ(importer.Ask("fill 10 8"), Rc(ACL_SUCCESS));
        importer.Kill();
    }
    EXPECT_EQ(Get(d, 11), (std::vector<int32_t>{8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 9}));
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
}

TEST_F(Ipc, EventsRecordedInOneProcessReleaseWaitsInTheOther)
{
    aclrtEvent plain, ev;
    aclrtIpcEventHandle h;
    ASSERT_EQ(aclrtCreateEvent(&plain), ACL_SUCCESS);
    EXPECT_EQ(aclrtIpcGetEventHandle(plain, &h), ACL_ERROR_INVALID_PARAM); // not an IPC event
    ASSERT_EQ(aclrtCreateEventExWithFlag(&ev, ACL_EVENT_IPC), ACL_SUCCESS);
    ASSERT_EQ(aclrtRecordEvent(ev, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeEvent(ev), ACL_SUCCESS);
    ASSERT_EQ(aclrtIpcGetEventHandle(ev, &h), ACL_SUCCESS);
    Peer peer;
    ASSERT_EQ(peer.Ask(std::string("event ") + h.reserved), Rc(ACL_SUCCESS));
    EXPECT_EQ(peer.Ask("query"), "status 1"); // the record made before the handle
    EXPECT_EQ(peer.Ask("wait"), Rc(ACL_SUCCESS));
    // A record held back by a gate: the other process's wait waits for it.
    Gate gate;
    ASSERT_EQ(aclrtLaunchHostFunc(stream_, Gate::Wait, &gate), ACL_SUCCESS);
    ASSERT_EQ(aclrtRecordEvent(ev, stream_), ACL_SUCCESS);
    gate.WaitEntered();
    peer.Send("wait");
    EXPECT_EQ(peer.Read(100), ""); // still waiting
    gate.open = true;
    EXPECT_EQ(peer.Read(), Rc(ACL_SUCCESS));
    // And the other way: the peer records, a stream here waits.
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    ASSERT_EQ(peer.Ask("record"), Rc(ACL_SUCCESS));
    aclrtEventRecordedStatus st;
    ASSERT_EQ(aclrtQueryEventStatus(ev, &st), ACL_SUCCESS);
    EXPECT_EQ(st, ACL_EVENT_RECORDED_STATUS_COMPLETE);
    ASSERT_EQ(aclrtStreamWaitEvent(stream_, ev), ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    aclrtIpcEventHandle forged = h;
    forged.reserved[strlen(forged.reserved) - 1] ^= 1;
    aclrtEvent other;
    EXPECT_EQ(aclrtIpcOpenEventHandle(forged, &other), ACL_ERROR_RT_IPC_ERROR);
    memset(forged.reserved, 'x', sizeof forged.reserved);
    EXPECT_EQ(aclrtIpcOpenEventHandle(forged, &other), ACL_ERROR_RT_IPC_ERROR);
    EXPECT_EQ(aclrtDestroyEvent(ev), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyEvent(plain), ACL_SUCCESS);
    EXPECT_EQ(peer.Ask(std::string("event ") + h.reserved), Rc(ACL_ERROR_RT_IPC_ERROR)); // destroyed: stale
}

TEST_F(Ipc, NotifiesSignalAcrossProcesses)
{
    aclrtNotify nt;
    EXPECT_EQ(aclrtCreateNotify(&nt, 7), ACL_ERROR_INVALID_PARAM);
    ASSERT_EQ(aclrtCreateNotify(&nt, ACL_NOTIFY_DEFAULT), ACL_SUCCESS);
    uint32_t id = 99;
    EXPECT_EQ(aclrtGetNotifyId(nt, &id), ACL_SUCCESS);
    char key[65];
    int32_t pid = 1;
    EXPECT_EQ(aclrtNotifySetImportPid(nt, &pid, 1), ACL_ERROR_INVALID_PARAM); // no key yet
    ASSERT_EQ(aclrtNotifyGetExportKey(nt, key, sizeof key, ACL_RT_NOTIFY_EXPORT_FLAG_DEFAULT), ACL_SUCCESS);
    Peer peer;
    EXPECT_EQ(peer.Ask(std::string("notify ") + key), Rc(ACL_ERROR_RT_NO_PERMISSION));
    pid = peer.pid();
    ASSERT_EQ(aclrtNotifySetImportPid(nt, &pid, 1), ACL_SUCCESS);
    ASSERT_EQ(peer.Ask(std::string("notify ") + key), Rc(ACL_SUCCESS));
    // Here waits, there records.
    ASSERT_EQ(aclrtWaitAndResetNotify(nt, stream_, 0), ACL_SUCCESS);
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    aclrtStreamStatus ss;
    ASSERT_EQ(aclrtStreamQuery(stream_, &ss), ACL_SUCCESS);
    EXPECT_EQ(ss, ACL_STREAM_STATUS_NOT_READY);
    ASSERT_EQ(peer.Ask("nrecord"), Rc(ACL_SUCCESS));
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    // There waits, here records.
    peer.Send("nwait");
    EXPECT_EQ(peer.Read(100), "");
    ASSERT_EQ(aclrtRecordNotify(nt, stream_), ACL_SUCCESS);
    EXPECT_EQ(peer.Read(), Rc(ACL_SUCCESS));
    EXPECT_EQ(aclrtDestroyNotify(nt), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyNotify(nt), ACL_ERROR_INVALID_RESOURCE_HANDLE);
}

class Vmm : public Ipc {
protected:
    aclrtPhysicalMemProp Prop()
    {
        aclrtPhysicalMemProp p = {};
        p.handleType = ACL_MEM_HANDLE_TYPE_NONE;
        p.allocationType = ACL_MEM_ALLOCATION_TYPE_PINNED;
        p.memAttr = ACL_HBM_MEM_NORMAL;
        p.location = {0, ACL_MEM_LOCATION_TYPE_DEVICE};
        return p;
    }
};

TEST_F(Vmm, MappedMemoryWorksWithCopiesHonoursAccessAndCountsInTheBudget)
{
    aclrtPhysicalMemProp prop = Prop();
    size_t g = 0;
    ASSERT_EQ(aclrtMemGetAllocationGranularity(&prop, ACL_RT_MEM_ALLOC_GRANULARITY_MINIMUM, &g), ACL_SUCCESS);
    EXPECT_EQ(g, 2u << 20);
    size_t free0, total;
    ASSERT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &free0, &total), ACL_SUCCESS);
    aclrtDrvMemHandle h;
    ASSERT_EQ(aclrtMallocPhysical(&h, 2 * g, &prop, 0), ACL_SUCCESS) << TakeErrMsg();
    size_t free1;
    ASSERT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &free1, &total), ACL_SUCCESS);
    EXPECT_EQ(free0 - free1, 2 * g);
    void *va;
    ASSERT_EQ(aclrtReserveMemAddress(&va, 4 * g, 0, nullptr, 0), ACL_SUCCESS);
    EXPECT_EQ((uintptr_t)va % g, 0u);
    char *a = (char *)va;
    ASSERT_EQ(aclrtMapMem(a + g, 2 * g, 0, h, 0), ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(aclrtMapMem(a, 2 * g, 0, h, 0), ACL_ERROR_INVALID_PARAM); // overlaps
    EXPECT_EQ(aclrtMapMem(a + 3 * g, 2 * g, 0, h, 0), ACL_ERROR_INVALID_PARAM); // past the reservation
    EXPECT_EQ(aclrtMapMem(a, g, 2 * g, h, 0), ACL_ERROR_INVALID_PARAM); // past the physical memory
    EXPECT_EQ(aclrtMapMem(a, 4096, 0, h, 0), ACL_ERROR_INVALID_PARAM); // not a granule
    std::vector<int32_t> host(1024, 11);
    ASSERT_EQ(aclrtMemcpy(a + g, 4096, host.data(), 4096, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS) << TakeErrMsg();
    ASSERT_EQ(aclrtMemsetAsync(a + g + 4096, 4096, 1, 4096, stream_), ACL_SUCCESS);
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
    EXPECT_EQ(Get(a + g, 1)[0], 11);
    EXPECT_EQ(Get(a + g + 4096, 1)[0], 0x01010101);
    void *base;
    size_t size;
    ASSERT_EQ(aclrtMemGetAddressRange(a + g + 100, &base, &size), ACL_SUCCESS);
    EXPECT_EQ(base, a + g);
    EXPECT_EQ(size, 2 * g);
    // Access: read-only refuses writes, none refuses both.
    aclrtMemAccessDesc desc = {};
    desc.location = {0, ACL_MEM_LOCATION_TYPE_DEVICE};
    desc.flags = ACL_RT_MEM_ACCESS_FLAGS_READ;
    ASSERT_EQ(aclrtMemSetAccess(a + g, 2 * g, &desc, 1), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemcpy(a + g, 4, host.data(), 4, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_RT_NO_PERMISSION);
    EXPECT_EQ(aclrtMemset(a + g, 4, 0, 4), ACL_ERROR_RT_NO_PERMISSION);
    EXPECT_EQ(Get(a + g, 1)[0], 11);
    aclrtMemLocation loc;
    uint64_t flag;
    ASSERT_EQ(aclrtMemGetAccess(a + g + 5, &loc, &flag), ACL_SUCCESS);
    EXPECT_EQ(flag, (uint64_t)ACL_RT_MEM_ACCESS_FLAGS_READ);
    desc.flags = ACL_RT_MEM_ACCESS_FLAGS_NONE;
    ASSERT_EQ(aclrtMemSetAccess(a + g, 2 * g, &desc, 1), ACL_SUCCESS);
    int32_t x;
    EXPECT_EQ(aclrtMemcpy(&x, 4, a + g, 4, ACL_MEMCPY_DEVICE_TO_HOST), ACL_ERROR_RT_NO_PERMISSION);
    desc.flags = ACL_RT_MEM_ACCESS_FLAGS_READWRITE;
    ASSERT_EQ(aclrtMemSetAccess(a + g, 2 * g, &desc, 1), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemSetAccess(a, 2 * g, &desc, 1), ACL_ERROR_INVALID_PARAM); // a is not mapped
    desc.flags = (aclrtMemAccessFlags)2;
    EXPECT_EQ(aclrtMemSetAccess(a + g, 2 * g, &desc, 1), ACL_ERROR_INVALID_PARAM);
    // Not the allocator's memory; the range is still mapped.
    EXPECT_EQ(aclrtFree(a + g), ACL_ERROR_RT_MEMORY_FREE);
    EXPECT_EQ(aclrtReleaseMemAddress(va), ACL_ERROR_INVALID_PARAM);
    // The handle freed while mapped: the memory stays until unmapped.
    ASSERT_EQ(aclrtFreePhysical(h), ACL_SUCCESS);
    EXPECT_EQ(aclrtFreePhysical(h), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(Get(a + g, 1)[0], 11);
    ASSERT_EQ(aclrtUnmapMem(a + g), ACL_SUCCESS);
    EXPECT_EQ(aclrtUnmapMem(a + g), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemcpy(&x, 4, a + g, 4, ACL_MEMCPY_DEVICE_TO_HOST), ACL_ERROR_RT_PARAM_INVALID);
    size_t free2;
    ASSERT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &free2, &total), ACL_SUCCESS);
    EXPECT_EQ(free2, free0);
    ASSERT_EQ(aclrtReleaseMemAddress(va), ACL_SUCCESS);
    EXPECT_EQ(aclrtReleaseMemAddress(va), ACL_ERROR_INVALID_PARAM);
}

TEST_F(Vmm, MisuseGetsItsCode)
{
    aclrtPhysicalMemProp prop = Prop();
    size_t g;
    aclrtDrvMemHandle h;
    void *va;
    EXPECT_EQ(aclrtMemGetAllocationGranularity(&prop, (aclrtMemGranularityOptions)5, &g), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMallocPhysical(&h, 1000, &prop, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMallocPhysical(&h, 2 << 20, &prop, 1), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMallocPhysical(&h, 2 << 20, nullptr, 0), ACL_ERROR_INVALID_PARAM);
    aclrtPhysicalMemProp bad = prop;
    bad.location.id = 77;
    EXPECT_EQ(aclrtMallocPhysical(&h, 2 << 20, &bad, 0), ACL_ERROR_RT_INVALID_DEVICEID);
    bad = prop;
    bad.location.type = ACL_MEM_LOCATION_TYPE_HOST;
    EXPECT_EQ(aclrtMallocPhysical(&h, 2 << 20, &bad, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMallocPhysical(&h, (size_t)1 << 50, &prop, 0), ACL_ERROR_RT_MEMORY_ALLOCATION); // over budget
    EXPECT_EQ(aclrtReserveMemAddress(&va, 4096, 0, nullptr, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtReserveMemAddress(&va, 2 << 20, 3, nullptr, 0), ACL_ERROR_INVALID_PARAM);
    int32_t local;
    EXPECT_EQ(aclrtMapMem(&local, 2 << 20, 0, &local, 0), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(aclrtUnmapMem(&local), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtReleaseMemAddress(&local), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtFreePhysical(&local), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    uint64_t sh;
    EXPECT_EQ(aclrtMemImportFromShareableHandle(0, 0, &h), ACL_ERROR_RT_IPC_ERROR);
    EXPECT_EQ(aclrtMemImportFromShareableHandle(0x123456789abcull, 0, &h), ACL_ERROR_RT_IPC_ERROR);
    ASSERT_EQ(aclrtMallocPhysical(&h, 2 << 20, &prop, 0), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemExportToShareableHandle(h, (aclrtMemHandleType)9, 0, &sh), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemExportToShareableHandle(h, ACL_MEM_HANDLE_TYPE_NONE, 8, &sh), ACL_ERROR_INVALID_PARAM);
    // Left mapped and unfreed on purpose: aclFinalize releases it all.
    ASSERT_EQ(aclrtReserveMemAddress(&va, 2 << 20, 0, nullptr, 0), ACL_SUCCESS);
    ASSERT_EQ(aclrtMapMem(va, 2 << 20, 0, h, 0), ACL_SUCCESS);
}

TEST_F(Vmm, PhysicalMemorySharedByHandle)
{
    aclrtPhysicalMemProp prop = Prop();
    const size_t g = 2 << 20;
    aclrtDrvMemHandle h;
    ASSERT_EQ(aclrtMallocPhysical(&h, g, &prop, 0), ACL_SUCCESS);
    void *va;
    ASSERT_EQ(aclrtReserveMemAddress(&va, g, 0, nullptr, 0), ACL_SUCCESS);
    ASSERT_EQ(aclrtMapMem(va, g, 0, h, 0), ACL_SUCCESS);
    std::vector<int32_t> five(100, 5);
    ASSERT_EQ(aclrtMemcpy(va, 400, five.data(), 400, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
    uint64_t sh = 0;
    ASSERT_EQ(aclrtMemExportToShareableHandle(h, ACL_MEM_HANDLE_TYPE_NONE, ACL_RT_VMM_EXPORT_FLAG_DEFAULT, &sh),
              ACL_SUCCESS);
    char hex[32];
    snprintf(hex, sizeof hex, "%llx", (unsigned long long)sh);
    Peer peer;
    EXPECT_EQ(peer.Ask(std::string("phys ") + hex), Rc(ACL_ERROR_RT_NO_PERMISSION));
    int32_t pid = peer.pid();
    ASSERT_EQ(aclrtMemSetPidToShareableHandle(sh, &pid, 1), ACL_SUCCESS);
    ASSERT_EQ(peer.Ask(std::string("phys ") + hex), Rc(ACL_SUCCESS));
    EXPECT_EQ(peer.Ask("psum 100"), "sum 500");
    ASSERT_EQ(peer.Ask("pfill 100 9"), Rc(ACL_SUCCESS));
    EXPECT_EQ(Get(va, 100), std::vector<int32_t>(100, 9));
    EXPECT_EQ(peer.Ask("unmap"), Rc(ACL_SUCCESS));
    // V2 forms, and importing in this process.
    aclrtMemFabricHandle fab;
    ASSERT_EQ(aclrtMemExportToShareableHandleV2(h, 1, ACL_MEM_SHARE_HANDLE_TYPE_FABRIC, &fab), ACL_SUCCESS);
    aclrtDrvMemHandle h2;
    ASSERT_EQ(aclrtMemImportFromShareableHandleV2(&fab, ACL_MEM_SHARE_HANDLE_TYPE_FABRIC, 0, &h2), ACL_SUCCESS);
    aclrtPhysicalMemProp got;
    ASSERT_EQ(aclrtMemGetAllocationPropertiesFromHandle(h2, &got), ACL_SUCCESS);
    EXPECT_EQ(got.location.id, 0u);
    EXPECT_EQ(aclrtMemExportToShareableHandle(h2, ACL_MEM_HANDLE_TYPE_NONE, 0, &sh), ACL_ERROR_INVALID_PARAM);
    ASSERT_EQ(aclrtFreePhysical(h2), ACL_SUCCESS);
    ASSERT_EQ(aclrtUnmapMem(va), ACL_SUCCESS);
    ASSERT_EQ(aclrtFreePhysical(h), ACL_SUCCESS);
    ASSERT_EQ(aclrtReleaseMemAddress(va), ACL_SUCCESS);
    EXPECT_EQ(peer.Ask(std::string("phys ") + hex), Rc(ACL_ERROR_RT_IPC_ERROR)); // freed: stale
}

} // namespace

namespace {
// The error paths of the calls the other tests use only when they work.
TEST_F(Vmm, QueriesAndSharingCallsRefuseBadArguments)
{
    aclrtPhysicalMemProp prop = Prop();
    const size_t g = 2 << 20;
    void *va = nullptr, *base = nullptr;
    size_t size = 0;
    aclrtDrvMemHandle h = nullptr, got = nullptr;
    int32_t local = 0, pid = 1;
    EXPECT_EQ(aclrtReserveMemAddressNoUCMemory(&va, 4096, 0, nullptr, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtReserveMemAddressNoUCMemory(nullptr, g, 0, nullptr, 0), ACL_ERROR_INVALID_PARAM);
    ASSERT_EQ(aclrtReserveMemAddressNoUCMemory(&va, g, 0, nullptr, 0), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemRetainAllocationHandle(va, &got), ACL_ERROR_INVALID_PARAM); // reserved, not mapped
    EXPECT_EQ(aclrtMemRetainAllocationHandle(nullptr, &got), ACL_ERROR_INVALID_PARAM);
    aclrtMemLocation loc;
    uint64_t flag;
    EXPECT_EQ(aclrtMemGetAccess(va, &loc, &flag), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemGetAccess(va, nullptr, &flag), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemGetAddressRange(&local, &base, &size), ACL_ERROR_INVALID_PARAM); // host memory
    EXPECT_EQ(aclrtMemGetAddressRange(nullptr, &base, &size), ACL_ERROR_INVALID_PARAM);
    ASSERT_EQ(aclrtMallocPhysical(&h, g, &prop, 0), ACL_SUCCESS);
    ASSERT_EQ(aclrtMapMem(va, g, 0, h, 0), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemRetainAllocationHandle((char *)va + 100, &got), ACL_SUCCESS);
    EXPECT_EQ(got, h);
    aclrtPhysicalMemProp back;
    EXPECT_EQ(aclrtMemGetAllocationPropertiesFromHandle(h, nullptr), ACL_ERROR_INVALID_PARAM);
    aclrtMemFabricHandle fab;
    EXPECT_EQ(aclrtMemExportToShareableHandleV2(h, 0, (aclrtMemSharedHandleType)7, &fab), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemExportToShareableHandleV2(h, 0, ACL_MEM_SHARE_HANDLE_TYPE_DEFAULT, nullptr),
              ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemImportFromShareableHandleV2(&fab, ACL_MEM_SHARE_HANDLE_TYPE_FABRIC, 1, &got),
              ACL_ERROR_INVALID_PARAM); // reserved flags
    uint64_t sh = 0;
    ASSERT_EQ(aclrtMemExportToShareableHandle(h, ACL_MEM_HANDLE_TYPE_NONE, 0, &sh), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemSetPidToShareableHandle(sh, &pid, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtMemSetPidToShareableHandle(sh ^ 1, &pid, 1), ACL_ERROR_INVALID_PARAM); // not a live export
    EXPECT_EQ(aclrtMemSetPidToShareableHandle(0, &pid, 1), ACL_ERROR_INVALID_PARAM);
    ASSERT_EQ(aclrtUnmapMem(va), ACL_SUCCESS);
    ASSERT_EQ(aclrtFreePhysical(h), ACL_SUCCESS);
    EXPECT_EQ(aclrtMemGetAllocationPropertiesFromHandle(h, &back), ACL_ERROR_INVALID_RESOURCE_HANDLE); // freed
    EXPECT_EQ(aclrtReleaseMemAddress(va), ACL_SUCCESS);
    // IPC keys and notifies
    char key[65];
    EXPECT_EQ(aclrtIpcMemSetAttr("junk", ACL_RT_IPC_MEM_ATTR_ACCESS_LINK, 0), ACL_ERROR_RT_IPC_ERROR);
    EXPECT_EQ(aclrtIpcMemSetAttr(nullptr, ACL_RT_IPC_MEM_ATTR_ACCESS_LINK, 0), ACL_ERROR_INVALID_PARAM);
    int32_t *d = Filled(64 * 1024, 0);
    ASSERT_EQ(aclrtIpcMemGetExportKey(d, 64, key, sizeof key, 0), ACL_SUCCESS);
    EXPECT_EQ(aclrtIpcMemSetAttr(key, (aclrtIpcMemAttrType)3, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtIpcMemSetAttr(key, ACL_RT_IPC_MEM_ATTR_ACCESS_LINK, 9), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtIpcMemSetAttr(key, ACL_RT_IPC_MEM_ATTR_ACCESS_LINK, ACL_RT_IPC_MEM_ATTR_ACCESS_LINK_HCCS),
              ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(d), ACL_SUCCESS);
    aclrtNotify nt;
    uint32_t id;
    ASSERT_EQ(aclrtCreateNotify(&nt, 0), ACL_SUCCESS);
    EXPECT_EQ(aclrtGetNotifyId(nt, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtNotifyGetExportKey(nt, key, 8, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtNotifyGetExportKey(nt, key, sizeof key, 1), ACL_ERROR_INVALID_PARAM); // not a NOTIFY flag
    EXPECT_EQ(aclrtNotifyImportByKey(&nt, "junk", 0), ACL_ERROR_RT_IPC_ERROR);
    EXPECT_EQ(aclrtRecordNotify(nt, &local), ACL_ERROR_INVALID_RESOURCE_HANDLE); // not a stream
    ASSERT_EQ(aclrtDestroyNotify(nt), ACL_SUCCESS);
    EXPECT_EQ(aclrtGetNotifyId(nt, &id), ACL_ERROR_INVALID_RESOURCE_HANDLE); // destroyed
    EXPECT_EQ(aclrtDeviceGetBareTgid(nullptr), ACL_ERROR_INVALID_PARAM);
    TakeErrMsg();
}
} // namespace
