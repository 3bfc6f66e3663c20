"""Train a small CNN on scikit-learn's 8x8 handwritten digits with cotan.

Two 3x3 convolutions with max pooling and two dense layers, written with
cotan.nn and trained with cotan.optim.adam on mini-batches. The training
step (forward pass, cross-entropy, backward pass through the convolutions
and pooling, Adam update) is one compiled function. The digits (1797
images) ship inside scikit-learn, so nothing is downloaded.

    pip install scikit-learn tqdm   # or: pip install '.[examples]'
    python examples/digits_cnn.py
"""

from __future__ import annotations

import time

import numpy as np

try:
    from sklearn.datasets import load_digits
    from tqdm import tqdm
except ImportError as missing:
    raise SystemExit(f"this example needs scikit-learn and tqdm ({missing}); "
                     "pip install scikit-learn tqdm") from None

import cotan
import cotan.numpy as cnp
from cotan import nn, optim

BATCH = 64
EPOCHS = 25

model = nn.Sequential([
    nn.Conv(16, (3, 3)), nn.relu, nn.MaxPool((2, 2), strides=(2, 2)),   # 8x8x1 -> 4x4x16
    nn.Conv(32, (3, 3)), nn.relu, nn.MaxPool((2, 2), strides=(2, 2)),   # -> 2x2x32
    nn.Flatten(), nn.Dense(64), nn.relu, nn.Dense(10),
])


def load(seed: int = 0):
    """Images as [N, 8, 8, 1] floats in [0, 1]; an 80/20 train/test split."""
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[..., None]
    labels = digits.target.astype(np.int32)
    order = np.random.default_rng(seed).permutation(len(labels))
    cut = int(0.8 * len(labels))
    train, test = order[:cut], order[cut:]
    return images[train], labels[train], images[test], labels[test]


def loss_fn(params, images, labels):
    return cnp.mean(nn.softmax_cross_entropy(model.apply(params, images), labels))


def main() -> None:
    x_train, y_train, x_test, y_test = load()
    steps_per_epoch = len(x_train) // BATCH
    optimizer = optim.adam(optim.cosine_decay_schedule(3e-3, EPOCHS * steps_per_epoch, alpha=0.05))

    @cotan.jit
    def train_step(params, opt_state, images, labels):
        loss, grads = cotan.value_and_grad(loss_fn)(params, images, labels)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optim.apply_updates(params, updates), opt_state, loss

    @cotan.jit
    def accuracy(params, images, labels):
        return cnp.mean(cnp.argmax(model.apply(params, images), axis=1) == labels)

    params = model.init(0, (BATCH, 8, 8, 1))
    opt_state = optimizer.init(params)
    count = sum(np.size(leaf) for leaf in cotan.tree_util.tree_leaves(params))
    print(f"cotan {cotan.__version__}: a {count}-parameter CNN on {len(x_train)} training digits, "
          f"{len(x_test)} held out")

    rng = np.random.default_rng(1)
    start = time.perf_counter()
    bar = tqdm(range(EPOCHS), desc="training", unit="epoch")
    for epoch in bar:
        order = rng.permutation(len(x_train))
        total = 0.0
        for i in range(steps_per_epoch):
            batch = order[i * BATCH:(i + 1) * BATCH]
            params, opt_state, loss = train_step(params, opt_state, x_train[batch], y_train[batch])
            total += float(loss)
        bar.set_postfix(loss=f"{total / steps_per_epoch:.4f}")
    elapsed = time.perf_counter() - start

    test_accuracy = float(accuracy(params, x_test, y_test))
    print(f"{EPOCHS} epochs ({EPOCHS * steps_per_epoch} steps, compile included) in {elapsed:.1f} s; "
          f"train accuracy {float(accuracy(params, x_train, y_train)):.4f}, test accuracy {test_accuracy:.4f}")
    if test_accuracy < 0.97:
        raise SystemExit("the CNN did not reach 97% test accuracy")


if __name__ == "__main__":
    main()
