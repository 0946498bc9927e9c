// Helpers shared by the GoogleTest suites.
#ifndef HOSTACL_TEST_UTIL_H
#define HOSTACL_TEST_UTIL_H

#include <gtest/gtest.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

// The one way tests make temporary files: a new file under /tmp holding
// `contents`, its name ending in `suffix` (".om", ".onnx"); the caller
// removes it (or uses TempFile).
inline std::string MakeTempFile(const std::string &contents, const char *suffix = "")
{
    char tmpl[] = "/tmp/hostacl-test-XXXXXX";
    int fd = mkstemp(tmpl);
    EXPECT_GE(fd, 0) << "mkstemp failed";
    if (fd < 0)
        return std::string();
    close(fd);
    std::string path = std::string(tmpl) + suffix;
    if (*suffix && rename(tmpl, path.c_str()) != 0)
        path = tmpl;
    FILE *f = fopen(path.c_str(), "wb");
    EXPECT_NE(f, nullptr) << path;
    if (f) {
        EXPECT_EQ(fwrite(contents.data(), 1, contents.size(), f), contents.size()) << path;
        fclose(f);
    }
    return path;
}

// A temporary file removed when the object goes away.
class TempFile {
public:
    explicit TempFile(const std::string &contents, const char *suffix = "") : path_(MakeTempFile(contents, suffix)) {}
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

// The one dataset helper: buffers for every input and output of a model
// (device memory, or host memory from aclrtMallocHost), wrapped in datasets
// and freed with the object.
struct Io {
    std::vector<void *> dev; /* inputs first, then outputs */
    std::vector<size_t> sizes;
    aclmdlDataset *in = nullptr, *out = nullptr;
    std::vector<aclDataBuffer *> bufs;
    size_t nin = 0;
    bool host = false;
    explicit Io(aclmdlDesc *d, bool host_memory = false) : host(host_memory)
    {
        in = aclmdlCreateDataset();
        out = aclmdlCreateDataset();
        nin = aclmdlGetNumInputs(d);
        for (int side = 0; side < 2; side++) {
            size_t n = side ? aclmdlGetNumOutputs(d) : nin;
            for (size_t i = 0; i < n; i++) {
                size_t sz = side ? aclmdlGetOutputSizeByIndex(d, i) : aclmdlGetInputSizeByIndex(d, i);
                void *p = nullptr;
                EXPECT_EQ(host ? aclrtMallocHost(&p, sz) : aclrtMalloc(&p, sz, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
                aclDataBuffer *b = aclCreateDataBuffer(p, sz);
                EXPECT_EQ(aclmdlAddDatasetBuffer(side ? out : in, b), ACL_SUCCESS);
                dev.push_back(p);
                sizes.push_back(sz);
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
            host ? aclrtFreeHost(p) : aclrtFree(p);
    }
    // Copies host bytes into input i (exactly its size).
    void SetInput(size_t i, const void *bytes, size_t n)
    {
        EXPECT_EQ(n, sizes[i]) << "input " << i;
        n = n < sizes[i] ? n : sizes[i];
        if (host)
            memcpy(dev[i], bytes, n);
        else
            EXPECT_EQ(aclrtMemcpy(dev[i], sizes[i], bytes, n, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
    }
    // Fills every output with 0xff bytes (NaN floats): what is not written shows.
    void PoisonOutputs()
    {
        for (size_t i = nin; i < dev.size(); i++) {
            if (host)
                memset(dev[i], 0xff, sizes[i]);
            else
                EXPECT_EQ(aclrtMemset(dev[i], sizes[i], 0xff, sizes[i]), ACL_SUCCESS);
        }
    }
    // Output i as floats.
    std::vector<float> Output(size_t i) const
    {
        size_t sz = sizes[nin + i];
        std::vector<float> v(sz / 4);
        if (host)
            memcpy(v.data(), dev[nin + i], v.size() * 4);
        else
            EXPECT_EQ(aclrtMemcpy(v.data(), v.size() * 4, dev[nin + i], v.size() * 4, ACL_MEMCPY_DEVICE_TO_HOST),
                      ACL_SUCCESS);
        return v;
    }
};

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

#endif
