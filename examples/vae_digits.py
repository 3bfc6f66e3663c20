"""A variational autoencoder on scikit-learn's 8x8 handwritten digits.

The encoder maps an image x to a Normal guide q(z | x) over a small
latent code; the decoder maps z to Bernoulli logits over the 64 pixels.
Training maximizes the evidence lower bound

    ELBO(x) = E_q[log p(x | z)] - KL(q(z | x) || N(0, I))

with reparameterized draws z = mu + sigma * eps (cotan.distributions'
rsample), a fresh PRNG key per step (random.fold_in with the traced step
number) and Adam; the whole step is one compiled function. Afterwards,
codes drawn from the prior are decoded into a PNG grid of new digits.

    pip install scikit-learn   # or: pip install '.[examples]'
    python examples/vae_digits.py [--out vae_digits_samples.png]
"""

from __future__ import annotations

import argparse
import struct
import time
import zlib

import numpy as np

try:
    from sklearn.datasets import load_digits
except ImportError as missing:
    raise SystemExit(f"this example needs scikit-learn ({missing}); pip install scikit-learn") from None

import cotan
import cotan.numpy as cnp
from cotan import distributions as dist
from cotan import nn, optim, random

LATENT = 4
BATCH = 64
EPOCHS = 60

encoder = nn.Sequential([nn.Dense(128), nn.relu, nn.Dense(128), nn.relu, nn.Dense(2 * LATENT)])
decoder = nn.Sequential([nn.Dense(128), nn.relu, nn.Dense(128), nn.relu, nn.Dense(64)])
optimizer = optim.adam(1e-3)


def load(seed: int = 0):
    """Images as [N, 64] intensities in [0, 1]; an 80/20 train/test split."""
    images = (load_digits().images / 16.0).reshape(-1, 64).astype(np.float32)
    order = np.random.default_rng(seed).permutation(len(images))
    cut = int(0.8 * len(images))
    return images[order[:cut]], images[order[cut:]]


def guide(params, x) -> dist.Normal:
    stats = encoder.apply(params["encoder"], x)
    return dist.Normal(stats[:, :LATENT], nn.softplus(stats[:, LATENT:]) + 1e-4)


def elbo(params, x, key):
    """Mean ELBO per image (nats), one draw of z per image."""
    q = guide(params, x)
    z = q.rsample(key)
    likelihood = dist.Bernoulli(logits=decoder.apply(params["decoder"], z)).log_prob(x)
    kl = dist.kl_divergence(q, dist.Normal(0.0, 1.0))
    return cnp.mean(cnp.sum(likelihood, axis=1) - cnp.sum(kl, axis=1))


@cotan.jit
def step(params, opt_state, x, key, i):
    value, grads = cotan.value_and_grad(lambda p: -elbo(p, x, random.fold_in(key, i)))(params)
    updates, opt_state = optimizer.update(grads, opt_state, params)
    return optim.apply_updates(params, updates), opt_state, -value


@cotan.jit
def decode_prior(params, key):
    z = random.normal(key, (100, LATENT))
    return nn.sigmoid(decoder.apply(params["decoder"], z))


def write_png(path: str, pixels: np.ndarray) -> None:
    """An 8-bit grayscale PNG from values in [0, 1] (zlib + struct; no imaging library)."""
    image = np.clip(pixels * 255 + 0.5, 0, 255).astype(np.uint8)
    height, width = image.shape
    raw = b"".join(b"\x00" + image[row].tobytes() for row in range(height))  # filter 0 per row

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
                + chunk(b"IEND", b""))


def grid(images: np.ndarray, rows: int, scale: int = 4, gap: int = 1) -> np.ndarray:
    """[rows * cols, 8, 8] images tiled into one picture, each scaled up."""
    cols = len(images) // rows
    size = 8 * scale + gap
    picture = np.ones((rows * size + gap, cols * size + gap))
    for index, image in enumerate(images):
        r, c = divmod(index, cols)
        big = np.kron(image, np.ones((scale, scale)))
        picture[gap + r * size: gap + r * size + 8 * scale, gap + c * size: gap + c * size + 8 * scale] = 1 - big
    return picture


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="vae_digits_samples.png", help="PNG grid of decoded prior samples")
    args = parser.parse_args()

    x_train, x_test = load()
    params = {"encoder": encoder.init(0, (BATCH, 64)), "decoder": decoder.init(1, (BATCH, LATENT))}
    opt_state = optimizer.init(params)
    key = random.PRNGKey(0)
    test_elbo = cotan.jit(elbo)
    test_key = random.PRNGKey(1)
    shuffle = np.random.default_rng(0)
    steps = len(x_train) // BATCH

    print(f"cotan {cotan.__version__}: VAE (latent {LATENT}) on {len(x_train)} digits, {EPOCHS} epochs")
    initial = float(test_elbo(params, x_test, test_key))
    print(f"before training: held-out ELBO {initial:8.2f} nats per image")
    history = []
    start = time.perf_counter()
    for epoch in range(EPOCHS):
        order = shuffle.permutation(len(x_train))
        total = 0.0
        for s in range(steps):
            batch = x_train[order[s * BATCH:(s + 1) * BATCH]]
            params, opt_state, value = step(params, opt_state, batch, key, np.int32(epoch * steps + s))
            total += float(value)
        history.append(total / steps)
        if epoch % 10 == 0 or epoch == EPOCHS - 1:
            print(f"epoch {epoch:3d}  train ELBO {history[-1]:8.2f}  "
                  f"held-out ELBO {float(test_elbo(params, x_test, test_key)):8.2f}")
    print(f"{EPOCHS * steps} steps in {time.perf_counter() - start:.2f} s (compiled {step._cache_size()}x)")

    final = float(test_elbo(params, x_test, test_key))
    samples = np.asarray(decode_prior(params, random.PRNGKey(2))).reshape(100, 8, 8)
    write_png(args.out, grid(samples, rows=10))
    print(f"wrote 100 samples from the prior to {args.out}")
    if not (final > initial + 10 and history[-1] > history[0] + 5):
        raise SystemExit(f"the ELBO did not rise (held-out {initial:.2f} -> {final:.2f})")
    print(f"held-out ELBO rose from {initial:.2f} to {final:.2f} nats per image")


if __name__ == "__main__":
    main()
