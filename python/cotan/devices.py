"""Devices cotan can run on: the host CPU, always, and NVIDIA GPUs when a
CUDA driver and a GPU are present.

    cotan.devices()              # [CpuDevice(id=0)] or [CpuDevice(id=0), CudaDevice(id=0)]
    x = cotan.device_put(x, "gpu")
    y = cotan.jit(f)(x)          # placement follows the inputs: runs on the GPU
    z = cotan.jit(f, device="gpu")(np_array)
    np.asarray(y)                # copies back to the host

Computations run on the CPU unless asked otherwise (a `device=` or an
input already on the GPU).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import user_error


@dataclass(frozen=True)
class Device:
    platform: str      # "cpu" or "gpu"
    id: int
    device_kind: str   # e.g. "cpu", "NVIDIA H100 80GB HBM3"
    compute_capability: tuple[int, int] | None = None

    def __repr__(self) -> str:
        return f"{'CpuDevice' if self.platform == 'cpu' else 'CudaDevice'}(id={self.id})"


CPU = Device("cpu", 0, "cpu")


def devices(backend: str | None = None) -> list[Device]:
    """The devices of `backend` ("cpu" or "gpu"/"cuda"), or all of them."""
    from . import gpu
    if backend is None:
        return [CPU, *gpu.devices()]
    platform = _platform(backend)
    return [CPU] if platform == "cpu" else gpu.devices()


def default_backend() -> str:
    """Where computations run unless told otherwise: "cpu"."""
    return "cpu"


def _platform(name: str) -> str:
    name = name.lower()
    if name == "cpu":
        return "cpu"
    if name in ("gpu", "cuda"):
        return "gpu"
    raise user_error(ValueError, f"unknown backend {name!r}: use 'cpu' or 'gpu'")


def resolve(device: Any) -> Device:
    """A Device from a Device, "cpu", "gpu"/"cuda" (the first GPU) or
    "gpu:N"; asking for a GPU that is not there is an error saying so."""
    if isinstance(device, Device):
        return device
    if not isinstance(device, str):
        raise user_error(TypeError, f"device must be a cotan Device or a name like 'cpu' or 'gpu', got "
                                    f"{type(device).__name__}")
    name, _, number = device.partition(":")
    platform = _platform(name)
    if platform == "cpu":
        return CPU
    found = devices("gpu")
    if not found:
        from . import gpu
        raise user_error(RuntimeError, f"no GPU is available ({gpu.unavailable_reason()}); "
                                       f"cotan.devices() lists only {devices()}")
    index = int(number) if number else 0
    if not 0 <= index < len(found):
        raise user_error(ValueError, f"there is no GPU {index}; cotan.devices('gpu') lists {found}")
    return found[index]


def device_put(x: Any, device: Any = None) -> Any:
    """x (an array, or a pytree of them) on `device` (default: the CPU)."""
    from . import gpu
    from . import numpy as cnp
    from .tree_util import tree_map
    target = CPU if device is None else resolve(device)

    def put(leaf: Any) -> Any:
        if target.platform == "gpu":
            return gpu.GpuArray.from_host(leaf, target)
        return cnp.asarray(leaf) if not isinstance(leaf, gpu.GpuArray) else cnp.asarray(leaf._value)
    return tree_map(put, x)
