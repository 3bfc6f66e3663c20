"""LSTMCell: one step of a long short-term memory layer, to be looped
with lax.scan over a sequence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from .. import numpy as cnp
from ..array import ArrayBase
from ..errors import user_error
from . import initializers as init
from .activations import sigmoid
from .module import ApplyContext, Layer, Params, State, check_features, feature_count, param

Carry = tuple[ArrayBase, ArrayBase]


@dataclass(frozen=True)
class LSTMCell(Layer):
    """gates = x @ input_kernel + h @ recurrent_kernel + bias, split into
    input i, forget f, candidate g and output o (each `features` wide);
    c' = sigmoid(f) c + sigmoid(i) tanh(g), h' = sigmoid(o) tanh(c').

    `apply(params, carry, x)` returns ((c', h'), h'); the carry starts
    from `initialize_carry(batch_shape)`."""

    features: int
    kernel_init: init.Initializer = field(default_factory=init.lecun_normal)
    recurrent_kernel_init: init.Initializer = field(default_factory=init.orthogonal)
    bias_init: init.Initializer = init.zeros
    param_dtype: Any = np.float32

    def init(self, rng: init.Rng, input_shape: Sequence[int]) -> Params:
        input_rng, recurrent_rng, bias_rng = init.split(rng, 3)
        gates = 4 * self.features
        return {"input_kernel": self.kernel_init(input_rng, (feature_count(self, input_shape), gates),
                                                 self.param_dtype),
                "recurrent_kernel": self.recurrent_kernel_init(recurrent_rng, (self.features, gates),
                                                               self.param_dtype),
                "bias": self.bias_init(bias_rng, (gates,), self.param_dtype)}

    def initialize_carry(self, batch_shape: Sequence[int], dtype: Any = np.float32) -> Carry:
        zeros = cnp.zeros(tuple(batch_shape) + (self.features,), dtype)
        return zeros, zeros

    def apply(self, params: Params, carry: Carry, x: Any) -> tuple[Carry, ArrayBase]:
        check_features(self, x, param(self, params, "input_kernel").shape[0])
        try:
            c, h = carry
        except (TypeError, ValueError):
            raise user_error(TypeError, "an LSTMCell carry is a pair (c, h); start from "
                                        "cell.initialize_carry(batch_shape)") from None
        check_features(self, h, self.features)
        gates = (cnp.matmul(x, param(self, params, "input_kernel"))
                 + cnp.matmul(h, param(self, params, "recurrent_kernel")) + param(self, params, "bias"))
        n = self.features
        i, f, g, o = (gates[..., k * n:(k + 1) * n] for k in range(4))
        c = sigmoid(f) * c + sigmoid(i) * cnp.tanh(g)
        h = sigmoid(o) * cnp.tanh(c)
        return (c, h), h

    def forward(self, params: Params, state: State, x: Any, ctx: ApplyContext) -> tuple[Any, State]:
        raise user_error(TypeError, "LSTMCell carries (c, h) from step to step, so it cannot be a layer of "
                                    "Sequential; loop cell.apply over the sequence with lax.scan")
