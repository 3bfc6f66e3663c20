"""From a traced function to machine code: the cotan IR, the named
pipelines (cotan -> linalg -> LLVM) and the ExecutionEngine."""

from __future__ import annotations

import contextlib
import ctypes
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from . import cache, distributed, ffi
from .config import config
from .core import ShapedArray, Trace, context, mlir_error_messages
from .errors import CompileError
from .mlir import ir
from .mlir.execution_engine import ExecutionEngine
from .mlir.passmanager import PassManager
from .runtime import Executable, keep_freed_memory, load_thread_runtime, runtime_library

STAGES = ("cotan", "linalg", "llvm")
_PIPELINES = {"linalg": "cotan-to-linalg-pipeline", "llvm": "cotan-linalg-to-llvm-pipeline"}
OPT_LEVEL = 2


def symbol_name(name: str) -> str:
    """A C symbol for a Python function name. The prefix keeps it apart from
    the C library: a jitted function called `exp` or `free` must not
    replace libm's or libc's inside the JIT."""
    cleaned = re.sub(r"\W", "_", name).strip("_")
    return f"cotan_{cleaned or 'fn'}"


@dataclass
class Traced:
    """A traced function: its cotan module and what calling it needs."""

    name: str
    module: ir.Module
    in_avals: list[ShapedArray]
    out_avals: list[ShapedArray]
    hoisted: list[np.ndarray] = field(default_factory=list)
    extra: Any = None  # e.g. the output pytree structure

    def text(self, stage: str = "cotan") -> str:
        """The IR at `stage` ("cotan", "linalg" or "llvm"), or the PTX of
        its GPU kernels ("ptx", for sm_90; no GPU needed)."""
        if stage == "ptx":
            from . import gpu
            return gpu.ptx(self)
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}; expected one of {STAGES + ('ptx',)}")
        with context():
            module = _clone(self.module)
            for s in STAGES[1:STAGES.index(stage) + 1]:
                if s == "linalg" and distributed.is_sharded(module):
                    module = _partition_out_of_process(module, self.name)
                    continue
                run_pipeline(module, _PIPELINES[s] + config.cpu_pipeline_options(), self.name)
            return str(module)


def _clone(module: ir.Module) -> ir.Module:
    """A copy of `module`, source locations included."""
    return ir.Module.parse(module.operation.get_asm(enable_debug_info=True))


def trace(name: str, in_avals: Sequence[ShapedArray],
          body: Callable[[Trace, list], list], donated: Sequence[bool] = ()) -> Traced:
    """Runs `body(trace, inputs) -> outputs` on traced inputs and returns
    the verified cotan module. Inputs flagged in `donated` may be
    overwritten by the compiled function."""
    t = Trace(symbol_name(name), in_avals)
    try:
        with t.active():
            outputs = body(t, list(t.inputs))
        module = t.finish(outputs, donated)
    finally:
        t.alive = False
    with t.ctx:
        try:
            module.operation.verify()
        except ir.MLIRError as e:
            raise CompileError(f"the traced IR of `{name}` does not verify",
                               mlir_error_messages(e)) from None
    out_avals = [o.aval if hasattr(o, "aval") else None for o in outputs]
    return Traced(t.name, module, list(in_avals), out_avals, t.hoisted)


@contextlib.contextmanager
def _stderr_to(path: pathlib.Path):
    """Sends the process's standard error (file descriptor 2, where MLIR's
    C++ writes) to `path` while the block runs."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "w") as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _slowest_passes(report: str, count: int = 5) -> list[tuple[float, str]]:
    """The passes that took longest, from MLIR's pass timing report."""
    timings = []
    for line in report.splitlines():
        match = re.match(r"\s*(\d+\.\d+) \(\s*[\d.]+%\)\s+(\S.*)$", line)
        if match and match.group(2) not in ("Total", "Rest") and "Pipeline" not in match.group(2) \
                and not match.group(2).startswith("(A)"):
            timings.append((float(match.group(1)), match.group(2).strip()))
    return sorted(timings, reverse=True)[:count]


def run_pipeline(module: ir.Module, pipeline: str, name: str, dump: "Dump | None" = None,
                 timings: list | None = None) -> None:
    """Runs `pipeline` on `module`; with `timings`, appends the slowest
    passes (seconds, name) from MLIR's pass timing to it."""
    if timings is not None:
        with tempfile.TemporaryDirectory() as scratch:
            report = pathlib.Path(scratch) / "timing.txt"
            with _stderr_to(report):
                _run(module, pipeline, name, dump, timing=True)
            timings += _slowest_passes(report.read_text())
        return
    _run(module, pipeline, name, dump)


