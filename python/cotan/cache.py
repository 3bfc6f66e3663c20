"""The persistent compilation cache: a second process does not compile
again what a first one compiled.

An entry is the compiled code of one function as a shared library
(machine code from cotan-export for the host, linked by the system C
compiler) plus a small JSON record, under COTAN_CACHE_DIR (default:
$XDG_CACHE_HOME/cotan or ~/.cache/cotan); COTAN_CACHE=0 turns it off. The key hashes the traced
IR (source locations included), cotan's version and compiler build, the
pipeline and its options, and the host CPU. Writes go to a temporary file
renamed into place, so concurrent writers of one key both succeed; a
record carries the library's SHA-256, so a truncated or corrupt entry is
recompiled, never loaded. As in JAX, only compiles that took at least
COTAN_CACHE_MIN_COMPILE_SECONDS (0.5 by default) are stored, by a
background thread; functions that call back into Python are never stored.
"""

from __future__ import annotations

import atexit
import ctypes
import functools
import hashlib
import json
import os
import pathlib
import platform
import shutil
import subprocess
import tempfile
import threading

from .errors import user_error

_RECORD_VERSION = 1


def enabled() -> bool:
    return os.environ.get("COTAN_CACHE", "1") not in ("0", "", "false", "False")


def directory() -> pathlib.Path:
    explicit = os.environ.get("COTAN_CACHE_DIR")
    if explicit:
        return pathlib.Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return pathlib.Path(base) / "cotan"


def min_compile_seconds() -> float:
    try:
        return float(os.environ.get("COTAN_CACHE_MIN_COMPILE_SECONDS", "0.5"))
    except ValueError:
        return 0.5


@functools.lru_cache(maxsize=None)
def _fingerprint() -> str:
    """What else the code depends on: the compiler build and the host CPU."""
    from . import __version__
    from .mlir import _mlir_libs
    parts = [__version__, platform.machine()]
    for library in sorted(pathlib.Path(_mlir_libs.__file__).parent.glob("libCotanPythonCAPI.so*")):
        stat = library.stat()
        parts.append(f"{library.name}:{stat.st_size}:{stat.st_mtime_ns}")
    try:
        with open("/proc/cpuinfo") as f:
            info = f.read().split("\n\n", 1)[0]
        parts += [line for line in info.splitlines() if line.startswith(("model name", "flags"))]
    except OSError:
        parts.append(platform.processor())
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def key(module_text: str, pipeline: str, opt_level: int) -> str:
    digest = hashlib.sha256()
    for part in (_fingerprint(), pipeline, str(opt_level), module_text):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


class SharedLibrary:
    """Compiled code loaded from the cache; looks up entry points like an
    ExecutionEngine."""

    unpacked = True  # its entry points take one descriptor pointer per argument

    def __init__(self, path: pathlib.Path):
        self._library = ctypes.CDLL(str(path))

    def raw_lookup(self, name: str) -> int:
        try:
            return ctypes.cast(getattr(self._library, name), ctypes.c_void_p).value or 0
        except AttributeError:
            return 0


def _sha256(path: pathlib.Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load(entry_key: str) -> tuple[SharedLibrary, dict] | None:
    """The entry's code and record, or None (missing, corrupt or truncated:
    removed so it is compiled and written again)."""
    folder = directory()
    record_path, library_path = folder / f"{entry_key}.json", folder / f"{entry_key}.so"
    try:
        record = json.loads(record_path.read_text())
        if record.get("version") != _RECORD_VERSION or record.get("sha256") != _sha256(library_path):
            raise ValueError("stale or corrupt entry")
        return SharedLibrary(library_path), record
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError):
        for path in (record_path, library_path):
            try:
                path.unlink()
            except OSError:
                pass
        return None


_writers: list[threading.Thread] = []


def store(entry_key: str, lowered: str, record: dict) -> None:
    """Writes an entry in the background (the caller runs on meanwhile;
    the process waits for unfinished writes when it exits)."""
    writer = threading.Thread(target=_write, args=(entry_key, lowered, record), daemon=True)
    writer.start()
    _writers.append(writer)


@atexit.register
def _finish_writes() -> None:
    for writer in _writers:
        writer.join(timeout=60)


def _write(entry_key: str, lowered: str, record: dict) -> None:
    """Writes an entry from the module in the LLVM dialect (the JIT's
    input): cotan-export --lowered makes position-independent machine code
    for the host, the C compiler links it. Failures (no tool or C
    compiler, a full disk) only mean no entry."""
    from .errors import CompileError
    from .export import _tool, c_compiler
    compiler_cc = c_compiler()
    try:
        tool = _tool()
    except CompileError:
        return
    if compiler_cc is None:
        return
    folder = directory()
    work = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # mkdtemp, not TemporaryDirectory: the writer may still run at exit,
        # when TemporaryDirectory's finalizer removes its folder.
        work = pathlib.Path(tempfile.mkdtemp(dir=folder, prefix=".tmp-"))
        (work / "code.mlir").write_text(lowered)
        compiled = subprocess.run([tool, str(work / "code.mlir"), "--lowered", "-o", str(work / "code.o")],
                                  capture_output=True)
        if compiled.returncode != 0:
            return
        linked = subprocess.run([compiler_cc, "-shared", "-o", str(work / "code.so"), str(work / "code.o")],
                                capture_output=True)
        if linked.returncode != 0:
            return
        record = dict(record, version=_RECORD_VERSION, sha256=_sha256(work / "code.so"))
        (work / "record.json").write_text(json.dumps(record))
        # The library first: a record never names a library not yet there.
        os.replace(work / "code.so", folder / f"{entry_key}.so")
        os.replace(work / "record.json", folder / f"{entry_key}.json")
    except OSError:
        return
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)


def clear_cache() -> None:
    """Removes every entry of the compilation cache."""
    folder = directory()
    if not folder.exists():
        return
    for path in folder.iterdir():
        if path.suffix in (".so", ".json") or path.name.startswith(".tmp-"):
            try:
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
            except OSError as e:
                raise user_error(OSError, f"cannot remove {path} from the compilation cache: {e}") from None
