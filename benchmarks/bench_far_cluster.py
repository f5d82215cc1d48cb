"""A small class far from the rest of a numeric column: where do its synthetic values land?

280 rows of a common class hold ``amount`` ~ 50 +- 10; 20 rows of a rare class hold it ~ 1e6 +- 900
(a fraud class of transfers in their own range; three other columns as in any table). The default
GANAugmenter tops the rare class up; this prints the column's mixture modes and where the rare
class's synthetic values fall, against SMOTE-NC's on the same data:

    OMP_NUM_THREADS=1 python benchmarks/bench_far_cluster.py

Before the mixture's priors were taken out of its modes' statistics (benchmarks/MIXTURE_PRIORS.md)
the cluster's mode was 952,000 +- 213,000, and most synthetic values fell outside the class's range.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def table(seed: int = 0):
    rng = np.random.default_rng(seed)
    y = np.array(["common"] * 280 + ["rare"] * 20)
    rare = y == "rare"
    X = pd.DataFrame({"a": rng.normal(0, 1, len(y)) + 2 * rare, "b": rng.normal(10, 3, len(y)).round(2),
                      "c": rng.choice(["x", "y", "z"], len(y)), "k": rng.integers(0, 50, len(y))})
    X["amount"] = rng.normal(50, 10, len(y)).round(2)
    X.loc[rare, "amount"] = (1e6 + rng.normal(0, 900, rare.sum())).round(2)
    return X, pd.Series(y, name="label")


def shares(values: pd.Series, real: pd.Series, column_max: float) -> str:
    return (f"within the class's range {values.between(real.min(), real.max()).mean():.3f}, below it "
            f"{(values < real.min()).mean():.3f}, on the column's maximum {(values == column_max).mean():.3f}")


def main():
    import torch

    from gan_augment import GANAugmenter
    from gan_augment.baselines import MixedSMOTE
    from gan_augment.data.tabular import TabularEncoder

    torch.set_num_threads(1)
    X, y = table()
    real = X.loc[y == "rare", "amount"]
    spec = TabularEncoder(random_state=0).fit(X, pd.factorize(y)[0]).columns_[list(X.columns).index("amount")]
    print(f"rare class: {real.min():.2f} to {real.max():.2f}, standard deviation {real.std():.1f}")
    print(f"the column's modes: means {np.round(spec['means'], 1).tolist()}, "
          f"spreads {np.round(spec['stds'], 1).tolist()}")
    started = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        X_res, y_res = GANAugmenter(random_state=0, n_threads=1).fit_resample(X, y)
        X_smote, y_smote = MixedSMOTE(random_state=0).fit_resample(X, y)
    added = X_res.iloc[len(X):].loc[y_res.iloc[len(X):].to_numpy() == "rare", "amount"]
    by_smote = X_smote.iloc[len(X):].loc[y_smote[len(X):] == "rare", "amount"]
    print(f"GAN ({len(added)} rows, fit and sample {time.process_time() - started:.0f} CPU s): "
          f"{shares(added, real, X['amount'].max())}")
    print(f"SMOTE-NC ({len(by_smote)} rows): {shares(by_smote, real, X['amount'].max())}")


if __name__ == "__main__":
    main()
