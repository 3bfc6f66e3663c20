"""cotan.scipy: the parts of jax.scipy that cotan programs use: special
functions and dense linear algebra."""

from . import linalg, special

__all__ = ["linalg", "special"]
