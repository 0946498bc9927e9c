// aclInit / aclFinalize / aclFinalizeReference, configuration, version.
#include <thread>

#include "test_util.h"

TEST(Init, NullConfigSucceedsAndFinalizeReleases)
{
    ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
}

TEST(Init, EmptyPathIsLikeNull)
{
    ASSERT_EQ(aclInit(""), ACL_SUCCESS);
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
}

TEST(Init, EmptyFileAndEmptyObjectAreAccepted)
{
    TempFile empty(""), ws(" \n\t "), obj("{}");
    for (const TempFile *f : {&empty, &ws, &obj}) {
        ASSERT_EQ(aclInit(f->path()), ACL_SUCCESS) << TakeErrMsg();
        EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
    }
}

TEST(Init, RealApplicationConfigsWithUnknownKeysAreAccepted)
{
    // Shapes of files real applications pass: dump and profiling sections,
    // error-message mode, options of other products.
    TempFile f(R"({
      "dump": {"dump_list": [{"model_name": "resnet50"}], "dump_path": "/tmp/dump", "dump_mode": "output"},
      "profiler": {"switch": "off", "aicpu": "on"},
      "err_msg_mode": "0",
      "some_future_option": [1, 2.5, -3e2, true, false, null, "\u00e9\ud83d\ude00"]
    })");
    ASSERT_EQ(aclInit(f.path()), ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
}

TEST(Init, MissingFileIsInvalidFile)
{
    EXPECT_EQ(aclInit("/nonexistent/hostacl/acl.json"), ACL_ERROR_INVALID_FILE);
    EXPECT_NE(TakeErrMsg().find("/nonexistent/hostacl/acl.json"), std::string::npos);
    // Nothing was initialised.
    EXPECT_EQ(aclFinalize(), ACL_ERROR_REPEAT_FINALIZE);
}

TEST(Init, DirectoryIsInvalidFile)
{
    EXPECT_EQ(aclInit("/tmp"), ACL_ERROR_INVALID_FILE);
}

TEST(Init, MalformedJsonIsParseError)
{
    const char *bad[] = {"{", "{\"a\":}", "[1,2", "{\"a\" 1}", "nul", "{\"a\":1}}", "\"unterminated",
                         "{\"a\":\"\\x\"}", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]"};
    for (const char *text : bad) {
        TempFile f(text);
        EXPECT_EQ(aclInit(f.path()), ACL_ERROR_PARSE_FILE) << text;
        std::string msg = TakeErrMsg();
        EXPECT_NE(msg.find("not valid JSON"), std::string::npos) << msg;
    }
    EXPECT_EQ(aclFinalize(), ACL_ERROR_REPEAT_FINALIZE);
}

TEST(Init, TopLevelMustBeAnObject)
{
    TempFile f("[1, 2]");
    EXPECT_EQ(aclInit(f.path()), ACL_ERROR_PARSE_FILE);
}

TEST(Init, BadHostaclValuesAreRejected)
{
    const char *bad[] = {R"({"hostacl": 3})", R"({"hostacl": {"device_count": 0}})",
                         R"({"hostacl": {"device_count": 65}})", R"({"hostacl": {"device_count": 1.5}})",
                         R"({"hostacl": {"device_count": "2"}})", R"({"hostacl": {"device_memory": "lots"}})",
                         R"({"hostacl": {"device_memory": 1000}})", R"({"hostacl": {"compute_threads": 0}})",
                         R"({"hostacl": {"worker_threads": -1}})", R"({"err_msg_mode": "2"})"};
    for (const char *text : bad) {
        TempFile f(text);
        EXPECT_EQ(aclInit(f.path()), ACL_ERROR_FILE_ATTR_INVALID) << text;
        EXPECT_FALSE(TakeErrMsg().empty());
    }
}

TEST(Init, RepeatInitReturnsRepeatAndCountsAReference)
{
    ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
    EXPECT_EQ(aclInit(nullptr), ACL_ERROR_REPEAT_INITIALIZE);
    EXPECT_NE(TakeErrMsg().find("already"), std::string::npos);
    uint64_t refs = 99;
    EXPECT_EQ(aclFinalizeReference(&refs), ACL_SUCCESS);
    EXPECT_EQ(refs, 1u);
    uint32_t n;
    EXPECT_EQ(aclrtGetDeviceCount(&n), ACL_SUCCESS); // still initialised
    EXPECT_EQ(aclFinalizeReference(&refs), ACL_SUCCESS);
    EXPECT_EQ(refs, 0u);
    EXPECT_EQ(aclrtGetDeviceCount(&n), ACL_ERROR_UNINITIALIZE);
    EXPECT_EQ(aclFinalizeReference(nullptr), ACL_ERROR_REPEAT_FINALIZE);
}

