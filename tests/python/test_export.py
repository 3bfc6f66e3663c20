"""cotan.export: the exported C library computes what jit computes, needs
only libc and libm, and bad requests are clear errors."""

from __future__ import annotations

import ctypes
import subprocess

import numpy as np
import pytest

import cotan
import cotan.numpy as cnp

HERE = r"test_export.py:\d+"


def call(library, inputs, outputs_like):
    """Runs name_run from the shared library on NumPy buffers."""
    lib = ctypes.CDLL(str(library.shared))
    outputs = [np.zeros(o.shape, o.dtype) for o in outputs_like]
    run = getattr(lib, f"{library.name}_run")
    status = run(*[np.ascontiguousarray(a).ctypes.data_as(ctypes.c_void_p) for a in (*inputs, *outputs)])
    assert status == 0
    return outputs


def test_several_inputs_outputs_and_dtypes(tmp_path, rng):
    weights = rng.standard_normal((64, 96))  # large: passed as a hidden argument, baked into the library

    def f(x, counts, mask):
        y = cnp.tanh(x @ weights)
        return y, cnp.sum(counts * 2), cnp.where(mask, y[:, :3], 0.0), cnp.mean(y)

    x = rng.standard_normal((5, 64))
    counts = np.arange(7, dtype=np.int32)
    mask = rng.random((5, 3)) < 0.5
    library = cotan.export(f, x, counts, mask, name="several", out_dir=tmp_path)
    assert library.input_shapes == ((5, 64), (7,), (5, 3)) and library.output_shapes == ((5, 96), (), (5, 3), ())
    expected = [np.asarray(e) for e in cotan.jit(f)(x, counts, mask)]
    got = call(library, [x, counts, mask.astype(np.uint8)], expected)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-12)
    header = library.header.read_text()
    assert "int several_run(const double *in0, const int32_t *in1, const uint8_t *in2, double *out0, " \
           "int32_t *out1, double *out2, double *out3);" in header
    assert "#define SEVERAL_INPUT0_SIZE 320" in header
    needed = subprocess.run(["readelf", "-d", str(library.shared)], capture_output=True, text=True).stdout
    assert "libc.so" in needed and not any(lib in needed for lib in ("libMLIR", "libLLVM", "libpython"))
    assert library.static.stat().st_size > 0


def test_named_target_cpu(tmp_path):
    library = cotan.export(lambda v: v * 2.0 + 1.0, np.ones(10, np.float32), name="generic", out_dir=tmp_path,
                           target_cpu="x86-64")
    (out,) = call(library, [np.arange(10, dtype=np.float32)], [np.zeros(10, np.float32)])
    np.testing.assert_array_equal(out, np.arange(10) * 2 + 1)


def test_bad_export_requests(tmp_path):
    x = np.ones(3, np.float32)
    with pytest.raises(ValueError, match=HERE + ".*unknown target CPU 'pentium9000'"):
        cotan.export(lambda v: v + 1, x, out_dir=tmp_path, target_cpu="pentium9000")
    with pytest.raises(TypeError, match=HERE + ".*argument args\\[0\\] .* is a str"):
        cotan.export(lambda v: v + 1, "three", out_dir=tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(PermissionError, match=HERE + ".*cannot write to out_dir"):
        cotan.export(lambda v: v + 1, x, out_dir=blocker / "sub")
    with pytest.raises(ValueError, match=HERE + ".*name must be a C identifier, got '2fast'"):
        cotan.export(lambda v: v + 1, x, name="2fast", out_dir=tmp_path)
