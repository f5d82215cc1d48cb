"""The caller's process state: gan-augment works whatever torch's global modes are, and leaves them
(and the process's warning filters) as it found them."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
import warnings

import numpy as np
import pytest
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_digits, load_iris
from sklearn.linear_model import LogisticRegression

from gan_augment import GANAugmenter

pytestmark = pytest.mark.usefixtures("quick_row_judge")

TABLE = dict(epochs=1, n_threads=1, random_state=0, label_gate=False)


def iris():
    X, y = load_iris(return_X_y=True)
    return X[:120], y[:120]  # class 2 rare


@pytest.mark.parametrize("mode", [torch.no_grad, torch.inference_mode])
def test_a_fit_inside_no_grad_or_inference_mode_trains_as_outside(mode):
    # It failed with torch's "element 0 of tensors does not require grad" (a fit from an evaluation
    # loop or a framework's hook).
    X, y = iris()
    expected = GANAugmenter(**TABLE).fit_resample(X, y)[0]
    with mode():
        got = GANAugmenter(**TABLE).fit_resample(X, y)[0]
        assert not torch.is_grad_enabled()  # the caller's mode, back
    np.testing.assert_array_equal(got, expected)


def test_a_float64_default_dtype_changes_no_fit_sample_or_loaded_model(tmp_path):
    # Fits failed ("mat1 and mat2 must have the same dtype"), and a loaded model sampled other rows.
    X, y = iris()
    expected = GANAugmenter(**TABLE).fit_resample(X, y)[0]
    GANAugmenter(**TABLE).fit(X, y).save(tmp_path / "model")
    sampled = GANAugmenter.load(tmp_path / "model").sample(20, 2, random_state=1)
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        got = GANAugmenter(**TABLE).fit_resample(X, y)[0]
        loaded = GANAugmenter.load(tmp_path / "model").sample(20, 2, random_state=1)
        assert torch.get_default_dtype() == torch.float64
    finally:
        torch.set_default_dtype(before)
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(loaded, sampled)


def test_a_gated_fit_leaves_the_caller_s_random_state_and_follows_no_default_dtype():
    # The label gate's judge is trained in its own seeded, float32 state and given back built anew:
    # built outside it, it drew its unused initial weights from the caller's generator and, under a
    # float64 default, held float64 weights that judged candidates differently.
    X, y = iris()
    gated = {**TABLE, "label_gate": True}
    expected = GANAugmenter(**gated).fit(X, y)
    torch.manual_seed(123)
    state = torch.random.get_rng_state()
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        got = GANAugmenter(**gated).fit(X, y)
    finally:
        torch.set_default_dtype(before)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert {p.dtype for p in got.label_gate_.judge.parameters()} == {torch.float32}
    np.testing.assert_array_equal(got.sample(50, 2, random_state=1), expected.sample(50, 2, random_state=1))


def test_samples_do_not_follow_the_caller_s_float32_matmul_precision():
    # An image model's rows of a fixed random_state changed under "medium" (by ~5e-6).
    X, y = load_digits(return_X_y=True)
    model = GANAugmenter(image_shape=(1, 8, 8), epochs=1, n_threads=1, random_state=0).fit(X[:300], y[:300])
    expected = [model.sample(n, 3, random_state=0) for n in (1, 2, 3)]
    before = torch.get_float32_matmul_precision()
    torch.set_float32_matmul_precision("medium")
    try:
        got = [model.sample(n, 3, random_state=0) for n in (1, 2, 3)]
        assert torch.get_float32_matmul_precision() == "medium"
    finally:
        torch.set_float32_matmul_precision(before)
    for rows, want in zip(got, expected):
        np.testing.assert_array_equal(rows, want)


@pytest.mark.parametrize("n_generators", [1, 2])
def test_a_gated_fit_does_not_follow_the_caller_s_float32_matmul_precision(n_generators):
    # The gate's acceptance (which sizes its rounds of candidates) and the collapse check ran in the
    # caller's precision: under "medium" the same random_state gave other rows.
    import pandas as pd

    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.normal(size=300), "b": rng.randint(0, 5, size=300), "c": rng.choice(list("xyz"), 300),
                      "d": rng.exponential(size=300)})
    y = np.where(rng.rand(300) < 0.15, "rare", "common")
    settings = dict(epochs=2, generator_dims=(16,), discriminator_dims=(16,), batch_size=32, n_threads=1,
                    random_state=0, label_gate=True, n_generators=n_generators)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a 2-epoch fit's coverage
        expected = GANAugmenter(**settings).fit(X, y)
        before = torch.get_float32_matmul_precision()
        torch.set_float32_matmul_precision("medium")
        try:
            got = GANAugmenter(**settings).fit(X, y)
        finally:
            torch.set_float32_matmul_precision(before)
    assert got.label_gate_.acceptance == expected.label_gate_.acceptance
    assert got.diversity_ == expected.diversity_
    pd.testing.assert_frame_equal(got.sample(100, "rare"), expected.sample(100, "rare"))


@contextlib.contextmanager
def default_device(device):
    before = torch.get_default_device()
    torch.set_default_device(device)
    try:
        yield
    finally:
        torch.set_default_device(before)


CALLER_MODES = {"autocast": lambda: torch.autocast("cpu", dtype=torch.bfloat16),
                # meta: a device this machine has, standing in for a caller's set_default_device("cuda")
                "default device": lambda: default_device("meta")}


@pytest.mark.parametrize("mode", CALLER_MODES)
def test_a_caller_s_autocast_or_default_device_neither_breaks_nor_reaches_fits_and_samples(mode):
    # Under the caller's autocast, a precision="float32" fit trained in bfloat16 and samples of a
    # fixed random_state changed; under a default device, the rows gathered on the CPU were made there
    # ("can't convert meta device type tensor to numpy"), and fits failed.
    X, y = iris()
    expected = GANAugmenter(**TABLE).fit(X, y)
    rows = expected.sample(20, 2, random_state=1)
    with CALLER_MODES[mode]():
        got = GANAugmenter(**TABLE).fit(X, y)
        again = expected.sample(20, 2, random_state=1)
    np.testing.assert_array_equal(again, rows)
    np.testing.assert_array_equal(got.sample(20, 2, random_state=1), rows)


def test_the_image_classifier_predicts_as_trained_under_a_caller_s_autocast():
    # It failed ("Got unsupported ScalarType BFloat16"): its forward pass ran in the caller's autocast.
    from gan_augment.evaluation.cnn import CNNClassifier

    X, y = load_digits(return_X_y=True)
    model = CNNClassifier((1, 8, 8), epochs=1, random_state=0).fit(X[:200], y[:200])
    expected = model.predict_proba(X[:50])
    with torch.autocast("cpu", dtype=torch.bfloat16):
        np.testing.assert_array_equal(model.predict_proba(X[:50]), expected)


PER_BACKEND = [("mkldnn", "matmul"), ("mkldnn", "conv"), ("cuda", "matmul"), ("cudnn", "conv")]


def _per_backend_precisions() -> dict:
    if not hasattr(getattr(torch.backends.mkldnn, "matmul", None), "fp32_precision"):
        pytest.skip(f"torch {torch.__version__} has no per-backend fp32_precision (torch 2.9 and later)")
    return {key: getattr(getattr(torch.backends, key[0]), key[1]).fp32_precision for key in PER_BACKEND}


@pytest.mark.parametrize("setting", [("mkldnn", "matmul", "bf16"), ("cudnn", "conv", "ieee")])
def test_a_caller_s_per_backend_precision_neither_breaks_nor_reaches_fits_and_samples(setting):
    # torch 2.9's per-backend API: once a caller had used it, every fit and sample failed in torch's
    # older get_float32_matmul_precision ("a mix of the legacy and new APIs"); and a plain fit left
    # every backend pinned at "ieee", so that a caller's later generic setting no longer reached them.
    X, y = iris()
    before = _per_backend_precisions()
    expected = GANAugmenter(**TABLE).fit(X, y)
    assert _per_backend_precisions() == before
    backend, operation, value = setting
    flags = getattr(getattr(torch.backends, backend), operation)
    flags.fp32_precision = value
    try:
        caller = _per_backend_precisions()
        got = GANAugmenter(**TABLE).fit(X, y)
        rows = got.sample(20, 2, random_state=1)
        assert _per_backend_precisions() == caller
    finally:
        flags.fp32_precision = before[backend, operation]
    np.testing.assert_array_equal(rows, expected.sample(20, 2, random_state=1))


def test_the_encoder_s_warning_filters_take_turns_with_other_threads():
    # warnings.catch_warnings saves and restores the process's filters: fits from a thread pool
    # interleaved their blocks and left ConvergenceWarning ignored process-wide. The mixture fit
    # waits for another thread's block to end.
    from gan_augment import _warnings
    from gan_augment.data.tabular import TabularEncoder

    X, _ = iris()
    done = threading.Event()
    fit = threading.Thread(target=lambda: (TabularEncoder(random_state=0).fit(X), done.set()))
    with _warnings.catching_warnings():
        warnings.simplefilter("ignore")
        fit.start()
        assert not done.wait(timeout=1.0)  # held back while this block runs
    fit.join(timeout=60)
    assert done.is_set()


def test_a_classifier_of_images_trains_inside_inference_mode():
    # Its class weights and labels, made in the caller's inference mode, could not be saved for
    # backward ("Inference tensors cannot be saved for backward"): the evaluator's CNN, its image
    # quality judge and CNNClassifier(class_weight="balanced") failed.
    from gan_augment.evaluation.cnn import CNNClassifier

    X, y = load_digits(return_X_y=True)
    X, y = X[:200], y[:200]
    expected = CNNClassifier((1, 8, 8), epochs=1, class_weight="balanced", random_state=0).fit(X, y).predict_proba(X)
    with torch.inference_mode():
        got = CNNClassifier((1, 8, 8), epochs=1, class_weight="balanced", random_state=0).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(got, expected)


def test_folds_run_in_threads_leave_the_process_warning_filters_as_they_were():
    # joblib's threading backend ran the evaluator's folds in threads, each recording its warnings in
    # a catch_warnings block; interleaved, they left 'always' in the filters and the warning display
    # pointing at a dead list: every later warning of the process vanished.
    from imblearn.over_sampling import RandomOverSampler
    from joblib import parallel_backend

    from gan_augment import evaluate_augmentation

    def filters():  # a pattern as text (another library may re-add a default filter compiled)
        return [tuple(getattr(part, "pattern", part) for part in f) for f in warnings.filters]

    X, y = iris()
    before = filters()
    for _ in range(3):
        with parallel_backend("threading", n_jobs=2):
            evaluate_augmentation(X, y, RandomOverSampler(random_state=0), cv=2, repeats=2, n_jobs=2,
                                  baselines=("none",), fidelity=False, privacy=False, random_state=0)
    assert filters() == before
    with warnings.catch_warnings(record=True) as said:
        warnings.warn("still shown", UserWarning)
    assert [str(w.message) for w in said] == ["still shown"]


class FilterInFit(ClassifierMixin, BaseEstimator):
    """A logistic regression whose fit, as scikit-learn's ``type_of_target`` does, adds a filter in
    a ``catch_warnings`` block, held long enough for two threads' blocks to interleave."""

    def fit(self, X, y):
        with warnings.catch_warnings():
            warnings.simplefilter("error", np.exceptions.VisibleDeprecationWarning)
            time.sleep(0.05)
        self.model_ = LogisticRegression(max_iter=200).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


