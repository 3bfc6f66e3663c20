"""Convolution layers against JAX and PyTorch CPU on the same inputs, in one
process: a ResNet-style 3x3 convolution (batch 32, 64 -> 64 channels,
56x56, SAME) forward and forward+backward, in lax's default NCHW/OIHW
layout and in flax's NHWC/HWIO (PyTorch: channels_last memory format),
and 2x2 max pooling.

    cd benchmarks && python convolution.py [--quick]
"""

from __future__ import annotations

import sys

import numpy as np

import cotan
import cotan.numpy as cnp
from cotan import lax
from harness import jax, jnp, median_time

try:
    import torch
except ImportError:  # pragma: no cover - an optional peer
    torch = None


def conv(x, w):
    return lax.conv_general_dilated(x, w, (1, 1), "SAME")


def conv_loss(x, w):
    return cnp.sum(conv(x, w) ** 2)


NHWC = ("NHWC", "HWIO", "NHWC")


def conv_nhwc(x, w):
    return lax.conv_general_dilated(x, w, (1, 1), "SAME", dimension_numbers=NHWC)


def conv_nhwc_loss(x, w):
    return cnp.sum(conv_nhwc(x, w) ** 2)


def main() -> None:
    quick = "--quick" in sys.argv
    batch = 8 if quick else 32
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 64, 56, 56)).astype(np.float32)
    w = (rng.standard_normal((64, 64, 3, 3)) / 24).astype(np.float32)
    flops = 2 * batch * 64 * 64 * 9 * 56 * 56
    repeat = 3 if quick else 7
    print(f"3x3 conv, batch {batch}, 64->64 channels, 56x56, f32 (median ms; ratio = cotan / peer)")

    rows = []
    fwd = cotan.jit(conv)
    grad = cotan.jit(cotan.grad(conv_loss, argnums=(0, 1)))
    pool = cotan.jit(lambda x: cotan.nn.max_pool(x, (2, 2), (2, 2)))
    x_nhwc = np.ascontiguousarray(x.transpose(0, 2, 3, 1))
    w_hwio = np.ascontiguousarray(w.transpose(2, 3, 1, 0))
    fwd_nhwc = cotan.jit(conv_nhwc)
    grad_nhwc = cotan.jit(cotan.grad(conv_nhwc_loss, argnums=(0, 1)))
    rows.append(("forward", lambda: np.asarray(fwd(x, w)), flops))
    rows.append(("forward + backward", lambda: np.asarray(grad(x, w)[1]), 3 * flops))
    rows.append(("NHWC forward", lambda: np.asarray(fwd_nhwc(x_nhwc, w_hwio)), flops))
    rows.append(("NHWC forward + backward", lambda: np.asarray(grad_nhwc(x_nhwc, w_hwio)[1]), 3 * flops))
    rows.append(("max_pool 2x2 (NHWC)", lambda: np.asarray(pool(x_nhwc)), None))

    peers = {}
    if jax is not None:
        jfwd = jax.jit(lambda x, w: jax.lax.conv_general_dilated(x, w, (1, 1), "SAME"))
        jgrad = jax.jit(jax.grad(lambda x, w: jnp.sum(jax.lax.conv_general_dilated(x, w, (1, 1), "SAME") ** 2),
                                 argnums=(0, 1)))
        jfwd_nhwc = jax.jit(lambda x, w: jax.lax.conv_general_dilated(x, w, (1, 1), "SAME", dimension_numbers=NHWC))
        jgrad_nhwc = jax.jit(jax.grad(lambda x, w: jnp.sum(jax.lax.conv_general_dilated(
            x, w, (1, 1), "SAME", dimension_numbers=NHWC) ** 2), argnums=(0, 1)))
        jpool = jax.jit(lambda x: jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID"))
        jx, jw, jxn, jwh = jnp.asarray(x), jnp.asarray(w), jnp.asarray(x_nhwc), jnp.asarray(w_hwio)
        peers["jax"] = [lambda: jax.block_until_ready(jfwd(jx, jw)),
                        lambda: jax.block_until_ready(jgrad(jx, jw)),
                        lambda: jax.block_until_ready(jfwd_nhwc(jxn, jwh)),
                        lambda: jax.block_until_ready(jgrad_nhwc(jxn, jwh)),
                        lambda: jax.block_until_ready(jpool(jxn))]
    if torch is not None:
        tx, tw = torch.from_numpy(x), torch.from_numpy(w)
        txn = torch.from_numpy(x)
        tx_cl = tx.contiguous(memory_format=torch.channels_last)
        tw_cl = tw.contiguous(memory_format=torch.channels_last)

        def tfwd():
            with torch.no_grad():
                torch.nn.functional.conv2d(tx, tw, padding=1)

        def tgrad():
            a, b = tx.clone().requires_grad_(), tw.clone().requires_grad_()
            (torch.nn.functional.conv2d(a, b, padding=1) ** 2).sum().backward()

        def tfwd_cl():
            with torch.no_grad():
                torch.nn.functional.conv2d(tx_cl, tw_cl, padding=1)

        def tgrad_cl():
            a = tx_cl.clone().requires_grad_()
            b = tw_cl.clone().requires_grad_()
            (torch.nn.functional.conv2d(a, b, padding=1) ** 2).sum().backward()

        def tpool():
            with torch.no_grad():
                torch.nn.functional.max_pool2d(txn, 2, 2)

        peers["torch"] = [tfwd, tgrad, tfwd_cl, tgrad_cl, tpool]

    for i, (name, ours, work) in enumerate(rows):
        t = median_time(ours, repeat, 4)
        line = f"  {name:24s} cotan {t * 1e3:9.2f}"
        if work:
            line += f" ({work / t / 1e9:5.0f} GFLOP/s)"
        for peer, fns in peers.items():
            tp = median_time(fns[i], repeat, 4)
            line += f"   {peer} {tp * 1e3:9.2f} ({t / tp:4.2f})"
        print(line)


if __name__ == "__main__":
    main()
