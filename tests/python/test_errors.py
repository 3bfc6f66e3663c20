"""Bad input raises a Python exception that names the problem and the
user's source line; nothing crashes the interpreter."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import cotan
import cotan.numpy as cnp

HERE = r"test_errors.py:\d+"


def test_incompatible_shapes():
    with pytest.raises(ValueError, match=HERE + r": operands could not be broadcast together with shapes \(2, 3\) \(4,\)"):
        cnp.add(np.ones((2, 3)), np.ones(4))
    f = cotan.jit(lambda x, y: x * y)
    with pytest.raises(ValueError, match=HERE + ": operands could not be broadcast"):
        f(np.ones((2, 3), np.float32), np.ones(4, np.float32))


def test_wrong_axis():
    with pytest.raises(np.exceptions.AxisError, match=HERE + ": axis 2 is out of bounds for array of dimension 2"):
        cnp.sum(np.ones((2, 3)), axis=2)
    with pytest.raises(ValueError, match="duplicate value in 'axis'"):
        cnp.sum(np.ones((2, 3)), axis=(0, -2))
    with pytest.raises(np.exceptions.AxisError, match=HERE):
        cotan.jit(lambda x: cnp.argmax(x, axis=-3))(np.ones((2, 3), np.float32))


def test_unsupported_dtype():
    with pytest.raises(TypeError, match=r"args\[0\] of `<lambda>`: dtype complex128 is not supported"):
        cotan.jit(lambda x: x)(np.ones(2, np.complex128))
    with pytest.raises(TypeError, match="dtype uint64 is not supported"):
        cnp.asarray(np.ones(2, np.uint64))
    with pytest.raises(TypeError, match=HERE + ": dtype"):
        cnp.astype(np.ones(2), np.complex64)
    with pytest.raises(TypeError, match="subtract does not accept boolean arrays"):
        cnp.subtract(np.ones(2, bool), np.ones(2, bool))


def test_non_array_argument():
    with pytest.raises(TypeError, match=HERE + r": argument args\[1\]\['k'\] of `f` is a str, which is not a valid cotan type"):
        def f(x, d):
            return x
        cotan.jit(f)(np.ones(2), {"k": "text"})
    with pytest.raises(TypeError, match=HERE + ": expected an array or scalar, got object"):
        cnp.exp(object())
    with pytest.raises(TypeError, match="a jitted function returned a str"):
        cotan.jit(lambda x: "no")(np.ones(2))


def test_unhashable_static_argument():
    f = cotan.jit(lambda x, shape: cnp.reshape(x, shape), static_argnums=1)
    with pytest.raises(TypeError, match=HERE + ": static argument 1 of `<lambda>` has unhashable type list"):
        f(np.ones(4), [2, 2])
    np.testing.assert_array_equal(np.asarray(f(np.ones(4), (2, 2))), np.ones((2, 2)))


def test_tracer_leak():
    leaked = []

    @cotan.jit
    def f(x):
        leaked.append(x * 2)
        return x

    f(np.ones(3, np.float32))
    with pytest.raises(cotan.TracerLeakError, match=HERE + ": a value traced in `cotan_f`.*was used after that trace ended"):
        leaked[0] + 1


def test_python_control_flow_on_traced_values():
    @cotan.jit
    def f(x):
        if x.sum() > 0:
            return x
        return -x

    with pytest.raises(cotan.ConcretizationError, match=HERE + ": the truth value of a traced array"):
        f(np.ones(3, np.float32))
    with pytest.raises(cotan.ConcretizationError, match="mark the argument static"):
        cotan.jit(lambda x: float(x))(np.float32(1))


def test_compile_error_carries_diagnostic_and_location():
    x = cnp.asarray(np.ones((2, 3), np.float32))
    with pytest.raises(cotan.CompileError) as info:
        cotan.lax.transpose(x, permutation=(0, 0))
    message = str(info.value)
    assert "test_errors.py" in message
    assert "(transpose_c1) [0, 0] is not a permutation of the operand's 2 dimensions" in message
    assert info.value.diagnostics


def test_static_index_out_of_bounds():
    with pytest.raises(IndexError, match=HERE + ": index 5 is out of bounds for axis 0 with size 3"):
        cotan.jit(lambda x: x[5])(np.ones(3, np.float32))


def test_bad_inputs_never_crash_the_interpreter():
    # Run a batch of bad calls in a child process: it must exit normally.
    script = textwrap.dedent("""
        import numpy as np, cotan, cotan.numpy as cnp
        bad = [
            lambda: cnp.add(np.ones((2, 3)), np.ones(4)),
            lambda: cnp.reshape(np.ones(3), (2, 2)),
            lambda: cotan.lax.dot_general(cnp.ones((2, 3)), cnp.ones((4, 5)), contracting=((1,), (0,))),
            lambda: cotan.lax.slice(cnp.ones(3), start=(2,), limit=(1,), strides=(1,)),
            lambda: cotan.lax.reduce_sum(cnp.ones(3), dimensions=(3,)),
            lambda: cotan.lax.broadcast_in_dim(cnp.ones(3), shape=(2, 2), broadcast_dimensions=(1,)),
            lambda: cotan.lax.take(cnp.zeros((0, 2)), cnp.asarray([1]), axis=0),
            lambda: cotan.jit(lambda x: x)(np.ones(2, np.complex64)),
            lambda: cnp.zeros((-1, 2)),
        ]
        for call in bad:
            try:
                call()
            except Exception as e:
                print(type(e).__name__)
            else:
                raise SystemExit("no error raised")
        print("survived")
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("survived")
    assert out.stdout.count("Error") >= 9


def test_unloadable_runtime_library_is_a_clear_error(tmp_path, monkeypatch):
    # The ExecutionEngine would abort the process on a library it cannot
    # load; cotan loads each one first and says which and why.
    from cotan.runtime import runtime_library
    (tmp_path / "mlir" / "lib").mkdir(parents=True)
    (tmp_path / "mlir" / "lib" / "libmlir_broken.so").write_bytes(b"not a shared library")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(cotan.CompileError, match=r"cannot load .*libmlir_broken\.so: .*"):
        runtime_library("libmlir_broken.so")
