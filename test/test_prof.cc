// Profiling (acl/acl_prof.h): collections and their mode rules with
// AscendCL's codes, the msprof output layout checked by hacl-trace-check,
// the aclInit JSON "profiler" section, msproftx marks and ranges in the
// trace, steps, and model subscriptions read back through the pipe.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "acl/acl_prof.h"
#include "onnx_builder.h"
#include "test_util.h"

using onnxb::Model;

// Declared by CANN's profiling header (pkg_inc/profiling/aprof_pub.h);
// exported by libascendcl.
extern "C" int32_t MsprofSetDeviceIdByGeModelIdx(const uint32_t geModelIdx, const uint32_t deviceId);

namespace {

// x[1,4] -> Relu (r1) -> Sigmoid (s1) -> y
uint32_t LoadSmallModel()
{
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {1, 4}}};
    m.outputs = {{"y", onnxb::FLOAT, {1, 4}}};
    m.nodes = {{"Relu", {"x"}, {"h"}, "r1"}, {"Sigmoid", {"h"}, {"y"}, "s1"}};
    std::string bytes = onnxb::Serialize(m);
    uint32_t id = 0;
    EXPECT_EQ(aclmdlLoadFromMem(bytes.data(), bytes.size(), &id), ACL_SUCCESS) << TakeErrMsg();
    return id;
}

std::string MakeTempDir()
{
    char tmpl[] = "/tmp/hostacl-prof-XXXXXX";
    const char *d = mkdtemp(tmpl);
    EXPECT_NE(d, nullptr);
    return d ? d : "/tmp";
}

