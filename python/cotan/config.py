"""Global switches, set as in JAX: `cotan.config.update("cotan_fusion", False)`.

They apply from the next call of a jitted function on: each setting of the
compile options has its own compiled code; the debugging switches
(log_compiles, no_retrace) only change what happens around it.
"""

from __future__ import annotations

import os
from typing import Any

from .errors import user_error

# Options that change the compiled code: each setting has its own.
_COMPILE_OPTIONS = {
    # Fuse elementwise producers into their consumers (no intermediates).
    "cotan_fusion": True,
    # Blocked/packed matmul kernels, vectorized elementwise loops and
    # reductions, large ones on threads.
    "cotan_cpu_kernels": True,
    # Check every float op's result for NaN and Inf and raise
    # FloatingPointError at the first (COTAN_DEBUG_NANS=1 at startup).
    "debug_nans": False,
    # Threads a parallel loop is split over: 0 for all the host's cores, 1
    # for serial code (OMP_NUM_THREADS at startup). Loops below a size
    # threshold stay serial whatever the setting.
    "num_threads": 0,
}

# Debugging switches, which leave the compiled code alone. Until update()
# sets one, the environment decides (COTAN_LOG_COMPILES=1, ...).
_DEBUG_OPTIONS = {
    # Log every trace and compile: function, call site, time per phase,
    # and for a function seen before, which argument changed.
    "log_compiles": False,
    # Raise RetraceError instead of tracing a function a second time.
    "no_retrace": False,
    # A folder that receives the IR of every stage of every compile (the
    # traced cotan IR, the module after each pass, the LLVM IR and the
    # assembly), one subfolder per compile; "" for none.
    "dump_dir": "",
}


def _from_environment(name: str, default: bool) -> bool:
    value = os.environ.get("COTAN_" + name.upper())
    return default if value is None else value not in ("", "0", "false", "False")


def _threads_from_environment() -> int:
    """OMP_NUM_THREADS, as other frameworks honour it; 0 (all cores) if
    unset or not a positive count."""
    value = os.environ.get("OMP_NUM_THREADS", "").split(",")[0].strip()
    return int(value) if value.isdigit() and int(value) > 0 else 0


class Config:
    """The current values of cotan's switches."""

    def __init__(self) -> None:
        self._values = {**_COMPILE_OPTIONS, **_DEBUG_OPTIONS}
        self._values["debug_nans"] = _from_environment("debug_nans", False)
        self._values["num_threads"] = _threads_from_environment()
        self._explicit: set[str] = set()  # debug switches set by update()
        self.key: tuple = self._compile_key()

    def _compile_key(self) -> tuple:
        """Identifies the setting of the options that change compiled code."""
        return tuple(self._values[k] for k in _COMPILE_OPTIONS)

    def update(self, name: str, value: Any) -> None:
        if name not in self._values:
            raise user_error(ValueError, f"unknown cotan option {name!r}; the options are "
                             + ", ".join(sorted(self._values)))
        if name == "num_threads":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise user_error(ValueError, "cotan option 'num_threads' takes a thread count >= 1, "
                                             f"or 0 for all the host's cores; not {value!r}")
        elif name == "dump_dir":
            if value is not None and not isinstance(value, (str, os.PathLike)):
                raise user_error(TypeError, f"cotan option 'dump_dir' takes a folder path, not {value!r}")
            value = os.fspath(value) if value else ""
        elif not isinstance(value, bool):
            raise user_error(TypeError, f"cotan option {name!r} takes True or False, "
                             f"not {value!r}")
        self._values[name] = value
        self._explicit.add(name)
        self.key = self._compile_key()

    def __getattr__(self, name: str) -> Any:
        try:
            value = self.__dict__["_values"][name]
        except KeyError:
            raise AttributeError(name) from None
        if name == "dump_dir" and name not in self._explicit:
            return os.environ.get("COTAN_DUMP_DIR", "")
        if name in _DEBUG_OPTIONS and name not in self._explicit:
            return _from_environment(name, value)  # read when needed: cheap, on compiles only
        return value

    def cpu_pipeline_options(self) -> str:
        """The options of cotan-cpu-pipeline these switches select."""
        def flag(name: str) -> str:
            return "true" if self._values[name] else "false"
        return (f"{{fusion={flag('cotan_fusion')} kernels={flag('cotan_cpu_kernels')} "
                f"debug-nans={flag('debug_nans')} threads={self._values['num_threads']}}}")


config = Config()
