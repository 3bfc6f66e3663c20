"""Several processes working on one computation, over MPI.

    mpirun -np 2 python train.py          # every process runs the script

    cotan.distributed.initialize()        # once per process, before any collective
    cotan.distributed.process_index()     # 0 or 1
    cotan.distributed.process_count()     # 2

The collectives (`cotan.lax.psum`, `all_gather`, ...) run in compiled code:
the compiler lowers them to MPI calls (MLIR's mpi dialect), and this module
loads the MPI library those calls resolve to and starts MPI in this process
(MPI_Init, by a small function compiled from the mpi dialect too). Which
MPI is used: `COTAN_MPI_LIBRARY` (a path), else the system's `libmpi`;
OpenMPI and MPICH ABIs are both understood.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import hashlib
import os
import sys
from typing import Any

from .errors import user_error

# The process's view of MPI, filled by initialize().
_library: ctypes.CDLL | None = None
_implementation: str | None = None
_runtime: Any = None  # the ExecutionEngine of the MPI helper functions
_rank, _size = 0, 1
_started_here = False


def _load_library() -> tuple[ctypes.CDLL, str]:
    path = os.environ.get("COTAN_MPI_LIBRARY") or ctypes.util.find_library("mpi")
    if not path:
        raise user_error(RuntimeError, (
            "cotan.distributed needs an MPI library and none was found: install OpenMPI "
            "(Debian: apt-get install openmpi-bin libopenmpi-dev) or MPICH, or set "
            "COTAN_MPI_LIBRARY to the path of libmpi.so"))
    try:
        # Global, so compiled code's MPI_* calls resolve to it.
        library = ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
    except OSError as e:
        raise user_error(RuntimeError, f"cannot load the MPI library {path}: {e}") from None
    implementation = "OpenMPI" if hasattr(library, "ompi_mpi_comm_world") else "MPICH"
    return library, implementation


def _helpers_source(implementation: str) -> str:
    # init and finalize name their (unused) status: MLIR's lowering of the
    # forms without one fails. MLIR lowers neither comm_size nor barrier to
    # LLVM, so the size is an all-reduce of ones (which also synchronizes).
    return f"""
