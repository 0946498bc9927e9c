/*
 * The video codecs (vdec, venc) and their stream descriptions: declared by
 * acl/ops/acl_dvpp.h so every program that includes it compiles and links;
 * not implemented by hostacl yet. Creation answers NULL, the other calls
 * ACL_ERROR_FEATURE_UNSUPPORTED (or 0 / NULL where they return no
 * aclError), each with a message naming the function.
 */
#include "dvpp_impl.h"

static aclError video(const char *api)
{
    return haclCompanionError(ACL_ERROR_FEATURE_UNSUPPORTED, api, "video decoding and encoding are not implemented by hostacl yet");
}

ACL_FUNC_VISIBILITY acldvppStreamDesc * acldvppCreateStreamDesc(void)
{
    video(__func__);
    return NULL;
}

ACL_FUNC_VISIBILITY aclError acldvppDestroyStreamDesc(acldvppStreamDesc *streamDesc)
{
    (void)streamDesc;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError acldvppSetStreamDescData(acldvppStreamDesc *streamDesc, void *dataDev)
{
    (void)streamDesc;
    (void)dataDev;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError acldvppSetStreamDescSize(acldvppStreamDesc *streamDesc, uint32_t size)
{
    (void)streamDesc;
    (void)size;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError acldvppSetStreamDescFormat(acldvppStreamDesc *streamDesc, acldvppStreamFormat format)
{
    (void)streamDesc;
    (void)format;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError acldvppSetStreamDescTimestamp(acldvppStreamDesc *streamDesc, uint64_t timestamp)
{
    (void)streamDesc;
    (void)timestamp;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError acldvppSetStreamDescRetCode(acldvppStreamDesc *streamDesc, uint32_t retCode)
{
    (void)streamDesc;
    (void)retCode;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError acldvppSetStreamDescEos(acldvppStreamDesc *streamDesc, uint8_t eos)
{
    (void)streamDesc;
    (void)eos;
    return video(__func__);
}

ACL_FUNC_VISIBILITY void * acldvppGetStreamDescData(const acldvppStreamDesc *streamDesc)
{
    (void)streamDesc;
    video(__func__);
    return NULL;
}

ACL_FUNC_VISIBILITY uint32_t acldvppGetStreamDescSize(const acldvppStreamDesc *streamDesc)
{
    (void)streamDesc;
    video(__func__);
    return 0;
}

ACL_FUNC_VISIBILITY acldvppStreamFormat acldvppGetStreamDescFormat(const acldvppStreamDesc *streamDesc)
{
    (void)streamDesc;
    video(__func__);
    return H265_MAIN_LEVEL;
}

ACL_FUNC_VISIBILITY uint64_t acldvppGetStreamDescTimestamp(const acldvppStreamDesc *streamDesc)
{
    (void)streamDesc;
    video(__func__);
    return 0;
}

ACL_FUNC_VISIBILITY uint32_t acldvppGetStreamDescRetCode(const acldvppStreamDesc *streamDesc)
{
    (void)streamDesc;
    video(__func__);
    return 0;
}

ACL_FUNC_VISIBILITY uint8_t acldvppGetStreamDescEos(const acldvppStreamDesc *streamDesc)
{
    (void)streamDesc;
    video(__func__);
    return 0;
}

ACL_FUNC_VISIBILITY aclvdecChannelDesc * aclvdecCreateChannelDesc(void)
{
    video(__func__);
    return NULL;
}

ACL_FUNC_VISIBILITY aclError aclvdecDestroyChannelDesc(aclvdecChannelDesc *channelDesc)
{
    (void)channelDesc;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvdecSetChannelDescChannelId(aclvdecChannelDesc *channelDesc, uint32_t channelId)
{
    (void)channelDesc;
    (void)channelId;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvdecSetChannelDescThreadId(aclvdecChannelDesc *channelDesc, uint64_t threadId)
{
    (void)channelDesc;
    (void)threadId;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvdecSetChannelDescCallback(aclvdecChannelDesc *channelDesc, aclvdecCallback callback)
{
    (void)channelDesc;
    (void)callback;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvdecSetChannelDescEnType(aclvdecChannelDesc *channelDesc, acldvppStreamFormat enType)
{
    (void)channelDesc;
    (void)enType;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvdecSetChannelDescOutPicFormat(aclvdecChannelDesc *channelDesc, acldvppPixelFormat outPicFormat)
{
    (void)channelDesc;
    (void)outPicFormat;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvdecSetChannelDescOutPicWidth(aclvdecChannelDesc *channelDesc, uint32_t outPicWidth)
{
    (void)channelDesc;
    (void)outPicWidth;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvdecSetChannelDescOutPicHeight(aclvdecChannelDesc *channelDesc, uint32_t outPicHeight)
{
    (void)channelDesc;
    (void)outPicHeight;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvdecSetChannelDescRefFrameNum(aclvdecChannelDesc *channelDesc, uint32_t refFrameNum)
{
    (void)channelDesc;
    (void)refFrameNum;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvdecSetChannelDescBitDepth(aclvdecChannelDesc *channelDesc, uint32_t bitDepth)
{
    (void)channelDesc;
    (void)bitDepth;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvdecSetChannelDescOutMode(aclvdecChannelDesc *channelDesc, uint32_t outMode)
{
    (void)channelDesc;
    (void)outMode;
    return video(__func__);
}

ACL_FUNC_VISIBILITY uint32_t aclvdecGetChannelDescChannelId(const aclvdecChannelDesc *channelDesc)
{
    (void)channelDesc;
    video(__func__);
    return 0;
}

ACL_FUNC_VISIBILITY uint64_t aclvdecGetChannelDescThreadId(const aclvdecChannelDesc *channelDesc)
{
    (void)channelDesc;
    video(__func__);
    return 0;
}

ACL_FUNC_VISIBILITY aclvdecCallback aclvdecGetChannelDescCallback(const aclvdecChannelDesc *channelDesc)
{
    (void)channelDesc;
    video(__func__);
    return NULL;
}

ACL_FUNC_VISIBILITY acldvppStreamFormat aclvdecGetChannelDescEnType(const aclvdecChannelDesc *channelDesc)
{
    (void)channelDesc;
    video(__func__);
    return H265_MAIN_LEVEL;
}

ACL_FUNC_VISIBILITY acldvppPixelFormat aclvdecGetChannelDescOutPicFormat(const aclvdecChannelDesc *channelDesc)
{
    (void)channelDesc;
    video(__func__);
    return PIXEL_FORMAT_YUV_400;
}

ACL_FUNC_VISIBILITY uint32_t aclvdecGetChannelDescOutPicWidth(const aclvdecChannelDesc *channelDesc)
{
    (void)channelDesc;
    video(__func__);
    return 0;
}

ACL_FUNC_VISIBILITY uint32_t aclvdecGetChannelDescOutPicHeight(const aclvdecChannelDesc *channelDesc)
{
    (void)channelDesc;
    video(__func__);
    return 0;
}

ACL_FUNC_VISIBILITY uint32_t aclvdecGetChannelDescBitDepth(const aclvdecChannelDesc *channelDesc)
{
    (void)channelDesc;
    video(__func__);
    return 0;
}

ACL_FUNC_VISIBILITY uint32_t aclvdecGetChannelDescRefFrameNum(const aclvdecChannelDesc *channelDesc)
{
    (void)channelDesc;
    video(__func__);
    return 0;
}

ACL_FUNC_VISIBILITY uint32_t aclvdecGetChannelDescOutMode(const aclvdecChannelDesc *channelDesc)
{
    (void)channelDesc;
    video(__func__);
    return 0;
}

ACL_FUNC_VISIBILITY aclError aclvdecSetChannelDescParam(aclvdecChannelDesc *channelDesc, aclvdecChannelDescParamType paramType, size_t length, const void *param)
{
    (void)channelDesc;
    (void)paramType;
    (void)length;
    (void)param;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvdecGetChannelDescParam(const aclvdecChannelDesc *channelDesc, aclvdecChannelDescParamType paramType, size_t length, size_t *paramRetSize, void *param)
{
    (void)channelDesc;
    (void)paramType;
    (void)length;
    (void)paramRetSize;
    (void)param;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclvdecFrameConfig * aclvdecCreateFrameConfig(void)
{
    video(__func__);
    return NULL;
}

ACL_FUNC_VISIBILITY aclError aclvdecDestroyFrameConfig(aclvdecFrameConfig *vdecFrameConfig)
{
    (void)vdecFrameConfig;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvdecCreateChannel(aclvdecChannelDesc *channelDesc)
{
    (void)channelDesc;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvdecDestroyChannel(aclvdecChannelDesc *channelDesc)
{
    (void)channelDesc;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvdecSendFrame(aclvdecChannelDesc *channelDesc, acldvppStreamDesc *input, acldvppPicDesc *output, aclvdecFrameConfig *config, void *userData)
{
    (void)channelDesc;
    (void)input;
    (void)output;
    (void)config;
    (void)userData;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvdecSendSkippedFrame(aclvdecChannelDesc *channelDesc, acldvppStreamDesc *input, aclvdecFrameConfig *config, void *userData)
{
    (void)channelDesc;
    (void)input;
    (void)config;
    (void)userData;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclvencChannelDesc * aclvencCreateChannelDesc(void)
{
    video(__func__);
    return NULL;
}

ACL_FUNC_VISIBILITY aclError aclvencDestroyChannelDesc(aclvencChannelDesc *channelDesc)
{
    (void)channelDesc;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvencSetChannelDescThreadId(aclvencChannelDesc *channelDesc, uint64_t threadId)
{
    (void)channelDesc;
    (void)threadId;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvencSetChannelDescCallback(aclvencChannelDesc *channelDesc, aclvencCallback callback)
{
    (void)channelDesc;
    (void)callback;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvencSetChannelDescEnType(aclvencChannelDesc *channelDesc, acldvppStreamFormat enType)
{
    (void)channelDesc;
    (void)enType;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvencSetChannelDescPicFormat(aclvencChannelDesc *channelDesc, acldvppPixelFormat picFormat)
{
    (void)channelDesc;
    (void)picFormat;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvencSetChannelDescPicWidth(aclvencChannelDesc *channelDesc, uint32_t picWidth)
{
    (void)channelDesc;
    (void)picWidth;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvencSetChannelDescPicHeight(aclvencChannelDesc *channelDesc, uint32_t picHeight)
{
    (void)channelDesc;
    (void)picHeight;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvencSetChannelDescKeyFrameInterval(aclvencChannelDesc *channelDesc, uint32_t keyFrameInterval)
{
    (void)channelDesc;
    (void)keyFrameInterval;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvencSetChannelDescBufAddr(aclvencChannelDesc *channelDesc, void *bufAddr)
{
    (void)channelDesc;
    (void)bufAddr;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvencSetChannelDescBufSize(aclvencChannelDesc *channelDesc, uint32_t bufSize)
{
    (void)channelDesc;
    (void)bufSize;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvencSetChannelDescRcMode(aclvencChannelDesc *channelDesc, uint32_t rcMode)
{
    (void)channelDesc;
    (void)rcMode;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvencSetChannelDescSrcRate(aclvencChannelDesc *channelDesc, uint32_t srcRate)
{
    (void)channelDesc;
    (void)srcRate;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvencSetChannelDescMaxBitRate(aclvencChannelDesc *channelDesc, uint32_t maxBitRate)
{
    (void)channelDesc;
    (void)maxBitRate;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvencSetChannelDescParam(aclvencChannelDesc *channelDesc, aclvencChannelDescParamType paramType, size_t length, const void *param)
{
    (void)channelDesc;
    (void)paramType;
    (void)length;
    (void)param;
    return video(__func__);
}

ACL_FUNC_VISIBILITY void * aclvencGetChannelDescBufAddr(const aclvencChannelDesc *channelDesc)
{
    (void)channelDesc;
    video(__func__);
    return NULL;
}

ACL_FUNC_VISIBILITY uint32_t aclvencGetChannelDescBufSize(const aclvencChannelDesc *channelDesc)
{
    (void)channelDesc;
    video(__func__);
    return 0;
}

ACL_FUNC_VISIBILITY uint32_t aclvencGetChannelDescChannelId(const aclvencChannelDesc *channelDesc)
{
    (void)channelDesc;
    video(__func__);
    return 0;
}

ACL_FUNC_VISIBILITY uint64_t aclvencGetChannelDescThreadId(const aclvencChannelDesc *channelDesc)
{
    (void)channelDesc;
    video(__func__);
    return 0;
}

ACL_FUNC_VISIBILITY aclvencCallback aclvencGetChannelDescCallback(const aclvencChannelDesc *channelDesc)
{
    (void)channelDesc;
    video(__func__);
    return NULL;
}

ACL_FUNC_VISIBILITY acldvppStreamFormat aclvencGetChannelDescEnType(const aclvencChannelDesc *channelDesc)
{
    (void)channelDesc;
    video(__func__);
    return H265_MAIN_LEVEL;
}

ACL_FUNC_VISIBILITY acldvppPixelFormat aclvencGetChannelDescPicFormat(const aclvencChannelDesc *channelDesc)
{
    (void)channelDesc;
    video(__func__);
    return PIXEL_FORMAT_YUV_400;
}

ACL_FUNC_VISIBILITY uint32_t aclvencGetChannelDescPicWidth(const aclvencChannelDesc *channelDesc)
{
    (void)channelDesc;
    video(__func__);
    return 0;
}

ACL_FUNC_VISIBILITY uint32_t aclvencGetChannelDescPicHeight(const aclvencChannelDesc *channelDesc)
{
    (void)channelDesc;
    video(__func__);
    return 0;
}

ACL_FUNC_VISIBILITY uint32_t aclvencGetChannelDescKeyFrameInterval(const aclvencChannelDesc *channelDesc)
{
    (void)channelDesc;
    video(__func__);
    return 0;
}

ACL_FUNC_VISIBILITY uint32_t aclvencGetChannelDescRcMode(const aclvencChannelDesc *channelDesc)
{
    (void)channelDesc;
    video(__func__);
    return 0;
}

ACL_FUNC_VISIBILITY uint32_t aclvencGetChannelDescSrcRate(const aclvencChannelDesc *channelDesc)
{
    (void)channelDesc;
    video(__func__);
    return 0;
}

ACL_FUNC_VISIBILITY uint32_t aclvencGetChannelDescMaxBitRate(const aclvencChannelDesc *channelDesc)
{
    (void)channelDesc;
    video(__func__);
    return 0;
}

ACL_FUNC_VISIBILITY aclError aclvencGetChannelDescParam(const aclvencChannelDesc *channelDesc, aclvencChannelDescParamType paramType, size_t length, size_t *paramRetSize, void *param)
{
    (void)channelDesc;
    (void)paramType;
    (void)length;
    (void)paramRetSize;
    (void)param;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclvencFrameConfig * aclvencCreateFrameConfig(void)
{
    video(__func__);
    return NULL;
}

ACL_FUNC_VISIBILITY aclError aclvencDestroyFrameConfig(aclvencFrameConfig *vencFrameConfig)
{
    (void)vencFrameConfig;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvencSetFrameConfigForceIFrame(aclvencFrameConfig *config, uint8_t forceIFrame)
{
    (void)config;
    (void)forceIFrame;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvencSetFrameConfigEos(aclvencFrameConfig *config, uint8_t eos)
{
    (void)config;
    (void)eos;
    return video(__func__);
}

ACL_FUNC_VISIBILITY uint8_t aclvencGetFrameConfigForceIFrame(const aclvencFrameConfig *config)
{
    (void)config;
    video(__func__);
    return 0;
}

ACL_FUNC_VISIBILITY uint8_t aclvencGetFrameConfigEos(const aclvencFrameConfig *config)
{
    (void)config;
    video(__func__);
    return 0;
}

ACL_FUNC_VISIBILITY aclError aclvencCreateChannel(aclvencChannelDesc *channelDesc)
{
    (void)channelDesc;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvencDestroyChannel(aclvencChannelDesc *channelDesc)
{
    (void)channelDesc;
    return video(__func__);
}

ACL_FUNC_VISIBILITY aclError aclvencSendFrame(aclvencChannelDesc *channelDesc, acldvppPicDesc *input, void *reserve, aclvencFrameConfig *config, void *userdata)
{
    (void)channelDesc;
    (void)input;
    (void)reserve;
    (void)config;
    (void)userdata;
    return video(__func__);
}
