"""Argument checks shared by every statistic.

Kept in one place so that every function names a bad argument the same way and
accepts lists as readily as numpy arrays.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

ArrayLike = npt.ArrayLike | Sequence[float]
FloatArray = npt.NDArray[np.float64]


def confidence_level(confidence: float, *, name: str = "confidence") -> float:
    """Return a confidence level in (0, 1].

    A value above 1 is read as a percentage (95 -> 0.95, 99.8 -> 0.998); exactly 1
    means 100 %, as the reference packages allow.
    """
    try:
        level = float(confidence)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {confidence!r}") from None
    if np.isnan(level):
        raise ValueError(f"{name} must be a number, got NaN")
    if level > 1:
        if level > 100:
            raise ValueError(
                f"{name} must be a level in (0, 1] or a percentage up to 100, got {confidence!r}"
            )
        level = level / 100.0
    if level <= 0:
        raise ValueError(
            f"{name} must be a level in (0, 1] or a percentage up to 100, got {confidence!r}"
        )
    return level


def as_float_array(values: ArrayLike, *, name: str, allow_empty: bool = False) -> FloatArray:
    """Coerce to a 1-D float array; None becomes NaN."""
    try:
        arr = np.asarray(
            [np.nan if v is None else v for v in values]
            if isinstance(values, (list, tuple))
            else values,
            dtype=np.float64,
        )
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a sequence of numbers") from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    return arr


def same_length(**arrays: np.ndarray) -> int:
    """Check that the named arrays have one length and return it."""
    lengths = {name: len(arr) for name, arr in arrays.items()}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise ValueError(f"arguments must have the same length: {described}")
    return next(iter(lengths.values()))


def non_negative(arr: np.ndarray, *, name: str) -> None:
    """Reject negative values (NaN passes: missing is not an error)."""
    if np.any(arr[~np.isnan(arr)] < 0):
        raise ValueError(f"{name} must not be negative")