module attributes {{dlti.map = #dlti.map<"MPI:Implementation" = "{implementation}">}} {{
  func.func @cotan_mpi_init() {{
    %status = mpi.init : !mpi.retval
    return
  }}
  func.func @cotan_mpi_rank() -> i32 {{
    %world = mpi.comm_world : !mpi.comm
    %rank = mpi.comm_rank(%world) : i32
    return %rank : i32
  }}
  func.func @cotan_mpi_size() -> i32 {{
    %c0 = arith.constant 0 : index
    %one = arith.constant 1 : i32
    %mine = memref.alloca() : memref<1xi32>
    memref.store %one, %mine[%c0] : memref<1xi32>
    %count = memref.alloca() : memref<1xi32>
    %world = mpi.comm_world : !mpi.comm
    mpi.allreduce(%mine, %count, MPI_SUM, %world) : memref<1xi32>, memref<1xi32>
    %size = memref.load %count[%c0] : memref<1xi32>
    return %size : i32
  }}
  func.func @cotan_mpi_agree(%value: i64) -> i32 {{
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %zero = arith.constant 0 : i64
    %pair = memref.alloca() : memref<2xi64>
    memref.store %value, %pair[%c0] : memref<2xi64>
    %negated = arith.subi %zero, %value : i64
    memref.store %negated, %pair[%c1] : memref<2xi64>
    %extremes = memref.alloca() : memref<2xi64>
    %world = mpi.comm_world : !mpi.comm
    mpi.allreduce(%pair, %extremes, MPI_MAX, %world) : memref<2xi64>, memref<2xi64>
    %largest = memref.load %extremes[%c0] : memref<2xi64>
    %negated_smallest = memref.load %extremes[%c1] : memref<2xi64>
    %smallest = arith.subi %zero, %negated_smallest : i64
    %same = arith.cmpi eq, %largest, %smallest : i64
    %answer = arith.extui %same : i1 to i32
    return %answer : i32
  }}
  func.func @cotan_mpi_finalize() {{
    %status = mpi.finalize : !mpi.retval
    return
  }}
}}"""


def _call(name: str, *arguments: Any, restype: Any = None) -> Any:
    """Calls a helper through the ExecutionEngine's packed interface (one
    array of pointers: the arguments, then the result)."""
    address = _runtime.raw_lookup(name)
    if not address:  # a symbol of the MPI library was not found
        raise RuntimeError(f"cannot link {name} against the MPI library {_library._name}")
    result = restype() if restype is not None else None
    cells = [*arguments, *([result] if result is not None else [])]
    pointers = (ctypes.c_void_p * max(len(cells), 1))(*[ctypes.addressof(c) for c in cells])
    ctypes.CFUNCTYPE(None, ctypes.c_void_p)(address)(ctypes.addressof(pointers))
    return result.value if result is not None else None


def _compile_helpers(implementation: str) -> Any:
    from .core import context
    from .mlir import ir
    from .mlir.execution_engine import ExecutionEngine
    from .mlir.passmanager import PassManager
    with context():
        module = ir.Module.parse(_helpers_source(implementation))
        PassManager.parse("builtin.module(convert-to-llvm,cotan-openmpi-operation-symbols,"
                          "reconcile-unrealized-casts)").run(module.operation)
        return ExecutionEngine(module, opt_level=2)


def _flag(function: str) -> bool:
    value = ctypes.c_int(0)
    getattr(_library, function)(ctypes.byref(value))
    return bool(value.value)


def initialize() -> None:
    """Starts MPI in this process (unless something, e.g. mpi4py, already
    did) and learns this process's rank and the number of processes. Call
    it once, early, in every process; repeated calls do nothing."""
    global _library, _implementation, _runtime, _rank, _size, _started_here
    if _runtime is not None:
        return
    library, implementation = _load_library()
    _library, _implementation = library, implementation
    _runtime = _compile_helpers(implementation)
    if _flag("MPI_Finalized"):
        raise user_error(RuntimeError, "MPI was already finalized in this process; it cannot restart")
    if not _flag("MPI_Initialized"):
        _call("cotan_mpi_init")
        _started_here = True
        atexit.register(_finalize)
    _rank = _call("cotan_mpi_rank", restype=ctypes.c_int32)
    _size = _call("cotan_mpi_size", restype=ctypes.c_int32)
    if _size > 1:
        _abort_on_uncaught_exceptions()


def _abort_on_uncaught_exceptions() -> None:
    """An exception nobody catches ends the whole job, with this rank's
    traceback shown: the other processes may be waiting in a collective
    for this one and would otherwise wait forever."""
    previous = sys.excepthook

    def hook(kind, value, traceback) -> None:
        sys.stderr.write(f"[cotan rank {_rank} of {_size}] uncaught exception; aborting the MPI job\n")
        previous(kind, value, traceback)
        sys.stderr.flush()
        sys.stdout.flush()
        abort(1)

    sys.excepthook = hook


def abort(code: int = 1) -> None:
    """Ends every process of the job (MPI_Abort on the world communicator)."""
    if _library is None:
        raise SystemExit(code)
    if _implementation == "OpenMPI":
        world = ctypes.c_void_p(ctypes.addressof(ctypes.c_char.in_dll(_library, "ompi_mpi_comm_world")))
    else:  # MPICH's MPI_COMM_WORLD is an integer handle
        world = ctypes.c_int(0x44000000)
    _library.MPI_Abort(world, ctypes.c_int(code))


def _finalize() -> None:
    if _runtime is not None and _started_here and not _flag("MPI_Finalized"):
        _call("cotan_mpi_finalize")


def is_initialized() -> bool:
    return _runtime is not None


def process_index() -> int:
    """This process's rank (0 without MPI)."""
    return _rank


def process_count() -> int:
    """The number of processes (1 without MPI)."""
    return _size


def barrier() -> None:
    """Waits until every process has reached this point."""
    if _runtime is not None:
        _call("cotan_mpi_size", restype=ctypes.c_int32)


