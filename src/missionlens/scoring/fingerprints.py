"""Fingerprints of data tables: a short hash of a table's content, independent of storage."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["data_fingerprint"]


# ------------------------------------------------------------------------------- preparation
def data_fingerprint(data: pd.DataFrame) -> str:
    """SHA-256 (16 hex digits) of a table's content: column names and every value.

    Column order does not matter; row order does. The fingerprint does not depend on how a
    value is stored (text as ``object``, ``str`` or categorical; integers or floats), so a table
    read back from Parquet or CSV keeps its fingerprint. Each column becomes one 64-bit hash per
    row (numbers from their float64 bits, dates from nanoseconds, text from pandas' row hash,
    categoricals from their categories' hashes indexed by code); the columns' hashes are mixed
    row by row in column-name order and the result goes through SHA-256.
    """
    digest = hashlib.sha256()
    missing = np.uint64(0x9E3779B97F4A7C15)
    mixed = np.zeros(len(data), dtype=np.uint64)
    for name in sorted(data.columns, key=str):
        digest.update(f"|{name}|".encode())
        hashed = _column_hash(data[name], missing)
        with np.errstate(over="ignore"):
            mixed = (mixed * np.uint64(1_000_003)) ^ hashed
    digest.update(np.ascontiguousarray(mixed).tobytes())
    return digest.hexdigest()[:16]


def _column_hash(column: pd.Series, missing: np.uint64) -> NDArray[np.uint64]:
    """One 64-bit hash per row of a column, independent of how the values are stored."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        categories = pd.Series(np.asarray(dtype.categories, dtype=object), dtype=object)
        if categories.map(lambda v: isinstance(v, str)).all():
            cat_hash = pd.util.hash_pandas_object(categories, index=False).to_numpy()
            codes = column.cat.codes.to_numpy()
            return np.where(codes >= 0, cat_hash[np.maximum(codes, 0)], missing)
        column = column.astype(object)
        dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan) + 0.0  # -0.0 -> 0.0
        bits = values.view(np.uint64)
        return np.where(np.isnan(values), missing, bits ^ np.uint64(0x5BD1E995))
    if pd.api.types.is_datetime64_any_dtype(dtype):
        stamps = pd.to_datetime(column)
        if getattr(stamps.dt, "tz", None) is not None:
            stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
        nanos = stamps.astype("datetime64[ns]").to_numpy()
        return np.where(np.isnat(nanos), missing, nanos.astype(np.int64).view(np.uint64))
    as_object = column.astype(object)
    hashed = pd.util.hash_pandas_object(as_object, index=False).to_numpy()
    return np.where(as_object.isna().to_numpy(), missing, hashed)
