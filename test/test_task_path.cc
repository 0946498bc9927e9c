// The path from launch to callback (device/scheduler.h): cheap tasks run on
// the thread that pushes or completes the task before them, so an execution
// followed by a BLOCK callback on an idle stream never wakes a device
// worker; copies do. Read from the scheduler's counters.
#include <atomic>
#include <thread>

#include "onnx_builder.h"
#include "test_util.h"

#include "runtime/stats.h"

namespace {

hacl_sched_stats Stats()
{
    hacl_sched_stats st{};
    EXPECT_EQ(hacl_rt_sched_stats(0, &st), 0);
    return st;
}

std::string Affine()
{
    onnxb::Model m;
    m.inputs = {{"x", onnxb::FLOAT, {1, 8}}};
    m.outputs = {{"y", onnxb::FLOAT, {1, 8}}};
    m.inits = {{"k", onnxb::FLOAT, {}, onnxb::Floats({2})}};
    m.nodes = {{"Mul", {"x", "k"}, {"y"}, "mul"}};
    return onnxb::Serialize(m);
}

std::atomic<int> calls{0};
void Count(void *) { calls++; }

class TaskPath : public StreamTest {};

TEST_F(TaskPath, ExecutionThenBlockCallbackWakesNoWorker)
{
    std::string bytes = Affine();
    uint32_t id;
    ASSERT_EQ(aclmdlLoadFromMem(bytes.data(), bytes.size(), &id), ACL_SUCCESS) << TakeErrMsg();
    aclmdlDesc *d = aclmdlCreateDesc();
    ASSERT_EQ(aclmdlGetDesc(d, id), ACL_SUCCESS);
    {
        Io io(d);
        ReportThread rt(ctx_);
        ASSERT_EQ(aclrtSubscribeReport(rt.id(), stream_), ACL_SUCCESS);
        ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
        hacl_sched_stats before = Stats();
        const int n = 200;
        for (int i = 0; i < n; i++) {
            ASSERT_EQ(aclmdlExecuteAsync(id, io.in, io.out, stream_), ACL_SUCCESS);
            ASSERT_EQ(aclrtLaunchCallback(Count, nullptr, ACL_CALLBACK_BLOCK, stream_), ACL_SUCCESS);
            ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
        }
        hacl_sched_stats after = Stats();
        EXPECT_EQ(calls.load(), n);
        EXPECT_EQ(after.tasks_run - before.tasks_run, 0u) << "a device worker ran tasks of the path";
        EXPECT_GE(after.inline_runs - before.inline_runs, 2u * n);
        // each execution and callback waited once, unless it finished before
        // its run function returned (completed early)
        EXPECT_LE(after.defers - before.defers, 2u * n);
        // A copy is not cheap: it goes to a worker.
        ASSERT_EQ(aclrtMemsetAsync(io.dev[0], io.sizes[0], 0, io.sizes[0], stream_), ACL_SUCCESS);
        ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS);
        EXPECT_EQ(Stats().tasks_run - after.tasks_run, 1u);
        ASSERT_EQ(aclrtUnSubscribeReport(rt.id(), stream_), ACL_SUCCESS);
    }
    aclmdlDestroyDesc(d);
    ASSERT_EQ(aclmdlUnload(id), ACL_SUCCESS);
}

} // namespace
