"""Dense (affine) and Embedding (lookup table) layers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from .. import dtypes as _dt
from .. import numpy as cnp
from ..array import ArrayBase
from ..core import Tracer
from ..errors import user_error
from . import initializers as init
from .module import Layer, Params, check_features, feature_count, param


@dataclass(frozen=True)
class Dense(Layer):
    """y = x @ kernel + bias over the last axis of x; kernel is
    [in_features, features]."""

    features: int
    use_bias: bool = True
    kernel_init: init.Initializer = field(default_factory=init.lecun_normal)
    bias_init: init.Initializer = init.zeros
    param_dtype: Any = np.float32

    def init(self, rng: init.Rng, input_shape: Sequence[int]) -> Params:
        kernel_rng, bias_rng = init.split(rng, 2)
        params = {"kernel": self.kernel_init(kernel_rng, (feature_count(self, input_shape), self.features),
                                             self.param_dtype)}
        if self.use_bias:
            params["bias"] = self.bias_init(bias_rng, (self.features,), self.param_dtype)
        return params

    def apply(self, params: Params, x: Any) -> ArrayBase:
        kernel = param(self, params, "kernel")
        check_features(self, x, kernel.shape[0])
        y = cnp.matmul(x, kernel)
        return y + param(self, params, "bias") if self.use_bias else y


@dataclass(frozen=True)
class Embedding(Layer):
    """Rows of an [num_embeddings, features] table picked by integer ids;
    `attend` scores queries against every row (tied output layers)."""

    num_embeddings: int
    features: int
    embedding_init: init.Initializer = field(
        default_factory=lambda: init.variance_scaling(1.0, "fan_in", "normal", out_axis=0))
    param_dtype: Any = np.float32

    def init(self, rng: init.Rng, input_shape: Sequence[int]) -> Params:
        return {"embedding": self.embedding_init(rng, (self.num_embeddings, self.features), self.param_dtype)}

    def apply(self, params: Params, ids: Any) -> ArrayBase:
        ids = cnp.asarray(ids)
        if not _dt.is_int(ids.dtype):
            raise user_error(TypeError, f"Embedding looks up integer ids, got dtype {ids.dtype}")
        if not isinstance(ids, Tracer):
            values = np.asarray(ids)
            if values.size and (values.min() < 0 or values.max() >= self.num_embeddings):
                raise user_error(IndexError, f"Embedding ids must lie in [0, {self.num_embeddings}), got "
                                             f"values from {values.min()} to {values.max()}")
        return cnp.take(param(self, params, "embedding"), ids, axis=0)

    def attend(self, params: Params, query: Any) -> ArrayBase:
        table = param(self, params, "embedding")
        check_features(self, query, table.shape[1])
        return cnp.matmul(query, cnp.transpose(table))
