"""cotan.debug.print and cotan.debug.callback: values and order under jit,
vmap, grad and loops; errors raised in callbacks; bad format strings."""

from __future__ import annotations

import numpy as np
import pytest

import cotan
import cotan.numpy as cnp
from cotan import lax

HERE = r"test_debug.py:\d+"


def lines(capsys) -> list[str]:
    return capsys.readouterr().out.splitlines()


def test_print_under_jit_in_program_order(capsys):
    @cotan.jit
    def f(x):
        cotan.debug.print("start")
        y = cnp.tanh(x)
        cotan.debug.print("y = {y}, max {}", cnp.max(y), y=y)
        cotan.debug.print("int {} bool {}", cnp.arange(3), x > 0)
        return y * 2

    x = np.array([0.5, -1.0], np.float32)
    y = np.asarray(f(x)) / 2
    assert lines(capsys) == ["start", f"y = {y}, max {y.max()!s}", "int [0 1 2] bool [ True False]"]
    cotan.jit(lambda x: cotan.debug.print("{} {:.2f}", x, x))(np.float32(0.46211717))
    assert lines(capsys) == ["0.46211717 0.46"]  # a float32's own digits; specs apply
    f(x)  # every call prints, compiled once
    assert len(lines(capsys)) == 3 and f.trace_count == 1


def test_print_outside_jit_prints_now(capsys):
    cotan.debug.print("{} and {name}", cnp.asarray([1, 2]), name=3.5)
    assert lines(capsys) == ["[1 2] and 3.5"]


def test_callback_receives_numpy_arrays_of_every_dtype():
    seen = []

    @cotan.jit
    def f(x, flags, count):
        cotan.debug.callback(lambda *a, **k: seen.append((a, k)), x, flags, count=count,
                             empty=cnp.zeros((0, 3)), pair=(x.sum(), count * 2))
        return x

    x = np.arange(6.0).reshape(2, 3)
    f(x, np.array([True, False, True]), np.int32(7))
    (args, kwargs), = seen
    assert args[0].dtype == np.float64 and np.array_equal(args[0], x)
    assert args[1].dtype == np.bool_ and args[1].tolist() == [True, False, True]
    assert kwargs["count"].dtype == np.int32 and kwargs["count"] == 7
    assert kwargs["empty"].shape == (0, 3)
    assert kwargs["pair"][0] == 15.0 and kwargs["pair"][1] == 14


def test_print_under_vmap_runs_per_element(capsys):
    def f(row, scale):
        cotan.debug.print("row {} scale {}", row, scale)
        return row * scale

    out = cotan.jit(cotan.vmap(f, in_axes=(0, None)))(np.arange(6.0).reshape(3, 2), 2.0)
    np.testing.assert_array_equal(np.asarray(out), np.arange(6.0).reshape(3, 2) * 2)
    assert lines(capsys) == ["row [0. 1.] scale 2.0", "row [2. 3.] scale 2.0", "row [4. 5.] scale 2.0"]


def test_print_under_grad_shows_forward_values_once(capsys):
    def f(x):
        cotan.debug.print("x = {}", x)
        return cnp.sum(cnp.sin(x))

    x = np.array([0.0, 1.0])
    np.testing.assert_allclose(np.asarray(cotan.jit(cotan.grad(f))(x)), np.cos(x))
    assert lines(capsys) == ["x = [0. 1.]"]
    value, grad = cotan.value_and_grad(f)(x)
    assert lines(capsys) == ["x = [0. 1.]"]
    np.testing.assert_allclose(float(value), np.sin(x).sum())


def test_print_in_loops_and_branches(capsys):
    def body(i, carry):
        cotan.debug.print("i={} carry={}", i, carry)
        return carry * 2

    assert float(cotan.jit(lambda c: lax.fori_loop(0, 3, body, c))(np.float32(1))) == 8.0
    assert lines(capsys) == ["i=0 carry=1.0", "i=1 carry=2.0", "i=2 carry=4.0"]

    def branch(name):
        def run(x):
            cotan.debug.print(name + " {}", x)
            return x
        return run

    pick = cotan.jit(lambda p, x: lax.cond(p, branch("yes"), branch("no"), x))
    pick(True, np.float32(1))
    pick(False, np.float32(2))
    assert lines(capsys) == ["yes 1.0", "no 2.0"]

    def step(carry, x):
        cotan.debug.print("scan {}", x)
        return carry + x, carry

    cotan.jit(lambda xs: lax.scan(step, np.float32(0), xs))(np.arange(3, dtype=np.float32))
    assert lines(capsys) == ["scan 0.0", "scan 1.0", "scan 2.0"]


