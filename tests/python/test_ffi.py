"""cotan.ffi_call on C kernels this test compiles with the system compiler:
results against NumPy, derivatives through custom_vjp against central
differences, vmap's per-element loop, and the errors for bad targets and
result shapes."""

from __future__ import annotations

import ctypes
import shutil
import subprocess

import numpy as np
import pytest

import cotan
import cotan.numpy as cnp
from cotan import ShapeDtypeStruct
from cotan.testing import check_grads

HERE = r"test_ffi.py:\d+"

KERNELS = r"""
#include <math.h>
#include <stdint.h>
void softplus6(const double *x, double *out) {
  for (int i = 0; i < 6; ++i) out[i] = log1p(exp(x[i]));
}
void sigmoid6(const double *x, double *out) {
  for (int i = 0; i < 6; ++i) out[i] = 1.0 / (1.0 + exp(-x[i]));
}
void axpy(const float *a, const float *x, const float *y, float *out) {
  for (int i = 0; i < 2 * 3; ++i) out[i] = a[0] * x[i] + y[i];
}
void sum_and_positives(const float *x, float *sum, int32_t *positives) {
  *sum = 0; *positives = 0;
  for (int i = 0; i < 5; ++i) { *sum += x[i]; *positives += x[i] > 0; }
}
"""


@pytest.fixture(scope="module")
def kernels(tmp_path_factory):
    compiler = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if compiler is None:
        pytest.skip("no C compiler to build the test kernels")
    directory = tmp_path_factory.mktemp("ffi")
    source = directory / "kernels.c"
    source.write_text(KERNELS)
    library = directory / "libkernels.so"
    subprocess.run([compiler, "-O2", "-shared", "-fPIC", str(source), "-o", str(library), "-lm"], check=True)
    return ctypes.CDLL(str(library), mode=ctypes.RTLD_GLOBAL)


def softplus(lib, x):
    return cotan.ffi_call(lib.softplus6, ShapeDtypeStruct((6,), np.float64), x)


def test_ffi_call_matches_numpy_under_jit_and_eagerly(kernels, rng):
    a = np.float32(2.5)
    x = rng.standard_normal((2, 3)).astype(np.float32)
    y = rng.standard_normal((2, 3)).astype(np.float32)
    out = ShapeDtypeStruct((2, 3), np.float32)
    expected = a * x + y
    np.testing.assert_allclose(np.asarray(cotan.jit(lambda a, x, y: cotan.ffi_call(kernels.axpy, out, a, x, y))(
        a, x, y)), expected, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(cotan.ffi_call(kernels.axpy, out, a, x, y)), expected, rtol=1e-6)
    # Operands computed in the program, and a result used further on.
    f = cotan.jit(lambda x, y: cnp.sum(cotan.ffi_call(kernels.axpy, out, np.float32(2), x.T.T * 1.0, y) ** 2))
    np.testing.assert_allclose(float(f(x, y)), np.sum((2 * x + y) ** 2), rtol=1e-5)


def test_several_results_and_symbol_names(kernels, rng):
    x = np.array([1.0, -2.0, 3.5, 0.0, 4.0], np.float32)
    shapes = (ShapeDtypeStruct((), np.float32), ShapeDtypeStruct((), np.int32))
    total, positives = cotan.jit(lambda x: cotan.ffi_call("sum_and_positives", shapes, x))(x)
    assert float(total) == pytest.approx(6.5) and int(positives) == 3
    assert np.asarray(positives).dtype == np.int32


def test_derivatives_come_from_custom_vjp(kernels, rng):
    @cotan.custom_vjp
    def f(x):
        return softplus(kernels, x)

    def f_fwd(x):
        return softplus(kernels, x), x

    def f_bwd(x, g):
        return (g * cotan.ffi_call(kernels.sigmoid6, ShapeDtypeStruct((6,), np.float64), x),)

    f.defvjp(f_fwd, f_bwd)
    x = rng.standard_normal(6)
    np.testing.assert_allclose(np.asarray(cotan.jit(f)(x)), np.log1p(np.exp(x)), rtol=1e-12)
    grad = cotan.jit(cotan.grad(lambda x: cnp.sum(f(x) ** 2)))(x)
    np.testing.assert_allclose(np.asarray(grad), 2 * np.log1p(np.exp(x)) / (1 + np.exp(-x)), rtol=1e-12)
    check_grads(lambda x: cnp.sum(f(x) ** 2), (x,), modes=("rev",))


def test_vmap_calls_once_per_element_with_a_warning(kernels, rng):
    xs = rng.standard_normal((4, 6))
    mapped = cotan.jit(cotan.vmap(lambda x: softplus(kernels, x) * 2.0))
    with pytest.warns(UserWarning, match="ffi_call has no batching rule"):
        out = mapped(xs)
    np.testing.assert_allclose(np.asarray(out), 2 * np.log1p(np.exp(xs)), rtol=1e-12)


def test_differentiating_an_ffi_call_without_rules_is_an_error(kernels, rng):
    with pytest.raises(cotan.CompileError, match="ffi_call"):
        cotan.grad(lambda x: cnp.sum(softplus(kernels, x)))(rng.standard_normal(6))


def test_ffi_errors(kernels):
    x = np.ones(6)
    spec = ShapeDtypeStruct((6,), np.float64)
    with pytest.raises(ValueError, match=HERE + ".*no symbol 'no_such_kernel' in the process"):
        cotan.jit(lambda x: cotan.ffi_call("no_such_kernel", spec, x))(x)
    with pytest.raises(TypeError, match=HERE + ".*must be a ShapeDtypeStruct"):
        cotan.jit(lambda x: cotan.ffi_call(kernels.softplus6, (6,), x))(x)
    with pytest.raises(TypeError, match=HERE + ".*target must be a symbol name or a ctypes function"):
        cotan.jit(lambda x: cotan.ffi_call(42, spec, x))(x)
    with pytest.raises(TypeError, match=HERE + ".*arguments must be arrays or scalars"):
        cotan.jit(lambda x: cotan.ffi_call(kernels.softplus6, spec, x, "text"))(x)


def test_ffi_call_inside_a_loop(kernels, rng):
    def step(carry, x):
        return carry + softplus(kernels, x), carry

    xs = rng.standard_normal((3, 6))
    total, _ = cotan.jit(lambda xs: cotan.lax.scan(step, np.zeros(6), xs))(xs)
    np.testing.assert_allclose(np.asarray(total), np.log1p(np.exp(xs)).sum(axis=0), rtol=1e-12)
