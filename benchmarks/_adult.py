"""Shared pieces of the Adult benchmarks: data loading, the cut-minority task, classifiers, metrics.

Used by ``bench_adult.py`` (the full benchmark) and ``sweep_defaults.py`` (the defaults sweep).
Benchmark-only code: it may import imbalanced-learn, scikit-learn and (lazily) ``ctgan``; the
library never imports it.
"""

from __future__ import annotations

import math
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score, recall_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"
ADULT_RELPATH = Path("tabular") / "adult.csv"
TARGET = "income"
RARE, COMMON = ">50K", "<=50K"
KEEP_RARE = 0.05  # share of the training split's >50K rows that the cut task keeps
TEST_SIZE = 0.2


# ----------------------------------------------------------------------------------- data
def adult_path(data_dir) -> Path:
    """Path of adult.csv under ``data_dir``; exits with a clear message when it is missing."""
    data_dir = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
    path = data_dir / ADULT_RELPATH
    if not path.is_file():
        sys.exit(
            f"error: Adult data not found at {path}.\n"
            f"Pass --data-dir DIR, where DIR/{ADULT_RELPATH.as_posix()} is the UCI Adult training file "
            f"(32,561 rows, 15 columns, target '{TARGET}'); the default is {DEFAULT_DATA_DIR}."
        )
    return path


def load_adult(path) -> tuple[pd.DataFrame, np.ndarray]:
    """Adult as ``(X, y)``: X a DataFrame (text columns as object dtype, '?' as NaN), y an array of str."""
    df = pd.read_csv(path, skipinitialspace=True, na_values="?")
    if TARGET not in df.columns:
        sys.exit(f"error: {path} has no '{TARGET}' column (columns: {list(df.columns)}).")
    for col in df.columns:
        if not pd.api.types.is_numeric_dtype(df[col]):
            # Plain object dtype: every tool in the benchmark (imblearn, sklearn, ctgan) reads it the same way.
            df[col] = df[col].astype(object).where(df[col].notna(), np.nan)
            df[col] = df[col].map(lambda v: v.strip() if isinstance(v, str) else v)
    y = df.pop(TARGET).astype(str).to_numpy(dtype=object)
    return df, y


def column_kinds(X: pd.DataFrame) -> tuple[list[str], list[str]]:
    numeric = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])]
    categorical = [c for c in X.columns if c not in numeric]
    return numeric, categorical


def cut_task(X, y, seed: int, keep: float = KEEP_RARE):
    """Stratified 80/20 split; then keep only ``keep`` of the training split's rare-class rows.

    Returns ``X_train, y_train, X_test, y_test``; the test split is untouched.
    """
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=TEST_SIZE, stratify=y, random_state=seed)
    rng = np.random.RandomState(seed)
    rare_rows = np.flatnonzero(y_tr == RARE)
    kept = rng.choice(rare_rows, size=max(1, int(round(keep * len(rare_rows)))), replace=False)
    mask = y_tr != RARE
    mask[kept] = True
    return (X_tr[mask].reset_index(drop=True), y_tr[mask], X_te.reset_index(drop=True), y_te)


# ----------------------------------------------------------------------------------- classifiers
def make_lr(numeric, categorical, seed):
    pre = ColumnTransformer([
        ("num", Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]), numeric),
        ("cat", Pipeline([("impute", SimpleImputer(strategy="constant", fill_value="missing")),
                          ("onehot", OneHotEncoder(handle_unknown="ignore"))]), categorical),
    ])
    return Pipeline([("pre", pre), ("clf", LogisticRegression(max_iter=2000))])


def make_hgb(numeric, categorical, seed):
    # Ordinal codes + native categorical splits; unseen and missing categories go to HGB's missing bin.
    pre = ColumnTransformer([
        ("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan,
                               encoded_missing_value=np.nan), categorical),
        ("num", "passthrough", numeric),
    ])
    clf = HistGradientBoostingClassifier(categorical_features=list(range(len(categorical))), random_state=seed)
    return Pipeline([("pre", pre), ("clf", clf)])


