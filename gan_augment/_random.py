"""The one seed helper: every ``random_state`` a user gives becomes integer seeds here.

scikit-learn's rule is followed: ``None`` (numpy's global random state, drawn from as
scikit-learn's estimators and imbalanced-learn's samplers draw from it: ``np.random.seed`` makes a
run repeatable), an int, or a ``RandomState`` (drawn from, so it advances as scikit-learn's
estimators advance it); numpy ``Generator`` objects are accepted as well. Seeds are plain
non-negative ints below 2**32, valid for ``torch.manual_seed``, ``RandomState``, ``SeedSequence``
and albumentations alike.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from gan_augment._warnings import user_stacklevel

__all__ = ["SEED_MAX", "check_seed", "derive_seed", "seeded_clone", "spawn_seeds"]

SEED_MAX = np.iinfo(np.int32).max


def _check_type(random_state, name: str):
    if random_state is None or isinstance(random_state, (np.random.RandomState, np.random.Generator)):
        return
    if isinstance(random_state, (bool, np.bool_)):
        # Not a seed of 1 or 0 (a flag given where a seed goes); and not "a numpy Generator" in the
        # advice either, which the estimators' own parameter does not take.
        raise TypeError(f"{name}={random_state!r} is a bool; give a whole-number seed (e.g. {name}=0), or None.")
    if isinstance(random_state, numbers.Integral):
        if not 0 <= int(random_state) < 2**32:
            raise ValueError(f"{name} must be an int in [0, 2**32), got {random_state}.")
        return
    raise TypeError(
        f"{name} must be None, an int, a numpy RandomState or a numpy Generator; got {random_state!r}."
    )


def check_seed(random_state, *, name: str = "random_state") -> int:
    """One int seed from ``random_state``: an int is kept as it is; a RandomState or Generator is
    drawn from once; ``None`` draws from numpy's global random state, as :func:`spawn_seeds` does
    (fresh entropy here made AugmentedDataset and the evaluator ignore ``np.random.seed`` where
    GANAugmenter followed it)."""
    _check_type(random_state, name)
    if isinstance(random_state, numbers.Integral):
        return int(random_state)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(SEED_MAX))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(SEED_MAX))
    return spawn_seeds(None, 1)[0]


def spawn_seeds(random_state, n: int, *, name: str = "random_state") -> list[int]:
    """``n`` independent seeds drawn from ``check_random_state(random_state)`` (an int seeds a new
    RandomState, as in scikit-learn: the same int always gives the same seeds)."""
    _check_type(random_state, name)
    if isinstance(random_state, np.random.Generator):
        return [int(s) for s in random_state.integers(SEED_MAX, size=n)]
    from sklearn.utils import check_random_state

    return [int(s) for s in check_random_state(random_state).randint(SEED_MAX, size=n)]


def derive_seed(*keys: int) -> int:
    """A seed determined by ``keys`` (e.g. a base seed, an epoch and a class index) through numpy's
    ``SeedSequence``: different keys give statistically independent streams."""
    return int(np.random.SeedSequence([int(k) for k in keys]).generate_state(1)[0])


def seeded_clone(estimator, seed: int):
    """An unfitted clone of a scikit-learn ``estimator`` whose unseeded ``random_state`` parameters
    (its own and its steps', as ``get_params(deep=True)`` names them) are ``seed``, as the built-in
    estimators are seeded: the same ``random_state`` of ours then gives the same result. A seed
    the caller set is kept."""
    from sklearn.base import clone

    model = clone(estimator)
    unseeded = {key: seed for key, value in model.get_params(deep=True).items()
                if (key == "random_state" or key.endswith("__random_state")) and value is None}
    if unseeded:
        model.set_params(**unseeded)  # not its return: None from some (a hand-written set_params)
    return model


def seeded_splitter(cv, seed: int):
    """``cv``, or a seeded copy of it where it shuffles without a seed of its own
    (``StratifiedKFold(shuffle=True)``, ``RepeatedStratifiedKFold()``, ``ShuffleSplit()``): such a
    splitter draws from numpy's global state, so the same ``random_state`` of ours would give other
    folds, and another result, each time. The caller's splitter is not changed."""
    import copy

    if getattr(cv, "random_state", 0) is not None or getattr(cv, "shuffle", True) is False:
        return cv
    try:
        seeded = copy.deepcopy(cv)
        seeded.random_state = seed
    except (TypeError, AttributeError, copy.Error):  # a splitter that cannot be copied or seeded so
        warnings.warn(f"cv={type(cv).__name__}(...) shuffles without a seed and could not be given one, so its folds "
                      "(and the result) differ from call to call; give it a random_state.", UserWarning,
                      stacklevel=user_stacklevel())
        return cv
    return seeded