def test_an_exception_in_a_callback_is_raised_by_the_call(capsys):
    def fail(x):
        raise RuntimeError(f"bad value {x}")

    @cotan.jit
    def f(x):
        cotan.debug.callback(fail, x)
        cotan.debug.print("not reached")
        return x + 1

    with pytest.raises(RuntimeError, match="bad value 1.0"):
        f(np.float32(1))
    assert lines(capsys) == []
    f2 = cotan.jit(lambda x: x * 2)
    assert float(f2(np.float32(1))) == 2.0  # nothing left pending


def test_bad_debug_arguments():
    f = cotan.jit(lambda x: cotan.debug.print("{} {}", x))
    with pytest.raises(ValueError, match=HERE + ".*has 2 field\\(s\\) but 1 positional"):
        f(np.float32(1))
    with pytest.raises(ValueError, match=HERE + ".*names 'y' but the keyword arguments are \\['x'\\]"):
        cotan.jit(lambda x: cotan.debug.print("{y}", x=x))(np.float32(1))
    with pytest.raises(ValueError, match=HERE + ".*malformed"):
        cotan.jit(lambda x: cotan.debug.print("{", x))(np.float32(1))
    with pytest.raises(TypeError, match=HERE + ".*expects a function"):
        cotan.debug.callback(3, np.float32(1))
    with pytest.raises(TypeError, match=HERE + ".*must be arrays or scalars"):
        cotan.jit(lambda x: cotan.debug.callback(print, x, "text"))(np.float32(1))


@pytest.fixture
def debug_nans():
    cotan.config.update("debug_nans", True)
    yield
    cotan.config.update("debug_nans", False)


def test_debug_nans_names_the_forward_op_and_line(debug_nans):
    @cotan.jit
    def f(x):
        y = cnp.exp(x)
        z = cnp.log(x - 1.0)  # NaN for x < 1: this line is reported
        return cnp.sum(y * z)

    assert np.isfinite(float(f(np.array([2.0, 3.0], np.float32))))
    with pytest.raises(FloatingPointError, match=HERE + ": cotan.log produced a NaN or Inf in the forward pass"):
        f(np.array([2.0, -1.0], np.float32))
    assert np.isfinite(float(f(np.array([2.0, 3.0], np.float32))))  # nothing left pending


def test_debug_nans_names_the_backward_op(debug_nans):
    g = cotan.jit(cotan.grad(lambda x: cnp.sum(cnp.sqrt(x))))
    np.testing.assert_allclose(np.asarray(g(np.array([1.0, 4.0]))), [0.5, 0.25])
    with pytest.raises(FloatingPointError, match=HERE + ": cotan.div produced a NaN or Inf in the backward pass"):
        g(np.array([1.0, 0.0]))  # sqrt is fine at 0, its derivative is not


def test_debug_nans_in_loops_and_vmap(debug_nans):
    def body(i, x):
        return x * 100.0  # overflows float32 on the 20th step

    loop = cotan.jit(lambda x: lax.fori_loop(0, 30, body, x))
    with pytest.raises(FloatingPointError, match=HERE + ": cotan.mul produced a NaN or Inf in the forward"):
        loop(np.float32(1))
    mapped = cotan.jit(cotan.vmap(lambda v: cnp.sum(cnp.log(v))))
    with pytest.raises(FloatingPointError, match=HERE + ": cotan.log"):
        mapped(np.array([[1.0, 2.0], [0.0, 1.0]], np.float32))


def test_debug_nans_off_compiles_no_checks():
    f = cotan.jit(lambda x: cnp.log(x))
    assert np.isnan(np.asarray(f(np.array([-1.0], np.float32)))[0])
    assert "cotan_nonfinite" not in f.lower(np.ones(1, np.float32)).as_text("linalg")
    cotan.config.update("debug_nans", True)
    try:
        assert "call @cotan_nonfinite" in f.lower(np.ones(1, np.float32)).as_text("linalg")
    finally:
        cotan.config.update("debug_nans", False)


def test_cotan_debug_nans_environment_variable():
    import os
    import subprocess
    import sys
    program = ("import numpy as np, cotan, cotan.numpy as cnp\n"
               "assert cotan.config.debug_nans\n"
               "try:\n"
               "    cotan.jit(lambda x: cnp.log(x))(np.float32(-1))\n"
               "except FloatingPointError as e:\n"
               "    print(e)\n")
    out = subprocess.run([sys.executable, "-c", program], env=dict(os.environ, COTAN_DEBUG_NANS="1"),
                         capture_output=True, text=True, timeout=120)
    assert "cotan.log produced a NaN or Inf in the forward pass" in out.stdout, out.stderr
