"""cotan.optim: optimizers as pure gradient transformations (optax's API).

    optimizer = optim.adam(1e-3)
    opt_state = optimizer.init(params)

    @cotan.jit
    def step(params, opt_state, x, y):
        loss, grads = cotan.value_and_grad(loss_fn)(params, x, y)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optim.apply_updates(params, updates), opt_state, loss
"""

from .aliases import adam, adamw, rmsprop, sgd
from .base import EmptyState, GradientTransformation, apply_updates, chain
from .schedules import (constant_schedule, cosine_decay_schedule, linear_schedule,
                        warmup_cosine_decay_schedule)
from .transforms import (add_decayed_weights, clip, clip_by_global_norm, global_norm, scale,
                         scale_by_adam, scale_by_learning_rate, scale_by_rms, scale_by_schedule,
                         scale_by_stddev, trace)

__all__ = ["EmptyState", "GradientTransformation", "adam", "adamw", "add_decayed_weights",
           "apply_updates", "chain", "clip", "clip_by_global_norm", "constant_schedule",
           "cosine_decay_schedule", "global_norm", "linear_schedule", "rmsprop", "scale",
           "scale_by_adam", "scale_by_learning_rate", "scale_by_rms", "scale_by_schedule",
           "scale_by_stddev", "sgd", "trace", "warmup_cosine_decay_schedule"]
