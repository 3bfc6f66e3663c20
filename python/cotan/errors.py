"""cotan's exceptions and the user source location they point at."""

from __future__ import annotations

import os
import sys
import types

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def user_frame() -> types.FrameType | None:
    """The innermost stack frame outside the cotan package."""
    frame = sys._getframe(1)
    while frame is not None:
        if not _in_package(frame):
            return frame
        frame = frame.f_back
    return None


def _in_package(frame: types.FrameType) -> bool:
    filename = frame.f_code.co_filename
    if filename == "<string>":
        # Code generated for a cotan module, e.g. a dataclass's __init__,
        # runs in that module's globals.
        module = frame.f_globals.get("__name__", "")
        return module == "cotan" or module.startswith("cotan.")
    return os.path.abspath(filename).startswith(_PACKAGE_DIR + os.sep)


def user_location() -> tuple[str, int]:
    frame = user_frame()
    if frame is None:
        return "<unknown>", 0
    return frame.f_code.co_filename, frame.f_lineno


def where() -> str:
    """`file:line` of the user code that called into cotan."""
    filename, line = user_location()
    return f"{filename}:{line}"


class CotanError(Exception):
    """Base class of cotan's errors."""


class CompileError(CotanError):
    """Compilation failed: a verifier or pass reported a diagnostic.

    `diagnostics` holds the MLIR messages with their source locations."""

    def __init__(self, message: str, diagnostics: list[str] | None = None):
        self.diagnostics = list(diagnostics or [])
        if self.diagnostics:
            message += "\n" + "\n".join(self.diagnostics)
        super().__init__(message)


class TracerLeakError(CotanError):
    """A traced value was used after the trace that created it ended."""


class RetraceError(CotanError):
    """A function would be traced again while config.no_retrace is set."""


class ConcretizationError(CotanError, TypeError):
    """A traced value was needed as a concrete Python value."""


def user_error(cls: type[Exception], message: str) -> Exception:
    """An exception of `cls` whose message starts with the user's file:line."""
    return cls(f"{where()}: {message}")