TEST(Init, FinalizeClearsEveryReference)
{
    ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
    EXPECT_EQ(aclInit(nullptr), ACL_ERROR_REPEAT_INITIALIZE);
    EXPECT_EQ(aclInit(nullptr), ACL_ERROR_REPEAT_INITIALIZE);
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
    EXPECT_EQ(aclFinalize(), ACL_ERROR_REPEAT_FINALIZE);
}

TEST(Init, FirstConfigurationStaysInForceOnRepeat)
{
    TempFile two(R"({"hostacl": {"device_count": 2}})"), three(R"({"hostacl": {"device_count": 3}})");
    ASSERT_EQ(aclInit(two.path()), ACL_SUCCESS);
    EXPECT_EQ(aclInit(three.path()), ACL_ERROR_REPEAT_INITIALIZE);
    uint32_t n = 0;
    EXPECT_EQ(aclrtGetDeviceCount(&n), ACL_SUCCESS);
    EXPECT_EQ(n, 2u);
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
}

TEST(Init, InitFinalizeCyclesReleaseEverything)
{
    for (int i = 0; i < 50; i++) {
        ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
        ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
        aclrtContext ctx;
        ASSERT_EQ(aclrtCreateContext(&ctx, 0), ACL_SUCCESS);
        void *p, *h;
        ASSERT_EQ(aclrtMalloc(&p, 1000, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
        ASSERT_EQ(aclrtMallocHost(&h, 1000), ACL_SUCCESS);
        // Left allocated and undestroyed on purpose: finalize reclaims them.
        ASSERT_EQ(aclFinalize(), ACL_SUCCESS);
        // Handles from before finalize are refused afterwards.
        ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
        EXPECT_EQ(aclrtSetCurrentContext(ctx), ACL_ERROR_INVALID_RESOURCE_HANDLE);
        EXPECT_EQ(aclrtFree(p), ACL_ERROR_RT_MEMORY_FREE);
        EXPECT_EQ(aclrtFreeHost(h), ACL_ERROR_RT_MEMORY_FREE);
        ASSERT_EQ(aclFinalize(), ACL_SUCCESS);
        TakeErrMsg();
    }
}

TEST(Init, CallsBeforeInitReturnUninitialize)
{
    uint32_t n;
    int32_t d;
    void *p;
    aclrtContext c;
    EXPECT_EQ(aclrtGetDeviceCount(&n), ACL_ERROR_UNINITIALIZE);
    EXPECT_EQ(aclrtSetDevice(0), ACL_ERROR_UNINITIALIZE);
    EXPECT_EQ(aclrtGetDevice(&d), ACL_ERROR_UNINITIALIZE);
    EXPECT_EQ(aclrtCreateContext(&c, 0), ACL_ERROR_UNINITIALIZE);
    EXPECT_EQ(aclrtMalloc(&p, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_ERROR_UNINITIALIZE);
    EXPECT_EQ(aclrtMallocHost(&p, 64), ACL_ERROR_UNINITIALIZE);
    EXPECT_NE(TakeErrMsg().find("aclInit"), std::string::npos);
    // CANN's sample tools call it before aclInit to learn SOC_VERSION
    // (hicann/runtime example/tools/get_soc_version: "does not require aclInit")
    EXPECT_STREQ(aclrtGetSocName(), "HostCPU");
}

TEST(Init, DeviceCountAndMemoryFromJson)
{
    TempFile f(R"({"hostacl": {"device_count": 3, "device_memory": "64M", "compute_threads": 2, "worker_threads": 3}})");
    ASSERT_EQ(aclInit(f.path()), ACL_SUCCESS) << TakeErrMsg();
    uint32_t n = 0;
    EXPECT_EQ(aclrtGetDeviceCount(&n), ACL_SUCCESS);
    EXPECT_EQ(n, 3u);
    ASSERT_EQ(aclrtSetDevice(2), ACL_SUCCESS);
    size_t fr, tot;
    EXPECT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &fr, &tot), ACL_SUCCESS);
    EXPECT_EQ(tot, size_t(64) << 20);
    EXPECT_EQ(fr, tot);
    EXPECT_EQ(aclrtResetDevice(2), ACL_SUCCESS);
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
}

TEST(Init, DeviceMemoryAsByteCountFromJson)
{
    TempFile f(R"({"hostacl": {"device_memory": 2097152}})");
    ASSERT_EQ(aclInit(f.path()), ACL_SUCCESS) << TakeErrMsg();
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    size_t fr, tot;
    EXPECT_EQ(aclrtGetMemInfo(ACL_DDR_MEM, &fr, &tot), ACL_SUCCESS);
    EXPECT_EQ(tot, size_t(2) << 20);
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
}

TEST(Init, EnvironmentOverridesJson)
{
    TempFile f(R"({"hostacl": {"device_count": 3, "device_memory": "64M"}})");
    ScopedEnv a("HOSTACL_DEVICE_COUNT", "2"), b("HOSTACL_DEVICE_MEMORY", "32M");
    ASSERT_EQ(aclInit(f.path()), ACL_SUCCESS) << TakeErrMsg();
    uint32_t n = 0;
    EXPECT_EQ(aclrtGetDeviceCount(&n), ACL_SUCCESS);
    EXPECT_EQ(n, 2u);
    ASSERT_EQ(aclrtSetDevice(1), ACL_SUCCESS);
    size_t fr, tot;
    EXPECT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &fr, &tot), ACL_SUCCESS);
    EXPECT_EQ(tot, size_t(32) << 20);
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
}

