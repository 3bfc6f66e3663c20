"""cotan.nn: neural-network building blocks in JAX's functional style.

Activations, softmax and losses are functions; layers are immutable
descriptions whose parameters are pytrees the caller owns:

    model = nn.Sequential([nn.Dense(64), nn.relu, nn.Dense(10)])
    params = model.init(0, (batch, 784))
    logits = model.apply(params, x)
"""

from ..losses import mse, sigmoid_binary_cross_entropy, softmax_cross_entropy
from ..pooling import avg_pool, max_pool
from . import initializers
from .activations import (elu, gelu, leaky_relu, log_softmax, logsumexp, one_hot, relu, sigmoid, silu,
                          softmax, softplus)
from .combinators import Flatten, Lambda, Sequential
from .conv import Conv
from .dropout import Dropout
from .linear import Dense, Embedding
from .module import Layer
from .normalization import BatchNorm, LayerNorm
from .pooling import AvgPool, MaxPool
from .recurrent import LSTMCell

__all__ = ["AvgPool", "BatchNorm", "Conv", "Dense", "Dropout", "Embedding", "Flatten", "LSTMCell",
           "Lambda", "Layer", "LayerNorm", "MaxPool", "Sequential", "avg_pool", "elu", "gelu",
           "initializers", "leaky_relu", "log_softmax", "logsumexp", "max_pool", "mse", "one_hot", "relu",
           "sigmoid", "sigmoid_binary_cross_entropy", "silu", "softmax", "softmax_cross_entropy",
           "softplus"]
