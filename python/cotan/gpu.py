"""Running on NVIDIA GPUs: finding them (the CUDA driver, libcuda), device
memory (pooled, from cotan's runtime library) and copies (MLIR's CUDA
runtime wrappers, libmlir_cuda_runtime, which the compiled host code also
calls), arrays that stay on the GPU,
and executables built by cotan-gpu-pipeline.

The wrappers work on the first GPU's primary context, so cotan uses GPU 0.
"""

from __future__ import annotations

import ctypes
import functools
import os
import re
import time
from typing import Any, Sequence

import numpy as np

from . import distributed
from .array import Array
from .devices import Device
from .errors import CompileError, user_error
from .runtime import Executable, runtime_library

# cuDeviceGetAttribute's compute capability attributes.
_MAJOR, _MINOR = 75, 76


class _Cuda:
    """The CUDA driver and MLIR's runtime wrappers, loaded once."""

    def __init__(self) -> None:
        self.driver = ctypes.CDLL("libcuda.so.1")
        self._check(self.driver.cuInit(0), "cuInit")
        count = ctypes.c_int()
        self._check(self.driver.cuDeviceGetCount(ctypes.byref(count)), "cuDeviceGetCount")
        self.devices: list[Device] = []
        for index in range(count.value):
            handle = ctypes.c_int()
            self._check(self.driver.cuDeviceGet(ctypes.byref(handle), index), "cuDeviceGet")
            name = ctypes.create_string_buffer(256)
            self._check(self.driver.cuDeviceGetName(name, 256, handle), "cuDeviceGetName")
            major, minor = ctypes.c_int(), ctypes.c_int()
            self._check(self.driver.cuDeviceGetAttribute(ctypes.byref(major), _MAJOR, handle), "capability")
            self._check(self.driver.cuDeviceGetAttribute(ctypes.byref(minor), _MINOR, handle), "capability")
            self.devices.append(Device("gpu", index, name.value.decode(), (major.value, minor.value)))
        if self.devices:
            # The primary context of GPU 0 stays current on this thread: the
            # wrappers push and pop it around some calls but not others.
            context = ctypes.c_void_p()
            first = ctypes.c_int()
            self._check(self.driver.cuDeviceGet(ctypes.byref(first), 0), "cuDeviceGet")
            self._check(self.driver.cuDevicePrimaryCtxRetain(ctypes.byref(context), first), "cuDevicePrimaryCtxRetain")
            self._check(self.driver.cuCtxSetCurrent(context), "cuCtxSetCurrent")
        # Global, so the JIT-compiled host code resolves mgpu* here too; the
        # pooled allocator first, so its mgpuMemAlloc/mgpuMemFree win.
        self.pool = ctypes.CDLL(_pool_library(), mode=ctypes.RTLD_GLOBAL)
        self.runtime = ctypes.CDLL(runtime_library("libmlir_cuda_runtime.so"), mode=ctypes.RTLD_GLOBAL)
        self.pool.mgpuMemAlloc.restype = ctypes.c_void_p
        self.pool.mgpuMemAlloc.argtypes = [ctypes.c_uint64, ctypes.c_void_p, ctypes.c_bool]
        self.pool.mgpuMemFree.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        rt = self.runtime
        rt.mgpuMemcpy.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
        rt.mgpuStreamCreate.restype = ctypes.c_void_p
        rt.mgpuStreamSynchronize.argtypes = [ctypes.c_void_p]
        rt.mgpuStreamDestroy.argtypes = [ctypes.c_void_p]

    @staticmethod
    def _check(status: int, what: str) -> None:
        if status != 0:
            raise RuntimeError(f"{what} failed with CUDA error {status}")

    def alloc(self, nbytes: int) -> int:
        pointer = self.pool.mgpuMemAlloc(max(nbytes, 1), None, False)
        if not pointer:
            raise MemoryError(f"cannot allocate {nbytes} bytes on the GPU")
        return pointer

    def free(self, pointer: int) -> None:
        self.pool.mgpuMemFree(pointer, None)

    def copy(self, to: int, source: int, nbytes: int) -> None:
        """A copy in either direction (unified addressing), finished on return."""
        if nbytes:
            stream = self.runtime.mgpuStreamCreate()
            self.runtime.mgpuMemcpy(to, source, nbytes, stream)
            self.runtime.mgpuStreamSynchronize(stream)
            self.runtime.mgpuStreamDestroy(stream)


