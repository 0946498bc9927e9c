# The CANN 8 runtime's newer calls through the binding: a captured model
# runtime instance replayed, virtual memory mapped and copied through,
# notifies between streams, IPC memory keys imported in this process.
import numpy as np

import acl

HOST_TO_DEVICE, DEVICE_TO_HOST, DEVICE_TO_DEVICE = 1, 2, 3
RELAXED = 2
PROP = {"handleType": 0, "allocationType": 0, "memAttr": 5, "location": {"id": 0, "type": 1}}


def put(dev, arr):
    assert acl.rt.memcpy(dev, arr.nbytes, acl.util.numpy_to_ptr(arr), arr.nbytes, HOST_TO_DEVICE) == 0


def get(dev, n):
    out = np.zeros(n, dtype=np.int32)
    assert acl.rt.memcpy(acl.util.numpy_to_ptr(out), out.nbytes, dev, out.nbytes, DEVICE_TO_HOST) == 0
    return out


def test_captured_copies_replay_with_new_contents(stream):
    src, ret = acl.rt.malloc(64, 0)
    dst, ret2 = acl.rt.malloc(64, 0)
    assert ret == ret2 == 0
    assert acl.mdl.ri_capture_begin(stream, RELAXED) == 0
    status, ri, ret = acl.mdl.ri_capture_get_info(stream)
    assert (status, ret) == (1, 0) and ri
    assert acl.rt.memcpy_async(dst, 64, src, 64, DEVICE_TO_DEVICE, stream) == 0
    ri2, ret = acl.mdl.ri_capture_end(stream)
    assert ret == 0 and ri2 == ri
    for k in range(3):
        put(src, np.full(16, k + 1, dtype=np.int32))
        assert acl.mdl.ri_execute_async(ri, stream) == 0
        assert acl.rt.synchronize_stream(stream) == 0
        assert (get(dst, 16) == k + 1).all()
    rid, ret = acl.mdl.ri_get_id(ri)
    assert ret == 0 and rid > 0
    assert acl.mdl.ri_destroy(ri) == 0
    assert acl.mdl.ri_destroy(ri) == 200005  # ACL_ERROR_INVALID_RESOURCE_HANDLE
    acl.rt.free(src)
    acl.rt.free(dst)


def test_virtual_memory_maps_and_refuses_writes_when_read_only(stream):
    g, ret = acl.rt.mem_get_allocation_granularity(PROP, 0)
    assert ret == 0 and g == 2 << 20
    h, ret = acl.rt.malloc_physical(g, PROP)
    assert ret == 0
    va, ret = acl.rt.reserve_mem_address(g)
    assert ret == 0
    assert acl.rt.map_mem(va, g, 0, h) == 0
    put(va, np.arange(8, dtype=np.int32))
    assert list(get(va, 8)) == list(range(8))
    assert acl.rt.mem_set_access(va, g, [{"flags": 1, "location": {"id": 0, "type": 1}}]) == 0
    loc, flag, ret = acl.rt.mem_get_access(va)
    assert ret == 0 and flag == 1 and loc == {"id": 0, "type": 1}
    arr = np.zeros(2, dtype=np.int32)
    assert acl.rt.memcpy(va, 8, acl.util.numpy_to_ptr(arr), 8, HOST_TO_DEVICE) == 207006  # no permission
    assert acl.rt.unmap_mem(va) == 0
    assert acl.rt.release_mem_address(va) == 0
    assert acl.rt.free_physical(h) == 0


def test_notify_releases_a_waiting_stream(device):
    a, _ = acl.rt.create_stream()
    b, _ = acl.rt.create_stream()
    n, ret = acl.rt.create_notify(0)
    assert ret == 0
    assert acl.rt.wait_and_reset_notify(n, a, 0) == 0
    status, ret = acl.rt.stream_query(a)
    assert ret == 0 and status == 1  # not ready: waiting
    assert acl.rt.record_notify(n, b) == 0
    assert acl.rt.synchronize_stream(a) == 0
    key, ret = acl.rt.notify_get_export_key(n, 0)
    assert ret == 0 and key.startswith("hacl-ipc:")
    assert acl.rt.destroy_notify(n) == 0
    acl.rt.destroy_stream(a)
    acl.rt.destroy_stream(b)


def test_ipc_key_imported_here_sees_the_same_memory(device):
    d, ret = acl.rt.malloc(1 << 20, 0)
    assert ret == 0
    key, ret = acl.rt.ipc_mem_get_export_key(d, 1 << 20, 1)
    assert ret == 0
    p, ret = acl.rt.ipc_mem_import_by_key(key)
    assert ret == 0 and p != d
    put(p, np.full(4, 9, dtype=np.int32))
    assert (get(d, 4) == 9).all()
    assert acl.rt.ipc_mem_close(key) == 0
    pid, ret = acl.rt.device_get_bare_tgid()
    assert ret == 0 and pid > 0
    assert acl.rt.free(d) == 0


def test_stream_state_callbacks_and_abort(device):
    seen = []
    assert acl.rt.reg_stream_state_callback("py", lambda s, st, arg: seen.append((s, st, arg)), "tag") == 0
    s, ret = acl.rt.create_stream()
    assert ret == 0
    assert acl.rt.stream_abort(s) == 0  # nothing queued: nothing to report
    assert acl.rt.synchronize_stream(s) == 0
    assert acl.rt.stream_stop(s) == 0
    assert acl.rt.destroy_stream(s) == 0
    assert acl.rt.reg_stream_state_callback("py", None) == 0
    assert seen == [(s, 1, "tag"), (s, 2, "tag")]