@pytest.mark.parametrize("door", ["evaluate", "auto"])
def test_other_libraries_filters_set_in_threaded_folds_are_not_left_behind(door):
    # Two folds' fits in joblib's threads, each entering and leaving scikit-learn's catch_warnings
    # block of type_of_target, interleaved: one thread's error filter stayed in the process's filters.
    from imblearn.over_sampling import RandomOverSampler
    from joblib import parallel_backend

    from gan_augment import AutoAugmenter, evaluate_augmentation

    X, y = iris()
    before = list(warnings.filters)
    with parallel_backend("threading", n_jobs=2):
        if door == "evaluate":
            evaluate_augmentation(X, y, RandomOverSampler(random_state=0), estimator=FilterInFit(), cv=2,
                                  repeats=1, n_jobs=2, baselines=("none",), fidelity=False, privacy=False,
                                  random_state=0)
        else:
            AutoAugmenter(methods=("random",), estimator=FilterInFit(), cv=2, n_jobs=2,
                          random_state=0).fit_resample(X, y)
    assert warnings.filters == before


def test_sampling_strategies_called_from_threads_leave_the_warning_filters_as_they_were():
    # InEveryClass recorded its inner plan's warnings in a catch_warnings block taken by every thread
    # at once: four threads calling it left an 'always' filter in the process for good.
    from concurrent.futures import ThreadPoolExecutor

    from gan_augment import InEveryClass

    y = np.r_[np.zeros(30, int), np.ones(10, int)]
    before = list(warnings.filters)
    with ThreadPoolExecutor(4) as pool:
        counts = list(pool.map(lambda _: [InEveryClass()(y) for _ in range(200)][-1], range(4)))
    assert counts == [{0: 50, 1: 30}] * 4
    assert warnings.filters == before