CLASSIFIERS = {"LR": make_lr, "HGB": make_hgb}


def score(y_true, y_pred) -> dict:
    return {
        "balanced_accuracy": float(balanced_accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, average="macro")),
        "rare_recall": float(recall_score(y_true, y_pred, pos_label=RARE, average="binary")),
    }


def flat_metrics(metrics: dict) -> dict:
    """``evaluate_arm``'s ``{classifier: {metric: value}}`` as one row: ``{"LR_macro_f1": ...}``."""
    return {f"{clf}_{key}": value for clf, m in metrics.items() for key, value in m.items()}


def evaluate_arm(X_train, y_train, X_test, y_test, seed, *, balanced=False) -> dict:
    """Fit each classifier on (X_train, y_train) and score it on the untouched test split;
    ``balanced``: with ``class_weight="balanced"`` (the class-weights baseline)."""
    numeric, categorical = column_kinds(X_test)
    X_train = X_train[X_test.columns]
    out = {}
    for name, make in CLASSIFIERS.items():
        model = make(numeric, categorical, seed)
        if balanced:
            model.set_params(clf__class_weight="balanced")
        model.fit(X_train, np.asarray(y_train, dtype=object))
        out[name] = score(y_test, model.predict(X_test))
    return out


# ----------------------------------------------------------------------------------- resamplers
def resample_ros(X, y, seed):
    from imblearn.over_sampling import RandomOverSampler

    return RandomOverSampler(random_state=seed).fit_resample(X, y)


def resample_smotenc(X, y, seed):
    """SMOTE-NC after imputing missing values (SMOTE-NC cannot interpolate NaN)."""
    from imblearn.over_sampling import SMOTENC

    numeric, categorical = column_kinds(X)
    X = X.copy()
    for col in numeric:
        X[col] = X[col].fillna(X[col].median())
    for col in categorical:
        X[col] = X[col].fillna("missing")
    return SMOTENC(categorical_features=categorical, random_state=seed).fit_resample(X, y)


def resample_gan(X, y, seed, **params):
    from gan_augment import GANAugmenter

    augmenter = GANAugmenter(classes=[RARE], random_state=seed, **params)
    X_res, y_res = augmenter.fit_resample(X, y)
    return X_res, y_res, augmenter


def ctgan_conditional_rows(model, n_needed, *, batch=None, max_factor=50):
    """Draw rows of class RARE from a fitted CTGAN until ``n_needed`` are kept.

    CTGAN's conditional sampling (``condition_column`` / ``condition_value``) steers the generator
    but is not label-exact, so rows whose ``income`` is not RARE are thrown away. Stops after
    drawing ``max_factor * n_needed`` rows. Returns ``(kept_rows, n_drawn)``.
    """
    kept, n_kept, n_drawn = [], 0, 0
    batch = batch or max(10_000, n_needed)
    while n_kept < n_needed and n_drawn < max_factor * max(n_needed, 1):
        rows = model.sample(batch, condition_column=TARGET, condition_value=RARE)
        n_drawn += len(rows)
        rows = rows[rows[TARGET].astype(str) == RARE]
        kept.append(rows)
        n_kept += len(rows)
    kept = pd.concat(kept, ignore_index=True).iloc[:n_needed] if kept else pd.DataFrame()
    return kept, n_drawn


def make_ctgan(epochs, batch_size=500, seed=0, verbose=False):
    import torch
    from ctgan import CTGAN

    kwargs = {"epochs": epochs, "batch_size": batch_size, "verbose": verbose}
    try:
        model = CTGAN(enable_gpu=False, **kwargs)
    except TypeError:  # older ctgan spells it cuda=
        model = CTGAN(cuda=False, **kwargs)
    if hasattr(model, "set_random_state"):
        model.set_random_state(int(seed))  # ctgan >= 0.7: private numpy + torch generators
    else:
        torch.manual_seed(seed)
        np.random.seed(seed)
    return model


