"""The checks a fuzz worker runs on one program: cotan's jit against NumPy,
its gradient against finite differences, and that an invalid program
raises a Python exception. Each returns the worker's reply: "ok", and a
"message" saying what failed."""

from __future__ import annotations

import os

import numpy as np

import cotan
import cotan.numpy as cnp
from cotan.testing import check_grads

from .programs import input_arrays, run

# What an invalid program may raise: a clear Python error, never a crash.
CLEAN_ERRORS = (TypeError, ValueError, IndexError, cotan.errors.CotanError)


def _reply(message: str | None, **extra) -> dict:
    return {"ok": message is None, "message": message, **extra}


def _compiled(program: dict):
    return cotan.jit(lambda *xs: run(program, cnp, xs))


def check_value(program: dict, seed: int) -> dict:
    inputs = input_arrays(program, seed)
    with np.errstate(all="ignore"):
        expected = np.asarray(run(program, np, inputs))
    got = np.asarray(_compiled(program)(*inputs))
    if got.shape != expected.shape:
        return _reply(f"shape {got.shape}, NumPy's {expected.shape}")
    if np.dtype(program["dtype"]).kind == "i":
        # Both wrap on overflow, NumPy's sums in int64: equal modulo 2^32.
        wrapped = (got.astype(np.int64) - expected.astype(np.int64)) % (1 << 32)
        return _reply(None if not wrapped.any() else f"got {got}, NumPy {expected}")
    eps = np.finfo(np.dtype(program["dtype"])).eps
    finite = expected[np.isfinite(expected)]
    scale = max(1.0, float(np.abs(finite).max())) if finite.size else 1.0
    try:
        np.testing.assert_allclose(got.astype(np.float64), expected.astype(np.float64),
                                   rtol=1000 * eps, atol=1000 * eps * scale, equal_nan=True)
    except AssertionError as e:
        return _reply(str(e))
    return _reply(None)


def check_grad(program: dict, seed: int) -> dict:
    inputs = [x.astype(np.float64) for x in input_arrays(program, seed)]
    with np.errstate(all="ignore"):
        value = np.asarray(run(program, np, inputs))
    if not np.isfinite(value).all():
        return _reply(None)  # the mean of nothing: no derivative to check
    shape = value.shape
    weights = np.random.default_rng(seed + 1).standard_normal(shape)
    f = lambda *xs: cnp.sum(run(program, cnp, xs) * weights)
    try:
        check_grads(f, tuple(inputs), rtol=1e-5, atol=1e-6, seed=seed)
    except AssertionError as e:
        return _reply(str(e))
    return _reply(None)


def check_invalid(program: dict, seed: int) -> dict:
    """Raises a clean error eagerly and under jit; the reply also says
    whether the jit error names the line of the program that is wrong
    (programs.py's interpreter: the user's code, here)."""
    inputs = input_arrays(program, seed)
    try:
        with np.errstate(all="ignore"):
            run(program, np, inputs)
    except (TypeError, ValueError, IndexError, np.exceptions.AxisError):
        pass
    else:
        return _reply("the generator's invalid program runs in NumPy")
    located = False
    for mode, call in (("eagerly", lambda: run(program, cnp, inputs)),
                       ("under jit", lambda: _compiled(program)(*inputs))):
        try:
            call()
        except CLEAN_ERRORS as e:
            text = str(e) + "".join(getattr(e, "__notes__", []))
            located = "programs.py" in text
            continue
        except Exception as e:  # noqa: BLE001 - reported
            return _reply(f"{mode}: {type(e).__name__}: {e}")
        return _reply(f"{mode}: no error raised")
    return _reply(None, located=located)


def check_abort(program: dict, seed: int) -> dict:
    """Kills the worker as an LLVM assertion would (tests the crash guard)."""
    os.abort()


CHECKS = {"value": check_value, "grad": check_grad, "invalid": check_invalid,
          "abort": check_abort}