def _run(module: ir.Module, pipeline: str, name: str, dump: "Dump | None" = None, timing: bool = False) -> None:
    with context():
        pm = PassManager.parse(f"builtin.module({pipeline})")
        if timing:
            pm.enable_timing()  # reported when the pass manager goes
        if dump is not None:
            # MLIR prints after each pass only without its own threads.
            module.context.enable_multithreading(False)
            pm.enable_ir_printing(print_after_all=True, print_module_scope=True,
                                  tree_printing_dir_path=str(dump.folder / "passes"))
        try:
            pm.run(module.operation)
        except ir.MLIRError as e:
            where_dumped = f" (the IR of each stage is in {dump.folder})" if dump else ""
            raise CompileError(f"{pipeline} failed on `{name}`{where_dumped}",
                               mlir_error_messages(e)) from None
        finally:
            if dump is not None:
                module.context.enable_multithreading(True)


class Dump:
    """A folder of the IR of one compile (config.dump_dir, COTAN_DUMP_DIR):
    0-cotan.mlir as traced, passes/ with the module after every pass,
    then llvm-dialect.mlir, module.ll (LLVM IR) and module.s (assembly)."""

    _count = 0

    def __init__(self, root: str, name: str):
        Dump._count += 1
        self.folder = pathlib.Path(root) / f"{name}-{os.getpid()}-{Dump._count}"
        self.folder.mkdir(parents=True, exist_ok=True)

    def write(self, file: str, text: str) -> None:
        (self.folder / file).write_text(text)

    def machine_code(self, module: ir.Module) -> None:
        """LLVM IR and assembly of a module in the LLVM dialect, by
        cotan-export (skipped, with a note, if the tool is missing)."""
        from .export import _tool
        self.write("llvm-dialect.mlir", str(module))
        try:
            tool = _tool()
        except CompileError as e:
            self.write("module.ll", f"; {e}\n")
            return
        for emit, file in (("llvm", "module.ll"), ("asm", "module.s")):
            subprocess.run([tool, str(self.folder / "llvm-dialect.mlir"), "--lowered", f"--emit={emit}",
                            "-o", str(self.folder / file)], capture_output=True)


def compile(traced: Traced) -> Executable:  # noqa: A001
    """Lowers a traced module to LLVM and JIT-compiles it. The executable's
    `timings` hold the seconds spent in cotan's passes and in LLVM."""
    with context():
        module = _clone(traced.module)
        ffi.warn_if_batched(module)
        distributed.prepare(module, traced.name)
        pipeline = "cotan-cpu-pipeline" + config.cpu_pipeline_options()
        entry_key = None
        if cache.enabled() and not config.dump_dir:
            entry_key = cache.key(module.operation.get_asm(enable_debug_info=True), pipeline, OPT_LEVEL)
            cached = _load_cached(entry_key, traced)
            if cached is not None:
                return cached
        dump = Dump(config.dump_dir, traced.name) if config.dump_dir else None
        if dump:
            dump.write("0-cotan.mlir", module.operation.get_asm(enable_debug_info=True))
        start = time.perf_counter()
        slowest = [] if config.log_compiles else None
        if distributed.is_sharded(module):
            module = _partition_out_of_process(module, traced.name)
            pipeline = _PIPELINES["llvm"] + config.cpu_pipeline_options()
        run_pipeline(module, pipeline, traced.name, dump, slowest)
        passes = time.perf_counter() - start
        if dump:
            dump.machine_code(module)
        load_thread_runtime()
        keep_freed_memory()
        start = time.perf_counter()
        try:
            engine = ExecutionEngine(module, opt_level=OPT_LEVEL, shared_libs=[runtime_library()])
        except RuntimeError as e:
            raise CompileError(f"JIT compilation of `{traced.name}` failed: {e}") from None
        host_functions = (_register_callbacks(engine, module) + _register_finite_checks(engine, module)
                          + ffi.register_targets(engine, module))
        # The JIT generates code on the first lookup: time it as LLVM's.
        engine.raw_lookup("_mlir_ciface_" + traced.name)
        llvm = time.perf_counter() - start
        symbols = ir.SymbolTable(module.operation)
        # Results bufferization placed in donated inputs' buffers.
        attributes = symbols[traced.name].attributes
        result_arguments = list(ir.DenseI64ArrayAttr(attributes["cotan.result_arguments"])) \
            if "cotan.result_arguments" in attributes else None
        # convert-async-to-llvm declares the runtime API in every module but
        # emits `__resume`, the entry worker threads call, only for tasks.
        threaded = "__resume" in symbols
        # Only compiles slow enough to be worth it are stored (the module
        # printed for it).
        stored = entry_key is not None and not host_functions and passes + llvm >= cache.min_compile_seconds()
        lowered = str(module) if stored else ""
    executable = Executable(engine, traced.name, traced.in_avals, traced.out_avals, traced.hoisted,
                            threaded=threaded, result_arguments=result_arguments)
    executable.timings = {"passes": passes, "llvm": llvm, "slowest passes": slowest or []}
    executable.host_functions = host_functions
    if stored:
        cache.store(entry_key, lowered, {"symbol": traced.name, "threaded": threaded,
                                         "result_arguments": result_arguments})
    return executable