def ctgan_frame(X, y):
    frame = X.copy()
    frame[TARGET] = np.asarray(y, dtype=object)
    return frame


def ctgan_discrete(frame):
    return [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]


def resample_ctgan(X, y, seed, epochs, batch_size=500):
    """CTGAN top-up: fit on the cut training data, draw RARE rows up to the majority count."""
    frame = ctgan_frame(X, y)
    model = make_ctgan(epochs, batch_size, seed)
    model.fit(frame, discrete_columns=ctgan_discrete(frame))
    counts = pd.Series(y).value_counts()
    n_needed = int(counts.max() - counts.get(RARE, 0))
    rows, n_drawn = ctgan_conditional_rows(model, n_needed)
    X_new = rows.drop(columns=[TARGET])[X.columns]
    for col in X.columns:  # CTGAN returns its own dtypes; align with the real rows
        if pd.api.types.is_numeric_dtype(X[col]):
            X_new[col] = pd.to_numeric(X_new[col], errors="coerce")
        else:
            X_new[col] = X_new[col].astype(object).where(X_new[col].notna(), np.nan)
    X_res = pd.concat([X, X_new], ignore_index=True)
    y_res = np.concatenate([np.asarray(y, dtype=object), np.full(len(X_new), RARE, dtype=object)])
    return X_res, y_res, {"n_needed": n_needed, "n_kept": len(X_new), "n_drawn": n_drawn}


# ----------------------------------------------------------------------------------- reporting
def mean_std(values, digits: int = 3) -> str:
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return "n/a"
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{values.mean():.{digits}f} ± {values.std(ddof=1):.{digits}f}"


def recorded_command(script: str, argv) -> str:
    """The command line to write into a report, as run from the repo root: ``--data-dir`` and its
    value (a machine path) left out."""
    shown, skip = [], False
    for token in argv:
        if skip:
            skip = False
        elif token == "--data-dir":
            skip = True
        elif not token.startswith("--data-dir="):
            shown.append(token)
    return " ".join([f"python benchmarks/{script}", *shown])


def machine_info() -> dict:
    import imblearn
    import sklearn
    import torch

    mem_gib = None
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    mem_gib = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    info = {
        "nproc": os.cpu_count(),
        "ram_gib": mem_gib,
        "cpu": _cpu_name(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "scikit-learn": sklearn.__version__,
        "imbalanced-learn": imblearn.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "gan_augment": _version("gan_augment"),
        "ctgan": _version("ctgan"),
        "git_commit": _git_commit(),
    }
    return info


def _version(module):
    try:
        from importlib.metadata import version

        return version(module.replace("_", "-"))
    except Exception:  # noqa: BLE001 - reporting only
        return "not installed"


def _cpu_name():
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git_commit():
    try:
        out = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", str(REPO_ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10)
        return out.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except Exception:  # noqa: BLE001
        return "unknown"


def limit_threads(n: int) -> None:
    """Cap OpenMP / BLAS pools (HGB, numpy) at ``n`` threads, like torch.set_num_threads does for torch.

    On a shared machine, oversubscribed OpenMP pools spin-wait: we measured a 2-thread torch fit
    running ~10x slower than a 1-thread one while other jobs kept the load above the core count.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=n)


def load_average() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "unknown"


def auto_epochs(n_rows, batch_size=500, pac=8):
    """Epochs that epochs='auto' resolves to, mirroring GANTrainer (batch rounded down to a multiple of pac)."""
    from gan_augment.config import TrainingConfig

    batch = min(batch_size, n_rows)
    batch = max(pac, batch - batch % pac)
    steps = math.ceil(n_rows / batch)
    return TrainingConfig().resolve_epochs(steps), steps