TEST(Init, BadEnvironmentIsInvalidParam)
{
    {
        ScopedEnv a("HOSTACL_DEVICE_COUNT", "zero");
        EXPECT_EQ(aclInit(nullptr), ACL_ERROR_INVALID_PARAM);
        EXPECT_NE(TakeErrMsg().find("HOSTACL_DEVICE_COUNT"), std::string::npos);
    }
    {
        ScopedEnv a("HOSTACL_DEVICE_MEMORY", "12Q");
        EXPECT_EQ(aclInit(nullptr), ACL_ERROR_INVALID_PARAM);
    }
    {
        ScopedEnv a("HOSTACL_COMPUTE_THREADS", "0");
        EXPECT_EQ(aclInit(nullptr), ACL_ERROR_INVALID_PARAM);
    }
    EXPECT_EQ(aclFinalize(), ACL_ERROR_REPEAT_FINALIZE);
}

TEST(Init, DefaultIsOneDeviceWithHalfOfRamCappedAt16GiB)
{
    ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
    uint32_t n = 0;
    EXPECT_EQ(aclrtGetDeviceCount(&n), ACL_SUCCESS);
    EXPECT_EQ(n, 1u);
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    size_t fr, tot;
    EXPECT_EQ(aclrtGetMemInfo(ACL_HBM_MEM, &fr, &tot), ACL_SUCCESS);
    size_t ram = (size_t)sysconf(_SC_PHYS_PAGES) * (size_t)sysconf(_SC_PAGESIZE);
    size_t want = ram / 2 < (size_t(16) << 30) ? ram / 2 : (size_t(16) << 30);
    EXPECT_EQ(tot, want);
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
}

TEST(Init, ConcurrentInitFromManyThreadsInitialisesOnce)
{
    std::atomic<int> ok{0}, repeat{0};
    std::vector<std::thread> ts;
    for (int i = 0; i < 8; i++)
        ts.emplace_back([&] {
            aclError rc = aclInit(nullptr);
            if (rc == ACL_SUCCESS)
                ok++;
            else if (rc == ACL_ERROR_REPEAT_INITIALIZE)
                repeat++;
        });
    for (auto &t : ts)
        t.join();
    EXPECT_EQ(ok.load(), 1);
    EXPECT_EQ(repeat.load(), 7);
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
}

TEST(Version, ReportsInterfaceVersion)
{
    int32_t a, b, c;
    EXPECT_EQ(aclrtGetVersion(&a, &b, &c), ACL_SUCCESS);
    EXPECT_EQ(a, 1);
    EXPECT_EQ(b, 15);
    EXPECT_EQ(c, 0);
    EXPECT_EQ(aclrtGetVersion(nullptr, &b, &c), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclrtGetVersion(&a, &b, nullptr), ACL_ERROR_INVALID_PARAM);
}

TEST(Version, RunModeIsHostAndSocNameIsSet)
{
    aclrtRunMode m = ACL_DEVICE;
    EXPECT_EQ(aclrtGetRunMode(&m), ACL_SUCCESS);
    EXPECT_EQ(m, ACL_HOST);
    EXPECT_EQ(aclrtGetRunMode(nullptr), ACL_ERROR_INVALID_PARAM);
    ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
    ASSERT_NE(aclrtGetSocName(), nullptr);
    EXPECT_STREQ(aclrtGetSocName(), "HostCPU");
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
}