def _partition_out_of_process(module: ir.Module, name: str) -> ir.Module:
    """The cotan-to-linalg pipeline (with cotan-partition) of a module with
    sharded functions, run by cotan-opt in a child process: MLIR's shard
    passes stop at assertions on some programs they cannot partition, which
    must not take the user's interpreter down with them."""
    from .export import _tool
    text = module.operation.get_asm(enable_debug_info=True)
    options = config.cpu_pipeline_options()
    done = subprocess.run([_tool("cotan-opt"), "-", "--mlir-print-debuginfo",
                           f"--pass-pipeline=builtin.module(cotan-to-linalg-pipeline{options})"],
                          input=text, capture_output=True, text=True)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines()
                 if line.strip() and not line.lstrip().startswith(("#", "Stack dump", "PLEASE", "0."))]
        how = ("failed" if done.returncode > 0 else
               "crashed (an assertion in MLIR's sharding passes: this program is beyond what they handle)")
        raise CompileError(f"partitioning `{name}` over its mesh {how}", lines[:12])
    return ir.Module.parse(done.stdout)


def _load_cached(entry_key: str, traced: Traced) -> Executable | None:
    """The function's code from the persistent cache, if an entry is there."""
    # What the compiled code calls, loaded before it: the thread pool and
    # memrefCopy.
    load_thread_runtime()
    ctypes.CDLL(runtime_library(), mode=ctypes.RTLD_GLOBAL)
    hit = cache.load(entry_key)
    if hit is None:
        return None
    library, record = hit
    if record.get("symbol") != traced.name:
        return None
    keep_freed_memory()
    executable = Executable(library, traced.name, traced.in_avals, traced.out_avals, traced.hoisted,
                            threaded=record["threaded"], result_arguments=record["result_arguments"])
    executable.timings = {"passes": 0.0, "llvm": 0.0}
    executable.from_cache = True
    return executable


def _register_finite_checks(engine: ExecutionEngine, module: ir.Module) -> tuple:
    """With debug_nans, the host function the checks call on a NaN or Inf,
    knowing what each check (by number) is."""
    attributes = module.operation.attributes
    if "cotan.finite_checks" not in attributes:
        return ()
    from . import debug
    checks = [{key: ir.StringAttr(ir.DictAttr(entry)[key]).value for key in ("op", "loc", "pass")}
              for entry in ir.ArrayAttr(attributes["cotan.finite_checks"])]
    function = debug.nonfinite_function(checks)
    engine.register_runtime("cotan_nonfinite", function)
    return (function,)


def llvm_function_names(module: ir.Module, prefix: str) -> list[str]:
    """The names of the lowered `module`'s functions starting with `prefix`."""
    names = []
    for op in module.body.operations:
        if op.operation.name == "llvm.func":
            name = ir.StringAttr(op.attributes["sym_name"]).value
            if name.startswith(prefix):
                names.append(name)
    return names


def _register_callbacks(engine: ExecutionEngine, module: ir.Module) -> tuple:
    """Makes the host function of each cotan.debug_callback in the lowered
    `module` available to its code; returns them (they must outlive it)."""
    from . import debug
    if not debug._registry:  # no callback was ever traced: nothing to look for
        return ()
    functions = []
    for name in llvm_function_names(module, "_mlir_ciface_cotan_callback_"):
        key = int(name.rsplit("_", 1)[1])
        functions.append(debug.host_function(key))
        engine.register_runtime(f"cotan_callback_{key}", functions[-1])
    return tuple(functions)


def compile_traced(name: str, in_avals: Sequence[ShapedArray],
                   body: Callable[[Trace, list], list]) -> Executable:
    return compile(trace(name, in_avals, body))
