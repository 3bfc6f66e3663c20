"""One training step of the digits CNN (examples/digits_cnn.py: two 3x3
convolutions with max pooling, two dense layers; softmax cross-entropy;
Adam) on a batch of 128 8x8 images: cotan against JAX and PyTorch CPU on
the same inputs and the same parameters, in one process.

    cd benchmarks && python cnn_training.py
"""

from __future__ import annotations

import numpy as np

import cotan
import cotan.numpy as cnp
from cotan import nn, optim
from harness import jax, jnp, median_time

try:
    import torch
except ImportError:  # pragma: no cover - an optional peer
    torch = None

BATCH = 128
LR, B1, B2, EPS = 1e-3, 0.9, 0.999, 1e-8

model = nn.Sequential([
    nn.Conv(16, (3, 3)), nn.relu, nn.MaxPool((2, 2), strides=(2, 2)),
    nn.Conv(32, (3, 3)), nn.relu, nn.MaxPool((2, 2), strides=(2, 2)),
    nn.Flatten(), nn.Dense(64), nn.relu, nn.Dense(10),
])


def cotan_step():
    optimizer = optim.adam(LR, B1, B2, EPS)

    def loss_fn(params, x, y):
        return cnp.mean(nn.softmax_cross_entropy(model.apply(params, x), y))

    @cotan.jit
    def step(params, opt_state, x, y):
        loss, grads = cotan.value_and_grad(loss_fn)(params, x, y)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optim.apply_updates(params, updates), opt_state, loss
    return step, optimizer.init


def jax_step():
    def forward(p, x):
        def conv(x, w, b):
            return jax.lax.conv_general_dilated(x, w, (1, 1), "SAME",
                                                dimension_numbers=("NHWC", "HWIO", "NHWC")) + b

        def pool(x):
            return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
        x = pool(jax.nn.relu(conv(x, p[0]["kernel"], p[0]["bias"])))
        x = pool(jax.nn.relu(conv(x, p[3]["kernel"], p[3]["bias"])))
        x = x.reshape(x.shape[0], -1)
        x = jax.nn.relu(x @ p[7]["kernel"] + p[7]["bias"])
        return x @ p[9]["kernel"] + p[9]["bias"]

    def loss_fn(p, x, y):
        logp = jax.nn.log_softmax(forward(p, x))
        return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))

    @jax.jit
    def step(p, m, v, t, x, y):
        loss, g = jax.value_and_grad(loss_fn)(p, x, y)
        t = t + 1
        m = jax.tree_util.tree_map(lambda m, g: B1 * m + (1 - B1) * g, m, g)
        v = jax.tree_util.tree_map(lambda v, g: B2 * v + (1 - B2) * g * g, v, g)
        p = jax.tree_util.tree_map(
            lambda p, m, v: p - LR * (m / (1 - B1 ** t)) / (jnp.sqrt(v / (1 - B2 ** t)) + EPS), p, m, v)
        return p, m, v, t, loss
    return step


def torch_model(params):
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(128, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))
    with torch.no_grad():  # the same parameters, in PyTorch's layouts
        for index, layer in ((0, 0), (3, 3)):
            net[layer].weight.copy_(torch.from_numpy(np.asarray(params[index]["kernel"]).transpose(3, 2, 0, 1).copy()))
            net[layer].bias.copy_(torch.from_numpy(np.array(params[index]["bias"])))
        # PyTorch flattens [C, H, W]; cotan flattens [H, W, C].
        kernel = np.asarray(params[7]["kernel"]).reshape(2, 2, 32, 64).transpose(2, 0, 1, 3).reshape(128, 64)
        net[7].weight.copy_(torch.from_numpy(kernel.T.copy()))
        net[7].bias.copy_(torch.from_numpy(np.array(params[7]["bias"])))
        net[9].weight.copy_(torch.from_numpy(np.asarray(params[9]["kernel"]).T.copy()))
        net[9].bias.copy_(torch.from_numpy(np.array(params[9]["bias"])))
    return net


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((BATCH, 8, 8, 1), dtype=np.float32)
    y = rng.integers(0, 10, BATCH).astype(np.int32)
    params = model.init(0, x.shape)
    print(f"digits CNN training step (conv 16, conv 32, dense 64, dense 10; Adam), batch {BATCH}, f32 "
          "(median ms; ratio = cotan / peer)")

    step, init = cotan_step()
    state = [params, init(params)]

    def run_cotan():
        state[0], state[1], loss = step(state[0], state[1], x, y)
        return float(loss)
    first_loss = run_cotan()
    ours = median_time(run_cotan, repeat=50, warmup=5)
    print(f"  cotan  {1e3 * ours:8.3f} ms   (first-step loss {first_loss:.4f})")

    if jax is not None:
        jstep = jax_step()
        zeros = jax.tree_util.tree_map(lambda p: jnp.zeros_like(jnp.asarray(p)), list(params))
        jstate = [jax.tree_util.tree_map(jnp.asarray, list(params)), zeros, zeros, jnp.zeros((), jnp.float32)]
        jx, jy = jnp.asarray(x), jnp.asarray(y)

        def run_jax():
            *jstate[:4], loss = jstep(*jstate, jx, jy)
            return float(loss)
        jax_loss = run_jax()
        peer = median_time(run_jax, repeat=50, warmup=5)
        print(f"  jax    {1e3 * peer:8.3f} ms   ratio {ours / peer:5.2f}   (first-step loss {jax_loss:.4f})")
    if torch is not None:
        net = torch_model(params)
        opt = torch.optim.Adam(net.parameters(), lr=LR, betas=(B1, B2), eps=EPS)
        tx = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
        ty = torch.from_numpy(y.astype(np.int64))

        def run_torch():
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(tx), ty)
            loss.backward()
            opt.step()
            return loss.item()
        torch_loss = run_torch()
        peer = median_time(run_torch, repeat=50, warmup=5)
        print(f"  torch  {1e3 * peer:8.3f} ms   ratio {ours / peer:5.2f}   (first-step loss {torch_loss:.4f})")


if __name__ == "__main__":
    main()
