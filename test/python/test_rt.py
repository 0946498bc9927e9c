# acl.rt: devices, contexts, streams, events and memory, success and error
# paths, with AscendCL's error codes.
import numpy as np
import pytest

import acl

ACL_ERROR_INVALID_PARAM = 100000
ACL_ERROR_UNINITIALIZE = 100001
ACL_ERROR_REPEAT_INITIALIZE = 100002
ACL_ERROR_RT_INVALID_RESOURCE_HANDLE = 200005
HOST_TO_DEVICE, DEVICE_TO_HOST, DEVICE_TO_DEVICE = 1, 2, 3


def test_init_finalize_and_their_errors():
    assert acl.rt.set_device(0) == ACL_ERROR_UNINITIALIZE
    assert "aclInit" in acl.get_recent_err_msg()
    assert acl.init() == 0
    assert acl.init() == ACL_ERROR_REPEAT_INITIALIZE
    refs, ret = acl.finalize_reference()
    assert (refs, ret) == (1, 0)
    assert acl.finalize() == 0
    assert acl.finalize() != 0
    acl.get_recent_err_msg()
    assert acl.init("/nonexistent/acl.json") != 0
    acl.get_recent_err_msg()


def test_devices_and_contexts(device):
    assert acl.rt.get_device() == (0, 0)
    n, ret = acl.rt.get_device_count()
    assert ret == 0 and n >= 1
    mode, ret = acl.rt.get_run_mode()
    assert (mode, ret) == (1, 0)  # ACL_HOST
    major, minor, patch, ret = acl.rt.get_version()
    assert ret == 0 and major >= 0
    assert isinstance(acl.get_soc_name(), str)
    ctx, ret = acl.rt.create_context(0)
    assert ret == 0 and ctx
    assert acl.rt.get_context() == (ctx, 0)
    assert acl.rt.set_context(device) == 0
    assert acl.rt.destroy_context(ctx) == 0
    assert acl.rt.destroy_context(ctx) == ACL_ERROR_RT_INVALID_RESOURCE_HANDLE
    assert acl.rt.set_device(99) != 0
    assert "99" in acl.get_recent_err_msg()
    _, ret = acl.rt.create_context(-5)
    assert ret != 0
    assert acl.rt.synchronize_device() == 0


def test_streams(device):
    s, ret = acl.rt.create_stream()
    assert ret == 0
    s2, ret = acl.rt.create_stream_with_config(3, 0)
    assert ret == 0
    assert acl.rt.stream_query(s) == (0, 0)  # ACL_STREAM_STATUS_COMPLETE
    assert acl.rt.synchronize_stream(s) == 0
    assert acl.rt.synchronize_stream_with_timeout(s, 100) == 0
    assert acl.rt.set_stream_failure_mode(s, 1) == 0
    assert acl.rt.set_stream_failure_mode(s, 7) == ACL_ERROR_INVALID_PARAM
    _, ret = acl.rt.create_stream_with_config(99, 0)
    assert ret == ACL_ERROR_INVALID_PARAM
    assert acl.rt.destroy_stream(s) == 0
    assert acl.rt.destroy_stream_force(s2) == 0
    assert acl.rt.destroy_stream(s) == ACL_ERROR_RT_INVALID_RESOURCE_HANDLE
    assert acl.rt.synchronize_stream(123456) == ACL_ERROR_RT_INVALID_RESOURCE_HANDLE
    acl.get_recent_err_msg()


def test_events(device, stream):
    e1, ret = acl.rt.create_event()
    assert ret == 0
    e2, ret = acl.rt.create_event_with_flag(1)
    assert ret == 0
    e3, ret = acl.rt.create_event_ex_with_flag(1)
    assert ret == 0
    assert acl.rt.record_event(e1, stream) == 0
    assert acl.rt.record_event(e2, stream) == 0
    assert acl.rt.stream_wait_event(stream, e1) == 0
    assert acl.rt.synchronize_event(e2) == 0
    assert acl.rt.synchronize_event_with_timeout(e2, 10) == 0
    assert acl.rt.query_event_status(e2) == (1, 0)  # ACL_EVENT_RECORDED_STATUS_COMPLETE
    assert acl.rt.query_event(e2) == (0, 0)  # ACL_EVENT_STATUS_COMPLETE
    assert acl.rt.query_event_wait_status(e2) == (0, 0)
    ms, ret = acl.rt.event_elapsed_time(e1, e2)
    assert ret == 0 and ms >= 0.0
    assert acl.rt.reset_event(e1, stream) == 0
    assert acl.rt.synchronize_stream(stream) == 0
    _, ret = acl.rt.event_elapsed_time(e3, e2)
    assert ret != 0  # never recorded
    for e in (e1, e2, e3):
        assert acl.rt.destroy_event(e) == 0
    assert acl.rt.destroy_event(e1) == ACL_ERROR_RT_INVALID_RESOURCE_HANDLE
    assert acl.rt.record_event(0, stream) == ACL_ERROR_INVALID_PARAM
    acl.get_recent_err_msg()