def _pool_library() -> str:
    """cotan's pooled replacements for the wrappers' mgpuMemAlloc/Free
    (lib/Runtime/CudaMemoryPool.cpp), shipped next to the bindings."""
    from .mlir import _mlir_libs
    return os.path.join(os.path.dirname(_mlir_libs.__file__), "libCotanCudaRuntime.so")


_failure: list[str] = []


@functools.lru_cache(maxsize=None)
def _cuda() -> _Cuda | None:
    try:
        return _Cuda()
    except (OSError, RuntimeError, CompileError) as e:
        _failure.append(str(e))
        return None


def devices() -> list[Device]:
    """The GPUs cotan can use (empty without a CUDA driver or GPU)."""
    cuda = _cuda()
    return cuda.devices[:1] if cuda else []


def unavailable_reason() -> str:
    if _cuda() is not None:
        return "a GPU is available"
    return _failure[0] if _failure else "no CUDA driver"


def _require() -> _Cuda:
    cuda = _cuda()
    if cuda is None:
        raise user_error(RuntimeError, f"no GPU is available ({unavailable_reason()})")
    return cuda


class GpuArray(Array):
    """An immutable array in GPU memory. It stays there between jitted calls;
    reading it from the host (np.asarray, printing, eager cotan.numpy
    operations) copies it back once."""

    __slots__ = ("_pointer", "_device", "_nbytes")

    def __init__(self, pointer: int, shape: tuple[int, ...], dtype: np.dtype, device: Device,
                 weak_type: bool = False):
        from .core import ShapedArray
        self._pointer = pointer
        self._device = device
        self._nbytes = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
        self._buffer = None  # the host copy, made on first read
        self._weak = weak_type
        self._aval = ShapedArray(tuple(shape), np.dtype(dtype), weak_type)

    @classmethod
    def from_host(cls, x: Any, device: Device) -> "GpuArray":
        if isinstance(x, GpuArray):
            return x
        from . import numpy as cnp
        host = cnp.asarray(x)
        value = np.ascontiguousarray(host._value)
        cuda = _require()
        pointer = cuda.alloc(value.nbytes)
        cuda.copy(pointer, value.ctypes.data, value.nbytes)
        return cls(pointer, value.shape, value.dtype, device, host.weak_type)

    @property
    def _value(self) -> np.ndarray:
        if self._buffer is None:
            host = np.empty(self._aval.shape, self._aval.dtype)
            _require().copy(host.ctypes.data, self._pointer, self._nbytes)
            host.flags.writeable = False
            self._buffer = host
        return self._buffer

    @property
    def device(self) -> Device:
        return self._device

    @property
    def shape(self) -> tuple[int, ...]:
        return self._aval.shape

    @property
    def dtype(self) -> np.dtype:
        return self._aval.dtype

    @property
    def aval(self):
        return self._aval

    def is_deleted(self) -> bool:
        return self._pointer is None

    def delete(self) -> None:
        if self._pointer is not None:
            _require().free(self._pointer)
            self._pointer = None

    def __del__(self) -> None:
        try:
            self.delete()
        except Exception:  # the interpreter is shutting down
            pass

    def __dlpack_device__(self) -> tuple[int, int]:
        from .dlpack import CUDA
        return (CUDA, self._device.id)

    def __dlpack__(self, *, stream: Any = None, max_version: tuple[int, int] | None = None,
                   dl_device: tuple[int, int] | None = None, copy: bool | None = None):
        raise BufferError(
            "cotan does not export GPU memory through DLPack yet; np.asarray(x) gives a host "
            "copy, and cotan.device_put(x, 'cpu') a cotan array on the CPU")

    def __repr__(self) -> str:
        return f"GpuArray({np.array2string(self._value, separator=', ')}, dtype={self.dtype}, device={self._device})"

    def __reduce__(self):
        return (Array, (np.array(self._value), self._weak))


