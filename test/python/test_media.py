# acl.media: DVPP through pyACL's names, as the Python samples drive it:
# a picture encoded to JPEG, decoded back and resized, on a stream.
import numpy as np

import acl


def dev_copy(array):
    a = np.ascontiguousarray(array)
    p, ret = acl.media.dvpp_malloc(a.nbytes)
    assert ret == 0
    assert acl.rt.memcpy(p, a.nbytes, acl.util.numpy_to_ptr(a), a.nbytes, 1) == 0
    return p


def host_copy(p, n):
    out = np.empty(n, np.uint8)
    assert acl.rt.memcpy(acl.util.numpy_to_ptr(out), n, p, n, 2) == 0
    return out


def pic(data, size, w, h, ws, hs, fmt=1):  # 1: PIXEL_FORMAT_YUV_SEMIPLANAR_420
    d = acl.media.dvpp_create_pic_desc()
    assert acl.media.dvpp_set_pic_desc_data(d, data) == 0
    for setter, v in ((acl.media.dvpp_set_pic_desc_size, size), (acl.media.dvpp_set_pic_desc_format, fmt),
                      (acl.media.dvpp_set_pic_desc_width, w), (acl.media.dvpp_set_pic_desc_height, h),
                      (acl.media.dvpp_set_pic_desc_width_stride, ws),
                      (acl.media.dvpp_set_pic_desc_height_stride, hs)):
        assert setter(d, v) == 0
    return d


def test_encode_decode_resize(stream):
    w, h = 128, 96
    y = (np.add.outer(np.arange(h), np.arange(w)) % 200 + 20).astype(np.uint8)
    nv12 = np.concatenate([y.reshape(-1), np.full(w * h // 2, 128, np.uint8)])
    src = dev_copy(nv12)
    ch = acl.media.dvpp_create_channel_desc()
    assert acl.media.dvpp_create_channel(ch) == 0
    assert acl.media.dvpp_get_channel_desc_channel_id(ch) > 0
    inp = pic(src, nv12.nbytes, w, h, w, h)
    cfg = acl.media.dvpp_create_jpege_config()
    assert acl.media.dvpp_set_jpege_config_level(cfg, 100) == 0
    cap, ret = acl.media.dvpp_jpeg_predict_enc_size(inp, cfg)
    assert ret == 0 and cap > 0
    jpeg, ret = acl.media.dvpp_malloc(cap)
    size = np.array([cap], np.uint32)
    assert acl.media.dvpp_jpeg_encode_async(ch, inp, jpeg, acl.util.numpy_to_ptr(size), cfg, stream) == 0
    assert acl.rt.synchronize_stream(stream) == 0
    n = int(size[0])
    assert 0 < n < cap
    jbytes = host_copy(jpeg, n)
    width, height, comps, ret = acl.media.dvpp_jpeg_get_image_info(acl.util.numpy_to_ptr(jbytes), n)
    assert (width, height, comps, ret) == (w, h, 3, 0)
    dec_size, ret = acl.media.dvpp_jpeg_predict_dec_size(acl.util.numpy_to_ptr(jbytes), n, 1)
    assert ret == 0 and dec_size == 128 * 96 * 3 // 2
    dec, ret = acl.media.dvpp_malloc(dec_size)
    out = pic(dec, dec_size, 0, 0, 0, 0)
    assert acl.media.dvpp_jpeg_decode_async(ch, jpeg, n, out, stream) == 0
    assert acl.rt.synchronize_stream(stream) == 0
    assert acl.media.dvpp_get_pic_desc_width(out) == w
    assert acl.media.dvpp_get_pic_desc_width_stride(out) == 128
    back = host_copy(dec, dec_size)[: w * h].reshape(h, w)
    assert np.abs(back.astype(int) - y).mean() < 2
    # resize the decoded picture to 32 x 32
    small, ret = acl.media.dvpp_malloc(32 * 32 * 3 // 2)
    rin = pic(dec, dec_size, w, h, 128, 96)
    rout = pic(small, 32 * 32 * 3 // 2, 32, 32, 32, 32)
    rc = acl.media.dvpp_create_resize_config()
    assert acl.media.dvpp_vpc_resize_async(ch, rin, rout, rc, stream) == 0
    assert acl.rt.synchronize_stream(stream) == 0
    assert acl.media.dvpp_get_pic_desc_ret_code(rout) == 0
    # bad input: a picture too small refused at the call with 100000
    tiny = pic(small, 32 * 32 * 3 // 2, 8, 4, 32, 32)
    assert acl.media.dvpp_vpc_resize_async(ch, rin, tiny, rc, stream) == 100000
    acl.get_recent_err_msg()
    for d in (inp, out, rin, rout, tiny):
        assert acl.media.dvpp_destroy_pic_desc(d) == 0
    acl.media.dvpp_destroy_resize_config(rc)
    acl.media.dvpp_destroy_jpege_config(cfg)
    for p in (src, jpeg, dec, small):
        assert acl.media.dvpp_free(p) == 0
    assert acl.media.dvpp_destroy_channel(ch) == 0
    assert acl.media.dvpp_destroy_channel_desc(ch) == 0


def test_batch_crop_takes_lists(stream):
    batch = acl.media.dvpp_create_batch_pic_desc(1)
    assert batch
    first = acl.media.dvpp_get_pic_desc(batch, 0)
    assert first
    ch = acl.media.dvpp_create_channel_desc()
    acl.media.dvpp_create_channel(ch)
    roi = acl.media.dvpp_create_roi_config(0, 15, 0, 15)
    # the source picture has no data: refused with 100000, lists converted
    assert acl.media.dvpp_vpc_batch_crop_async(ch, batch, [1], 1, batch, [roi], stream) == 100000
    acl.get_recent_err_msg()
    acl.media.dvpp_destroy_roi_config(roi)
    assert acl.media.dvpp_destroy_batch_pic_desc(batch) == 0
    acl.media.dvpp_destroy_channel(ch)
    acl.media.dvpp_destroy_channel_desc(ch)
    assert acl.media.vdec_create_channel_desc() == 0  # video: not implemented (NULL)
    acl.get_recent_err_msg()
