"""AutoAugmenter: choose the top-up -- method and amount -- by evidence inside the training data.

Full balancing is often the mistake: on tables whose rare class is a few percent, topping it up to
the majority count can lower macro-F1 below doing nothing, whatever the sampler. So the amount is
chosen like the method, by inner stratified cross-validation on the training data only, scored
with the user's estimator and metric:

* ``"none"`` (no rows added), then for each method in ``methods`` and each amount in
  ``amounts`` (a share of the gap between each class to top up and the majority):
  ``"random"`` oversampling, ``"smote"`` (SMOTE / SMOTE-NC / SMOTE-N by the columns), ``"gan"``.
* The GAN is fitted once per inner fold (not once per amount): its rows for a smaller amount are
  the first rows of the largest amount's, an i.i.d. prefix.
* The winner (``selection="best"``) is the candidate with the best mean inner score; ties go to
  the earlier candidate, so "none" and smaller amounts win ties. ``selection="one_se"`` takes the
  simplest candidate the folds cannot tell from the best. The winner then resamples the whole
  training data (a winning GAN is fitted once more, on all of it).

Cost: ``cv`` GAN fits (plus one when the GAN wins), as many estimator fits as candidates times
``cv``, and the SMOTE / random resampling, which are cheap next to a GAN fit.
"""

from __future__ import annotations

import copy
import functools
import inspect
import numbers
import re
import time
import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd
from imblearn.over_sampling.base import BaseOverSampler
from joblib import Parallel, delayed
from scipy.stats import rankdata
from sklearn.base import clone, is_classifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.validation import check_memory

from gan_augment._compat import HasMethods, Interval, StrOptions, validate_settings
from gan_augment._folds import given_folds, is_fold_list
from gan_augment._listing import CLASSES_NAMED, first_few
from gan_augment._memory import check_top_up_fits, value_bytes
from gan_augment._sampler import TableSamplerMixin, declared_tags, refuse_class, refuse_params
from gan_augment._random import derive_seed, seeded_clone, seeded_splitter, spawn_seeds
from gan_augment._warnings import filters_kept, recording, say_once, user_stacklevel
from gan_augment.baselines import (BASELINE_SAMPLERS, baseline_sampler, check_X_y_as_given, named_categorical,
                                   smote_frame, smote_nc_refusal, split_columns, unchanged_copies,
                                   with_table_categories)
from gan_augment.classifier import check_estimator_takes, warn_of_own_samplers
from gan_augment.data.images import check_not_pil_images
from gan_augment.data.layout import shape_of
from gan_augment.data.tabular import concat_rows
from gan_augment.exceptions import LabelGateWarning
from gan_augment.kinds import kind_for_input
from gan_augment.kinds.tabular import check_finite
from gan_augment.planner import CLASSES_CONSTRAINT, plain_label, plan_top_up, stratified_training_rows
from gan_augment.training.distributed import refuse_folds_in_workers

__all__ = ["AutoAugmenter", "one_standard_error"]

METHODS = ("random", "smote", "gan")


