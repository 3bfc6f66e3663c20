"""A one-cell LSTM language model trained to memorize [4, 8, 15, 16, 23, 42].

The setting of the JAX-vs-PyTorch LSTM tutorial: vocabulary 43, embedding
and hidden size 17, one LSTM cell, truncated backpropagation through time
over 3 steps, plain SGD with learning rate 0.1, 101 epochs. Before
training, greedy decoding from the initial state gets the sequence wrong; after,
it reproduces the training sequence.

The sequence loops are `cotan.lax.scan`: one compiled loop whose gradient
is a reversed scan, not an unrolled trace. Decoding is a scan too, so the
whole decoded sequence comes from one compiled call.

    python examples/lstm_language_model.py
"""

from __future__ import annotations

import numpy as np

import cotan
import cotan.numpy as cnp
from cotan import lax

VOCAB, DIM, BPTT, LEARNING_RATE, EPOCHS = 43, 17, 3, 0.1, 101
SEQUENCE = [4, 8, 15, 16, 23, 42]


def init_params(seed: int = 0):
    rng = np.random.default_rng(seed)
    scale = 1.0 / np.sqrt(DIM)
    u = lambda *shape: rng.uniform(-scale, scale, shape).astype(np.float32)
    return {"embed": rng.standard_normal((VOCAB, DIM)).astype(np.float32),
            "w_x": u(DIM, 4 * DIM), "w_h": u(DIM, 4 * DIM), "b": np.zeros(4 * DIM, np.float32),
            "w_out": u(DIM, VOCAB), "b_out": np.zeros(VOCAB, np.float32)}


def lstm_cell(params, token, state):
    h, c = state
    x = params["embed"][token]
    gates = x @ params["w_x"] + h @ params["w_h"] + params["b"]
    i, f, g, o = cnp.split(gates, 4)
    c = cotan.nn.sigmoid(f) * c + cotan.nn.sigmoid(i) * cnp.tanh(g)
    h = cotan.nn.sigmoid(o) * cnp.tanh(c)
    return h, c


def chunk_loss(params, tokens, targets, state):
    """Mean cross-entropy over one BPTT chunk, a scan over its steps."""
    def step(state, token_and_target):
        token, target = token_and_target
        state = lstm_cell(params, token, state)
        logits = state[0] @ params["w_out"] + params["b_out"]
        return state, -cotan.nn.log_softmax(logits)[target]

    state, losses = lax.scan(step, state, (tokens, targets))
    return cnp.mean(losses), state


@cotan.jit
def train_chunk(params, tokens, targets, state):
    (loss, state), grads = cotan.value_and_grad(chunk_loss, has_aux=True)(params, tokens, targets, state)
    params = cotan.tree_util.tree_map(lambda p, g: p - LEARNING_RATE * g, params, grads)
    return params, loss, cotan.stop_gradient(state)


def decode(params, first, steps: int):
    """Greedy decoding: each step feeds back the most likely next token."""
    def step(carry, _):
        token, state = carry
        state = lstm_cell(params, token, state)
        token = cnp.argmax(state[0] @ params["w_out"] + params["b_out"]).astype(np.int32)
        return (token, state), token

    _, tokens = lax.scan(step, (first, initial_state()), None, length=steps)
    return tokens


decode_jit = cotan.jit(decode, static_argnums=2)


def initial_state():
    return np.zeros(DIM, np.float32), np.zeros(DIM, np.float32)


def greedy_decode(params, first: int, steps: int) -> list[int]:
    return [first] + [int(t) for t in np.asarray(decode_jit(params, np.int32(first), steps))]


def train(params, verbose: bool = True):
    inputs, targets = np.array(SEQUENCE[:-1], np.int32), np.array(SEQUENCE[1:], np.int32)
    for epoch in range(EPOCHS):
        state, losses = initial_state(), []
        for start in range(0, len(inputs), BPTT):
            params, loss, state = train_chunk(params, inputs[start:start + BPTT],
                                              targets[start:start + BPTT], state)
            losses.append(float(loss))
        if verbose and epoch % 50 == 0:
            print(f"epoch {epoch:3d}  loss {np.mean(losses):.4f}")
    return params


def main() -> None:
    params = init_params()
    print("before training, greedy decoding gives:", greedy_decode(params, SEQUENCE[0], len(SEQUENCE) - 1))
    params = train(params)
    decoded = greedy_decode(params, SEQUENCE[0], len(SEQUENCE) - 1)
    print("after training, greedy decoding gives: ", decoded)
    if decoded != SEQUENCE:
        raise SystemExit(f"expected {SEQUENCE}")


if __name__ == "__main__":
    main()