def test_memory_round_trip(device, stream):
    dev, ret = acl.rt.malloc(4096, 0)
    assert ret == 0 and dev
    host, ret = acl.rt.malloc_host(4096)
    assert ret == 0 and host
    src = np.arange(1024, dtype=np.float32)
    assert acl.rt.memcpy(dev, 4096, acl.util.numpy_to_ptr(src), 4096, HOST_TO_DEVICE) == 0
    assert acl.rt.memcpy(host, 4096, dev, 4096, DEVICE_TO_HOST) == 0
    view = acl.util.ptr_to_numpy(host, (1024,), 11)
    assert np.array_equal(view, src)
    assert acl.rt.memset(dev, 4096, 0, 4096) == 0
    assert acl.rt.memset_async(dev, 4096, 1, 16, stream) == 0
    assert acl.rt.memcpy_async(host, 4096, dev, 4096, DEVICE_TO_HOST, stream) == 0
    assert acl.rt.synchronize_stream(stream) == 0
    raw = acl.util.ptr_to_bytes(host, 32)
    assert raw[:16] == b"\x01" * 16 and raw[16:] == b"\x00" * 16
    # 2-D: two rows of 8 bytes from a 16-byte pitch
    src2 = np.arange(32, dtype=np.uint8)
    assert acl.rt.memcpy2d(dev, 8, acl.util.numpy_to_ptr(src2), 16, 8, 2, HOST_TO_DEVICE) == 0
    assert acl.rt.memcpy2d_async(host, 8, dev, 8, 8, 2, DEVICE_TO_HOST, stream) == 0
    assert acl.rt.synchronize_stream(stream) == 0
    assert acl.util.ptr_to_bytes(host, 16) == bytes(list(range(8)) + list(range(16, 24)))
    free, total, ret = acl.rt.get_mem_info(0)
    assert ret == 0 and 0 < free <= total
    assert acl.rt.mem_flush(dev, 64) == 0 and acl.rt.mem_invalidate(dev, 64) == 0
    c, ret = acl.rt.malloc_cached(64, 0)
    assert ret == 0
    assert acl.rt.free(c) == 0
    assert acl.rt.free(dev) == 0
    assert acl.rt.free(dev) != 0  # twice
    assert acl.rt.free_host(host) == 0
    acl.get_recent_err_msg()


def test_memory_errors(device):
    dev, ret = acl.rt.malloc(64, 0)
    assert ret == 0
    src = np.zeros(16, np.uint8)
    # more than the destination holds, a kind that is not one
    assert acl.rt.memcpy(dev, 64, acl.util.numpy_to_ptr(src), 128, HOST_TO_DEVICE) != 0
    assert acl.rt.memcpy(dev, 64, acl.util.numpy_to_ptr(src), 16, 42) != 0
    _, ret = acl.rt.malloc(0, 0)
    assert ret == ACL_ERROR_INVALID_PARAM
    _, ret = acl.rt.malloc(1 << 62, 0)
    assert ret != 0
    # made-up host addresses never reach memory
    with pytest.raises(ValueError):
        acl.rt.memcpy(dev, 64, 0x1000, 16, HOST_TO_DEVICE)
    with pytest.raises(ValueError):
        acl.rt.memcpy(0xDEAD0000, 16, dev, 16, DEVICE_TO_HOST)
    with pytest.raises(ValueError):
        acl.rt.malloc(-1, 0)
    with pytest.raises(TypeError):
        acl.rt.malloc(16.0, 0)
    with pytest.raises(TypeError):
        acl.rt.free("0x10")
    with pytest.raises(ValueError):
        acl.rt.free(-1)
    with pytest.raises(ValueError):
        acl.rt.free(1 << 80)
    assert acl.rt.free(dev) == 0
    acl.get_recent_err_msg()


