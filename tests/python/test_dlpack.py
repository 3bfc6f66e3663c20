"""DLPack interop: cotan arrays and NumPy / PyTorch share host memory."""

import numpy as np
import pytest

import cotan
import cotan.numpy as cnp

torch = pytest.importorskip("torch")


def _pointer(x: cotan.Array) -> int:
    return np.asarray(x).ctypes.data


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64, np.bool_])
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 5)])
def test_numpy_view_shares_memory(dtype, shape):
    x = cnp.asarray(np.arange(int(np.prod(shape))).reshape(shape).astype(dtype))
    view = np.from_dlpack(x)
    assert view.dtype == dtype and view.shape == shape
    np.testing.assert_array_equal(view, np.asarray(x))
    if view.size:
        assert view.ctypes.data == _pointer(x)
    assert not view.flags.writeable  # cotan arrays are immutable


def test_torch_tensor_shares_memory():
    x = cnp.linspace(0.0, 1.0, 6, dtype=np.float32).reshape(2, 3)
    t = torch.from_dlpack(x)
    assert t.data_ptr() == _pointer(x)
    assert t.shape == (2, 3) and t.dtype == torch.float32
    np.testing.assert_array_equal(t.numpy(), np.asarray(x))


def test_jit_result_exports_without_copy():
    y = cotan.jit(lambda a: a * 2.0 + 1.0)(np.ones((4, 4), np.float32))
    t = torch.from_dlpack(y)
    assert t.data_ptr() == _pointer(y)
    np.testing.assert_array_equal(t.numpy(), np.full((4, 4), 3.0, np.float32))


def test_import_from_torch_shares_memory_and_sees_writes():
    t = torch.arange(6, dtype=torch.float64).reshape(2, 3)
    x = cotan.from_dlpack(t)
    assert isinstance(x, cotan.Array) and x.dtype == np.float64 and x.shape == (2, 3)
    assert _pointer(x) == t.data_ptr()
    t[0, 1] = 100.0  # the memory still belongs to torch; its writes show
    assert float(x[0, 1]) == 100.0
    f = cotan.jit(lambda a: a.sum(axis=0))
    np.testing.assert_allclose(np.asarray(f(x)), t.sum(dim=0).numpy())


def test_import_from_numpy_leaves_source_writable():
    a = np.arange(5, dtype=np.int32)
    x = cnp.from_dlpack(a)
    assert _pointer(x) == a.ctypes.data
    assert a.flags.writeable
    a[2] = -7
    assert int(x[2]) == -7


def test_round_trip_cotan_to_cotan():
    x = cnp.arange(10, dtype=np.int32)
    y = cotan.from_dlpack(x)
    assert _pointer(y) == _pointer(x)
    np.testing.assert_array_equal(np.asarray(y), np.arange(10))


def test_strided_source_is_copied_or_refused():
    t = torch.arange(12, dtype=torch.float32).reshape(3, 4).T
    x = cotan.from_dlpack(t)
    np.testing.assert_array_equal(np.asarray(x), t.numpy())
    assert np.asarray(x).flags.c_contiguous
    with pytest.raises(ValueError, match=r"test_dlpack.py:\d+: .*row-major contiguous"):
        cotan.from_dlpack(t, copy=False)


def test_copy_true_copies():
    t = torch.ones(3)
    x = cotan.from_dlpack(t, copy=True)
    t[0] = 5.0
    assert float(x[0]) == 1.0


def test_legacy_consumer_is_refused_clearly():
    x = cnp.ones(3)
    with pytest.raises(BufferError, match="read-only"):
        x.__dlpack__()  # the unversioned protocol cannot mark memory read-only
    capsule = x.__dlpack__(copy=True)  # a private copy is fine
    assert capsule is not None
    assert x.__dlpack_device__() == (1, 0)


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(TypeError, match=r"test_dlpack.py:\d+: .*needs an object with __dlpack__"):
        cotan.from_dlpack([1, 2, 3])
    with pytest.raises(TypeError, match=r"test_dlpack.py:\d+: .*dtype complex64 is not supported"):
        cotan.from_dlpack(np.zeros(2, np.complex64))

    class OnGpu:
        def __dlpack_device__(self):
            return (2, 0)

        def __dlpack__(self, **kwargs):
            raise AssertionError("must not be called")
    with pytest.raises(ValueError, match=r"test_dlpack.py:\d+: .*CUDA device \(0\).*host memory only"):
        cotan.from_dlpack(OnGpu())
