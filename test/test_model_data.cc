// Data buffers, element sizes, half-precision conversion, tensor
// descriptions and datasets.
#include <math.h>
#include <string.h>

#include "test_util.h"

TEST_F(AclTest, DataBufferDescribesWithoutOwning)
{
    char mem[100];
    aclDataBuffer *b = aclCreateDataBuffer(mem, sizeof mem);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(aclGetDataBufferAddr(b), mem);
    EXPECT_EQ(aclGetDataBufferSizeV2(b), 100u);
    char other[10];
    EXPECT_EQ(aclUpdateDataBuffer(b, other, 10), ACL_SUCCESS);
    EXPECT_EQ(aclGetDataBufferAddr(b), other);
    EXPECT_EQ(aclGetDataBufferSizeV2(b), 10u);
    EXPECT_EQ(aclUpdateDataBuffer(b, nullptr, 10), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclUpdateDataBuffer(nullptr, other, 10), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclDestroyDataBuffer(b), ACL_SUCCESS);
    EXPECT_EQ(aclDestroyDataBuffer(b), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(aclGetDataBufferAddr(b), nullptr);
    EXPECT_EQ(aclGetDataBufferSizeV2(b), 0u);
    EXPECT_EQ(aclDestroyDataBuffer(nullptr), ACL_ERROR_INVALID_PARAM);
    // An empty placeholder buffer is allowed; a NULL pointer with a size is not.
    aclDataBuffer *empty = aclCreateDataBuffer(nullptr, 0);
    ASSERT_NE(empty, nullptr);
    EXPECT_EQ(aclDestroyDataBuffer(empty), ACL_SUCCESS);
    EXPECT_EQ(aclCreateDataBuffer(nullptr, 8), nullptr);
    TakeErrMsg();
}

TEST(DataType, SizesOfEveryType)
{
    EXPECT_EQ(aclDataTypeSize(ACL_FLOAT), 4u);
    EXPECT_EQ(aclDataTypeSize(ACL_FLOAT16), 2u);
    EXPECT_EQ(aclDataTypeSize(ACL_BF16), 2u);
    EXPECT_EQ(aclDataTypeSize(ACL_INT8), 1u);
    EXPECT_EQ(aclDataTypeSize(ACL_UINT8), 1u);
    EXPECT_EQ(aclDataTypeSize(ACL_BOOL), 1u);
    EXPECT_EQ(aclDataTypeSize(ACL_INT16), 2u);
    EXPECT_EQ(aclDataTypeSize(ACL_UINT16), 2u);
    EXPECT_EQ(aclDataTypeSize(ACL_INT32), 4u);
    EXPECT_EQ(aclDataTypeSize(ACL_UINT32), 4u);
    EXPECT_EQ(aclDataTypeSize(ACL_INT64), 8u);
    EXPECT_EQ(aclDataTypeSize(ACL_UINT64), 8u);
    EXPECT_EQ(aclDataTypeSize(ACL_DOUBLE), 8u);
    EXPECT_EQ(aclDataTypeSize(ACL_COMPLEX64), 8u);
    EXPECT_EQ(aclDataTypeSize(ACL_COMPLEX128), 16u);
    EXPECT_EQ(aclDataTypeSize(ACL_STRING), 0u);
    EXPECT_EQ(aclDataTypeSize(ACL_DT_UNDEFINED), 0u);
    EXPECT_EQ(aclDataTypeSize(static_cast<aclDataType>(99)), 0u);
}

TEST(Float16, EveryHalfSurvivesARoundTrip)
{
    for (uint32_t h = 0; h < 0x10000; h++) {
        float f = aclFloat16ToFloat(static_cast<aclFloat16>(h));
        bool nan = (h & 0x7C00) == 0x7C00 && (h & 0x3FF);
        if (nan) {
            EXPECT_TRUE(std::isnan(f)) << h;
            EXPECT_EQ(aclFloatToFloat16(f) & 0x7C00, 0x7C00) << h;
            continue;
        }
        ASSERT_EQ(aclFloatToFloat16(f), h) << "half " << h << " -> " << f;
    }
}

TEST(Float16, KnownValuesAndRounding)
{
    EXPECT_EQ(aclFloatToFloat16(1.0f), 0x3C00);
    EXPECT_EQ(aclFloatToFloat16(-2.0f), 0xC000);
    EXPECT_EQ(aclFloatToFloat16(65504.0f), 0x7BFF);                  // largest half
    EXPECT_EQ(aclFloatToFloat16(65520.0f), 0x7C00);                  // rounds to infinity
    EXPECT_EQ(aclFloatToFloat16(1e10f), 0x7C00);
    EXPECT_EQ(aclFloatToFloat16(-INFINITY), 0xFC00);
    EXPECT_EQ(aclFloatToFloat16(5.9604645e-8f), 0x0001);             // smallest subnormal
    EXPECT_EQ(aclFloatToFloat16(2.0e-8f), 0x0000);                   // below half of it
    EXPECT_EQ(aclFloatToFloat16(1.0f + 1.0f / 2048), 0x3C00);        // tie to even (down)
    EXPECT_EQ(aclFloatToFloat16(1.0f + 3.0f / 2048), 0x3C02);        // tie to even (up)
    EXPECT_EQ(aclFloat16ToFloat(0x3555), 0.333251953125f);
    EXPECT_EQ(aclFloat16ToFloat(0x8000), -0.0f);
    EXPECT_TRUE(std::signbit(aclFloat16ToFloat(0x8000)));
}

TEST_F(AclTest, TensorDescriptionKeepsShapeTypeFormatName)
{
    int64_t dims[4] = {1, 3, 224, 224};
    aclTensorDesc *d = aclCreateTensorDesc(ACL_FLOAT16, 4, dims, ACL_FORMAT_NCHW);
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(aclGetTensorDescType(d), ACL_FLOAT16);
    EXPECT_EQ(aclGetTensorDescFormat(d), ACL_FORMAT_NCHW);
    EXPECT_EQ(aclGetTensorDescNumDims(d), 4u);
    EXPECT_EQ(aclGetTensorDescElementCount(d), 150528u);
    EXPECT_EQ(aclGetTensorDescSize(d), 301056u);
    int64_t v = 0;
    EXPECT_EQ(aclGetTensorDescDimV2(d, 2, &v), ACL_SUCCESS);
    EXPECT_EQ(v, 224);
    EXPECT_EQ(aclGetTensorDescDimV2(d, 4, &v), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclGetTensorDescDimV2(d, 0, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_STREQ(aclGetTensorDescName(d), "");
    aclSetTensorDescName(d, "images");
    EXPECT_STREQ(aclGetTensorDescName(d), "images");
    EXPECT_EQ(aclSetTensorFormat(d, ACL_FORMAT_NHWC), ACL_SUCCESS);
    EXPECT_EQ(aclGetTensorDescFormat(d), ACL_FORMAT_NHWC);
    int64_t two[2] = {8, -1};
    EXPECT_EQ(aclSetTensorShape(d, 2, two), ACL_SUCCESS);
    EXPECT_EQ(aclGetTensorDescNumDims(d), 2u);
    EXPECT_EQ(aclGetTensorDescElementCount(d), 0u); // unknown extent
    int64_t bad[1] = {-5};
    EXPECT_EQ(aclSetTensorShape(d, 1, bad), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclGetTensorDescNumDims(d), 2u); // unchanged after a refused shape
    int64_t unknown_rank[1] = {-2};
    EXPECT_EQ(aclSetTensorShape(d, 1, unknown_rank), ACL_SUCCESS);
    EXPECT_EQ(aclGetTensorDescNumDims(d), static_cast<size_t>(ACL_UNKNOWN_RANK));
    aclDestroyTensorDesc(d);
    EXPECT_EQ(aclGetTensorDescType(d), ACL_DT_UNDEFINED); // stale: refused, not read
    aclDestroyTensorDesc(d);                              // harmless twice
    TakeErrMsg();
}

TEST_F(AclTest, TensorDescriptionRejectsBadShapes)
{
    int64_t dims[2] = {2, 3};
    EXPECT_EQ(aclCreateTensorDesc(ACL_FLOAT, -1, dims, ACL_FORMAT_ND), nullptr);
    EXPECT_EQ(aclCreateTensorDesc(ACL_FLOAT, 2, nullptr, ACL_FORMAT_ND), nullptr);
    EXPECT_EQ(aclCreateTensorDesc(ACL_FLOAT, ACL_MAX_DIM_CNT + 1, dims, ACL_FORMAT_ND), nullptr);
    aclTensorDesc *scalar = aclCreateTensorDesc(ACL_INT32, 0, nullptr, ACL_FORMAT_ND);
    ASSERT_NE(scalar, nullptr);
    EXPECT_EQ(aclGetTensorDescElementCount(scalar), 1u);
    EXPECT_EQ(aclGetTensorDescSize(scalar), 4u);
    aclDestroyTensorDesc(scalar);
    EXPECT_EQ(aclSetTensorFormat(nullptr, ACL_FORMAT_ND), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclSetTensorShape(nullptr, 1, dims), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclGetTensorDescNumDims(nullptr), 0u);
    TakeErrMsg();
}

TEST_F(AclTest, DatasetHoldsBuffersAndDescriptionsInOrder)
{
    aclmdlDataset *ds = aclmdlCreateDataset();
    ASSERT_NE(ds, nullptr);
    EXPECT_EQ(aclmdlGetDatasetNumBuffers(ds), 0u);
    char mem[3][16];
    aclDataBuffer *bufs[3];
    for (int i = 0; i < 3; i++) {
        bufs[i] = aclCreateDataBuffer(mem[i], 16);
        ASSERT_EQ(aclmdlAddDatasetBuffer(ds, bufs[i]), ACL_SUCCESS);
    }
    EXPECT_EQ(aclmdlGetDatasetNumBuffers(ds), 3u);
    for (int i = 0; i < 3; i++)
        EXPECT_EQ(aclmdlGetDatasetBuffer(ds, i), bufs[i]);
    EXPECT_EQ(aclmdlGetDatasetBuffer(ds, 3), nullptr);
    int64_t dims[1] = {16};
    aclTensorDesc *d = aclCreateTensorDesc(ACL_UINT8, 1, dims, ACL_FORMAT_ND);
    EXPECT_EQ(aclmdlSetDatasetTensorDesc(ds, d, 1), ACL_SUCCESS);
    EXPECT_EQ(aclmdlGetDatasetTensorDesc(ds, 1), d);
    EXPECT_EQ(aclmdlGetDatasetTensorDesc(ds, 0), nullptr);
    EXPECT_EQ(aclmdlSetDatasetTensorDesc(ds, d, 3), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlAddDatasetBuffer(ds, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlAddDatasetBuffer(nullptr, bufs[0]), ACL_ERROR_INVALID_PARAM);
    int junk;
    EXPECT_EQ(aclmdlAddDatasetBuffer(ds, reinterpret_cast<aclDataBuffer *>(&junk)), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    // Many buffers.
    aclmdlDataset *big = aclmdlCreateDataset();
    for (int i = 0; i < 1000; i++)
        ASSERT_EQ(aclmdlAddDatasetBuffer(big, bufs[i % 3]), ACL_SUCCESS);
    EXPECT_EQ(aclmdlGetDatasetNumBuffers(big), 1000u);
    EXPECT_EQ(aclmdlDestroyDataset(big), ACL_SUCCESS);
    // Destroying the dataset leaves buffers and descriptions alone.
    EXPECT_EQ(aclmdlDestroyDataset(ds), ACL_SUCCESS);
    EXPECT_EQ(aclmdlDestroyDataset(ds), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(aclmdlGetDatasetNumBuffers(ds), 0u);
    EXPECT_EQ(aclmdlDestroyDataset(nullptr), ACL_ERROR_INVALID_PARAM);
    for (auto *b : bufs)
        EXPECT_EQ(aclDestroyDataBuffer(b), ACL_SUCCESS);
    aclDestroyTensorDesc(d);
    TakeErrMsg();
}
