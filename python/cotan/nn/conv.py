"""Conv: an N-d convolution layer in flax's layout (inputs [batch,
spatial..., features], kernel [window..., in_features / groups, features])."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence, Union

import numpy as np

from .. import numpy as cnp
from ..array import ArrayBase
from ..convolution import conv_general_dilated
from ..errors import user_error
from . import initializers as init
from .module import Layer, Params, feature_count, param

IntOrSequence = Union[int, Sequence[int]]


def _per_dim(value: IntOrSequence, count: int, what: str) -> tuple[int, ...]:
    values = (value,) * count if isinstance(value, (int, np.integer)) else tuple(value)
    if len(values) != count:
        raise user_error(ValueError, f"Conv {what} has {len(values)} entries for {count} spatial dimensions")
    return tuple(int(v) for v in values)


@dataclass(frozen=True)
class Conv(Layer):
    """Cross-correlation with `features` output channels; `padding` is
    'SAME', 'VALID' or (low, high) pairs, as in lax.conv_general_dilated.
    feature_group_count equal to the input features is a depthwise conv."""

    features: int
    kernel_size: Sequence[int]
    strides: IntOrSequence = 1
    padding: Any = "SAME"
    input_dilation: IntOrSequence = 1
    kernel_dilation: IntOrSequence = 1
    feature_group_count: int = 1
    use_bias: bool = True
    kernel_init: init.Initializer = field(default_factory=init.lecun_normal)
    bias_init: init.Initializer = init.zeros
    param_dtype: Any = np.float32

    def __post_init__(self) -> None:
        if isinstance(self.kernel_size, (int, np.integer)):
            raise user_error(TypeError, "Conv kernel_size must be a tuple with one size per spatial "
                                        f"dimension, e.g. ({self.kernel_size}, {self.kernel_size})")
        # Tuples keep the layer hashable (usable as a static argument).
        object.__setattr__(self, "kernel_size", tuple(int(k) for k in self.kernel_size))
        for name in ("strides", "input_dilation", "kernel_dilation"):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)):
                object.__setattr__(self, name, tuple(int(v) for v in value))
        if not isinstance(self.padding, str):
            object.__setattr__(self, "padding", tuple(tuple(p) for p in self.padding))

    def init(self, rng: init.Rng, input_shape: Sequence[int]) -> Params:
        in_features = feature_count(self, input_shape)
        groups = self.feature_group_count
        if groups <= 0 or in_features % groups or self.features % groups:
            raise user_error(ValueError, f"Conv feature_group_count {groups} must divide the input features "
                                         f"({in_features}) and the output features ({self.features})")
        kernel_rng, bias_rng = init.split(rng, 2)
        shape = self.kernel_size + (in_features // groups, self.features)
        params = {"kernel": self.kernel_init(kernel_rng, shape, self.param_dtype)}
        if self.use_bias:
            params["bias"] = self.bias_init(bias_rng, (self.features,), self.param_dtype)
        return params

    def apply(self, params: Params, x: Any) -> ArrayBase:
        x = cnp.asarray(x)
        count = len(self.kernel_size)
        if x.ndim != count + 2:
            raise user_error(ValueError, f"a {count}-d Conv takes inputs [batch, {count} spatial dims, "
                                         f"features], got shape {x.shape}")
        spatial = "".join(str(i) for i in range(count))
        y = conv_general_dilated(
            x, param(self, params, "kernel"), _per_dim(self.strides, count, "strides"), self.padding,
            lhs_dilation=_per_dim(self.input_dilation, count, "input_dilation"),
            rhs_dilation=_per_dim(self.kernel_dilation, count, "kernel_dilation"),
            dimension_numbers=("N" + spatial + "C", spatial + "IO", "N" + spatial + "C"),
            feature_group_count=self.feature_group_count)
        return y + param(self, params, "bias") if self.use_bias else y
