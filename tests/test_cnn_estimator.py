"""The evaluator's image classifier (gan_augment.evaluation.cnn.CNNClassifier, estimator="cnn"):
a scikit-learn classifier that learns, repeats itself, and is refused for tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from gan_augment import GANAugmenter, evaluate_augmentation
from gan_augment.evaluation.cnn import CNNClassifier


def _digits(classes=(0, 1, 2)):
    X, y = load_digits(return_X_y=True)  # 8x8 pixels in 0..16
    keep = np.isin(y, classes)
    return X[keep], y[keep]


def test_it_learns_digits_with_string_labels_and_repeats_itself():
    X, y = _digits()
    labels = np.array(["zero", "one", "two"])[y]
    X_train, X_test, y_train, y_test = train_test_split(X, labels, test_size=0.3, random_state=0, stratify=labels)
    model = CNNClassifier((1, 8, 8), epochs=3, random_state=0).fit(X_train, y_train)
    assert list(model.classes_) == ["one", "two", "zero"]
    assert (model.predict(X_test) == y_test).mean() > 0.9  # chance is 1/3
    proba = model.predict_proba(X_test)
    assert proba.shape == (len(X_test), 3) and np.allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    again = clone(model).fit(X_train, y_train)
    assert np.array_equal(again.predict_proba(X_test), proba)  # the same random_state, the same model


def test_bad_settings_and_shapes_are_named():
    X, y = _digits()
    with pytest.raises(ValueError, match=r"image_shape=\(1, 4, 4\) holds 16 pixels, but X has shape"):
        CNNClassifier((1, 4, 4), epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="class_weight must be None or 'balanced'"):
        CNNClassifier((1, 8, 8), class_weight="auto").fit(X, y)
    # Finite pixels past float32 were cast to infinite ones, then called "NaN or infinite".
    with pytest.raises(ValueError, match=r"X holds pixel values from 0 to 1e\+39: values or a range past float32's"):
        CNNClassifier((1, 8, 8), epochs=1).fit(np.where(X > 8, 1e39, X), y)
    with pytest.raises(ValueError, match=r"X holds 1 NaN or infinite pixel values"):
        CNNClassifier((1, 8, 8), epochs=1).fit(np.where(np.arange(X.size).reshape(X.shape) == 5, np.nan, X), y)
    # Pixels of several dtypes are numbers still (a column of zeros read as int64 beside floats).
    mixed = pd.DataFrame(X)
    mixed[0] = 0
    assert CNNClassifier((1, 8, 8), epochs=1, random_state=0).fit(mixed, y).predict(mixed).shape == (len(y),)
    # ... but not other values cast to numbers (dates, complex, text), and a column of them is named.
    for other in (np.zeros(X.shape, "M8[s]"), X.astype(np.complex64), X.astype(str)):
        with pytest.raises(ValueError, match=r"Image arrays must be numeric; got dtype"):
            CNNClassifier((1, 8, 8), epochs=1).fit(other, y)
    mixed[5] = "a"
    with pytest.raises(ValueError, match=r"Pixels must be numbers, but column 5 of X holds .*pandas\.to_numeric"):
        CNNClassifier((1, 8, 8), epochs=1).fit(mixed, y)
    # Text and complex numbers in an object container too; repeated column names are read by position.
    for values in ([str(v) for v in X[:, 5]], [complex(v) for v in X[:, 5]]):
        mixed[5] = pd.Series(values, dtype=object)
        with pytest.raises(ValueError, match=r"Pixels must be numbers, but column 5 of X holds object values"):
            CNNClassifier((1, 8, 8), epochs=1).fit(mixed, y)
    repeated = pd.DataFrame(X, columns=["p"] * X.shape[1])
    assert CNNClassifier((1, 8, 8), epochs=1, random_state=0).fit(repeated, y).predict(X).shape == (len(y),)
    rows = X.astype(object)
    rows[0, 0] = "3"
    with pytest.raises(ValueError, match=r"X holds values that are no numbers"):
        CNNClassifier((1, 8, 8), epochs=1).fit(rows, y)


def test_the_evaluator_trains_it_in_every_fold_with_class_weights_as_a_baseline():
    X, y = _digits()
    keep = np.r_[np.flatnonzero(y != 2), np.flatnonzero(y == 2)[:12]]
    X, y = X[keep], y[keep]
    report = evaluate_augmentation(X, y, GANAugmenter(image_shape=(1, 8, 8), epochs=1, random_state=0),
                                   estimator="cnn", classes=[2], baselines=("class_weight",), cv=2, repeats=1,
                                   random_state=0, fidelity=False, privacy=False)
    assert "small CNN" in report.settings["estimator"]
    assert "class_weight='balanced'" in report.settings["methods"]
    assert (report.summary.query("metric == 'accuracy'")["mean"] > 0.9).all()  # a CNN that learned
    with pytest.raises(ValueError, match="estimator='cnn' classifies images, but these rows are a table"):
        evaluate_augmentation(X[:, :6], y, GANAugmenter(epochs=1), estimator="cnn", classes=[2], cv=2, repeats=1)