def implementation() -> str:
    """"OpenMPI" or "MPICH": the ABI compiled collectives are lowered for."""
    if _implementation is None:
        raise user_error(RuntimeError, "cotan.distributed.initialize() has not been called")
    return _implementation


_COLLECTIVES = frozenset({"cotan.all_reduce", "cotan.all_gather", "cotan.reduce_scatter",
                          "cotan.all_to_all", "cotan.collective_broadcast", "cotan.axis_index"})


def _communication(module: Any) -> list[tuple[tuple[int, ...], str]]:
    """(mesh, description) of each of `module`'s collectives whose group has
    more than one process (the others fold away), in program order."""
    import numpy as np
    from .mlir import ir
    found: list[tuple[tuple[int, ...], str]] = []

    def visit(op: Any) -> Any:
        if op.name == "func.func" and "cotan.mesh" in op.attributes:
            # A sharded function: cotan-partition adds its collectives.
            mesh = tuple(ir.DenseI64ArrayAttr(op.attributes["cotan.mesh"]))
            if int(np.prod(mesh)) > 1:
                found.append((mesh, f"partitioned {op.attributes['function_type']} "
                                    f"{op.attributes['arg_attrs']} {op.attributes['res_attrs']}"))
        if op.name in _COLLECTIVES:
            mesh = tuple(ir.DenseI64ArrayAttr(op.attributes["mesh"]))
            axes = ir.DenseI64ArrayAttr(op.attributes["axes"])
            if int(np.prod([mesh[a] for a in axes if 0 <= a < len(mesh)])) > 1:
                types = ", ".join(str(v.type) for v in op.operands)
                named = (op.attributes[i] for i in range(len(op.attributes)))
                attributes = ", ".join(sorted(f"{a.name}={a.attr}" for a in named))
                found.append((mesh, f"{op.name}({types}) {{{attributes}}}"))
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    return found


def is_sharded(module: Any) -> bool:
    """True if a function of `module` is to be partitioned (jit with
    in_shardings/out_shardings)."""
    return any("cotan.mesh" in op.attributes for op in module.body.operations)


def meshes(module: Any) -> set[tuple[int, ...]]:
    """The process meshes `module`'s collectives communicate over."""
    return {mesh for mesh, _ in _communication(module)}


def prepare(module: Any, name: str) -> None:
    """Before `module` (function `name`) is compiled: if it communicates,
    checks that MPI runs as many processes as its meshes have and names
    the MPI ABI its collectives are lowered for."""
    import numpy as np
    from .mlir import ir
    communication = _communication(module)
    used = {mesh for mesh, _ in communication}
    if not used:
        return  # nothing to send
    sizes = sorted({int(np.prod(mesh)) for mesh in used})
    if _runtime is None:
        raise user_error(RuntimeError, (
            f"`{name}` communicates between {sizes[0]} processes: call "
            f"cotan.distributed.initialize() first, in a program started with mpirun -np {sizes[0]}"))
    if sizes != [_size]:
        raise user_error(ValueError, f"`{name}` uses a mesh of {sizes[0]} processes but {_size} are running")
    module.operation.attributes["dlti.map"] = ir.Attribute.parse(
        f'#dlti.map<"MPI:Implementation" = "{_implementation}">')
    # Every process must run the same collectives on the same shapes; a
    # process that traced others would leave the rest waiting (or MPI
    # failing on mismatched sizes), so the processes compare them.
    text = "\n".join(description for _, description in communication)
    fingerprint = int.from_bytes(hashlib.sha256(text.encode()).digest()[:7], "little")
    if not _call("cotan_mpi_agree", ctypes.c_int64(fingerprint), restype=ctypes.c_int32):
        signature = ir.SymbolTable(module.operation)[name].type
        raise user_error(RuntimeError, (
            f"rank {_rank}: the {_size} processes traced `{name}` differently (its collectives "
            f"would not match: shapes, dtypes or code differ between ranks); this rank traced "
            f"{signature}"))
