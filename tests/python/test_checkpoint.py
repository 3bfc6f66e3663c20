"""cotan.checkpoint: round trips, retention, atomic writes, and a training
run killed mid-way that resumes to the same parameters."""

import pathlib
import subprocess
import sys

import numpy as np
import pytest

import cotan
import cotan.numpy as cnp
from cotan import optim

ROOT = pathlib.Path(__file__).resolve().parents[2]


def state():
    params = {"w": np.arange(6.0, dtype=np.float32).reshape(2, 3), "b": np.zeros(0, np.float64),
              "n": np.int32(7), "flags": np.array([True, False])}
    return params, optim.adam(0.1).init(params)


def test_round_trip_with_and_without_a_template(tmp_path):
    params, opt_state = state()
    cotan.checkpoint.save(tmp_path, (params, opt_state), step=5)
    for like in (None, (params, opt_state)):
        (p, o), step = cotan.checkpoint.restore(tmp_path, like=like)
        assert step == 5
        assert type(o) is type(opt_state)  # the optimizer's NamedTuple comes back
        for k in params:
            got = np.asarray(p[k])
            assert got.dtype == np.asarray(params[k]).dtype and got.shape == np.shape(params[k])
            np.testing.assert_array_equal(got, params[k])
        for a, b in zip(cotan.tree_util.tree_leaves(o), cotan.tree_util.tree_leaves(opt_state)):
            np.testing.assert_array_equal(a, b)
    assert cotan.checkpoint.restore(tmp_path / "missing") == (None, None)


def test_keeps_the_most_recent(tmp_path):
    for step in (1, 2, 10, 3):
        cotan.checkpoint.save(tmp_path, {"x": cnp.ones(2) * step}, step=step, keep=2)
    assert cotan.checkpoint.steps(tmp_path) == [3, 10]
    tree, step = cotan.checkpoint.restore(tmp_path)
    assert step == 10 and float(tree["x"][0]) == 10.0
    older, _ = cotan.checkpoint.restore(tmp_path, step=3)
    assert float(older["x"][1]) == 3.0


def test_a_failed_write_leaves_the_previous_checkpoint(tmp_path, monkeypatch):
    cotan.checkpoint.save(tmp_path, {"x": np.ones(3)}, step=1)

    def crash(out, **arrays):
        out.write(b"PK\x03\x04 half a zip")
        raise OSError("disk full")
    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(OSError, match="disk full"):
        cotan.checkpoint.save(tmp_path, {"x": np.zeros(3)}, step=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["step_000000001.npz"]
    tree, step = cotan.checkpoint.restore(tmp_path)
    assert step == 1 and np.asarray(tree["x"]).tolist() == [1.0, 1.0, 1.0]


def test_bad_arguments_and_mismatched_templates(tmp_path):
    with pytest.raises(ValueError, match=r"test_checkpoint.py:\d+: checkpoint step must be a non-negative"):
        cotan.checkpoint.save(tmp_path, {"x": np.ones(1)}, step=-1)
    cotan.checkpoint.save(tmp_path, {"x": np.ones(2, np.float32)}, step=0)
    with pytest.raises(ValueError, match=r"array 0: float32\[2\] where `like` has float32\[3\]"):
        cotan.checkpoint.restore(tmp_path, like={"x": np.ones(3, np.float32)})
    with pytest.raises(ValueError, match="holds 1 arrays but `like` has 2"):
        cotan.checkpoint.restore(tmp_path, like={"x": np.ones(2, np.float32), "y": np.ones(1)})
    with pytest.raises(FileNotFoundError, match="no checkpoint of step 4"):
        cotan.checkpoint.restore(tmp_path, step=4)


def test_killed_training_resumes_to_the_same_parameters(tmp_path):
    script = ROOT / "tests/python/scripts/checkpointed_training.py"

    def train(folder, *extra):
        return subprocess.run([sys.executable, str(script), "--dir", str(folder), *extra],
                              capture_output=True, text=True, timeout=600)
    straight = train(tmp_path / "straight")
    assert straight.returncode == 0, straight.stderr
    killed = train(tmp_path / "crash", "--die-at", "15")
    assert killed.returncode == -9, killed.stderr  # SIGKILL after step 15; step 12 was saved
    resumed = train(tmp_path / "crash")
    assert resumed.returncode == 0, resumed.stderr
    assert "resumed from step 12" in resumed.stdout
    assert resumed.stdout.splitlines()[-1] == straight.stdout.splitlines()[-1]
