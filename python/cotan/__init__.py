"""cotan: NumPy-style Python compiled by an MLIR compiler.

    import cotan
    import cotan.numpy as cnp

    @cotan.jit
    def f(x, w):
        return cotan.nn.relu(x @ w).sum()
"""

from . import nn, numpy, testing, tree_util
from . import ops as lax
from .array import Array
from .errors import (CompileError, ConcretizationError, CotanError,
                     TracerLeakError)
from .jit import Lowered, jit
from .transforms import grad, jvp, value_and_grad, vjp

__all__ = [
    "Array", "CompileError", "ConcretizationError", "CotanError", "Lowered",
    "TracerLeakError", "grad", "jit", "jvp", "lax", "nn", "numpy", "testing", "tree_util",
    "value_and_grad", "vjp",
]
__version__ = "0.1.0"