def test_last_error_versions_and_capabilities(device):
    assert acl.rt.get_run_mode()[1] == 0
    acl.rt.set_device(42)
    assert acl.rt.peek_at_last_error(0) == 107001
    assert acl.rt.get_last_error() == 107001 and acl.rt.get_last_error() == 0
    acl.get_recent_err_msg()
    info, ret = acl.rt.get_error_verbose(0)
    assert ret == 0 and info == {"errorType": 0, "tryRepair": 0, "hasDetail": 0}
    assert acl.rt.repair_error(0, info) == 0
    assert acl.sys.get_version_str("runtime") == ("0.1.0", 0)
    assert acl.sys.get_version_num("runtime") == (1000, 0)
    assert acl.sys.get_version_str("driver")[1] == 100003
    attrs, ret = acl.get_cann_attribute_list()
    assert ret == 0 and attrs == [0, 1, 2]
    assert acl.get_cann_attribute(0) == (1, 0) and acl.get_cann_attribute(2) == (0, 0)
    assert acl.rt.get_device_capability(0, 1) == (0, 0)
    assert acl.rt.check_arch_compatibility(acl.get_soc_name()) == (1, 0)
    assert acl.rt.check_arch_compatibility("Ascend310P3") == (0, 0)
    acl.get_recent_err_msg()


def test_overflow_modes_and_status(device, stream):
    mode, ret = acl.rt.get_device_sat_mode()
    assert ret == 0 and mode == 1  # INFNAN
    assert acl.rt.set_device_sat_mode(2) == ACL_ERROR_INVALID_PARAM
    assert acl.rt.get_stream_overflow_switch(stream) == (0, 0)
    assert acl.rt.set_stream_overflow_switch(stream, 1) == 0
    assert acl.rt.get_stream_overflow_switch(stream) == (1, 0)
    # a reduce that overflows float32 sets the device's status word
    a, _ = acl.rt.malloc(8, 0)
    status, _ = acl.rt.malloc(64, 0)
    big = np.array([3e38, 1], np.float32)
    assert acl.rt.memcpy(a, 8, acl.util.numpy_to_ptr(big), 8, HOST_TO_DEVICE) == 0
    assert acl.rt.reduce_async(a, a, 8, 10, 0, stream, 0) == 0  # SUM, ACL_FLOAT
    assert acl.rt.get_overflow_status(status, 64, stream) == 0
    assert acl.rt.synchronize_stream(stream) == 0
    out = np.zeros(16, np.uint32)
    assert acl.rt.memcpy(acl.util.numpy_to_ptr(out), 64, status, 64, DEVICE_TO_HOST) == 0
    assert out[0] == 1 and not out[1:].any()
    assert acl.rt.reset_overflow_status(stream) == 0
    assert acl.rt.get_overflow_status(status, 64, stream) == 0
    assert acl.rt.synchronize_stream(stream) == 0
    assert acl.rt.memcpy(acl.util.numpy_to_ptr(out), 64, status, 64, DEVICE_TO_HOST) == 0
    assert out[0] == 0
    assert acl.rt.get_overflow_status(status, 16, stream) == ACL_ERROR_INVALID_PARAM
    assert acl.rt.free(a) == 0 and acl.rt.free(status) == 0
    acl.get_recent_err_msg()


def test_device_status_priorities_and_limits(device):
    assert acl.rt.query_device_status(0) == (0, 0)
    assert acl.rt.query_device_status(99)[1] == 107001
    assert acl.rt.device_get_stream_priority_range() == (7, 0, 0)
    cores, ret = acl.rt.get_device_res_limit(0, 0)
    assert ret == 0 and cores >= 1
    assert acl.rt.set_device_res_limit(0, 1, 1) == 0
    assert acl.rt.get_device_res_limit(0, 1) == (1, 0)
    assert acl.rt.get_res_in_current_thread(1) == (1, 0)
    assert acl.rt.set_device_res_limit(0, 1, cores + 1) == ACL_ERROR_INVALID_PARAM
    assert acl.rt.reset_device_res_limit(0) == 0
    assert acl.rt.get_device_res_limit(0, 1) == (cores, 0)
    acl.get_recent_err_msg()