class AutoAugmenter(TableSamplerMixin, BaseOverSampler):
    """An imbalanced-learn sampler that picks the top-up (none, random, SMOTE or GAN, and how much)
    by inner cross-validation on the data it is given, then resamples with the winner.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        The full top-up in imbalanced-learn's grammar (as :class:`~gan_augment.GANAugmenter`);
        ``amounts`` are shares of it.
    classes : label or list of labels, default=None
        Shorthand for "top these classes up to the majority count" (the full top-up).
    estimator : None, "logreg", "hgb", "rf" or a scikit-learn classifier, default=None
        The downstream model the candidates are scored with; None is the evaluator's logistic
        regression (imputed, scaled numbers, one-hot categories).
    scoring : str or callable, default="f1_macro"
        A scikit-learn scorer.
    methods : sequence of {"random", "smote", "gan"}, default=("random", "smote", "gan")
        Candidates besides "none" (which is always one), in the order that breaks ties (a set is
        taken in the default's order). SMOTE is left out, with a warning, where
        a class it would top up keeps a single row in an inner training fold; the GAN, with a
        warning, where such a class keeps fewer rows than the augmenter's ``min_class_size``
        there, or where its label gate (``label_gate=True``) refuses a class to top up in an inner
        fold (its scores in ``cv_results_`` are then NaN, ranked last).
    amounts : sequence of float in (0, 1], default=(0.25, 0.5, 1.0)
        Shares of the full top-up each method is tried at.
    cv : int, cross-validation splitter or list of (train, test) pairs, default=3
        An int: that many inner stratified folds (at most the smallest class's count), shuffled
        with ``random_state``. A splitter (``StratifiedKFold(5, shuffle=True, random_state=0)``,
        ``RepeatedStratifiedKFold(...)``): its folds, as given (one that shuffles without a seed of
        its own is seeded from ``random_state``, on a copy); every class must keep at least
        two rows in every inner training fold (what the GAN and SMOTE learn from), which a
        stratified splitter ensures. A list of ``(train, test)`` pairs of row numbers (or of
        True / False masks), as scikit-learn's searches take them: those folds of the rows
        ``fit_resample`` is given, e.g. a group splitter's, ``list(StratifiedGroupKFold(3).split(X,
        y, groups))`` (splitters that need ``groups`` are not given them here).
    selection : {"best", "one_se"} or callable, default="best"
        How the winner is picked from the inner scores. ``"best"``: the highest mean score.
        ``"one_se"``: the simplest candidate whose mean is within one standard error (of the best
        candidate's fold scores) of the best mean, the one-standard-error rule of Breiman et al.
        Simplest: doing nothing, then the smaller amount, then the method listed first in
        ``methods``. A callable takes ``cv_results_`` and returns the winner's index (as
        GridSearchCV's ``refit``).
    augmenter : GANAugmenter or None, default=None
        The GAN to try (cloned); None is ``GANAugmenter()`` at its defaults. Its ``classes`` and
        ``sampling_strategy`` are replaced by the rows AutoAugmenter adds, so that its checks
        (``min_class_size``) and warnings concern the classes topped up.
    memory : None, str or joblib.Memory, default=None
        Where to keep the GAN fits (each inner fold's and the final one), as Pipeline's ``memory``:
        a folder or a ``joblib.Memory``. A fit is found again by the GAN's settings, the rows and
        the seed, and by the gan-augment and torch releases, thread count and device it runs with,
        so another AutoAugmenter on the same data and ``random_state`` (trying another estimator or
        scoring, say) reuses it instead of training again; sampling a fitted GAN is a function of
        its seed, so the rows are those of a fresh fit. Warnings of a reused fit are
        not said again. None: nothing is kept.
    n_jobs : int or None, default=None
        Inner folds scored at once, each in a process of its own (joblib; -1: one per core). The
        folds' GAN fits are most of the cost, so ``cv`` jobs take about a GAN fit's time for all
        folds where there are cores for them. A GAN at ``n_threads="auto"`` then takes the threads
        joblib gives each process: results are reproducible for the same ``n_jobs`` on the same
        machine; give the augmenter ``n_threads=1`` for the same results whatever ``n_jobs``.
    random_state : int, RandomState instance or None, default=None
    verbose : int, default=0
        Above 0, print each candidate's inner score.

    Attributes
    ----------
    chosen_ : dict
        ``{"method": ..., "amount": ...}`` of the winner.
    cv_results_ : dict of arrays
        As in scikit-learn's searches: ``params``, ``mean_test_score``, ``std_test_score``,
        ``rank_test_score`` (tied candidates share the better rank), ``split<i>_test_score``,
        ``mean_fit_time`` (CPU seconds per inner fold to resample and fit the estimator; a GAN
        candidate's include that fold's GAN fit, which its amounts share).
    sampling_strategy_ : dict
        ``{class: rows added}`` by the winner.
    augmenter_ : fitted GANAugmenter or None
        The GAN refitted on all the data when the GAN won.
    n_features_in_, feature_names_in_ : as in scikit-learn.
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "classes": CLASSES_CONSTRAINT,
        "estimator": [StrOptions({"logreg", "hgb", "rf"}), HasMethods(["fit", "predict"]), None],
        "scoring": [str, callable],
        "methods": ["array-like"],
        "amounts": ["array-like"],
        "cv": [Interval(numbers.Integral, 2, None, closed="left"), HasMethods(["split", "get_n_splits"]), Iterable],
        "selection": [StrOptions({"best", "one_se"}), callable],
        "augmenter": [HasMethods(["fit", "sample", "get_params"]), None],
        "memory": [None, str, HasMethods(["cache"])],
        # joblib's meaning: 1, 2, ... processes, -1 every core, -2 all but one; 0 means nothing.
        "n_jobs": [Interval(numbers.Integral, 1, None, closed="left"),
                   Interval(numbers.Integral, None, -1, closed="right"), None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, *, sampling_strategy="auto", classes=None, estimator=None, scoring="f1_macro",
                 methods=METHODS, amounts=(0.25, 0.5, 1.0), cv=3, selection="best", augmenter=None, memory=None,
                 n_jobs=None, random_state=None, verbose=0):
        super().__init__(sampling_strategy=sampling_strategy)
        self.classes = classes
        self.estimator = estimator
        self.scoring = scoring
        self.methods = methods
        self.amounts = amounts
        self.cv = cv
        self.selection = selection
        self.augmenter = augmenter
        self.memory = memory
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # The candidates are scored by fitting the estimator on inner folds (the built-in ones impute
        # and encode text), and the augmenter is fitted on them: what either refuses, this does too.
        parts = [declared_tags(part) for part in (self.estimator, self.augmenter)
                 if part is not None and not isinstance(part, (str, type))]  # a class: refused by fit, named
        for part in filter(None, parts):
            tags.input_tags.allow_nan &= part.input_tags.allow_nan
            tags.input_tags.string &= part.input_tags.string
        return tags

    def fit(self, X, y, **params):
        """Choose the top-up by inner cross-validation: ``chosen_``, ``cv_results_`` and
        ``sampling_strategy_`` (``augmenter_`` fitted when the GAN won), as :meth:`fit_resample`
        leaves them; the resampled data are not kept. imbalanced-learn's samplers only check their
        input in ``fit``; here it is where the choice is made, for a look before resampling."""
        refuse_params(self, "fit", params)
        self.fit_resample(X, y)
        return self

    # ------------------------------------------------------------------ imblearn hooks
    def _check_X_y(self, X, y, accept_sparse=None):
        check_not_pil_images(X, rows=True)  # before the advice on image arrays, which a list cannot follow
        if not isinstance(X, pd.DataFrame) and len(shape_of(X)) > 2:
            raise ValueError(
                f"AutoAugmenter scores its candidates with a classifier of rows, so X must be 2-D; got shape "
                f"{shape_of(X)}. Pass images as flat rows with augmenter=GANAugmenter(image_shape=(C, H, W)), "
                "or top them up with GANAugmenter directly.")
        kind = kind_for_input(X, self._gan_params())
        if kind.name == "tabular" and "gan" not in self._check_candidates()[0]:
            # Baselines only: the GAN's own refusals (a MultiIndex's tuple column names) are not theirs;
            # infinities are (the estimator's fits refuse them, naming no column).
            X, y, binarize_y = check_X_y_as_given(self, X, y)
            check_finite(X)
            return X, y, binarize_y
        return kind.check_input(self, X, y)

    def _fit_resample(self, X, y):
        methods, amounts = self._check_candidates()
        if not isinstance(self.estimator, (str, type(None))):
            # What its fits would refuse on every inner fold: text read "could not convert string to
            # float: 'y'", naming neither the column nor the estimator.
            check_estimator_takes(self.estimator, self, X)
            warn_of_own_samplers(self.estimator, type(self.estimator).__name__, "AutoAugmenter's candidate")
        y = np.asarray(y)
        full_plan = plan_top_up(y, self.sampling_strategy, self.classes)
        # Refused before the folds, as GANAugmenter refuses it before training: the baselines'
        # inner folds allocated it (a raw numpy MemoryError, or minutes of work at a size that fits).
        gan_params = self._gan_params()
        kind = kind_for_input(X, gan_params)
        check_top_up_fits(full_plan, int(np.prod(shape_of(X)[1:])), kind.unit,
                          value_bytes=value_bytes(X, image=kind.name == "image"))
        if "gan" in methods:
            kind.check_values(gan_params, X)  # the GAN's refusal of a date column came after the first folds
        cv_seed, estimator_seed, gan_seed, final_seed = spawn_seeds(self.random_state, 4)
        folds = self._folds(X, y, cv_seed)
        if self.selection == "one_se" and len(folds) < 2:
            # The rule needs the standard error of the best candidate's fold scores.
            raise ValueError("selection='one_se' needs at least 2 inner folds for a standard error; "
                             f"cv={self._cv_shown} gives 1. Use a splitter of 2 or more splits, or selection='best'.")
        methods = self._feasible(methods, y, folds, full_plan)
        if "smote" in methods and kind.name == "tabular":
            methods = self._smote_fits(methods, X, y, _scaled(full_plan, max(amounts)))
        candidates = [("none", 0.0)] + [(m, a) for m in methods for a in amounts]
        scores, times, said = self._score_candidates(X, y, candidates, folds, full_plan, estimator_seed, gan_seed)
        self.cv_results_ = _cv_results(candidates, scores, times)
        chosen = self._select(self.cv_results_)
        if self.verbose:
            for (m, a), mean in zip(candidates, self.cv_results_["mean_test_score"]):
                print(f"AutoAugmenter: {m:>6} {a:>5.0%}  inner score {mean:.4f}")
        while True:
            method, amount = candidates[chosen]
            self.chosen_ = {"method": method, "amount": amount}
            self.sampling_strategy_ = _scaled(full_plan, amount)
            self.augmenter_ = None
            # The winner's fit on all of X says again what its inner folds said (an ID column): said once.
            resampled, raised = recording(self._resample, X, y, method, self.sampling_strategy_, final_seed,
                                          self._categorical(X))
            say_once([raised], already_said=said)
            if resampled is not None:
                return resampled
            # The GAN fitted on all of X has a gate that refuses a class its inner fits served: the
            # choice is made again among the other candidates, as an inner fold's refusal leaves it out.
            scores = np.where(np.array([m == "gan" for m, _ in candidates])[:, None], np.nan, scores)
            left = _cv_results(candidates, scores, times)
            chosen = self._select(left)
            if candidates[chosen][0] == "gan":  # a callable selection may pick it again
                chosen = _best(left["mean_test_score"])

    # ------------------------------------------------------------------ internals
    def _gan_params(self) -> dict:
        refuse_class("augmenter", self.augmenter)
        return self.augmenter.get_params(deep=False) if self.augmenter is not None else {}

    def _gan_distributed(self):
        """The ``distributed`` setting of the GAN it fits (its default GAN's "auto"); False where
        its methods fit none."""
        return self._gan_params().get("distributed", "auto") if "gan" in self.methods else False

    def _select(self, cv_results) -> int:
        if callable(self.selection):
            chosen = self.selection(cv_results)
            n = len(cv_results["params"])
            if not isinstance(chosen, numbers.Integral) or not 0 <= int(chosen) < n:
                raise ValueError(f"selection={self.selection!r} returned {chosen!r}; it must return the index of "
                                 f"a candidate in cv_results_['params'] (an int in [0, {n})).")
            return int(chosen)
        if self.selection == "one_se":
            return one_standard_error(cv_results)
        return _best(cv_results["mean_test_score"])

    def _validate_params(self):
        """scikit-learn's check of these parameters (at the start of fit_resample, unless the
        configuration skips it), and of the estimator's settings: its inner-fold fits run nested,
        where scikit-learn skips them (LogisticRegression(C=-1) scored every candidate)."""
        super()._validate_params()
        refuse_class("estimator", self.estimator)
        if self.estimator is not None and not isinstance(self.estimator, str):
            validate_settings(self.estimator)

    def _check_candidates(self):
        given = self.methods
        if isinstance(given, (set, frozenset)):  # no order of its own (its hash order varies by process)
            given = [m for m in METHODS if m in given] + sorted((m for m in given if m not in METHODS), key=repr)
        methods = list(dict.fromkeys(given))
        if not methods:
            raise ValueError(f"methods is empty: 'none' would be the only candidate. Name at least one of "
                             f"{list(METHODS)}.")
        unknown = [m for m in methods if m not in METHODS]
        if unknown:
            raise ValueError(f"methods: unknown method {unknown[0]!r}; choose from {list(METHODS)} "
                             "('none' is always a candidate).")
        try:
            # A bool is no share (amounts=(True,) was tried as 1.0): refused below.
            bools = any(isinstance(a, (bool, np.bool_)) for a in self.amounts)
            amounts = [] if bools else sorted({float(a) for a in self.amounts})
        except (TypeError, ValueError):
            amounts = []
        if not amounts or any(not 0 < a <= 1 for a in amounts):
            raise ValueError(f"amounts must be shares of the full top-up in (0, 1]; got {list(self.amounts)!r}.")
        if "gan" in methods and hasattr(self.augmenter, "_validate_params"):
            # Its parameters, before any inner fold: a fit nested in this one skips scikit-learn's
            # check (max_modes=True fitted one mode; max_modes=0 failed inside the fit).
            self.augmenter._validate_params()
        refuse_folds_in_workers(self.n_jobs, self._gan_distributed(), who="AutoAugmenter")
        checkpoint_dir = self._gan_params().get("checkpoint_dir")
        if "gan" in methods and checkpoint_dir is not None:
            # Every inner fold's GAN and the final one would train into the one folder, and the
            # second would refuse the first's checkpoint as "other data" after a whole fit.
            raise ValueError(f"The augmenter's checkpoint_dir={checkpoint_dir!r} cannot serve "
                             "AutoAugmenter, which fits a GAN per inner fold; set it to None "
                             "(augmenter.set_params(checkpoint_dir=None)), or fit the GAN on its own to checkpoint it.")
        return methods, amounts

    def _folds(self, X, y, seed):
        """The inner folds, checked before anything is trained: every class needs 2 rows to be
        cross-validated, and 2 in every training fold of a splitter given as ``cv``."""
        labels, counts = np.unique(y, return_counts=True)
        single = [label for label, n in zip(labels, counts) if n < 2]
        if single:
            raise ValueError(f"{_classes_named(single)} a single row: inner cross-validation needs at least 2 "
                             "rows of every class. Drop the class, or use GANAugmenter / RandomOverSampler directly.")
        if isinstance(self.cv, numbers.Integral):
            return list(StratifiedKFold(n_inner_folds(self.cv, y), shuffle=True, random_state=seed)
                        .split(np.zeros(len(y)), y))
        if is_fold_list(self.cv):
            folds = given_folds(self.cv, len(y))
        elif isinstance(self.cv, (str, bytes)) or not hasattr(self.cv, "split"):  # iterable, and no folds
            raise TypeError(f"cv={self._cv_shown} is not an int, a cross-validation splitter or a list of (train, "
                            "test) pairs of row numbers.")
        else:
            try:
                splitter = seeded_splitter(self.cv, seed)  # one shuffling without a seed: seeded, as an int cv is
                folds = [(np.asarray(train), np.asarray(test)) for train, test in splitter.split(X, y)]
            except ValueError as error:  # e.g. a splitter that needs groups, or more folds than rows
                raise ValueError(f"cv={self._cv_shown} could not split the rows: {error} Pass an int, a splitter "
                                 "that splits by X and y alone (StratifiedKFold), or its folds "
                                 "(cv=list(GroupKFold(3).split(X, y, groups)))).") from error
        for k, (train, test) in enumerate(folds):
            if len(test) == 0:
                raise ValueError(f"cv={self._cv_shown}: inner fold {k + 1} tests no rows, so it cannot score the "
                                 "candidates. Give every fold a test part, or pass an int.")
            kept = dict(zip(*np.unique(y[train], return_counts=True)))
            thin = [label for label in labels if kept.get(label, 0) < 2]
            if thin:
                names = ", ".join(repr(plain_label(label)) for label in thin)
                # A class of 2 rows keeps 1 whenever a fold tests the other: no splitter helps then.
                # (an int's folds keep 1 row of such a class, and leave out the methods that need 2: said
                # so, as "made to fit the classes" read as if they kept 2)
                fix = ("Pass an int (cv=3): it makes at most as many stratified folds as the smallest class has rows, "
                       "and the methods that need 2 rows of a class in every training part (SMOTE) are left out "
                       "with a warning" if any(
                    np.sum(y == label) < 3 for label in thin) else
                    "Use a stratified splitter (StratifiedKFold) with more folds (a larger training part each), "
                    "or an int")
                raise ValueError(f"cv={self._cv_shown}: inner fold {k + 1} keeps fewer than 2 rows of class {names} in "
                                 "its training part; with a splitter, "
                                 f"every class needs 2 rows in every training fold to be topped up and scored. {fix}.")
        return folds

    @property
    def _cv_shown(self) -> str:
        """``cv`` as an error shows it: a list of folds by its length, not its row numbers."""
        if is_fold_list(self.cv) and isinstance(self.cv, (list, tuple)):
            return f"[{len(self.cv)} (train, test) pairs]"
        shown = repr(self.cv)
        return shown if len(shown) <= 80 else f"{type(self.cv).__name__}(...)"

    def _fix_for_thin_folds(self, y, small: list, needs: int, n_folds: int, method: str) -> str:
        """What lets ``small`` classes keep ``needs`` rows in every inner training part: more inner
        folds where some number of them would (an int cv makes at most as many as the smallest class
        has rows, so the other classes bound it too), else more rows, or for the GAN a lower
        min_class_size. Each figure is one that then works."""
        options = ["lower min_class_size (--min-class-size)"] if method == "gan" else []
        whom = "the class" if len(small) == 1 else "each of them"
        counts = {label: int(np.sum(y == label)) for label in np.unique(y)}
        if not isinstance(self.cv, numbers.Integral):
            # A splitter's parts are its own (repeated, shuffled, unstratified): no count to promise.
            # But a class of n rows keeps at most n - 1 in any training part: then only rows help.
            if all(counts[label] - 1 >= needs for label in small):
                options.append("in Python, pass an int cv or a splitter whose training parts hold more of the class")
            else:
                options.append(f"give {whom} more rows (a class of n rows keeps at most n - 1 in a training part, "
                               f"and {needs} are needed)")
            return ", or ".join(options)
        more = next((k for k in range(n_folds + 1, min(counts.values()) + 1)
                     if all(stratified_training_rows(counts[label], k) >= needs for label in small)), None)
        if more is not None:
            options.append(f"in Python, use {more} inner folds (cv={more})")
        else:
            # The folds then made: an int cv's grow with the class while the others allow.
            others = min([n for label, n in counts.items() if label not in small] or [n_folds])
            rows = next(n for n in range(needs, 2 * needs + 3)
                        if stratified_training_rows(n, min(int(self.cv), others, n)) >= needs)
            options.append(f"give {whom} at least {rows} rows")
        return ", or ".join(options)

    def _feasible(self, methods, y, folds, plan) -> list:
        """``methods`` less those a class to top up is too small for in an inner training fold:
        SMOTE, which interpolates between a row and a neighbour of its class (2 rows), and the GAN
        where the augmenter sets ``min_class_size`` (it would refuse the class there). Each is left
        out with a warning, and refused when no method would be left to choose from."""
        fewest = {label: min(int(np.sum(y[train] == label)) for train, _ in folds)
                  for label in np.unique(y) if plan.get(label, 0) > 0}
        minimum = self._gan_params().get("min_class_size")
        dropped = []
        for method, needs, why in (
                ("smote", 2, "too few rows for SMOTE inside cross-validation: with {folds} inner folds a "
                             "training fold keeps a single row of it, and SMOTE needs 2 to interpolate between."),
                ("gan", minimum, "fewer rows than the augmenter's min_class_size={needs} in an inner training fold "
                                 "({fewest}), where the GAN would refuse to top it up.")):
            small = [label for label, n in fewest.items() if needs is not None and n < needs]
            if method not in methods or not small:
                continue
            why = f"{_classes_named(small)} " + why.format(
                folds=len(folds), needs=needs,
                fewest=", ".join(f"{fewest[label]} row{'' if fewest[label] == 1 else 's'}" for label in small))
            fix = self._fix_for_thin_folds(y, small, needs, len(folds), method)
            methods = [m for m in methods if m != method]
            dropped.append(method)
            if not methods:
                # Only methods that can run here (SMOTE left out before the GAN was named it).
                others = ", ".join(repr(m) for m in METHODS if m not in dropped)
                raise ValueError(f"{why} Choose other methods= ({others}), or {fix}.")
            warnings.warn(f"{why} {'SMOTE' if method == 'smote' else 'The GAN'} is left out of the candidates; "
                          f"{fix} to have it scored.", UserWarning, stacklevel=user_stacklevel())
        return methods

    def _smote_fits(self, methods, X, y, plan) -> list:
        """``methods`` less SMOTE, with a warning, where SMOTE-NC's top-up of all of ``X`` by ``plan``
        (the largest it may be chosen for; an inner fold's is smaller) cannot fit in memory; refused
        where no method would be left (a column of IDs failed with numpy's bare MemoryError after
        the inner folds of the other candidates had run)."""
        frame = smote_frame(X)
        numeric = [name for name in frame.columns if name not in (categorical := self._categorical(X))]
        counts = {label: int(n) for label, n in zip(*np.unique(y, return_counts=True))}
        refusal = smote_nc_refusal(frame, numeric, categorical, counts, plan, baseline_sampler("smote").k_neighbors)
        if not refusal:
            return methods
        methods = [m for m in methods if m != "smote"]
        if not methods:
            raise ValueError(f"{refusal}, or choose other methods= ('random', 'gan').")
        warnings.warn(f"{refusal} to have it scored; SMOTE is left out of the candidates.", UserWarning,
                      stacklevel=user_stacklevel())
        return methods

    def _estimator(self, X, seed):
        estimator = self.estimator
        if estimator is None or isinstance(estimator, str):
            from gan_augment.evaluation._prep import build_estimator

            frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
            return build_estimator(estimator or "logreg", frame, random_state=seed,
                                   categorical=named_categorical(self.augmenter, frame))
        if not is_classifier(estimator):
            raise TypeError(f"estimator={estimator!r} is not a scikit-learn classifier; pass one, or one of "
                            "'logreg', 'hgb', 'rf'.")
        # Seeded where the caller left it unseeded, as the built-in ones are (and as the evaluator
        # seeds it): the same random_state then gives the same choice.
        return seeded_clone(estimator, seed)

    def _score_candidates(self, X, y, candidates, folds, full_plan, estimator_seed, gan_seed):
        estimator = self._estimator(X, estimator_seed)
        scorer = self._scorer(estimator)
        self._warn_of_another_positive_class(scorer, y, full_plan)
        # SMOTE's categories as the whole table has them (a fold's rows of a code column may all be numbers).
        categorical = self._categorical(X)
        # Each fold's draws come from seeds derived from its index: the same in any order or process.
        # The folds are in hand: the workers are sent a copy without cv, which may be a generator of
        # folds (used up, and one that pickle cannot send to another process).
        worker = copy.copy(self)
        worker.cv = None
        scores, times = np.full((len(candidates), len(folds)), np.nan), np.zeros((len(candidates), len(folds)))
        unscored = np.zeros((len(candidates), len(folds)), dtype=bool)
        raised = [[] for _ in folds]
        # The cheap candidates on every fold first, then the GAN's: what fails only on a later fold
        # (a scoring that needs every class among its test rows, a category the estimator never saw)
        # fails before any GAN is trained, not after the first folds' GANs.
        for gan_pass in (False, True):
            chosen = [i for i, (method, _) in enumerate(candidates) if (method == "gan") == gan_pass]
            if not chosen:
                continue
            with filters_kept():
                results = Parallel(n_jobs=self.n_jobs)(
                    delayed(recording)(worker._score_fold, X, y, train, test, candidates, chosen, full_plan,
                                       estimator, scorer, gan_seed, k, categorical)
                    for k, (train, test) in enumerate(folds))
            for k, ((fold_scores, fold_times, fold_unscored), fold_raised) in enumerate(results):
                scores[chosen, k], times[chosen, k] = fold_scores[chosen], fold_times[chosen]
                unscored[chosen, k] = fold_unscored[chosen]
                raised[k] += fold_raised
        self._warn_of_unscored(candidates, unscored)
        # Each inner fold's warnings, said once (the same GAN warns in each).
        said = say_once(raised, unit="inner folds")
        return scores, times, said

    def _scorer(self, estimator):
        """scikit-learn's scorer of ``scoring`` for ``estimator``, refused where it cannot score a
        choice among top-ups of classes, before any fold is fitted."""
        from sklearn.metrics import get_scorer_names

        from gan_augment.evaluation._types import OVERALL_METRICS
        from gan_augment.evaluation.plan import scoring_of_metric

        scoring = self.scoring
        if isinstance(scoring, str) and scoring in OVERALL_METRICS and scoring not in get_scorer_names():
            raise ValueError(f"scoring={scoring!r} is a metric name of the evaluator (--metric); AutoAugmenter takes "
                             f"scikit-learn's scoring names: {scoring_of_metric(scoring, '<the class topped up>')}.")
        scorer = check_scoring(estimator, scoring=scoring)
        function = _score_function(scorer)[0]
        if getattr(function, "__module__", "") == "sklearn.metrics._regression":
            raise ValueError(f"scoring={_shown(scoring)} is a regression metric ({function.__name__}); AutoAugmenter "
                             "scores classifiers' predictions of classes. Choose a classification scoring, e.g. "
                             "'f1_macro' or 'balanced_accuracy'.")
        return scorer

    def _warn_of_unscored(self, candidates, unscored) -> None:
        """Warn of candidates made and fitted whose score was not a number (NaN: a precision of a
        class never predicted with zero_division=np.nan): they rank last, unseen, as a GAN its gate
        refused does (which says so itself)."""
        missing = [(candidates[i], np.flatnonzero(row) + 1) for i, row in enumerate(unscored) if row.any()]
        if not missing:
            return
        shown = "; ".join(f"{method} at {amount:.0%} on inner fold{'s' if len(folds) > 1 else ''} "
                          f"{', '.join(map(str, folds))}" for (method, amount), folds in missing)
        warnings.warn(f"scoring={_shown(self.scoring)} gave no score (NaN) for {shown}: such a candidate ranks last "
                      "and is not chosen. Choose a scoring defined for every prediction (e.g. zero_division=0 for "
                      "precision), or 'f1_macro'.", UserWarning, stacklevel=user_stacklevel())

    def _warn_of_another_positive_class(self, scorer, y, full_plan) -> None:
        """Warn where a binary score measures a class that is not topped up (``scoring="f1"`` on 0/1
        labels scores class 1, here the majority): the choice would serve that class, silently."""
        labels = [plain_label(label) for label in np.unique(y)]
        positive = _scored_positive(scorer, labels) if len(labels) == 2 else None
        topped = [plain_label(label) for label, n in full_plan.items() if n > 0]
        if positive is None or positive not in labels or not topped or positive in topped:
            return
        warnings.warn(f"scoring={_shown(self.scoring)} scores class {positive!r} as its positive class, which is not "
                      f"topped up here ({', '.join(map(repr, topped))} is): AutoAugmenter would choose the top-up that "
                      f"serves class {positive!r}. Pass a scorer that names the class topped up, e.g. "
                      f"{_naming_positive_class(scorer, y)}.", UserWarning, stacklevel=user_stacklevel())

    def _categorical(self, X) -> list:
        """The categorical columns of the table ``X``: by their values, and those the GAN is told are
        categories (codes written as numbers), which SMOTE then picks rather than interpolates."""
        frame = smote_frame(X)
        return split_columns(frame, named_categorical(self.augmenter, frame))[1]

    def _score_fold(self, X, y, train, test, candidates, chosen, full_plan, estimator, scorer, gan_seed, k,
                    categorical):
        """``(scores, CPU seconds, unscored)`` of the candidates at indices ``chosen`` on inner fold
        ``k`` (NaN and 0 elsewhere); a GAN candidate's seconds include the fold's GAN fit, which its
        amounts share; ``unscored`` marks those made and fitted whose score was NaN
        (``categorical``: SMOTE's categories, those of the whole table)."""
        scores, times = np.full(len(candidates), np.nan), np.zeros(len(candidates))
        unscored = np.zeros(len(candidates), dtype=bool)
        X_tr, y_tr, X_te, y_te = _take(X, train), y[train], _take(X, test), y[test]
        plan = self._fold_plan(y, y_tr, full_plan)
        gan_rows, gan_seconds = _NOT_FITTED, 0.0
        for i in chosen:
            method, amount = candidates[i]
            if method == "gan" and gan_rows is _NOT_FITTED:
                started = time.process_time()
                gan_rows = self._gan_rows(X_tr, y_tr, plan, candidates, derive_seed(gan_seed, k), categorical)
                gan_seconds = time.process_time() - started
            started = time.process_time()
            strategy = _scaled(plan, amount)
            if method == "gan" and gan_rows is None:
                continue  # its gate refused a class: not a candidate (NaN, as GridSearchCV scores a failed fit)
            if method == "gan":
                X_fit, y_fit = _append(X_tr, y_tr, gan_rows, strategy)
            else:
                X_fit, y_fit = self._resample(X_tr, y_tr, method, strategy, derive_seed(gan_seed, k, i),
                                              categorical=categorical)
            model = clone(estimator)
            model.fit(X_fit, y_fit)  # the estimator, not what its fit returns (None from a hand-written one)
            times[i] = time.process_time() - started + (gan_seconds if method == "gan" else 0.0)
            score = self._score(scorer, model, X_te, y_te, y, k, first=method == "none")
            scores[i] = score
            unscored[i] = not np.isfinite(score)
            if method == "none" and not np.isfinite(score):
                # NaN marks a candidate that could not be made (a GAN its gate refused); a scoring
                # that cannot score a fold at all would make every mean NaN and "none" win by default.
                why = _lacking_classes(y_te, y) or (
                    "the scoring is undefined for what the estimator predicts without a top-up (e.g. a precision "
                    "with zero_division=np.nan where a class is never predicted). Choose a scoring defined for "
                    "every prediction (zero_division=0), or 'f1_macro'")
                raise ValueError(f"scoring={_shown(self.scoring)} gives no score ({score}) on inner fold {k + 1} even "
                                 f"without a top-up: {why}.")
        return scores, times, unscored

    def _score(self, scorer, model, X_te, y_te, y, k, *, first: bool) -> float:
        """``scorer``'s score of the fitted ``model`` on inner fold ``k``'s test rows, as one number;
        where it fails on the first candidate ("none"), the scoring's failure said with what to do."""
        try:
            score = scorer(model, X_te, y_te)
        except AttributeError as exc:  # e.g. a scoring on probabilities of an estimator without them
            if not first:
                raise
            raise ValueError(f"scoring={_shown(self.scoring)} needs what the estimator does not give "
                             f"({str(exc).rstrip('.')}); choose a scoring on its predictions, e.g. 'f1_macro', "
                             "or an estimator with predict_proba.") from exc
        except TypeError as exc:
            if not first or not _called_wrongly(exc):
                raise
            # A metric's (y_true, y_pred) passed where a scorer's (estimator, X, y) is called.
            raise TypeError(f"scoring={_shown(self.scoring)} was called as scoring(estimator, X, y) and failed "
                            f"({exc}). A callable scoring takes (estimator, X, y); wrap a metric of (y_true, y_pred) "
                            "in sklearn.metrics.make_scorer, or name one such as 'f1_macro'.") from exc
        except ValueError as exc:
            if not first or not _predicts(model, X_te):
                raise  # the estimator's own failure (e.g. a category it never saw), not the scoring's
            lacking, n_classes = _lacking_classes(y_te, y), len(np.unique(y))
            if lacking:  # e.g. roc_auc_ovr, log loss: they need every class among the test rows
                raise ValueError(f"scoring={_shown(self.scoring)} cannot score inner fold {k + 1} "
                                 f"({str(exc).rstrip('.')}): {lacking}.") from exc
            if n_classes == 2 and (_scored_positive(scorer, np.unique(y)) is not None or "pos_label" in str(exc)):
                fix = f"pass a scorer that names the positive class, e.g. {_naming_positive_class(scorer, y)}"
            else:
                fix = f"choose one for {'two' if n_classes == 2 else 'several'} classes, e.g. 'f1_macro'" + \
                      ("" if n_classes == 2 else " or 'roc_auc_ovr'")
            raise ValueError(f"scoring={_shown(self.scoring)} cannot score this target ({str(exc).rstrip('.')}); "
                             f"{fix}.") from exc
        if isinstance(score, np.ndarray) and score.size == 1:
            score = score.item()  # a 0-d array is one number, as scikit-learn's cross-validation takes it
        if isinstance(score, (str, bytes)) or not isinstance(score, numbers.Real):
            # A dict of several metrics, an array: AutoAugmenter picks by one number.
            raise ValueError(f"scoring={_shown(self.scoring)} returned {score!r}; it must return one number, the "
                             "score AutoAugmenter chooses by (for several metrics, choose one).")
        return score

    def _fold_plan(self, y, y_train, full_plan) -> dict:
        """The full top-up of an inner training fold: the top-up of all of ``y`` (``full_plan``),
        each class's shrunk with its share of rows in the fold, so that the folds score the classes
        and the balance that will be applied. (Read from the fold's own counts, a share of the
        majority could ask a fold to remove rows, and a tie for the minority could top up another
        class than the one topped up in the end.)"""
        return {label: int(round(n * np.sum(y_train == label) / np.sum(y == label)))
                for label, n in full_plan.items()}

    def _gan_rows(self, X, y, plan, candidates, seed, categorical) -> dict | None:
        """``{class: rows}`` for the largest GAN amount, from one GAN fitted on this fold (taking
        the whole table's ``categorical`` columns as categories); None when its label gate refuses
        a class to top up."""
        largest = max((a for m, a in candidates if m == "gan"), default=0.0)
        if largest == 0.0:
            return {}
        strategy = _scaled(plan, largest)
        if not any(n > 0 for n in strategy.values()):
            return {}
        gan = self._fit_gan(X, y, seed, strategy, categorical)
        if _gate_refuses_warning(gan, strategy, "In an inner fold", "the GAN is left out of the choice"):
            return None
        return {label: gan.sample(n, label) for label, n in strategy.items() if n > 0}

    def _fit_gan(self, X, y, seed, strategy: dict, categorical=None):
        """The GAN fitted on ``X, y`` to add ``strategy``'s rows (``{class: rows}``): its checks and
        warnings (class sizes, coverage) concern the classes AutoAugmenter tops up, whatever the
        given augmenter's own ``classes`` / ``sampling_strategy``; ``categorical``: the whole table's
        categorical columns, when ``X`` is an inner fold of it."""
        from gan_augment.augmenter import GANAugmenter

        gan = clone(self.augmenter) if self.augmenter is not None else GANAugmenter()
        with_table_categories(gan, categorical or [], X)
        gan.set_params(classes=None, sampling_strategy=_target_counts(y, strategy))
        if gan.get_params().get("random_state") is None:
            gan.set_params(random_state=seed)
        return check_memory(self.memory).cache(_fitted)(gan, X, y, _fit_environment(gan))

    def _resample(self, X, y, method, strategy, seed, categorical=None):
        """``(X, y)`` topped up by ``method`` to ``strategy`` (``categorical``: SMOTE's categories,
        read on the whole table when these rows are an inner fold of it)."""
        if method == "none" or not any(n > 0 for n in strategy.values()):
            # As every sampler returns: the output must not depend on which candidate won.
            return unchanged_copies(X, y)
        if method in BASELINE_SAMPLERS:
            return baseline_sampler(method, _target_counts(y, strategy), random_state=seed,
                                    categorical_features=categorical).fit_resample(X, y)
        gan = self._fit_gan(X, y, seed, strategy)
        if _gate_refuses_warning(gan, strategy, "Fitted on all the rows",
                                 "the best of the other candidates is used instead"):
            return None
        self.augmenter_ = gan
        rows = {label: gan.sample(n, label) for label, n in strategy.items() if n > 0}
        return _append(X, y, rows, strategy)


def one_standard_error(cv_results) -> int:
    """The index of the simplest candidate in ``cv_results`` whose mean score is within one standard
    error of the best mean, the standard error of the best candidate's fold scores (the
    one-standard-error rule of Breiman et al.). Simplest: no rows added, then the smaller amount,
    then the method that comes first.

    The paired variant (the standard error of each candidate's fold-by-fold differences from the
    best), read from the same inner scores of the panel's 12 tables (benchmarks/PANEL.md), was at
    least as good as doing nothing in fewer cells (16 of 24 against 21) at about the same mean.
    """
    splits = np.column_stack([cv_results[f"split{k}_test_score"] for k in range(_n_splits(cv_results))])
    means = np.asarray(cv_results["mean_test_score"])
    best = _best(means)
    return _simplest(cv_results, means >= means[best] - splits[best].std(ddof=1) / np.sqrt(splits.shape[1]))


def _simplest(cv_results, eligible) -> int:
    """The index of the simplest candidate where ``eligible`` is true: no rows added, then the
    smaller amount, then the method that comes first."""
    methods = list(dict.fromkeys(cv_results["param_method"]))
    order = sorted(range(len(eligible)), key=lambda i: (cv_results["param_amount"][i],
                                                        methods.index(cv_results["param_method"][i])))
    return next(i for i in order if eligible[i])


def _n_splits(cv_results) -> int:
    return sum(key.startswith("split") and key.endswith("_test_score") for key in cv_results)


def _fitted(estimator, X, y, environment: dict):
    """``estimator`` fitted on ``X, y``: a function of its arguments alone, so that it can be cached;
    ``environment`` (:func:`_fit_environment`) is not used here but is part of the cache's key."""
    return estimator.fit(X, y)


def _fit_environment(gan) -> dict:
    """What a GAN's fit depends on besides its settings and the rows: a cache filled by another
    release, thread count or device gave its fits back as this one's."""
    import torch

    from gan_augment import __version__
    from gan_augment.training.trainer import resolve_device, resolve_threads

    params = gan.get_params()
    return {"gan_augment": __version__, "torch": torch.__version__,
            "threads": resolve_threads(params.get("n_threads", "auto")),
            "device": str(resolve_device(params.get("device", "auto")))}


def n_inner_folds(cv, y) -> int:
    """The inner folds AutoAugmenter makes of ``y``: ``cv`` if an int, at most the smallest class's rows;
    a splitter's own count."""
    if not isinstance(cv, numbers.Integral):
        return int(cv.get_n_splits(np.zeros((len(y), 1)), y))
    return min(int(cv), int(np.unique(np.asarray(y), return_counts=True)[1].min()))


def _classes_named(labels) -> str:
    """``Class 'a' has`` / ``Classes 'a', 'b' have``, for a message."""
    shown = ", ".join(repr(plain_label(label)) for label in labels)
    return f"Class {shown} has" if len(labels) == 1 else f"Classes {shown} have"


def _target_counts(y, strategy: dict) -> dict:
    """``{class: rows after the top-up}`` (imbalanced-learn's dict form) of the classes ``strategy``
    (``{class: rows to add}``) adds to."""
    counts = dict(zip(*np.unique(y, return_counts=True)))
    return {label: int(counts[label]) + n for label, n in strategy.items() if n > 0}


def _score_function(scorer) -> tuple:
    """``(metric function, its settings)`` of a scikit-learn scorer (None where it has none)."""
    score_func, kwargs = getattr(scorer, "_score_func", None), dict(getattr(scorer, "_kwargs", {}))
    if isinstance(score_func, functools.partial):  # make_scorer(partial(fbeta_score, beta=3))
        score_func, kwargs = score_func.func, {**score_func.keywords, **kwargs}
    return score_func, kwargs


def _scored_positive(scorer, labels):
    """The class a binary score of ``scorer`` measures on the two sorted ``labels`` (``scoring="f1"``:
    pos_label 1; the likelihood ratios: their ``labels=[negative, positive]``, else the second label),
    for scikit-learn's metrics of one positive class; None for any other scorer (or an average over
    classes)."""
    from sklearn import metrics

    score_func, kwargs = _score_function(scorer)
    if score_func in (metrics.f1_score, metrics.fbeta_score, metrics.precision_score, metrics.recall_score,
                      metrics.jaccard_score):
        if kwargs.get("average", "binary") != "binary":
            return None
    elif score_func in _LIKELIHOOD_RATIOS:
        given = kwargs.get("labels")
        return plain_label(given[1] if given is not None and len(given) == 2 else labels[1])
    elif score_func is not metrics.average_precision_score:  # which reads pos_label whatever its average
        return None
    return kwargs.get("pos_label", 1)


def _naming_positive_class(scorer, y) -> str:
    """A ``make_scorer`` call that scores what ``scorer`` scores (f1, precision, ...: the metric a
    string names) with the rarer class of the binary target ``y`` as the positive one."""
    labels, counts = np.unique(y, return_counts=True)
    rarer, other = plain_label(labels[np.argmin(counts)]), plain_label(labels[np.argmax(counts)])
    score_func, kwargs = _score_function(scorer)
    try:
        parameters = inspect.signature(score_func).parameters
    except (TypeError, ValueError):  # no callable, or one without a signature to read
        parameters = {}
    takes_pos_label = "pos_label" in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    function = getattr(score_func, "__name__", "<lambda>")
    if score_func in _LIKELIHOOD_RATIOS:
        # Not exported by scikit-learn; class_likelihood_ratios is, and takes labels=[negative, positive].
        which, sign = (0, "") if function == "positive_likelihood_ratio" else (1, ", greater_is_better=False")
        return (f"make_scorer(lambda y_true, y_pred: class_likelihood_ratios(y_true, y_pred, labels="
                f"{[other, rarer]!r})[{which}]{sign})")
    if function == "<lambda>" or not takes_pos_label:
        # A metric of the user's own: a lambda has no name to write, and one without pos_label would fail.
        return f"your metric with pos_label={rarer!r} as its positive class"
    # What else the scorer was made with: a loss's sign (neg_brier_score: the advice without it
    # made AutoAugmenter pick the largest loss), fbeta_score's beta.
    method = getattr(scorer, "_response_method", "predict")
    settings = [f"response_method={method!r}"] if method != "predict" else []
    settings += ["greater_is_better=False"] if getattr(scorer, "_sign", 1) < 0 else []
    settings += [f"{name}={_as_code(value)}" for name, value in kwargs.items()
                 if name != "pos_label" and not (isinstance(value, str) and parameters.get(name) is not None
                                                 and parameters[name].default == value)]
    return f"make_scorer({', '.join([function, *settings])}, pos_label={rarer!r})"


def _as_code(value) -> str:
    """``value`` as Python that builds it again (an array as the list it holds)."""
    return repr(value.tolist() if isinstance(value, np.ndarray) else value)


def _shown(scoring) -> str:
    """``scoring`` as messages show it: its repr, or its type where that fails (scikit-learn's
    scorer of a callable instance has none)."""
    try:
        return repr(scoring)
    except Exception:  # noqa: BLE001 - any failure of a user's object to describe itself
        return f"<{type(scoring).__name__}>"


def _scaled(plan: dict, amount: float) -> dict:
    """``{class: rows}``: ``amount`` of each class's full top-up, rounded."""
    return {label: int(round(amount * n)) for label, n in plan.items()}


def _likelihood_ratios() -> tuple:
    from sklearn.metrics import get_scorer, get_scorer_names

    # Their functions are not exported; their scorers are (scikit-learn 1.7 and later).
    names = ("positive_likelihood_ratio", "neg_negative_likelihood_ratio")
    return tuple(_score_function(get_scorer(name))[0] for name in names if name in get_scorer_names())


#: scikit-learn's likelihood-ratio metrics, whose positive class is the second of their labels.
_LIKELIHOOD_RATIOS = _likelihood_ratios()


def _lacking_classes(y_test, y) -> str:
    """Why a scoring that needs every class among the test rows cannot score an inner fold whose
    ``y_test`` lacks one of ``y``'s, with what to do; "" where none is lacking."""
    held, n_classes = len(np.unique(y_test)), len(np.unique(y))
    if held == n_classes:
        return ""
    return (f"its {len(y_test)} test rows hold {held} of {n_classes} classes. Use fewer inner folds (cv=), or a "
            "scoring that every fold can give (e.g. 'f1_macro')")


def _called_wrongly(exc: TypeError) -> bool:
    """Whether ``exc`` says a function was called with the wrong number of arguments."""
    return re.search(r"positional arguments? but \d+ (were|was) given|missing \d+ required positional", str(exc)) \
        is not None


def _predicts(model, X) -> bool:
    """Whether the fitted ``model`` predicts ``X`` without raising a ValueError."""
    try:
        model.predict(X)
    except ValueError:
        return False
    return True


def _take(X, index):
    if isinstance(X, pd.DataFrame):
        return X.iloc[index].reset_index(drop=True)
    return np.asarray(X)[index]


def _append(X, y, rows: dict, strategy: dict):
    """``X, y`` followed by the first ``strategy[c]`` of ``rows[c]`` for each class."""
    parts, labels = [X], [y]
    for label, n in strategy.items():
        if n > 0:
            new = rows[label]
            parts.append(new.iloc[:n] if isinstance(new, pd.DataFrame) else new[:n])
            labels.append(np.full(n, label, dtype=y.dtype))
    if isinstance(X, pd.DataFrame):
        return concat_rows(parts), np.concatenate(labels)
    return np.concatenate(parts, axis=0), np.concatenate(labels)


_NOT_FITTED = object()  # an inner fold's GAN rows before its GAN is fitted (None: its gate refused)


def _refused_by_gate(gan, strategy: dict) -> list:
    """The classes of ``strategy`` that ``gan``'s label gate refuses to sample (the gate that
    ``sample`` goes through, and that would raise: under "auto" such a class goes without it)."""
    classes = list(gan.classes_)
    return [label for label, n in strategy.items() if n > 0 and gan._gate_refuses(classes.index(label))]


def _gate_refuses_warning(gan, strategy: dict, where: str, so: str) -> bool:
    """Whether a gate asked for by label_gate=True refuses to sample a class of ``strategy`` (the
    GAN cannot make this top-up; other candidates can), warning so, with its reasons."""
    refused = _refused_by_gate(gan, strategy)
    if refused:
        reasons, _ = gan._ungated_reasons(gan.label_gate_, with_figures=False)
        instead = ("label_gate='auto' tops such a class up without the gate" if gan._takes_auto_gate() else
                   "label_gate=False samples without the gate")
        warnings.warn(f"{where} the GAN's label gate (label_gate=True) does not serve "
                      f"{first_few((repr(plain_label(c)) for c in refused), CLASSES_NAMED)}: {' '.join(reasons)} So "
                      f"{so}; {instead}.",
                      LabelGateWarning, stacklevel=user_stacklevel())
    return bool(refused)


def _unscored_last(means) -> np.ndarray:
    """``means`` with a candidate not scored (NaN) below every scored one."""
    return np.where(np.isnan(means), -np.inf, means)


def _best(means) -> int:
    """The index of the best mean score, never a candidate not scored."""
    return int(np.argmax(_unscored_last(means)))  # first of the ties: none, small amounts


def _cv_results(candidates, scores, times) -> dict:
    means = scores.mean(axis=1)
    # Tied candidates share a rank, as in GridSearchCV; one not scored ranks last.
    ranks = rankdata(-_unscored_last(means), method="min").astype(np.int32)
    results = {
        "params": [{"method": m, "amount": a} for m, a in candidates],
        "param_method": np.array([m for m, _ in candidates], dtype=object),
        "param_amount": np.array([a for _, a in candidates]),
        "mean_test_score": means,
        "std_test_score": scores.std(axis=1),
        "rank_test_score": ranks,
        "mean_fit_time": times.mean(axis=1),
    }
    for k in range(scores.shape[1]):
        results[f"split{k}_test_score"] = scores[:, k]
    return results
