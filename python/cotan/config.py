"""Global switches, set as in JAX: `cotan.config.update("cotan_fusion", False)`.

They apply from the next call of a jitted function on: each setting has its
own compiled code.
"""

from __future__ import annotations

from typing import Any

from .errors import user_error

_DEFAULTS = {
    # Fuse elementwise producers into their consumers (no intermediates).
    "cotan_fusion": True,
    # Blocked/packed matmul kernels, vectorized elementwise loops and
    # reductions, large ones on threads.
    "cotan_cpu_kernels": True,
}


class Config:
    """The current values of cotan's switches."""

    def __init__(self) -> None:
        self._values = dict(_DEFAULTS)
        self.key: tuple = tuple(self._values.values())  # identifies the setting

    def update(self, name: str, value: Any) -> None:
        if name not in self._values:
            raise user_error(ValueError, f"unknown cotan option {name!r}; the options are "
                             + ", ".join(sorted(self._values)))
        if not isinstance(value, bool):
            raise user_error(TypeError, f"cotan option {name!r} takes True or False, "
                             f"not {value!r}")
        self._values[name] = value
        self.key = tuple(self._values.values())

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["_values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def cpu_pipeline_options(self) -> str:
        """The options of cotan-cpu-pipeline these switches select."""
        def flag(name: str) -> str:
            return "true" if self._values[name] else "false"
        return f"{{fusion={flag('cotan_fusion')} kernels={flag('cotan_cpu_kernels')}}}"


config = Config()
