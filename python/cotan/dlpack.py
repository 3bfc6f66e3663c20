"""Zero-copy exchange with NumPy, PyTorch and other DLPack libraries.

    t = torch.from_dlpack(x)      # x a cotan.Array: t shares x's memory
    n = np.from_dlpack(x)         # a read-only NumPy view of x
    a = cotan.from_dlpack(t)      # a cotan.Array over t's memory

Host (CPU) memory is shared in both directions. cotan arrays are immutable,
so they are exported with DLPack 1.0's read-only flag; consumers that only
speak the older, unversioned protocol (which cannot say "read-only") are
refused rather than handed writable memory. An array imported from another
library still belongs to it: writes made there are seen by the cotan array,
as with JAX.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes
from .array import Array
from .errors import user_error

# DLDeviceType codes (dlpack.h).
CPU = 1
CUDA = 2
_DEVICE_NAMES = {1: "CPU", 2: "CUDA", 3: "CUDA host", 4: "OpenCL", 7: "Vulkan", 8: "Metal",
                 10: "ROCm", 13: "CUDA managed", 14: "oneAPI"}


def export_host(value: np.ndarray, max_version: tuple[int, int] | None, copy: bool | None,
                dl_device: tuple[int, int] | None):
    """The DLPack capsule of a cotan host buffer (NumPy does the packing)."""
    if dl_device is not None and tuple(dl_device) != (CPU, 0):
        raise BufferError(f"cotan arrays on the CPU cannot be exported to device {tuple(dl_device)}")
    if copy:
        value = np.array(value)
        return value.__dlpack__(max_version=max_version)
    if max_version is None or tuple(max_version) < (1, 0):
        raise BufferError(
            "cotan arrays are immutable and the consumer asked for the unversioned DLPack "
            "protocol, which cannot mark memory read-only; use a consumer supporting DLPack "
            "1.0 (NumPy >= 2.1, PyTorch >= 2.5), or pass copy=True")
    return value.__dlpack__(max_version=max_version)


def from_dlpack(x: Any, *, copy: bool | None = None) -> Array:
    """A cotan array over the memory of `x`, any object with `__dlpack__`
    (a NumPy array, a torch tensor, a JAX array on the CPU...), shared
    without a copy when `x` is C-contiguous host memory. `copy=True`
    always copies; `copy=False` raises where a copy would be needed."""
    if not hasattr(x, "__dlpack__"):
        raise user_error(TypeError, f"from_dlpack needs an object with __dlpack__, got {type(x).__name__}")
    if hasattr(x, "__dlpack_device__"):
        kind, index = x.__dlpack_device__()
        if kind != CPU:
            raise user_error(ValueError, (
                f"from_dlpack: the data is on a {_DEVICE_NAMES.get(int(kind), f'type-{int(kind)}')} "
                f"device ({int(index)}); cotan imports host memory only: move it to the CPU first "
                "(e.g. tensor.cpu())"))
    try:
        value = np.from_dlpack(x, copy=copy)
    except (BufferError, TypeError, RuntimeError) as e:
        raise user_error(TypeError, f"from_dlpack: cannot import {type(x).__name__}: {e}") from e
    if value.dtype not in dtypes.SUPPORTED:
        raise user_error(TypeError, (
            f"from_dlpack: dtype {value.dtype} is not supported by cotan; supported: "
            + ", ".join(str(d) for d in dtypes.SUPPORTED)))
    if not value.flags.c_contiguous:
        # Compiled code reads dense row-major buffers.
        if copy is False:
            raise user_error(ValueError, (
                f"from_dlpack(copy=False): the data is strided {value.strides} for shape "
                f"{value.shape}; cotan needs row-major contiguous memory"))
        value = np.ascontiguousarray(value)
    elif value.flags.writeable:
        # A view of its own, so the read-only flag cotan sets stays off the
        # caller's NumPy array.
        value = value.view()
    return Array(value)
