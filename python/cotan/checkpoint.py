"""Checkpoints of training state (any pytree of arrays: parameters,
optimizer state, counters), one file per step:

    cotan.checkpoint.save("ckpt", (params, opt_state), step=100)   # keeps the last 3
    state, step = cotan.checkpoint.restore("ckpt")                 # the latest, or (None, None)

A checkpoint is written to a temporary file and renamed into place, so a
process killed while saving leaves the previous checkpoints intact and no
partial one. With several MPI processes, rank 0 writes (the state is the
same on every process) and every process reads.
"""

from __future__ import annotations

import os
import pathlib
import pickle
import re
import tempfile
from typing import Any

import numpy as np

from . import distributed
from .errors import user_error
from .tree_util import tree_flatten, tree_structure, tree_unflatten

_NAME = re.compile(r"^step_(\d+)\.npz$")


def _path(directory: pathlib.Path, step: int) -> pathlib.Path:
    return directory / f"step_{step:09d}.npz"


def steps(directory: Any) -> list[int]:
    """The steps saved in `directory`, oldest first."""
    folder = pathlib.Path(directory)
    if not folder.is_dir():
        return []
    return sorted(int(m.group(1)) for m in (_NAME.match(p.name) for p in folder.iterdir()) if m)


def latest_step(directory: Any) -> int | None:
    found = steps(directory)
    return found[-1] if found else None


def save(directory: Any, tree: Any, step: int, *, keep: int = 3) -> pathlib.Path:
    """Writes `tree` as the checkpoint of `step` (atomically) and deletes
    all but the `keep` most recent checkpoints."""
    if not isinstance(step, (int, np.integer)) or step < 0:
        raise user_error(ValueError, f"checkpoint step must be a non-negative integer, got {step!r}")
    if keep < 1:
        raise user_error(ValueError, f"checkpoint keep must be at least 1, got {keep}")
    folder = pathlib.Path(directory)
    target = _path(folder, int(step))
    leaves, structure = tree_flatten(tree)
    arrays = {f"leaf_{k}": np.asarray(leaf) for k, leaf in enumerate(leaves)}
    if distributed.process_index() != 0:
        return target
    folder.mkdir(parents=True, exist_ok=True)
    arrays["structure"] = np.frombuffer(pickle.dumps(structure), dtype=np.uint8)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            np.savez(out, **arrays)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        pathlib.Path(temporary).unlink(missing_ok=True)
        raise
    for old in steps(folder)[:-keep]:
        _path(folder, old).unlink(missing_ok=True)
    return target


def restore(directory: Any, like: Any = None, step: int | None = None) -> tuple[Any, int | None]:
    """(tree, step) of the latest checkpoint in `directory` (or of `step`),
    or (None, None) when there is none. `like`, a pytree of the same
    structure (e.g. freshly initialized state), gives the structure and is
    checked against the file; without it the structure stored with the
    checkpoint is used."""
    if step is None:
        step = latest_step(directory)
        if step is None:
            return None, None
    path = _path(pathlib.Path(directory), int(step))
    if not path.exists():
        raise user_error(FileNotFoundError, f"no checkpoint of step {step} in {directory}")
    with np.load(path) as stored:
        count = sum(1 for k in stored.files if k.startswith("leaf_"))
        leaves = [stored[f"leaf_{k}"] for k in range(count)]
        structure = pickle.loads(stored["structure"].tobytes()) if like is None else tree_structure(like)
    if like is not None:
        expected = tree_flatten(like)[0]
        if len(expected) != count:
            raise user_error(ValueError, f"checkpoint {path.name} holds {count} arrays but `like` has "
                                         f"{len(expected)}")
        for k, (have, want) in enumerate(zip(leaves, expected)):
            want = np.asarray(want)
            if have.shape != want.shape or have.dtype != want.dtype:
                raise user_error(ValueError, f"checkpoint {path.name}, array {k}: {have.dtype}{list(have.shape)} "
                                             f"where `like` has {want.dtype}{list(want.shape)}")
    from . import numpy as cnp
    return tree_unflatten(structure, [cnp.asarray(leaf) for leaf in leaves]), int(step)