def test_thread_counts_of_overlapping_fits_leave_later_threads_the_caller_s_count():
    # torch.set_num_threads also sets the count that threads started later begin with. Fits in two
    # threads overlapped: the second began with the first's count (1), and put it back at its end, so
    # that every thread started afterwards ran with 1 thread instead of the caller's 3.
    from gan_augment.training.trainer import torch_threads

    def new_thread_count():
        counts = []
        thread = threading.Thread(target=lambda: counts.append(torch.get_num_threads()))
        thread.start()
        thread.join()
        return counts[0]

    first_open, second_open, first_closed = threading.Event(), threading.Event(), threading.Event()

    def first():
        with torch_threads(1):
            first_open.set()
            second_open.wait(30)
        first_closed.set()

    def second():
        first_open.wait(30)
        with torch_threads(2):
            second_open.set()
            first_closed.wait(30)

    before = torch.get_num_threads()
    torch.set_num_threads(3)
    try:
        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert (torch.get_num_threads(), new_thread_count()) == (3, 3)
    finally:
        torch.set_num_threads(before)


def test_fits_in_two_threads_keep_the_caller_s_settings_and_their_own_results():
    # The settings are the process's: a thread restored "highest" over the caller's "medium" (its
    # "before" was the other thread's), and under a float64 default one thread built float64 modules
    # ("Input type (torch.FloatTensor) and weight type (torch.DoubleTensor) should be the same").
    from concurrent.futures import ThreadPoolExecutor

    from gan_augment.evaluation.cnn import CNNClassifier

    X, y = load_digits(return_X_y=True)
    X, y = X[:200], y[:200]

    def fit(_):  # the trained weights (predictions follow the caller's settings, as torch's do)
        model = CNNClassifier((1, 8, 8), epochs=1, random_state=0).fit(X, y).model_
        return torch.cat([p.detach().flatten().float() for p in model.parameters()]).numpy()

    alone = fit(None)
    before = torch.get_float32_matmul_precision(), torch.get_default_dtype()
    torch.set_float32_matmul_precision("medium")
    torch.set_default_dtype(torch.float64)
    try:
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(fit, range(4)))
        after = torch.get_float32_matmul_precision(), torch.get_default_dtype()
    finally:
        torch.set_float32_matmul_precision(before[0])
        torch.set_default_dtype(before[1])
    assert after == ("medium", torch.float64)
    for result in results:
        np.testing.assert_array_equal(result, alone)


def test_a_tables_fit_and_evaluation_leave_albumentations_and_its_update_switch_alone():
    # Importing GANAugmenter set NO_ALBUMENTATIONS_UPDATE=1 for the whole process (and its children)
    # through an import of the albumentations adapter that only images need.
    script = (
        "import os, sys, warnings\n"
        "import numpy as np\n"
        "from gan_augment import GANAugmenter, evaluate_augmentation\n"
        "X = np.random.default_rng(0).normal(size=(60, 2)); y = np.r_[np.zeros(50), np.ones(10)].astype(int)\n"
        "warnings.simplefilter('ignore')\n"
        "evaluate_augmentation(X, y, GANAugmenter(epochs=1, label_gate=False, random_state=0), cv=2, repeats=1,\n"
        "                      random_state=0)\n"
        "assert 'NO_ALBUMENTATIONS_UPDATE' not in os.environ\n"
        "assert 'albumentations' not in sys.modules\n")
    env = {key: value for key, value in os.environ.items() if key != "NO_ALBUMENTATIONS_UPDATE"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
