"""The GPU backend. Without a GPU: devices, clear errors, and the PTX the
pipeline produces. With one (`pytest -m gpu tests/python/test_gpu.py` on a
machine with an NVIDIA GPU and its driver): results against NumPy, arrays
that stay on the GPU, and an MLP trained there."""

from __future__ import annotations

import numpy as np
import pytest

import cotan
import cotan.numpy as cnp
from cotan import gpu, nn, optim

HAS_GPU = bool(cotan.devices("gpu"))
needs_gpu = pytest.mark.skipif(not HAS_GPU, reason=f"no GPU: {gpu.unavailable_reason()}")
HERE = r"test_gpu.py:\d+"


def test_devices_always_include_the_cpu():
    listed = cotan.devices()
    assert listed[0] == cotan.Device("cpu", 0, "cpu") and repr(listed[0]) == "CpuDevice(id=0)"
    assert cotan.devices("cpu") == listed[:1]
    assert cotan.default_backend() == "cpu"
    for device in cotan.devices("gpu"):
        assert device.platform == "gpu" and repr(device) == f"CudaDevice(id={device.id})"
    with pytest.raises(ValueError, match=HERE + ".*unknown backend 'tpu'"):
        cotan.devices("tpu")
    with pytest.raises(TypeError, match=HERE + ".*device must be a cotan Device or a name"):
        cotan.device_put(np.ones(2), 3)
    assert type(cotan.device_put(np.ones(2), "cpu")) is cotan.Array


@pytest.mark.skipif(HAS_GPU, reason="a GPU is present")
def test_asking_for_a_missing_gpu_is_a_clear_error():
    with pytest.raises(RuntimeError, match=HERE + r".*no GPU is available .*lists only \[CpuDevice\(id=0\)\]"):
        cotan.jit(lambda x: x + 1, device="gpu")(np.ones(3))
    with pytest.raises(RuntimeError, match=HERE + ".*no GPU is available"):
        cotan.device_put(np.ones(3), "gpu")
    assert cotan.jit(lambda x: x + 1, device="cpu")(np.ones(3)).tolist() == [2.0, 2.0, 2.0]


def test_ptx_without_a_gpu():
    x = np.ones((4, 300), np.float32)
    elementwise = cotan.jit(lambda a, b: cnp.exp(a * b)).lower(x, x).as_text("ptx")
    assert ".target sm_90" in elementwise and ".entry" in elementwise and "ld.global" in elementwise
    rows = cotan.jit(lambda a: cnp.sum(a, axis=1)).lower(x).as_text("ptx")
    assert rows.count(".entry") == 2 and "bar.sync" in rows  # zero the sums, then a block per row
    matmul = cotan.jit(lambda a, b: a @ b).lower(x, x.T).as_text("ptx")
    assert "ld.shared" in matmul and "bar.sync" in matmul and "fma.rn.f32" in matmul  # shared-memory tiles
    with pytest.raises(ValueError, match="unknown stage 'sass'"):
        cotan.jit(lambda a: a).lower(x).as_text("sass")


def test_pooled_allocator_is_shipped():
    # cotan's mgpuMemAlloc/mgpuMemFree, which replace the wrappers' own.
    import ctypes
    pool = ctypes.CDLL(gpu._pool_library())
    pool.mgpuMemAlloc.restype = ctypes.c_void_p
    pool.mgpuMemAlloc.argtypes = [ctypes.c_uint64, ctypes.c_void_p, ctypes.c_bool]
    pool.mgpuMemFree.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    assert pool.mgpuMemAlloc(0, None, False) is None  # nothing to allocate
    assert pool.mgpuMemAlloc(64, None, True) is None  # host-shared memory: refused
    if not HAS_GPU:  # no driver: no memory, and no crash
        assert pool.mgpuMemAlloc(64, None, False) is None
    pool.mgpuMemFree(None, None)


# -- on a GPU ------------------------------------------------------------------

@needs_gpu
@pytest.mark.gpu
@pytest.mark.parametrize("name, fn", [
    ("elementwise", lambda x, y: cnp.tanh(x * y) + 1.0),
    ("broadcast", lambda x, y: x * y[0] - y[:, :1]),
    ("row_sums", lambda x, y: cnp.sum(x * y, axis=1)),
    ("total", lambda x, y: cnp.sum(x) * 0.5),
    ("matmul", lambda x, y: x @ y.T),
    ("softmax", lambda x, y: nn.softmax(x, axis=-1)),
])
def test_results_match_numpy(name, fn, rng):
    x = rng.standard_normal((64, 96)).astype(np.float32)
    y = rng.standard_normal((64, 96)).astype(np.float32)
    on_gpu = cotan.jit(fn, device="gpu")(x, y)
    assert type(on_gpu) is gpu.GpuArray and on_gpu.device.platform == "gpu"
    np.testing.assert_allclose(np.asarray(on_gpu), np.asarray(cotan.jit(fn)(x, y)), rtol=2e-5, atol=2e-5)


