"""cotan.export: a jitted function as a C library, for running where there
is no Python.

    lib = cotan.export(predict, example_images, name="digits", out_dir="build")
    # build/libdigits.so, build/libdigits.a, build/digits.h

The function is traced with the example arguments' shapes and dtypes,
compiled ahead of time by the `cotan-export` tool (cotan-cpu-pipeline on
one thread, then LLVM's code generator for the host or a named CPU) and
linked with the system C compiler. The library needs only libc and libm.
Arrays the function closes over (trained parameters) are baked in;
`digits.h` declares

    int digits_run(const float *in0, ..., float *out0, ...);

with each buffer's shape as constants (C order, contiguous), and the raw
`_mlir_ciface_` entry point that takes memref descriptors.
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from . import distributed
from .errors import CompileError, user_error

_C_TYPES = {np.dtype(np.float32): "float", np.dtype(np.float64): "double", np.dtype(np.int32): "int32_t",
            np.dtype(np.int64): "int64_t", np.dtype(np.bool_): "uint8_t", np.dtype(np.float16): "uint16_t"}


@dataclass(frozen=True)
class ExportedLibrary:
    name: str
    shared: pathlib.Path
    static: pathlib.Path
    header: pathlib.Path
    input_shapes: tuple[tuple[int, ...], ...]
    output_shapes: tuple[tuple[int, ...], ...]


def _tool(name: str = "cotan-export") -> str:
    """A cotan executable (cotan-export, cotan-opt): $COTAN_EXPORT /
    $COTAN_OPT, next to the Python executable (an installed cotan), on
    PATH, or in the build tree."""
    variable = "COTAN_" + name.split("-")[1].upper()
    candidates = [os.environ.get(variable), str(pathlib.Path(sys.executable).parent / name),
                  shutil.which(name)]
    package = pathlib.Path(__file__).resolve().parent
    candidates.append(str((package / "mlir").resolve().parents[2] / "bin" / name))
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise user_error(CompileError, f"cannot find the {name} tool; reinstall cotan (pip install .) or set "
                                   f"{variable} to its path")


def c_compiler() -> str | None:
    """The system C compiler ($CC, else cc), or None."""
    return shutil.which(os.environ.get("CC", "cc"))


def _c_type(dtype: np.dtype, what: str) -> str:
    try:
        return _C_TYPES[np.dtype(dtype)]
    except KeyError:
        raise user_error(TypeError, f"export: {what} has dtype {dtype}, which has no C type here") from None


def _descriptor(rank: int) -> str:
    sizes = f"; int64_t sizes[{rank}]; int64_t strides[{rank}]" if rank else ""
    return f"struct {{ void *allocated; void *aligned; int64_t offset{sizes}; }}"


def _api_source(name: str, symbol: str, inputs: list, constants: list, outputs: list) -> tuple[str, str]:
    """(header, C source) of the plain C API around the compiled function."""
    guard = re.sub(r"\W", "_", name).upper() + "_H"
    header = [f"/* {name}: exported by cotan. Buffers are contiguous, in C order. */",
              f"#ifndef {guard}", f"#define {guard}", "#include <stdint.h>", ""]
    params = []
    for kind, avals in (("INPUT", inputs), ("OUTPUT", outputs)):
        for k, aval in enumerate(avals):
            shape = ", ".join(str(s) for s in aval.shape) or "1"
            header.append(f"#define {name.upper()}_{kind}{k}_RANK {len(aval.shape)}")
            header.append(f"#define {name.upper()}_{kind}{k}_SIZE {int(np.prod(aval.shape, dtype=np.int64))}")
            header.append(f"static const int64_t {name}_{kind.lower()}{k}_shape[] = {{{shape}}};")
            const = "const " if kind == "INPUT" else ""
            params.append(f"{const}{_c_type(aval.dtype, f'{kind.lower()} {k}')} *{kind.lower()[:-3]}{k}")
    header += ["", "/* Returns 0 once the outputs are written. */",
               f"int {name}_run({', '.join(params) or 'void'});", "",
               "/* The compiled function: one pointer per memref descriptor {allocated, aligned, offset,",
               "   sizes[rank], strides[rank]}: the inputs, the baked-in constants, then the outputs. */",
               f"void _mlir_ciface_{symbol}({', '.join(['void *'] * (len(inputs) + len(constants) + len(outputs))) or 'void'});",
               "", f"#endif /* {guard} */", ""]

    source = [f'#include "{name}.h"', ""]
    for k, array in enumerate(constants):
        data = np.ascontiguousarray(array).view(np.uint8).ravel()
        body = ",".join(str(b) for b in data.tolist()) or "0"
        source.append(f"static const unsigned char constant{k}[] __attribute__((aligned(64))) = {{{body}}};")
    source += ["", f"int {name}_run({', '.join(params) or 'void'}) {{"]
    arguments = []
    buffers = ([(f"in{k}", a.shape) for k, a in enumerate(inputs)]
               + [(f"(void *)constant{k}", c.shape) for k, c in enumerate(constants)]
               + [(f"out{k}", a.shape) for k, a in enumerate(outputs)])
    for k, (pointer, shape) in enumerate(buffers):
        rank = len(shape)
        strides = [int(np.prod(shape[d + 1:], dtype=np.int64)) for d in range(rank)]
        fields = [f"(void *){pointer}", f"(void *){pointer}", "0"]
        if rank:
            fields += ["{" + ", ".join(map(str, shape)) + "}", "{" + ", ".join(map(str, strides)) + "}"]
        source.append(f"  {_descriptor(rank)} d{k} = {{{', '.join(fields)}}};")
        arguments.append(f"&d{k}")
    source += [f"  _mlir_ciface_{symbol}({', '.join(arguments)});", "  return 0;", "}", ""]
    return "\n".join(header), "\n".join(source)


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        message = "\n".join(line for line in result.stderr.splitlines()
                            if "not a recognized processor" not in line)
        if "unknown target CPU" in message or "unknown target triple" in message:
            raise user_error(ValueError, f"export: {message.strip().removeprefix('cotan-export: ')}")
        raise user_error(CompileError, f"export: {what} failed:\n{message.strip()}")


def export(fun: Callable, *example_args: Any, name: str = "model", out_dir: Any = ".",
           target_cpu: str | None = None, triple: str | None = None) -> ExportedLibrary:
    """Compiles `fun` for arguments shaped like `example_args` into
    `out_dir`/lib`name`.so, lib`name`.a and `name`.h (see the module
    docstring). `target_cpu`/`triple` select another CPU than the host's."""
    from .jit import jit
    if not re.fullmatch(r"[A-Za-z_]\w*", name):
        raise user_error(ValueError, f"export: name must be a C identifier, got {name!r}")
    out = pathlib.Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=out, prefix=".cotan-", delete=True)
        probe.close()
    except OSError as e:
        raise user_error(PermissionError, f"export: cannot write to out_dir {str(out)!r}: {e.strerror}") from None
    compiler_cc = c_compiler()
    if compiler_cc is None:
        raise user_error(CompileError, "export: no C compiler found (set CC)")

    traced = jit(fun).lower(*example_args)._traced
    if distributed.meshes(traced.module):
        raise user_error(NotImplementedError, (
            f"export: `{traced.name}` uses collectives (psum, all_gather, ...); exported "
            "libraries do not link MPI yet"))
    for k, aval in enumerate(traced.in_avals):
        _c_type(aval.dtype, f"argument {k}")
    inputs, outputs, constants = traced.in_avals, traced.out_avals, traced.hoisted
    header, source = _api_source(name, traced.name, inputs, constants, outputs)

    with tempfile.TemporaryDirectory(prefix="cotan-export-") as scratch:
        work = pathlib.Path(scratch)
        (work / f"{name}.mlir").write_text(traced.text("cotan"))
        command = [_tool(), str(work / f"{name}.mlir"), "-o", str(work / f"{name}.o")]
        if target_cpu:
            command.append(f"--target-cpu={target_cpu}")
        if triple:
            command.append(f"--triple={triple}")
        _run(command, "cotan-export")
        (out / f"{name}.h").write_text(header)
        (work / f"{name}_api.c").write_text(source)
        _run([compiler_cc, "-O2", "-fPIC", "-c", f"-I{out}", str(work / f"{name}_api.c"), "-o",
              str(work / f"{name}_api.o")], "compiling the C API")
        objects = [str(work / f"{name}.o"), str(work / f"{name}_api.o")]
        shared, static = out / f"lib{name}.so", out / f"lib{name}.a"
        _run([compiler_cc, "-shared", "-Wl,--no-undefined", "-o", str(shared), *objects, "-lm"],
             "linking the shared library")
        static.unlink(missing_ok=True)
        _run(["ar", "rcs", str(static), *objects], "archiving the static library")
    return ExportedLibrary(name, shared, static, out / f"{name}.h",
                           tuple(tuple(a.shape) for a in inputs), tuple(tuple(a.shape) for a in outputs))
