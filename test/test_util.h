// Helpers shared by the GoogleTest suites.
#ifndef HOSTACL_TEST_UTIL_H
#define HOSTACL_TEST_UTIL_H

#include <gtest/gtest.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>

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

#endif
