"""cotan: NumPy-style Python compiled by an MLIR compiler.

    import cotan
    import cotan.numpy as cnp

    @cotan.jit
    def f(x, w):
        return cotan.nn.relu(x @ w).sum()
"""

from . import checkpoint, debug, distributed, distributions, nn, numpy, optim, random, scipy, sharding, testing, tree_util
from . import lax
from .abstract_eval import ShapeDtypeStruct, eval_shape
from .array import Array
from .cache import clear_cache
from .config import config
from .devices import Device, default_backend, device_put, devices
from .errors import (CompileError, ConcretizationError, CotanError, RetraceError,
                     TracerLeakError)
from .batching import vmap
from .dlpack import from_dlpack
from .export import export
from .ffi import ffi_call
from .jit import Lowered, jit
from .sharding import shard_map
from .shape_poly import symbolic_shape
from .transforms import (custom_jvp, custom_vjp, grad, hessian, jacfwd, jacrev, jvp,
                         stop_gradient, value_and_grad, vjp)

__all__ = [
    "Array", "checkpoint", "clear_cache", "CompileError", "config", "default_backend", "Device", "device_put", "devices", "ConcretizationError", "CotanError", "Lowered", "RetraceError",
    "custom_jvp", "custom_vjp", "debug", "distributed", "distributions", "eval_shape", "export", "ffi_call", "from_dlpack", "ShapeDtypeStruct",
    "TracerLeakError", "grad", "hessian", "jacfwd", "jacrev", "jit", "jvp", "lax",
    "nn", "numpy", "optim", "random", "scipy", "shard_map", "sharding", "stop_gradient", "symbolic_shape", "testing", "tree_util", "value_and_grad", "vjp",
    "vmap",
]
__version__ = "0.1.0"