// Every msprof_*.json under dir (recursively).
void FindTraces(const std::string &dir, std::vector<std::string> *out)
{
    DIR *d = opendir(dir.c_str());
    if (!d)
        return;
    while (struct dirent *e = readdir(d)) {
        std::string name = e->d_name;
        if (name == "." || name == "..")
            continue;
        std::string path = dir + "/" + name;
        struct stat st;
        if (stat(path.c_str(), &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            FindTraces(path, out);
        else if (name.rfind("msprof_", 0) == 0 && name.size() > 5 && name.substr(name.size() - 5) == ".json")
            out->push_back(path);
    }
    closedir(d);
}

std::string ReadAll(const std::string &path)
{
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

// hacl-trace-check's verdict on a trace.
int CheckTrace(const std::string &path)
{
    std::string cmd = std::string("/usr/bin/python3 ") + HACL_TRACE_CHECK + " " + path + " >/dev/null";
    return system(cmd.c_str());
}

void RemoveTree(const std::string &dir) { (void)!system(("rm -rf " + dir).c_str()); }

void RunModel(uint32_t id, int times, aclrtStream stream = nullptr)
{
    aclmdlDesc *desc = aclmdlCreateDesc();
    ASSERT_EQ(aclmdlGetDesc(desc, id), ACL_SUCCESS);
    {
        Io io(desc);
        float x[4] = {-1, 0, 1, 2};
        io.SetInput(0, x, sizeof x);
        for (int i = 0; i < times; i++) {
            if (stream) {
                ASSERT_EQ(aclmdlExecuteAsync(id, io.in, io.out, stream), ACL_SUCCESS) << TakeErrMsg();
            } else {
                ASSERT_EQ(aclmdlExecute(id, io.in, io.out), ACL_SUCCESS) << TakeErrMsg();
            }
        }
        if (stream) {
            ASSERT_EQ(aclrtSynchronizeStream(stream), ACL_SUCCESS);
        }
    }
    aclmdlDestroyDesc(desc);
}

} // namespace

using Prof = DeviceTest;

TEST_F(Prof, CollectionWritesATraceInMsprofLayout)
{
    std::string dir = MakeTempDir();
    uint32_t devs[1] = {0};
    ASSERT_EQ(aclprofInit(dir.c_str(), dir.size()), ACL_SUCCESS) << TakeErrMsg();
    aclprofConfig *cfg = aclprofCreateConfig(devs, 1, ACL_AICORE_NONE, nullptr,
                                             ACL_PROF_ACL_API | ACL_PROF_TASK_TIME | ACL_PROF_MSPROFTX |
                                                 ACL_PROF_TASK_MEMORY);
    ASSERT_NE(cfg, nullptr) << TakeErrMsg();
    // AscendCL's order: settings after aclprofInit, before aclprofStart
    EXPECT_EQ(aclprofSetConfig(ACL_PROF_SYS_HARDWARE_MEM_FREQ, "15", 2), ACL_SUCCESS) << TakeErrMsg();
    ASSERT_EQ(aclprofStart(cfg), ACL_SUCCESS) << TakeErrMsg();
    uint32_t id = LoadSmallModel();
    aclrtStream s = nullptr;
    ASSERT_EQ(aclrtCreateStream(&s), ACL_SUCCESS);
    RunModel(id, 3, s);
    void *devbuf = nullptr;
    ASSERT_EQ(aclrtMalloc(&devbuf, 256, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemsetAsync(devbuf, 256, 7, 256, s), ACL_SUCCESS); /* its slice carries its size */
    void *stamp = aclprofCreateStamp();
    ASSERT_NE(stamp, nullptr);
    ASSERT_EQ(aclprofSetStampTraceMessage(stamp, "preprocess", 10), ACL_SUCCESS);
    EXPECT_EQ(aclprofMark(stamp), ACL_SUCCESS);
    EXPECT_EQ(aclprofPush(stamp), ACL_SUCCESS);
    uint32_t range = 0;
    EXPECT_EQ(aclprofRangeStart(stamp, &range), ACL_SUCCESS);
    std::thread([&] { EXPECT_EQ(aclprofRangeStop(range), ACL_SUCCESS); }).join(); // stops on another thread
    EXPECT_EQ(aclprofPop(), ACL_SUCCESS);
    EXPECT_EQ(aclprofMarkEx("on the stream", 13, s), ACL_SUCCESS) << TakeErrMsg();
    ASSERT_EQ(aclrtSynchronizeStream(s), ACL_SUCCESS);
    aclprofDestroyStamp(stamp);
    EXPECT_EQ(aclrtFree(devbuf), ACL_SUCCESS);
    ASSERT_EQ(aclprofStop(cfg), ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(aclprofDestroyConfig(cfg), ACL_SUCCESS);
    EXPECT_EQ(aclprofFinalize(), ACL_SUCCESS) << TakeErrMsg();

    std::vector<std::string> traces;
    FindTraces(dir, &traces);
    ASSERT_EQ(traces.size(), 1u);
    EXPECT_NE(traces[0].find("/PROF_"), std::string::npos) << traces[0];
    EXPECT_NE(traces[0].find("/mindstudio_profiler_output/msprof_"), std::string::npos) << traces[0];
    EXPECT_EQ(CheckTrace(traces[0]), 0) << traces[0];
    std::string t = ReadAll(traces[0]);
    for (const char *want : {"\"aclmdlExecuteAsync\"", "\"model execute\"", "r1 (", "s1 (", "\"preprocess\"",
                             "\"on the stream\"", "\"msproftx mark\"", "device memory in use", "queue depth, stream",
                             "\"compute\"", "\"bytes\":256"})
        EXPECT_NE(t.find(want), std::string::npos) << want;
    EXPECT_EQ(aclrtDestroyStream(s), ACL_SUCCESS);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
    RemoveTree(dir);
}

TEST_F(Prof, DataTypesChooseWhatIsRecorded)
{
    std::string dir = MakeTempDir();
    uint32_t devs[1] = {0};
    ASSERT_EQ(aclprofInit(dir.c_str(), dir.size()), ACL_SUCCESS);
    aclprofConfig *cfg = aclprofCreateConfig(devs, 1, ACL_AICORE_NONE, nullptr, ACL_PROF_TASK_TIME_L0);
    ASSERT_NE(cfg, nullptr);
    ASSERT_EQ(aclprofStart(cfg), ACL_SUCCESS);
    uint32_t id = LoadSmallModel();
    RunModel(id, 1);
    void *stamp = aclprofCreateStamp();
    EXPECT_EQ(aclprofMark(stamp), ACL_SUCCESS); // accepted, not recorded
    aclprofDestroyStamp(stamp);
    ASSERT_EQ(aclprofStop(cfg), ACL_SUCCESS);
    aclprofDestroyConfig(cfg);
    ASSERT_EQ(aclprofFinalize(), ACL_SUCCESS);
    std::vector<std::string> traces;
    FindTraces(dir, &traces);
    ASSERT_EQ(traces.size(), 1u);
    std::string t = ReadAll(traces[0]);
    EXPECT_NE(t.find("\"model execute\""), std::string::npos);
    EXPECT_EQ(t.find("r1 ("), std::string::npos) << "operators recorded at level 0";
    EXPECT_EQ(t.find("\"aclmdlExecute\""), std::string::npos) << "API calls recorded without ACL_PROF_ACL_API";
    EXPECT_EQ(t.find("msproftx"), std::string::npos);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
    RemoveTree(dir);
}

TEST_F(Prof, CollectionRulesAndCodes)
{
    uint32_t devs[2] = {0, 0};
    // before aclprofInit
    aclprofConfig *cfg = aclprofCreateConfig(devs, 1, ACL_AICORE_NONE, nullptr, ACL_PROF_TASK_TIME);
    ASSERT_NE(cfg, nullptr);
    EXPECT_EQ(aclprofStart(cfg), ACL_ERROR_PROF_NOT_RUN);
    EXPECT_EQ(aclprofStop(cfg), ACL_ERROR_PROF_NOT_RUN);
    EXPECT_EQ(aclprofFinalize(), ACL_ERROR_PROF_NOT_RUN);
    EXPECT_EQ(aclprofSetConfig(ACL_PROF_STORAGE_LIMIT, "500MB", 5), ACL_ERROR_PROF_NOT_RUN);
    // arguments
    EXPECT_EQ(aclprofInit(nullptr, 3), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclprofInit("/tmp", 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclprofInit("/tmp", 9), ACL_ERROR_INVALID_PARAM); // length is not the path's
    std::string longpath(4097, 'a');
    EXPECT_EQ(aclprofInit(longpath.c_str(), longpath.size()), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclprofCreateConfig(nullptr, 1, ACL_AICORE_NONE, nullptr, 0), nullptr);
    EXPECT_EQ(aclprofCreateConfig(devs, 0, ACL_AICORE_NONE, nullptr, 0), nullptr);
    EXPECT_EQ(aclprofCreateConfig(devs, 2, ACL_AICORE_NONE, nullptr, 0), nullptr) << "a device listed twice";
    uint32_t far[1] = {63};
    EXPECT_EQ(aclprofCreateConfig(far, 1, ACL_AICORE_NONE, nullptr, 0), nullptr) << "no such device";
    EXPECT_EQ(aclprofCreateConfig(devs, 1, (aclprofAicoreMetrics)42, nullptr, 0), nullptr);
    EXPECT_EQ(aclprofCreateConfig(devs, 1, ACL_AICORE_NONE, (const aclprofAicoreEvents *)devs, 0), nullptr);
    EXPECT_EQ(aclprofCreateConfig(devs, 1, ACL_AICORE_NONE, nullptr, 1ull << 50), nullptr) << "unknown flag";
    EXPECT_EQ(aclprofDestroyConfig(nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclprofStart((const aclprofConfig *)devs), ACL_ERROR_INVALID_PARAM);

    std::string dir = MakeTempDir();
    ASSERT_EQ(aclprofInit(dir.c_str(), dir.size()), ACL_SUCCESS);
    EXPECT_EQ(aclprofInit(dir.c_str(), dir.size()), ACL_ERROR_REPEAT_INITIALIZE);
    EXPECT_EQ(aclprofSetConfig(ACL_PROF_STORAGE_LIMIT, "100MB", 5), ACL_ERROR_INVALID_PARAM) << "below 200MB";
    EXPECT_EQ(aclprofSetConfig(ACL_PROF_STORAGE_LIMIT, "300MB", 5), ACL_SUCCESS);
    EXPECT_EQ(aclprofSetConfig(ACL_PROF_ARGS_MAX, "1", 1), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclprofSetConfig(ACL_PROF_SYS_HARDWARE_MEM_FREQ, "0", 1), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclprofSetConfig(ACL_PROF_SYS_HARDWARE_MEM_FREQ, nullptr, 1), ACL_ERROR_INVALID_PARAM);
    std::string big(257, '1');
    EXPECT_EQ(aclprofSetConfig(ACL_PROF_LLC_MODE, big.c_str(), big.size()), ACL_ERROR_INVALID_PARAM);
    // subscriptions are not mixed with a collection
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    aclprofSubscribeConfig *sc = aclprofCreateSubscribeConfig(1, ACL_AICORE_NONE, &fds[1]);
    ASSERT_NE(sc, nullptr);
    uint32_t id = LoadSmallModel();
    EXPECT_EQ(aclprofModelSubscribe(id, sc), ACL_ERROR_PROF_API_CONFLICT);
    EXPECT_EQ(aclprofModelUnSubscribe(id), ACL_ERROR_PROF_API_CONFLICT);
    ASSERT_EQ(aclprofStart(cfg), ACL_SUCCESS);
    EXPECT_EQ(aclprofStart(cfg), ACL_ERROR_PROF_ALREADY_RUN) << "the same device twice";
    ASSERT_EQ(aclprofStop(cfg), ACL_SUCCESS);
    EXPECT_EQ(aclprofStop(cfg), ACL_ERROR_PROF_NOT_RUN) << "stopped already";
    EXPECT_EQ(aclprofFinalize(), ACL_SUCCESS);
    EXPECT_EQ(aclprofFinalize(), ACL_ERROR_PROF_NOT_RUN);
    EXPECT_EQ(aclprofDestroyConfig(cfg), ACL_SUCCESS);
    EXPECT_EQ(aclprofDestroyConfig(cfg), ACL_ERROR_INVALID_PARAM) << "destroyed twice";
    EXPECT_EQ(aclprofDestroySubscribeConfig(sc), ACL_SUCCESS);
    close(fds[0]);
    close(fds[1]);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
    RemoveTree(dir);
}

TEST_F(Prof, AclFinalizeWritesAnUnstoppedCollection)
{
    std::string dir = MakeTempDir();
    uint32_t devs[1] = {0};
    ASSERT_EQ(aclprofInit(dir.c_str(), dir.size()), ACL_SUCCESS);
    aclprofConfig *cfg = aclprofCreateConfig(devs, 1, ACL_AICORE_NONE, nullptr, ACL_PROF_TASK_TIME);
    ASSERT_EQ(aclprofStart(cfg), ACL_SUCCESS);
    aclprofDestroyConfig(cfg);
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
    std::vector<std::string> traces;
    FindTraces(dir, &traces);
    EXPECT_EQ(traces.size(), 1u);
    ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS); // for TearDown
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    // the mode was reset: a new collection may begin
    EXPECT_EQ(aclprofInit(dir.c_str(), dir.size()), ACL_SUCCESS);
    EXPECT_EQ(aclprofFinalize(), ACL_SUCCESS);
    RemoveTree(dir);
}

TEST(ProfConfig, AclInitJsonProfilerSectionRecordsUntilFinalize)
{
    std::string dir = MakeTempDir();
    TempFile cfg("{\"profiler\": {\"switch\": \"on\", \"output\": \"" + dir + "\", \"task_time\": \"on\", "
                 "\"aicpu\": \"on\", \"aic_metrics\": \"PipeUtilization\"}}",
                 ".json");
    ASSERT_EQ(aclInit(cfg.path()), ACL_SUCCESS) << TakeErrMsg();
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    // the aclprof calls are refused while the configuration profiles
    EXPECT_EQ(aclprofInit(dir.c_str(), dir.size()), ACL_ERROR_PROF_ALREADY_RUN);
    EXPECT_EQ(aclprofFinalize(), ACL_ERROR_PROF_ALREADY_RUN);
    uint32_t id = LoadSmallModel();
    RunModel(id, 2);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
    std::vector<std::string> traces;
    FindTraces(dir, &traces);
    EXPECT_EQ(traces.size(), 0u) << "written at aclFinalize";
    ASSERT_EQ(aclFinalize(), ACL_SUCCESS);
    FindTraces(dir, &traces);
    ASSERT_EQ(traces.size(), 1u);
    EXPECT_EQ(CheckTrace(traces[0]), 0);
    EXPECT_NE(ReadAll(traces[0]).find("s1 ("), std::string::npos);
    RemoveTree(dir);

    TempFile bad("{\"profiler\": {\"switch\": \"maybe\"}}", ".json");
    EXPECT_EQ(aclInit(bad.path()), ACL_ERROR_INVALID_PROFILING_CONFIG);
    TempFile bad2("{\"profiler\": {\"switch\": \"on\", \"storage_limit\": \"12\"}}", ".json");
    EXPECT_EQ(aclInit(bad2.path()), ACL_ERROR_INVALID_PROFILING_CONFIG);
    TempFile off("{\"profiler\": {\"switch\": \"off\", \"output\": 5}}", ".json");
    ASSERT_EQ(aclInit(off.path()), ACL_SUCCESS) << "off ignores the rest";
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
}

TEST_F(Prof, MarksCheckTheirArguments)
{
    void *stamp = aclprofCreateStamp();
    ASSERT_NE(stamp, nullptr);
    EXPECT_EQ(aclprofSetStampTraceMessage(stamp, nullptr, 1), ACL_ERROR_INVALID_PARAM);
    std::string longmsg(128, 'm');
    EXPECT_EQ(aclprofSetStampTraceMessage(stamp, longmsg.c_str(), 128), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclprofSetStampTraceMessage(stamp, longmsg.c_str(), 127), ACL_SUCCESS);
    EXPECT_EQ(aclprofMark(nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclprofMark((void *)&longmsg), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(aclprofMark(stamp), ACL_SUCCESS) << "accepted when nothing records";
    EXPECT_EQ(aclprofPop(), ACL_ERROR_INVALID_PARAM) << "nothing pushed";
    EXPECT_EQ(aclprofPush(stamp), ACL_SUCCESS);
    EXPECT_EQ(aclprofPop(), ACL_SUCCESS);
    EXPECT_EQ(aclprofRangeStart(stamp, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclprofRangeStop(12345), ACL_ERROR_INVALID_PARAM);
    uint32_t r = 0;
    EXPECT_EQ(aclprofRangeStart(stamp, &r), ACL_SUCCESS);
    EXPECT_EQ(aclprofRangeStop(r), ACL_SUCCESS);
    EXPECT_EQ(aclprofRangeStop(r), ACL_ERROR_INVALID_PARAM) << "stopped twice";
    aclprofDestroyStamp(stamp);
    EXPECT_EQ(aclprofMark(stamp), ACL_ERROR_INVALID_RESOURCE_HANDLE) << "destroyed";
    aclprofDestroyStamp(stamp); // refused quietly
    TakeErrMsg();

    EXPECT_EQ(aclprofMarkEx(nullptr, 3, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclprofMarkEx("abc", 0, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclprofMarkEx("abc", 4, nullptr), ACL_ERROR_INVALID_PARAM) << "msgLen excludes the zero";
    EXPECT_EQ(aclprofMarkEx("abc", 3, nullptr), ACL_SUCCESS) << "the default stream";
    EXPECT_EQ(aclrtSynchronizeStream(nullptr), ACL_SUCCESS);

    EXPECT_EQ(aclprofStr2Id(nullptr), 0u);
    EXPECT_EQ(aclprofStr2Id("Conv2D"), aclprofStr2Id("Conv2D"));
    EXPECT_NE(aclprofStr2Id("Conv2D"), aclprofStr2Id("Relu"));

    aclprofTensor tensors[1] = {{0, 0, 0, 2, {3, 4}}};
    aclprofTensorInfo info = {aclprofStr2Id("conv1"), aclprofStr2Id("Conv2D"), 0, 1, 0, 1, nullptr, tensors};
    aclprofEventAttributes attr = {ACL_PROF_EVENT_ATTR_VERSION, sizeof(aclprofEventAttributes),
                                   ACL_PROF_MESSAGE_TYPE_TENSOR_INFO, {&info}};
    EXPECT_EQ(aclprofRangePushEx(nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclprofRangePushEx(&attr), ACL_SUCCESS);
    EXPECT_EQ(aclprofRangePop(), ACL_SUCCESS);
    EXPECT_EQ(aclprofRangePop(), ACL_ERROR_INVALID_PARAM);
    tensors[0].shapeDim = 9;
    EXPECT_EQ(aclprofRangePushEx(&attr), ACL_ERROR_INVALID_PARAM);
    attr.messageType = 3;
    EXPECT_EQ(aclprofRangePushEx(&attr), ACL_ERROR_INVALID_PARAM);

    aclprofStepInfo *step = aclprofCreateStepInfo();
    ASSERT_NE(step, nullptr);
    EXPECT_EQ(aclprofGetStepTimestamp(nullptr, ACL_STEP_START, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclprofGetStepTimestamp(step, (aclprofStepTag)7, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclprofGetStepTimestamp(step, ACL_STEP_START, nullptr), ACL_SUCCESS);
    EXPECT_EQ(aclprofGetStepTimestamp(step, ACL_STEP_START, nullptr), ACL_ERROR_INVALID_PARAM) << "started twice";
    EXPECT_EQ(aclprofGetStepTimestamp(step, ACL_STEP_END, nullptr), ACL_SUCCESS);
    EXPECT_EQ(aclprofGetStepTimestamp(step, ACL_STEP_END, nullptr), ACL_ERROR_INVALID_PARAM) << "ended twice";
    aclprofDestroyStepInfo(step);
    TakeErrMsg();
}

namespace {
struct OpRow {
    uint32_t model;
    std::string type, name, thread;
    uint64_t start, end, dur;
};

// Reads records until end of file, in reads of n records as CANN's sample.
std::vector<OpRow> ReadRecords(int fd, size_t n)
{
    size_t size = 0;
    EXPECT_EQ(aclprofGetOpDescSize(&size), ACL_SUCCESS);
    std::vector<char> buf(size * n);
    std::vector<OpRow> rows;
    for (;;) {
        ssize_t got = read(fd, buf.data(), buf.size());
        if (got <= 0)
            break;
        uint32_t num = 0;
        EXPECT_EQ(aclprofGetOpNum(buf.data(), (size_t)got, &num), ACL_SUCCESS) << got;
        for (uint32_t i = 0; i < num; i++) {
            OpRow r;
            r.model = (uint32_t)aclprofGetModelId(buf.data(), (size_t)got, i);
            size_t tl = 0, nl = 0;
            EXPECT_EQ(aclprofGetOpTypeLen(buf.data(), (size_t)got, i, &tl), ACL_SUCCESS);
            EXPECT_EQ(aclprofGetOpNameLen(buf.data(), (size_t)got, i, &nl), ACL_SUCCESS);
            std::vector<char> t(tl), nm(nl);
            EXPECT_EQ(aclprofGetOpType(buf.data(), (size_t)got, i, t.data(), tl), ACL_SUCCESS);
            EXPECT_EQ(aclprofGetOpName(buf.data(), (size_t)got, i, nm.data(), nl), ACL_SUCCESS);
            EXPECT_EQ(aclprofGetOpType(buf.data(), (size_t)got, i, t.data(), tl - 1), ACL_ERROR_INVALID_PARAM);
            r.type = t.data();
            r.name = nm.data();
            r.start = aclprofGetOpStart(buf.data(), (size_t)got, i);
            r.end = aclprofGetOpEnd(buf.data(), (size_t)got, i);
            r.dur = aclprofGetOpDuration(buf.data(), (size_t)got, i);
            const char *th = aclprofGetOpAttriValue(buf.data(), (size_t)got, i, ACL_SUBSCRIBE_ATTRI_THREADID);
            r.thread = th ? th : "";
            EXPECT_EQ(aclprofGetOpFlag(buf.data(), (size_t)got, i), ACL_SUBSCRIBE_OP);
            rows.push_back(r);
        }
    }
    return rows;
}
} // namespace

TEST_F(Prof, ModelSubscriptionSendsEveryOperatorThroughThePipe)
{
    uint32_t id = LoadSmallModel();
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    EXPECT_EQ(aclprofCreateSubscribeConfig(0, ACL_AICORE_NONE, &fds[1]), nullptr) << "timeInfoSwitch 0";
    EXPECT_EQ(aclprofCreateSubscribeConfig(2, ACL_AICORE_NONE, &fds[1]), nullptr) << "timeInfoSwitch 2";
    EXPECT_EQ(aclprofCreateSubscribeConfig(1, ACL_AICORE_NONE, nullptr), nullptr);
    EXPECT_EQ(aclprofCreateSubscribeConfig(1, ACL_AICORE_NONE, &fds[0]), nullptr) << "the read end";
    aclprofSubscribeConfig *sc = aclprofCreateSubscribeConfig(1, ACL_AICORE_NONE, &fds[1]);
    ASSERT_NE(sc, nullptr) << TakeErrMsg();
    EXPECT_EQ(aclprofModelSubscribe(id, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclprofModelSubscribe(id + 1000, sc), ACL_ERROR_INVALID_MODEL_ID);
    EXPECT_EQ(aclprofModelUnSubscribe(id), ACL_ERROR_INVALID_MODEL_ID) << "not subscribed";
    ASSERT_EQ(aclprofModelSubscribe(id, sc), ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(aclprofModelSubscribe(id, sc), ACL_ERROR_PROF_REPEAT_SUBSCRIBE);
    // and collections are refused while subscriptions are in use
    EXPECT_EQ(aclprofInit("/tmp", 4), ACL_ERROR_PROF_API_CONFLICT);
    std::vector<OpRow> rows;
    std::thread reader([&] { rows = ReadRecords(fds[0], 10); });
    aclrtStream s = nullptr;
    ASSERT_EQ(aclrtCreateStream(&s), ACL_SUCCESS);
    RunModel(id, 5, s); // asynchronous
    RunModel(id, 2);    // and synchronous
    EXPECT_EQ(aclprofModelUnSubscribe(id), ACL_SUCCESS) << TakeErrMsg();
    reader.join(); // ends: the write end was closed
    close(fds[0]);
    int r1 = 0, s1 = 0;
    for (const OpRow &r : rows) {
        EXPECT_EQ(r.model, id);
        EXPECT_GE(r.dur, 1u);
        EXPECT_EQ(r.end, r.start + r.dur);
        EXPECT_FALSE(r.thread.empty());
        r1 += r.name == "r1" && r.type == "Relu";
        s1 += r.name == "s1" && r.type == "Sigmoid";
    }
    EXPECT_EQ(r1, 7) << "one record per execution and operator";
    EXPECT_EQ(s1, 7);
    // executions after the unsubscription send nothing; the fd is closed
    RunModel(id, 1);
    EXPECT_EQ(fcntl(fds[1], F_GETFD), -1) << "the write end is closed by the unsubscription";
    EXPECT_EQ(aclprofDestroySubscribeConfig(sc), ACL_SUCCESS);
    // a new collection may begin now
    EXPECT_EQ(aclprofInit("/tmp", 4), ACL_SUCCESS);
    EXPECT_EQ(aclprofFinalize(), ACL_SUCCESS);
    EXPECT_EQ(aclrtDestroyStream(s), ACL_SUCCESS);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
}

TEST_F(Prof, RecordReadersRefuseWhatIsNotARecord)
{
    size_t size = 0;
    EXPECT_EQ(aclprofGetOpDescSize(nullptr), ACL_ERROR_INVALID_PARAM);
    ASSERT_EQ(aclprofGetOpDescSize(&size), ACL_SUCCESS);
    std::vector<char> junk(size * 2, 'x');
    uint32_t n = 0;
    EXPECT_EQ(aclprofGetOpNum(nullptr, size, &n), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclprofGetOpNum(junk.data(), size, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclprofGetOpNum(junk.data(), size - 1, &n), ACL_ERROR_INVALID_PARAM) << "a partial record";
    EXPECT_EQ(aclprofGetOpNum(junk.data(), size, &n), ACL_ERROR_INVALID_PARAM) << "not a record";
    EXPECT_EQ(aclprofGetOpStart(junk.data(), junk.size(), 0), 0u);
    EXPECT_EQ(aclprofGetOpDuration(junk.data(), junk.size(), 5), 0u);
    EXPECT_EQ(aclprofGetOpFlag(junk.data(), junk.size(), 0), ACL_SUBSCRIBE_NONE);
    EXPECT_EQ(aclprofGetOpAttriValue(junk.data(), junk.size(), 0, ACL_SUBSCRIBE_ATTRI_THREADID), nullptr);
    size_t len = 0;
    EXPECT_EQ(aclprofGetOpNameLen(junk.data(), junk.size(), 0, &len), ACL_ERROR_INVALID_PARAM);
    TakeErrMsg();
}

TEST_F(Prof, SubscriptionOfARegisteredIdWithoutAModelEndsTheReader)
{
    // CANN's sample registers an id with the profiler instead of loading
    EXPECT_EQ(MsprofSetDeviceIdByGeModelIdx(777, 0), 0);
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    aclprofSubscribeConfig *sc = aclprofCreateSubscribeConfig(1, ACL_AICORE_NONE, &fds[1]);
    ASSERT_EQ(aclprofModelSubscribe(777, sc), ACL_SUCCESS) << TakeErrMsg();
    std::thread reader([&] { ReadRecords(fds[0], 10); });
    EXPECT_EQ(aclprofModelUnSubscribe(777), ACL_SUCCESS);
    reader.join();
    close(fds[0]);
    aclprofDestroySubscribeConfig(sc);
}

TEST_F(Prof, UnreadSubscriptionDoesNotStallExecutions)
{
    uint32_t id = LoadSmallModel();
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    fcntl(fds[1], F_SETPIPE_SZ, 4096);
    aclprofSubscribeConfig *sc = aclprofCreateSubscribeConfig(1, ACL_AICORE_NONE, &fds[1]);
    ASSERT_EQ(aclprofModelSubscribe(id, sc), ACL_SUCCESS);
    RunModel(id, 200); // nobody reads: the pipe fills, executions go on
    std::thread reader([&] { ReadRecords(fds[0], 10); });
    EXPECT_EQ(aclprofModelUnSubscribe(id), ACL_SUCCESS);
    reader.join();
    close(fds[0]);
    aclprofDestroySubscribeConfig(sc);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
}