@needs_gpu
@pytest.mark.gpu
@pytest.mark.parametrize("lhs_shape, rhs_shape, dtype, fn", [
    ((65, 33), (33, 129), np.float32, lambda a, b: a @ b),       # partial tiles on every edge
    ((40, 70), (50, 70), np.float32, lambda a, b: a @ b.T),      # transposed operand
    ((3, 17, 40), (3, 40, 9), np.float32, lambda a, b: a @ b),   # batched
    ((30, 20), (20, 10), np.float64, lambda a, b: a @ b),
    ((20, 30), (30, 10), np.int32, lambda a, b: a @ b),
    ((64, 48), (48, 32), "bfloat16", lambda a, b: a @ b),           # tensor cores from here
    ((130, 70), (70, 97), "bfloat16", lambda a, b: a @ b),          # partial tiles and slices
    ((3, 33, 40), (3, 40, 65), np.float16, lambda a, b: a @ b),     # batched f16
    ((72, 48), (80, 48), "bfloat16", lambda a, b: a @ b.T),         # transposed operand
    ((40, 72), (40, 80), np.float16, lambda a, b: a.T @ b),         # both read k-major
    ((2050, 40), (40, 2049), "bfloat16", lambda a, b: a @ b),       # 128x128 tiles, partial edges
    ((4, 0), (0, 5), np.float32, lambda a, b: a @ b),            # empty contraction: zeros
    ((0, 3), (3, 5), np.float32, lambda a, b: a @ b),            # no outputs
    ((40,), (40, 7), np.float32, lambda a, b: a @ b),            # vector times matrix
])
def test_matrix_products_match_numpy(lhs_shape, rhs_shape, dtype, fn, rng):
    dtype = np.dtype(dtype)
    a = (rng.standard_normal(lhs_shape) * 3).astype(dtype)
    b = (rng.standard_normal(rhs_shape) * 3).astype(dtype)
    on_gpu = np.asarray(cotan.jit(fn, device="gpu")(a, b))
    expected = fn(a.astype(np.float64), b.astype(np.float64))
    assert on_gpu.shape == expected.shape and on_gpu.dtype == dtype
    tolerance = {np.dtype(np.float32): 1e-5, np.dtype(np.float64): 1e-12}.get(dtype, 1e-2)
    np.testing.assert_allclose(on_gpu.astype(np.float64), expected, rtol=tolerance,
                               atol=tolerance * np.sqrt(max(a.shape[-1], 1)) * 9)


@needs_gpu
@pytest.mark.gpu
@pytest.mark.parametrize("shape, dtype, fn", [
    ((1000, 1000), np.float32, lambda x: cnp.sum(x)),                 # split over many blocks
    ((3, 70000), np.float64, lambda x: cnp.sum(x, axis=1)),           # few long rows, split
    ((300, 500), np.float32, lambda x: cnp.max(x, axis=1)),           # a block per row
    ((20, 30, 40), np.float32, lambda x: cnp.min(x, axis=(0, 2))),    # strided, few outputs
    ((300, 5000), np.float32, lambda x: cnp.sum(x, axis=0)),          # a thread per column
    ((64, 4096), np.float32, lambda x: nn.softmax(x, axis=-1)),       # wide rows
    ((5000,), np.int32, lambda x: cnp.sum(x)),
    ((700, 300), np.float32, lambda x: cnp.argmax(x, axis=1)),        # two results: a thread per row
    ((500, 300), np.bool_, lambda x: cnp.any(x, axis=1)),
    ((4, 0), np.float32, lambda x: cnp.sum(x, axis=1)),               # nothing to reduce
    ((0, 4), np.float32, lambda x: cnp.max(x, axis=1)),               # no outputs
])
def test_reductions_match_numpy(shape, dtype, fn, rng):
    x = rng.standard_normal(shape) * 3
    x = (x > 2) if dtype == np.bool_ else x.astype(dtype)
    on_gpu = np.asarray(cotan.jit(fn, device="gpu")(x))
    expected = np.asarray(cotan.jit(fn)(x))
    assert on_gpu.shape == expected.shape and on_gpu.dtype == expected.dtype
    np.testing.assert_allclose(on_gpu, expected, rtol=1e-5, atol=1e-4 if dtype == np.float32 else 1e-9)


@needs_gpu
@pytest.mark.gpu
def test_arrays_stay_on_the_gpu(rng):
    x = cotan.device_put(rng.standard_normal(1000).astype(np.float32), "gpu")
    assert type(x) is gpu.GpuArray and x.shape == (1000,) and x.dtype == np.float32
    step = cotan.jit(lambda v: v * 2.0 + 1.0)  # placement follows the input
    y = step(step(x))
    assert type(y) is gpu.GpuArray and y._buffer is None  # never copied to the host
    np.testing.assert_allclose(np.asarray(y), (np.asarray(x) * 2 + 1) * 2 + 1, rtol=1e-6)
    assert type(cotan.device_put(y, "cpu")) is cotan.Array


@needs_gpu
@pytest.mark.gpu
def test_mlp_trains_on_the_gpu(rng):
    model = nn.Sequential([nn.Dense(32), nn.relu, nn.Dense(1)])
    x = rng.standard_normal((256, 4)).astype(np.float32)
    y = (x[:, :1] * x[:, 1:2] > 0).astype(np.float32)
    optimizer = optim.adam(1e-2)

    def loss_fn(params, x, y):
        return cnp.mean(nn.sigmoid_binary_cross_entropy(model.apply(params, x), y))

    def step(params, state, x, y):
        loss, grads = cotan.value_and_grad(loss_fn)(params, x, y)
        updates, state = optimizer.update(grads, state, params)
        return optim.apply_updates(params, updates), state, loss

    params = model.init(0, x.shape)
    gpu_step, cpu_step = cotan.jit(step, device="gpu"), cotan.jit(step)
    gpu_state = cpu_state = optimizer.init(params)
    gpu_params = cpu_params = params
    losses = []
    for _ in range(100):
        gpu_params, gpu_state, loss = gpu_step(gpu_params, gpu_state, x, y)
        cpu_params, cpu_state, _ = cpu_step(cpu_params, cpu_state, x, y)
        losses.append(float(loss))
    assert losses[-1] < 0.7 * losses[0]
    for a, b in zip(cotan.tree_util.tree_leaves(gpu_params), cotan.tree_util.tree_leaves(cpu_params)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-3, atol=1e-4)
