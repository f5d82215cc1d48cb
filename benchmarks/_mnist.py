"""The MNIST test set from ../shared/data/mnist, split and cut the way the image benchmark needs."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

MNIST_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


def _read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as handle:
        data = handle.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_mnist_test(directory: Path = MNIST_DIR):
    """(images (10000, 28, 28) uint8, labels (10000,) int64)."""
    images = _read_idx(directory / "t10k-images-idx3-ubyte.gz")
    labels = _read_idx(directory / "t10k-labels-idx1-ubyte.gz").astype(np.int64)
    return images, labels


def cut_split(rare_digit: int, seed: int, rare_count: int = 25):
    """50/50 stratified split; the rare digit keeps ``rare_count`` of its ~500 training images.

    The issue asks for "1% of its training images (about 25)"; 1% of ~500 is 5, so the explicit
    count wins: 25 images, 5% of the digit's training images and 0.55% of the training half.

    Returns X_train, y_train, X_test, y_test (the test half untouched).
    """
    images, labels = load_mnist_test()
    X_train, X_test, y_train, y_test = train_test_split(
        images, labels, test_size=0.5, stratify=labels, random_state=seed)
    rng = np.random.default_rng(seed)
    rare = np.flatnonzero(y_train == rare_digit)
    keep_rare = rng.choice(rare, size=rare_count, replace=False)
    keep = np.sort(np.concatenate([np.flatnonzero(y_train != rare_digit), keep_rare]))
    return X_train[keep], y_train[keep], X_test, y_test
