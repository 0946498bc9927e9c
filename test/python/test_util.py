# acl.util: zero-copy views and addresses, copies into bytes, and what a
# wrong argument gets.
import numpy as np
import pytest

import acl

NPY = {0: np.bool_, 1: np.int8, 2: np.uint8, 3: np.int16, 4: np.uint16, 5: np.int32, 6: np.uint32, 7: np.int64,
       8: np.uint64, 11: np.float32, 12: np.float64, 23: np.float16}


def test_numpy_to_ptr_and_ptr_to_numpy_share_memory():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    p = acl.util.numpy_to_ptr(a)
    assert p == a.ctypes.data
    v = acl.util.ptr_to_numpy(p, (3, 4), 11)
    assert v.shape == (3, 4) and v.dtype == np.float32 and np.array_equal(v, a)
    v[1, 2] = -7  # zero copy, writable: the original sees it
    assert a[1, 2] == -7
    a[0, 0] = 99
    assert v[0, 0] == 99


@pytest.mark.parametrize("npy_type", sorted(NPY))
def test_every_npy_type(npy_type):
    a = np.ones(6, dtype=NPY[npy_type])
    v = acl.util.ptr_to_numpy(acl.util.numpy_to_ptr(a), [2, 3], npy_type)
    assert v.dtype == np.dtype(NPY[npy_type]) and v.shape == (2, 3)


def test_device_memory_through_a_view(device):
    dev, ret = acl.rt.malloc(64, 0)
    assert ret == 0
    v = acl.util.ptr_to_numpy(dev, (16,), 11)
    v[:] = 3.0  # device memory is host memory here
    back = np.empty(16, np.float32)
    assert acl.rt.memcpy(acl.util.numpy_to_ptr(back), 64, dev, 64, 2) == 0
    assert np.all(back == 3.0)
    del v
    assert acl.rt.free(dev) == 0


def test_bytes_round_trip():
    b = b"hostacl\x00\x01\x02"
    p = acl.util.bytes_to_ptr(b)
    assert acl.util.ptr_to_bytes(p, len(b)) == b
    ba = bytearray(b"xyz")
    assert acl.util.ptr_to_bytes(acl.util.bytes_to_ptr(ba), 3) == b"xyz"
    assert acl.util.ptr_to_bytes(p, 0) == b""


def test_contiguous():
    a = np.arange(20, dtype=np.int32).reshape(4, 5)[:, ::2]  # not contiguous
    with pytest.raises(ValueError):
        acl.util.numpy_to_ptr(a)
    p, c = acl.util.numpy_contiguous_to_ptr(a)
    assert c.flags["C_CONTIGUOUS"] and np.array_equal(c, a)
    assert acl.util.ptr_to_numpy(p, c.shape, 5).tolist() == a.tolist()


def test_wrong_arguments():
    with pytest.raises(TypeError):
        acl.util.bytes_to_ptr("text")
    with pytest.raises(ValueError):
        acl.util.numpy_to_ptr(42)
    with pytest.raises(ValueError):
        acl.util.ptr_to_numpy(0x1000, (4,), 11)  # not mapped
    with pytest.raises(ValueError):
        acl.util.ptr_to_numpy(acl.util.numpy_to_ptr(np.zeros(4)), (4,), 99)
    with pytest.raises(ValueError):
        acl.util.ptr_to_numpy(acl.util.numpy_to_ptr(np.zeros(4)), (-1,), 11)
    with pytest.raises(ValueError):
        acl.util.ptr_to_numpy(acl.util.numpy_to_ptr(np.zeros(4)), (1 << 40, 1 << 40), 11)
    with pytest.raises(ValueError):
        acl.util.ptr_to_bytes(0x1000, 10)
    with pytest.raises(ValueError):
        acl.util.ptr_to_bytes(0, 10)
    with pytest.raises(ValueError):
        acl.util.ptr_to_bytes(acl.util.bytes_to_ptr(b"ab"), -2)


def test_runtime_memory_is_checked_against_its_allocation(device, stream):
    dev, ret = acl.rt.malloc(64, 0)
    assert ret == 0
    assert len(acl.util.ptr_to_bytes(dev, 64)) == 64
    with pytest.raises(ValueError):
        acl.util.ptr_to_bytes(dev, 65)  # past the allocation
    with pytest.raises(ValueError):
        acl.util.ptr_to_numpy(dev, (17,), 11)
    with pytest.raises(ValueError):
        acl.util.ptr_to_bytes(stream, 16)  # a handle is not memory
    with pytest.raises(ValueError):
        acl.rt.memcpy(dev, 64, stream, 16, 1)
    assert acl.rt.free(dev) == 0
