"""cotan.Array, a concrete array, and the NumPy-style methods and operators
it shares with traced values."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes


class ArrayBase:
    """Operators and methods of cotan arrays, concrete or traced. Subclasses
    provide `aval` (a core.ShapedArray)."""

    __slots__ = ()
    __array_priority__ = 100

    @property
    def shape(self) -> tuple[int, ...]:
        return self.aval.shape

    @property
    def dtype(self) -> np.dtype:
        return self.aval.dtype

    @property
    def weak_type(self) -> bool:
        return self.aval.weak_type

    @property
    def ndim(self) -> int:
        return len(self.aval.shape)

    @property
    def size(self) -> int:
        return self.aval.size

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a 0-d array")
        return self.shape[0]

    def __iter__(self):
        if not self.shape:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(self.shape[0]))

    __hash__ = None  # arrays are mutable-looking; never hash them by id

    # Arithmetic, comparisons and indexing route through cotan.numpy.
    def __add__(self, o): return _np().add(self, o)
    def __radd__(self, o): return _np().add(o, self)
    def __sub__(self, o): return _np().subtract(self, o)
    def __rsub__(self, o): return _np().subtract(o, self)
    def __mul__(self, o): return _np().multiply(self, o)
    def __rmul__(self, o): return _np().multiply(o, self)
    def __truediv__(self, o): return _np().true_divide(self, o)
    def __rtruediv__(self, o): return _np().true_divide(o, self)
    def __floordiv__(self, o): return _np().floor_divide(self, o)
    def __rfloordiv__(self, o): return _np().floor_divide(o, self)
    def __mod__(self, o): return _np().remainder(self, o)
    def __rmod__(self, o): return _np().remainder(o, self)
    def __pow__(self, o): return _np().power(self, o)
    def __rpow__(self, o): return _np().power(o, self)
    def __matmul__(self, o): return _np().matmul(self, o)
    def __rmatmul__(self, o): return _np().matmul(o, self)
    def __neg__(self): return _np().negative(self)
    def __pos__(self): return self
    def __abs__(self): return _np().abs(self)
    def __invert__(self): return _np().invert(self)
    def __and__(self, o): return _np().bitwise_and(self, o)
    def __rand__(self, o): return _np().bitwise_and(o, self)
    def __or__(self, o): return _np().bitwise_or(self, o)
    def __ror__(self, o): return _np().bitwise_or(o, self)
    def __xor__(self, o): return _np().bitwise_xor(self, o)
    def __rxor__(self, o): return _np().bitwise_xor(o, self)
    def __eq__(self, o): return _np().equal(self, o)  # type: ignore[override]
    def __ne__(self, o): return _np().not_equal(self, o)  # type: ignore[override]
    def __lt__(self, o): return _np().less(self, o)
    def __le__(self, o): return _np().less_equal(self, o)
    def __gt__(self, o): return _np().greater(self, o)
    def __ge__(self, o): return _np().greater_equal(self, o)

    def __getitem__(self, index):
        from .indexing import getitem
        return getitem(self, index)

    def __setitem__(self, index, value):
        raise TypeError(
            "cotan arrays are immutable; build a new array instead "
            "(e.g. cnp.where(mask, value, x) or cnp.concatenate)"
        )

    @property
    def T(self): return _np().transpose(self)

    def reshape(self, *shape, order="C"):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _np().reshape(self, shape, order=order)

    def transpose(self, *axes):
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return _np().transpose(self, axes or None)

    def astype(self, dtype): return _np().astype(self, dtype)
    def sum(self, axis=None, dtype=None, keepdims=False): return _np().sum(self, axis, dtype, keepdims=keepdims)
    def mean(self, axis=None, dtype=None, keepdims=False): return _np().mean(self, axis, dtype, keepdims=keepdims)
    def max(self, axis=None, keepdims=False): return _np().max(self, axis, keepdims=keepdims)
    def min(self, axis=None, keepdims=False): return _np().min(self, axis, keepdims=keepdims)
    def prod(self, axis=None, dtype=None, keepdims=False): return _np().prod(self, axis, dtype, keepdims=keepdims)
    def argmax(self, axis=None, keepdims=False): return _np().argmax(self, axis, keepdims=keepdims)
    def argmin(self, axis=None, keepdims=False): return _np().argmin(self, axis, keepdims=keepdims)
    def var(self, axis=None, ddof=0, keepdims=False): return _np().var(self, axis, ddof=ddof, keepdims=keepdims)
    def std(self, axis=None, ddof=0, keepdims=False): return _np().std(self, axis, ddof=ddof, keepdims=keepdims)
    def all(self, axis=None, keepdims=False): return _np().all(self, axis, keepdims=keepdims)
    def any(self, axis=None, keepdims=False): return _np().any(self, axis, keepdims=keepdims)
    def squeeze(self, axis=None): return _np().squeeze(self, axis)
    def ravel(self): return _np().ravel(self)
    def flatten(self): return _np().ravel(self)
    def clip(self, a_min=None, a_max=None): return _np().clip(self, a_min, a_max)
    def dot(self, other): return _np().dot(self, other)
    def swapaxes(self, a, b): return _np().swapaxes(self, a, b)


def _np():
    from . import numpy as cnp
    return cnp


class Array(ArrayBase):
    """A concrete cotan array. Immutable; `np.asarray(x)` gives a read-only
    view of its data."""

    __slots__ = ("_buffer", "_weak", "_aval")

    def __init__(self, value: np.ndarray, weak_type: bool = False):
        value = np.asarray(value, order="C")
        value.flags.writeable = False
        self._buffer = value
        self._weak = weak_type
        self._aval = None

    @property
    def _value(self) -> np.ndarray:
        if self._buffer is None:
            raise RuntimeError(
                "this array was donated to a jitted function (donate_argnums), "
                "which reused its buffer for a result; use the result instead")
        return self._buffer

    def delete(self) -> None:
        """Gives up the buffer (a jitted function it was donated to now
        holds a result in it); any later use raises."""
        self._buffer = None

    def is_deleted(self) -> bool:
        return self._buffer is None

    @property
    def aval(self):
        if self._aval is None:
            from .core import ShapedArray
            self._aval = ShapedArray(self._value.shape, self._value.dtype, self._weak)
        return self._aval

    @property
    def shape(self) -> tuple[int, ...]:
        return self._value.shape

    @property
    def dtype(self) -> np.dtype:
        return self._value.dtype

    @property
    def weak_type(self) -> bool:
        return self._weak

    def __array__(self, dtype=None, copy=None):
        if copy:
            return np.array(self._value, dtype=dtype)
        return self._value if dtype is None else self._value.astype(dtype)

    def block_until_ready(self) -> "Array":
        return self  # execution is synchronous on the CPU

    def __dlpack__(self, *, stream: Any = None, max_version: tuple[int, int] | None = None,
                   dl_device: tuple[int, int] | None = None, copy: bool | None = None):
        """Shares this array's memory, read-only, with a DLPack consumer
        (np.from_dlpack, torch.from_dlpack)."""
        from .dlpack import export_host
        return export_host(self._value, max_version, copy, dl_device)

    def __dlpack_device__(self) -> tuple[int, int]:
        from .dlpack import CPU
        return (CPU, 0)

    def __repr__(self) -> str:
        body = np.array2string(self._value, separator=", ", prefix="Array(")
        return f"Array({body}, dtype={self.dtype})"

    def __str__(self) -> str:
        return str(self._value)

    def __format__(self, spec: str) -> str:
        if self._value.ndim == 0:
            return format(self._value.item(), spec)
        return format(str(self), spec)

    def item(self, *args) -> Any:
        return self._value.item(*args)

    def tolist(self) -> Any:
        return self._value.tolist()

    def __bool__(self) -> bool:
        return bool(self._value)

    def __float__(self) -> float:
        return float(self._value)

    def __int__(self) -> int:
        return int(self._value)

    def __index__(self) -> int:
        if not dtypes.is_int(self.dtype) or self._value.ndim != 0:
            raise TypeError("only 0-d integer arrays can be used as an index")
        return int(self._value)

    def __reduce__(self):
        return (Array, (np.array(self._value), self._weak))
