"""Python builders for the cotan dialect (generated from CotanOps.td)."""

from ._cotan_ops_gen import *  # noqa: F401,F403
from ._cotan_ops_gen import _Dialect  # noqa: F401
