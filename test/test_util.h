// Helpers shared by the GoogleTest suites.
#ifndef HOSTACL_TEST_UTIL_H
#define HOSTACL_TEST_UTIL_H

#include <gtest/gtest.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "acl/acl.h"

// Takes (and clears) this thread's pending error messages.
inline std::string TakeErrMsg()
{
    const char *m = aclGetRecentErrMsg();
    return m ? std::string(m) : std::string();
}

// A file with the given contents, removed when the object goes away.
class TempFile {
public:
    explicit TempFile(const std::string &contents)
    {
        char tmpl[] = "/tmp/hostacl-test-XXXXXX";
        int fd = mkstemp(tmpl);
        path_ = tmpl;
        if (fd >= 0) {
            ssize_t w = write(fd, contents.data(), contents.size());
            (void)w;
            close(fd);
        }
    }
    ~TempFile() { unlink(path_.c_str()); }
    const char *path() const { return path_.c_str(); }

private:
    std::string path_;
};

// Sets an environment variable for the lifetime of the object.
class ScopedEnv {
public:
    ScopedEnv(const char *name, const char *value) : name_(name)
    {
        const char *old = getenv(name);
        had_ = old != nullptr;
        if (had_)
            old_ = old;
        setenv(name, value, 1);
    }
    ~ScopedEnv()
    {
        if (had_)
            setenv(name_.c_str(), old_.c_str(), 1);
        else
            unsetenv(name_.c_str());
    }

private:
    std::string name_, old_;
    bool had_ = false;
};

// Each test starts initialised and finalises at the end.
class AclTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS) << TakeErrMsg();
        TakeErrMsg();
    }
    void TearDown() override { EXPECT_EQ(aclFinalize(), ACL_SUCCESS) << TakeErrMsg(); }
};

// ...and with device 0 set on the test thread.
class DeviceTest : public AclTest {
protected:
    void SetUp() override
    {
        AclTest::SetUp();
        ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS) << TakeErrMsg();
    }
};

// Device buffers for a model's inputs and outputs, wrapped in datasets.
struct Io {
    std::vector<void *> dev;
    aclmdlDataset *in = nullptr, *out = nullptr;
    std::vector<aclDataBuffer *> bufs;
    Io(aclmdlDesc *d)
    {
        in = aclmdlCreateDataset();
        out = aclmdlCreateDataset();
        for (int side = 0; side < 2; side++) {
            size_t n = side ? aclmdlGetNumOutputs(d) : aclmdlGetNumInputs(d);
            for (size_t i = 0; i < n; i++) {
                size_t sz = side ? aclmdlGetOutputSizeByIndex(d, i) : aclmdlGetInputSizeByIndex(d, i);
                void *p = nullptr;
                EXPECT_EQ(aclrtMalloc(&p, sz, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
                aclDataBuffer *b = aclCreateDataBuffer(p, sz);
                EXPECT_EQ(aclmdlAddDatasetBuffer(side ? out : in, b), ACL_SUCCESS);
                dev.push_back(p);
                bufs.push_back(b);
            }
        }
    }
    ~Io()
    {
        aclmdlDestroyDataset(in);
        aclmdlDestroyDataset(out);
        for (auto *b : bufs)
            aclDestroyDataBuffer(b);
        for (void *p : dev)
            aclrtFree(p);
    }
};

#endif

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <thread>

// A report thread as applications write it: set the context, loop on
// aclrtProcessReport(100) until stopped.
class ReportThread {
public:
    explicit ReportThread(aclrtContext ctx = nullptr)
    {
        thread_ = std::thread([this, ctx] {
            if (ctx)
                aclrtSetCurrentContext(ctx);
            id_ = static_cast<uint64_t>(pthread_self());
            ready_ = true;
            while (!stop_) {
                aclError rc = aclrtProcessReport(100);
                if (rc == ACL_ERROR_RT_THREAD_SUBSCRIBE) // not subscribed (yet, or any more)
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
                if (rc != ACL_SUCCESS)
                    (void)aclGetRecentErrMsg();
            }
        });
        while (!ready_)
            std::this_thread::yield();
    }
    ~ReportThread() { Stop(); }
    uint64_t id() const { return id_; }
    void Stop()
    {
        if (thread_.joinable()) {
            stop_ = true;
            thread_.join();
        }
    }

private:
    std::thread thread_;
    std::atomic<bool> ready_{false}, stop_{false};
    uint64_t id_ = 0;
};

// A gate a host function can wait on, opened by the test.
struct Gate {
    std::atomic<bool> open{false};
    std::atomic<bool> entered{false};
    static void Wait(void *p)
    {
        Gate *g = static_cast<Gate *>(p);
        g->entered = true;
        while (!g->open)
            std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    void WaitEntered() const
    {
        while (!entered)
            std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
};

class StreamTest : public DeviceTest {
protected:
    void SetUp() override
    {
        DeviceTest::SetUp();
        ASSERT_EQ(aclrtGetCurrentContext(&ctx_), ACL_SUCCESS);
        ASSERT_EQ(aclrtCreateStream(&stream_), ACL_SUCCESS) << TakeErrMsg();
    }
    void TearDown() override
    {
        if (stream_) {
            EXPECT_EQ(aclrtDestroyStream(stream_), ACL_SUCCESS) << TakeErrMsg();
        }
        DeviceTest::TearDown();
    }
    aclrtContext ctx_ = nullptr;
    aclrtStream stream_ = nullptr;
};
