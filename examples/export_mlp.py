"""Train the spiral MLP, export it as a C library, and classify points
with a C program that links it: no Python, MLIR or LLVM at run time.

cotan.export compiles the prediction function (trained parameters baked
in) ahead of time with the cotan-export tool and links libspirals.so,
libspirals.a and spirals.h; examples/spiral_classifier.c uses them. The C
program's predictions must equal jit's.

    python examples/export_mlp.py [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import pathlib
import shutil
import subprocess
import tempfile

import numpy as np

import cotan
from train_mlp import model, optimizer, spirals, train_step  # the model of examples/train_mlp.py

BATCH = 64


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", default=None, help="where the library goes (default: a temporary folder)")
    args = parser.parse_args()

    x, y = spirals(points_per_class=200, classes=3)
    params = model.init(1, x.shape)
    opt_state = optimizer.init(params)
    for _ in range(400):
        params, opt_state, loss = train_step(params, opt_state, x, y)
    print(f"trained: loss {float(loss):.4f}")

    def predict(points):  # the trained parameters are constants of the library
        return model.apply(params, points)

    points = x[np.random.default_rng(1).choice(len(x), BATCH, replace=False)]
    expected = np.argmax(np.asarray(cotan.jit(predict)(points)), axis=1)
    out_dir = pathlib.Path(args.out_dir or tempfile.mkdtemp(prefix="cotan-spirals-"))
    library = cotan.export(predict, points, name="spirals", out_dir=out_dir)
    print(f"exported {library.shared.name}, {library.static.name} and {library.header.name} to {out_dir}")

    # The C program links the static library: a standalone executable.
    program = out_dir / "spiral_classifier"
    source = pathlib.Path(__file__).with_name("spiral_classifier.c")
    subprocess.run([shutil.which("cc") or "cc", "-O2", str(source), f"-I{out_dir}", str(library.static), "-lm",
                    "-o", str(program)], check=True)
    needed = subprocess.run(["readelf", "-d", str(library.shared)], capture_output=True, text=True).stdout
    foreign = [lib for lib in ("libMLIR", "libLLVM", "libpython") if lib in needed]
    if foreign:
        raise SystemExit(f"the exported library depends on {foreign}")
    run = subprocess.run([str(program)], input="\n".join(f"{a} {b}" for a, b in points), capture_output=True,
                         text=True, check=True)
    predicted = np.array(run.stdout.split(), dtype=np.int64)
    print(f"C program: {predicted[:16].tolist()} ...")
    print(f"jit:       {expected[:16].tolist()} ...")
    if not np.array_equal(predicted, expected):
        raise SystemExit("the C program's predictions differ from jit's")
    print(f"the C program and jit agree on all {BATCH} points; the library needs only "
          f"{sorted(set(line.split('[')[1].rstrip(']') for line in needed.splitlines() if 'NEEDED' in line))}")


if __name__ == "__main__":
    main()
