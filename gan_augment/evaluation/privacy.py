"""Are the synthetic rows new, or copies of training rows?

Distance to the closest record (DCR): for each synthetic row, the distance to its nearest real
training row (in the space of :class:`~gan_augment.evaluation._prep.TableEncoder`: standardised
numbers, one-hot categories). The same is measured for held-out real rows (the test fold, never
used for fitting), which shows how far a genuinely new row of this population typically lies.

* ``near_copy_share``: the share of synthetic rows closer to a training row than 95% of the
  held-out real rows are (below the 5th percentile of their DCR; scored per class, of the
  held-out rows of that class, for the rows of a tight class lie closer to the training rows than
  those of a sparse one, and a pooled threshold let the near copies of a sparse class pass as new;
  of all held-out rows only when the fold holds none of the class). Rows as new as real unseen rows
  give about 0.05, or about 1 / (n + 1) where the class has n < 20 held-out rows (the percentile is
  then its nearest one: read it as an upper bound); random oversampling gives 1.0. Exact copies
  always count as near copies. On tables of few distinct rows (a handful of categorical columns)
  held-out rows equal training rows too, and fresh rows then score like copies: compare with
  ``holdout_exact_share``. The percentile is taken over the held-out rows that are not themselves
  copies of a training row (a row in both folds of real data set it to 0, and jittered copies then
  passed as new): new rows then give about 0.05 (1 - h) + h, h the held-out rows' share of exact
  copies.
* ``exact_copy_share``: the share of synthetic rows that equal a training row (DCR ~ 0).
* ``holdout_exact_share``: the same share of the held-out real rows: what unseen rows of this
  population give, the reference for ``exact_copy_share``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import sparse

from gan_augment.evaluation._prep import TableEncoder

EXACT = 1e-9


def dcr(train, rows) -> np.ndarray:
    """Euclidean distance from each of ``rows`` to its nearest row of ``train`` (arrays, or CSR
    matrices when categories take many one-hot columns)."""
    from sklearn.neighbors import NearestNeighbors

    if rows.shape[0] == 0 or train.shape[0] == 0:
        return np.zeros(0)
    index = NearestNeighbors(n_neighbors=1).fit(train)
    distances = index.kneighbors(rows, return_distance=True)[0][:, 0]
    # The distance is computed as |a|^2 + |b|^2 - 2ab, which leaves ~1e-6 between identical wide
    # rows (an image's pixels, many one-hot columns): a copy is found by equality and is at 0.
    distances[_rows_in(train, rows)] = 0.0
    # And a few units in the last place elsewhere: rows one category apart (0.7071...) fell on
    # either side of a threshold of that very distance by rounding alone (dense and sparse apart).
    distances = np.round(distances, 9)
    return distances


def _rows_in(train, rows) -> np.ndarray:
    """Whether each of ``rows`` equals some row of ``train``."""
    seen = set(_row_keys(train))
    return np.fromiter((key in seen for key in _row_keys(rows)), dtype=bool, count=rows.shape[0])


def _row_keys(matrix):
    """Each row's values as bytes, equal for equal rows (``+ 0.0`` makes -0.0 equal 0.0); a sparse
    row's as its nonzero positions and values."""
    if not sparse.issparse(matrix):
        yield from (row.tobytes() for row in np.ascontiguousarray(matrix, dtype=np.float64) + 0.0)
        return
    matrix = sparse.csr_matrix(matrix, dtype=np.float64, copy=True)
    matrix.data += 0.0
    matrix.eliminate_zeros()
    matrix.sort_indices()
    for start, end in zip(matrix.indptr[:-1], matrix.indptr[1:]):
        yield matrix.indices[start:end].tobytes() + b"|" + matrix.data[start:end].tobytes()


class PrivacyProbe:
    """Distances to the training fold, fitted once per fold and reused for each method and class."""

    def __init__(self, X_train: pd.DataFrame, X_holdout: pd.DataFrame, categorical=(), *, images: bool = False):
        # Pixels on one scale: each pixel on its own made a corner pixel that is nearly always 0 the
        # whole distance, and a copy with that pixel one grey level up read as new.
        self.encoder = TableEncoder(categorical, one_scale=images).fit(X_train)
        self.train = self.encoder.transform(X_train, allow_sparse=True)
        self.holdout_dcr = dcr(self.train, self.encoder.transform(X_holdout, allow_sparse=True))
        self.threshold = _near_threshold(self.holdout_dcr)

    def score(self, synthetic: pd.DataFrame, holdout_mask=None) -> dict:
        """``synthetic``'s distances against the held-out rows of ``holdout_mask`` (its class)."""
        distances = dcr(self.train, self.encoder.transform(synthetic, allow_sparse=True))
        holdout = self.holdout_dcr if holdout_mask is None else self.holdout_dcr[np.asarray(holdout_mask, bool)]
        # The class's own reference, however few its rows: a pooled one over-flagged the new rows of
        # a tight class (45% "near copies" of rows drawn afresh from its distribution) and let the
        # near copies of a sparse one pass as new (0.07 against 1.0), which is the worse mistake.
        own = _near_threshold(holdout)
        threshold = own if np.isfinite(own) else self.threshold
        return {
            "n_synthetic": int(len(distances)),
            "n_holdout": int(len(holdout)),
            "dcr_synthetic_median": float(np.median(distances)) if len(distances) else math.nan,
            "dcr_holdout_median": float(np.median(holdout)) if len(holdout) else math.nan,
            "near_copy_share": float(np.mean((distances < threshold) | (distances <= EXACT)))
            if len(distances) and np.isfinite(threshold) else math.nan,
            "exact_copy_share": float(np.mean(distances <= EXACT)) if len(distances) else math.nan,
            "holdout_exact_share": float(np.mean(holdout <= EXACT)) if len(holdout) else math.nan,
        }


def _near_threshold(holdout_dcr: np.ndarray) -> float:
    """The 5th percentile of held-out rows' distances: closer than that is a near copy (NaN: none).
    Taken at rank 0.05 (n + 1) of the n distances (numpy's "weibull"; the smallest below n = 19), so
    that a row as new as a held-out one falls below it 5% of the time, or 1 / (n + 1): interpolated
    between ranks (numpy's default), it did 9% of the time at n = 20 and 13% at n = 10. Of the rows
    that are no copies of a training row (0 where all are: exact copies alone count then)."""
    finite = holdout_dcr[np.isfinite(holdout_dcr)]
    new = finite[finite > EXACT]
    if not new.size:
        return 0.0 if finite.size else math.nan
    return float(np.quantile(new, 0.05, method="weibull"))
