"""Collectives, shard_map and MPI: the API and its errors in this process,
and real multi-process runs under mpirun (tests/python/mpi/ holds the
scripts every process runs; they check numbers against NumPy and finite
differences and exit non-zero on any failure)."""

import os
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest

import cotan
import cotan.numpy as cnp
from cotan import lax
from cotan.sharding import Mesh, P, PartitionSpec

ROOT = pathlib.Path(__file__).resolve().parents[2]
MPIRUN = shutil.which("mpirun")
needs_mpirun = pytest.mark.skipif(MPIRUN is None, reason="mpirun not found: install OpenMPI "
                                  "(apt-get install openmpi-bin libopenmpi-dev) to run multi-process tests")


def launch(processes: int, script: str, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1")
    if env.get("PYTHONPATH"):  # the processes import cotan as this one does
        env["PYTHONPATH"] = os.pathsep.join(str(pathlib.Path(p).resolve())
                                            for p in env["PYTHONPATH"].split(os.pathsep))
    return subprocess.run([MPIRUN, "-np", str(processes), sys.executable, str(ROOT / script), *args],
                          capture_output=True, text=True, env=env, timeout=timeout)


def mpirun(processes: int, script: str, *args: str) -> str:
    done = launch(processes, script, *args)
    assert done.returncode == 0, f"mpirun -np {processes} {script} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@needs_mpirun
def test_collectives_on_two_processes():
    assert "collectives on 2 processes: ok" in mpirun(2, "tests/python/mpi/collectives.py")


@needs_mpirun
def test_collectives_on_four_processes_and_a_2d_mesh():
    assert "collectives on 4 processes: ok" in mpirun(4, "tests/python/mpi/collectives.py")


@needs_mpirun
@pytest.mark.parametrize("processes", [2, 4])
def test_jit_in_shardings_partition_like_the_unsharded_function(processes):
    assert f"partitioned on {processes} processes: ok" in mpirun(processes, "tests/python/mpi/partition.py")


@needs_mpirun
@pytest.mark.parametrize("split_by", [[], ["--in-shardings"]], ids=["shard_map", "in_shardings"])
def test_data_parallel_training_matches_single_process(split_by):
    out = mpirun(2, "examples/data_parallel_mlp.py", "--steps", "25", "--check", *split_by)
    assert "same parameters as single-process training" in out
    assert out.count("step ") == 1  # only rank 0 prints


@needs_mpirun
def test_tensor_parallel_training_matches_the_unsplit_model():
    out = mpirun(2, "examples/tensor_parallel_mlp.py", "--steps", "40", "--check")
    assert "same parameters as the unsplit model" in out


@needs_mpirun
@pytest.mark.parametrize("mode, shown", [
    ("raise", ["[cotan rank 1 of 2] uncaught exception", "ValueError: rank 1 fails on purpose"]),
    ("die", ["exited on signal 9"]),
    ("mismatch", ["the 2 processes traced", "differently", "this rank traced (tensor<4x4xf32>)"]),
])
def test_a_failing_rank_ends_the_job_with_its_error(mode, shown):
    # Rank 0 waits in a collective for rank 1: the job must still end,
    # promptly, with a non-zero status and rank 1's error.
    done = launch(2, "tests/python/mpi/faults.py", mode, timeout=120)
    assert done.returncode != 0
    output = done.stdout + done.stderr
    for text in shown:
        assert text in output, output
    assert "rank 0 finished" not in output


# -- one process ----------------------------------------------------------------

single = Mesh((1,), ("i",))


def test_single_process_mesh_needs_no_mpi():
    # Groups of one process communicate nothing: the collectives fold away.
    x = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    f = cotan.shard_map(lambda b: (lax.psum(b, "i"), lax.all_gather(b, "i"), lax.axis_index("i"),
                                   lax.pmean(b, "i"), lax.pbroadcast(b, "i", 0)),
                        mesh=single, in_specs=P("i"), out_specs=P())
    s, g, i, m, b = f(x)
    np.testing.assert_array_equal(s, x)
    np.testing.assert_array_equal(g, x[None])
    assert int(i) == 0
    np.testing.assert_array_equal(m, x)
    np.testing.assert_array_equal(b, x)
    assert "cotan.all_reduce" in f.lower(x).as_text()


def test_single_process_gradient_is_the_plain_gradient():
    w = np.linspace(-1.0, 1.0, 6).reshape(3, 2)
    loss = cotan.shard_map(lambda w, x: lax.psum(cnp.tanh(x @ w).sum(), "i"), mesh=single,
                           in_specs=(P(), P("i")), out_specs=P())
    x = np.ones((4, 3))
    np.testing.assert_allclose(cotan.grad(loss)(w, x), cotan.grad(lambda w: cnp.tanh(x @ w).sum())(w),
                               rtol=1e-12)


def test_process_index_and_count_without_mpi():
    if not cotan.distributed.is_initialized():
        assert (cotan.distributed.process_index(), cotan.distributed.process_count()) == (0, 1)


def test_mesh_validation():
    with pytest.raises(ValueError, match=r"test_distributed.py:\d+: a mesh needs one name per axis"):
        Mesh((2, 2), ("a",))
    with pytest.raises(ValueError, match="mesh sizes must be positive integers"):
        Mesh((0,), ("a",))
    with pytest.raises(ValueError, match="distinct strings"):
        Mesh((1, 1), ("a", "a"))
    with pytest.raises(TypeError, match="PartitionSpec entry is None, an axis name or a tuple"):
        PartitionSpec(0)
    assert Mesh((2, 3), ("a", "b")).size == 6


def test_mesh_larger_than_the_processes_is_refused():
    f = cotan.shard_map(lambda b: b, mesh=Mesh((2,), ("i",)), in_specs=P("i"), out_specs=P("i"))
    with pytest.raises((RuntimeError, ValueError), match=r"test_distributed.py:\d+: .*(initialize|running)"):
        f(np.ones(4))


def test_unbound_axis_name():
    with pytest.raises(NameError, match=r"test_distributed.py:\d+: unbound axis name 'j'.*bound here: \['i'\]"):
        cotan.shard_map(lambda b: lax.psum(b, "j"), mesh=single, in_specs=P(), out_specs=P())(np.ones(2))
    with pytest.raises(NameError, match="unbound axis name 'i'.*bound here: none"):
        lax.psum(cnp.ones(2), "i")


@pytest.mark.parametrize("spec, shape, message", [
    (P("x"), (4,), "names axis 'x', which the mesh"),
    (P(None, None), (4,), "has 2 entries for an array of shape"),
    (P("i", "i"), (4, 4), "uses axis 'i' twice"),
])
def test_bad_partition_specs(spec, shape, message):
    f = cotan.shard_map(lambda b: b, mesh=single, in_specs=spec, out_specs=P())
    with pytest.raises(ValueError, match=message):
        f(np.ones(shape))


def test_in_specs_must_match_arguments():
    f = cotan.shard_map(lambda a, b: a + b, mesh=single, in_specs=(P(), P(), P()), out_specs=P())
    with pytest.raises(ValueError, match="3 in_specs for 2 arguments"):
        f(np.ones(2), np.ones(2))
    from cotan.sharding import NamedSharding
    g = cotan.shard_map(lambda a: a, mesh=single, in_specs=NamedSharding(single, P()), out_specs=P())
    with pytest.raises(TypeError, match="take PartitionSpecs"):
        g(np.ones(2))


def test_collective_argument_errors():
    def run(body):
        return cotan.shard_map(body, mesh=single, in_specs=P(), out_specs=P())(np.ones((2, 3)))
    with pytest.raises(ValueError, match="psum_scatter: dimension 0 of shape \\(2, 3\\) must be equal to the group size 1"):
        run(lambda b: lax.psum_scatter(b, "i"))
    with pytest.raises(ValueError, match="all_gather axis 3 is out of range"):
        run(lambda b: lax.all_gather(b, "i", axis=3))
    with pytest.raises(ValueError, match="pbroadcast source 1 is not a position in a group of 1"):
        run(lambda b: lax.pbroadcast(b, "i", 1))


def test_compiling_collectives_of_several_processes_needs_mpi(monkeypatch):
    monkeypatch.setattr(cotan.distributed, "_runtime", None)
    f = cotan.jit(lambda x: cotan.ops.all_reduce(x, reduction="sum", mesh=(2,), axes=(0,)))
    with pytest.raises(RuntimeError, match="communicates between 2 processes: call cotan.distributed.initialize"):
        f(np.ones(3, np.float32))


def test_export_refuses_collectives(tmp_path):
    f = lambda x: cotan.ops.all_reduce(x, reduction="sum", mesh=(2,), axes=(0,))  # noqa: E731
    with pytest.raises(NotImplementedError, match="export: .* uses collectives"):
        cotan.export(f, np.ones(3, np.float32), out_dir=tmp_path)


def test_in_shardings_on_one_process():
    from cotan.sharding import NamedSharding
    columns = NamedSharding(single, P(None, "i"))
    x, w = np.ones((3, 4)), np.arange(8.0).reshape(4, 2)
    f = cotan.jit(lambda x, w: cnp.tanh(x @ w), in_shardings=(None, columns), out_shardings=columns)
    np.testing.assert_allclose(f(x, w), np.tanh(x @ w), rtol=1e-12)
    assert f.lower(x, w).as_text("cotan").count("cotan.split_axes") == 3


def test_in_shardings_errors():
    from cotan.sharding import NamedSharding
    rows = NamedSharding(single, P("i"))
    with pytest.raises(ValueError, match="in_shardings of `<lambda>` .* does not match the structure"):
        cotan.jit(lambda a, b: a + b, in_shardings=(rows, rows, rows))(np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match="must all use one mesh"):
        other = NamedSharding(Mesh((1,), ("j",)), P("j"))
        cotan.jit(lambda a, b: a + b, in_shardings=(rows, other))(np.ones(2), np.ones(2))
    with pytest.raises(TypeError, match="NamedSharding needs a cotan.sharding.Mesh"):
        NamedSharding("mesh", P())
    # Ops the shard dialect has no rule for are reported, not crashed on.
    with pytest.raises(cotan.CompileError, match="sharding interface is not implemented"):
        cotan.jit(lambda a: a.reshape(-1), in_shardings=rows)(np.ones((2, 3)))


def test_data_parallel_step_through_in_shardings_on_one_process():
    # A softmax cross-entropy training step with the batch split and the
    # parameters replicated (gradients summed over the batch, a one-hot of
    # integer labels) partitions and matches the unsharded step.
    from cotan import nn
    from cotan.sharding import NamedSharding
    model = nn.Sequential([nn.Dense(16), nn.relu, nn.Dense(3)])
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((8, 4)).astype(np.float32), rng.integers(0, 3, 8).astype(np.int32)
    params = model.init(0, x.shape)
    rows = NamedSharding(single, P("i"))
    loss = lambda p, x, y: cnp.mean(nn.softmax_cross_entropy(model.apply(p, x), y))  # noqa: E731
    got = cotan.jit(cotan.value_and_grad(loss), in_shardings=(None, rows, rows))(params, x, y)
    want = cotan.jit(cotan.value_and_grad(loss))(params, x, y)
    for a, b in zip(cotan.tree_util.tree_leaves(got), cotan.tree_util.tree_leaves(want)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_partitioner_assertions_do_not_kill_the_interpreter():
    # MLIR's shard-partition (22.1) can reshard on one-dimensional meshes
    # only, and asserts otherwise: partitioning runs in a child process, so
    # the assertion becomes a CompileError here.
    from cotan.sharding import NamedSharding
    mesh = Mesh((1, 1), ("i", "j"))
    f = cotan.jit(lambda a, b: a + b, in_shardings=(NamedSharding(mesh, P("i", "j")),
                                                    NamedSharding(mesh, P("j", "i"))))
    with pytest.raises(cotan.CompileError, match="partitioning .* over its mesh crashed"):
        f(np.ones((4, 4)), np.ones((4, 4)))
    with pytest.raises(cotan.CompileError, match="partitioning .* over its mesh crashed"):
        f.lower(np.ones((4, 4)), np.ones((4, 4))).as_text("linalg")
    assert float(cotan.jit(lambda a: a.sum())(np.ones(3))) == 3.0  # still alive
