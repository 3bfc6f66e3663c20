"""Compiled functions reuse the memory of their intermediates from call to
call instead of page-faulting fresh mappings in each time."""

from __future__ import annotations

import resource
import sys

import numpy as np
import pytest

import cotan
from cotan import lax


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="tunes glibc's allocator")
def test_repeated_calls_do_not_fault_in_their_intermediates(rng):
    # The convolution's patch matrix is 38 MB, above glibc's default mmap
    # threshold: without the tuning every call maps and faults in 9,000+
    # pages anew.
    x = rng.standard_normal((8, 32, 64, 64)).astype(np.float32)
    w = rng.standard_normal((32, 32, 3, 3)).astype(np.float32)
    conv = cotan.jit(lambda x, w: lax.conv_general_dilated(x, w, (1, 1), "SAME"))
    conv(x, w)
    conv(x, w)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(3):
        conv(x, w)
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 3
    assert faults < 1000, f"{faults:.0f} page faults per call"
