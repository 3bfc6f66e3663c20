"""cotan: NumPy-style Python compiled by an MLIR compiler.

    import cotan
    import cotan.numpy as cnp

    @cotan.jit
    def f(x, w):
        return cotan.nn.relu(x @ w).sum()
"""

from . import nn, numpy, tree_util
from . import ops as lax
from .array import Array
from .errors import (CompileError, ConcretizationError, CotanError,
                     TracerLeakError)
from .jit import Lowered, jit

__all__ = [
    "Array", "CompileError", "ConcretizationError", "CotanError", "Lowered",
    "TracerLeakError", "jit", "lax", "nn", "numpy", "tree_util",
]
__version__ = "0.1.0"