def target_features(capability: tuple[int, int]) -> tuple[str, str]:
    """(chip, PTX features) for a compute capability: sm_90 needs PTX 8.0,
    sm_100 and later 8.6."""
    major, minor = capability
    chip = f"sm_{major}{minor}"
    ptx = "+ptx86" if major >= 10 else "+ptx80" if major >= 9 else "+ptx70"
    return chip, ptx


_retired_engines: list = []


class GpuExecutable(Executable):
    """A function compiled by cotan-gpu-pipeline: inputs on the GPU (or
    copied there), results in fresh GPU buffers."""

    def __init__(self, engine, symbol: str, in_avals: Sequence, out_avals: Sequence,
                 hoisted: Sequence[np.ndarray], device: Device):
        super().__init__(engine, symbol, in_avals, out_avals, hoisted)
        self._device = device
        # Constants hoisted out of the IR go to the device once.
        self._hoisted = [GpuArray.from_host(h, device) for h in hoisted]

    def __del__(self) -> None:
        # An ExecutionEngine that ran its module's constructors leaves
        # exception-handling frames registered after it is destroyed (seen on
        # an H200: numpy's backtrace() then crashed in _Unwind_Find_FDE), so
        # the code of GPU functions lives until the process exits.
        _retired_engines.append(self._engine)

    def __call__(self, inputs: Sequence[Any]) -> list[GpuArray]:
        cuda = _require()
        staged = [x if isinstance(x, GpuArray) else GpuArray.from_host(x, self._device) for x in inputs]
        outputs = [GpuArray(cuda.alloc(int(np.prod(shape, dtype=np.int64)) * dtype.itemsize), shape, dtype,
                            self._device) for shape, dtype in self._out_specs]
        self._run([buffer._pointer for buffer in (*staged, *self._hoisted, *outputs)])
        return outputs


def compile(traced, device: Device) -> GpuExecutable:  # noqa: A001
    """Lowers a traced module with cotan-gpu-pipeline for `device` and
    JIT-compiles its host code; the kernels are PTX the driver compiles
    when the module loads (no CUDA toolkit needed at run time)."""
    from .compiler import OPT_LEVEL, _clone, run_pipeline
    from .core import context
    from .mlir.execution_engine import ExecutionEngine
    _require()
    chip, features = target_features(device.compute_capability or (9, 0))
    with context():
        module = _clone(traced.module)
        if distributed.meshes(module):
            raise user_error(NotImplementedError, (
                f"`{traced.name}` uses collectives (psum, all_gather, ...), which run on the CPU "
                "only so far: jit it without device='gpu'"))
        start = time.perf_counter()
        run_pipeline(module, f"cotan-gpu-pipeline{{chip={chip} features={features} format=isa}}", traced.name)
        passes = time.perf_counter() - start
        start = time.perf_counter()
        try:
            engine = ExecutionEngine(module, opt_level=OPT_LEVEL, shared_libs=[runtime_library()])
        except RuntimeError as e:
            raise CompileError(f"JIT compilation of `{traced.name}` for {device} failed: {e}") from None
        engine.raw_lookup("_mlir_ciface_" + traced.name)  # the JIT generates code here
        # Runs the module's constructors, which load its kernels into the
        # driver; without them every launch finds no kernel.
        engine.initialize()
        llvm = time.perf_counter() - start
    executable = GpuExecutable(engine, traced.name, traced.in_avals, traced.out_avals, traced.hoisted, device)
    executable.timings = {"passes": passes, "llvm": llvm}
    return executable


def ptx(traced, chip: str = "sm_90", features: str = "+ptx80") -> str:
    """The PTX of a traced function's kernels (no GPU needed)."""
    from .compiler import _clone, run_pipeline
    from .core import context
    with context():
        module = _clone(traced.module)
        run_pipeline(module, f"cotan-gpu-pipeline{{chip={chip} features={features} format=isa}}", traced.name)
        text = str(module)
    # MLIR prints the PTX of each gpu.binary with \XX escapes.
    kernels = [re.sub(r"\\([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), chunk.split('"', 1)[0])
               for chunk in text.split('assembly = "')[1:]]
    return "\n".join(kernels)


__all__ = ["GpuArray", "GpuExecutable", "compile", "devices", "ptx", "target_features"]
