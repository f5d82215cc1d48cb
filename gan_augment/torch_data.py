"""The torch door: :class:`AugmentedDataset` and :func:`augment_loader`.

For people with a PyTorch training script: wrap the training Dataset (or DataLoader) and the rare
classes come topped up with GAN samples, without rewriting the script::

    train_loader = augment_loader(train_loader, GANAugmenter(random_state=0), classes=["rare"], random_state=0)
    for epoch in range(n_epochs):
        train_loader.dataset.set_epoch(epoch)  # only matters with refresh="epoch"
        for x, y in train_loader:
            ...

The door is thin: it reads the base dataset once, hands the images (or rows) to
:class:`~gan_augment.GANAugmenter`, and serves real items (read from the base dataset, untouched)
followed by synthetic ones made in batches, one ``augmenter.sample`` call per class per draw.
What it does not decide itself, it asks: how many items per class (:mod:`gan_augment.planner`,
as every door does), seeds (:mod:`gan_augment._random`), what a base item is and how to rebuild
one (:mod:`gan_augment.data.torch_items`, with the layout rules of :mod:`gan_augment.data.layout`),
and what the augmenter's values mean (its codec: ``sample_shape``, ``to_nchw``, ``to_pixels``,
``from_pixels``).
"""

from __future__ import annotations

import contextlib
import copy
import numbers
import operator
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from torch.utils.data import (ConcatDataset, DataLoader, Dataset, IterableDataset, RandomSampler, SequentialSampler,
                              Subset)
from torch.utils.data.distributed import DistributedSampler

from gan_augment._classes import plain_label, resolve_class, same_label, time_text
from gan_augment._listing import first_few
from gan_augment._random import check_seed, derive_seed
from gan_augment._sampler import keeping_fitted_state
from gan_augment._warnings import catching_warnings, user_stacklevel
from gan_augment.augmenter import GANAugmenter
from gan_augment.data.layout import items_from_nchw
from gan_augment.data.torch_items import ItemSpec, as_item, cast_values, copy_label, read_base, sort_key, split_item
from gan_augment.exceptions import NothingToAddWarning
from gan_augment.planner import class_counts as count_labels
from gan_augment.planner import check_strategy_counts, is_auto, plan_top_up

__all__ = ["AugmentedDataset", "augment_loader"]

# Most synthetic items made by one ``sample`` call: bounds the float32 scratch memory of a large
# top-up (a 64x64 RGB chunk is 200 MB as float32) while keeping the generator batched.
_CHUNK = 4096
REFRESH = (None, "epoch")
SYNTHETIC_DTYPES = ("auto", "uint8", "float16", "float32")


class AugmentedDataset(Dataset):
    """A map-style Dataset: the items of ``base`` followed by synthetic items of the rare classes.

    ``base`` is any map-style Dataset of ``(x, label)`` pairs, where ``x`` is an image tensor
    ``(C, H, W)`` or ``(H, W)``, a numpy image ``(H, W)`` / ``(H, W, C)`` / ``(C, H, W)``, a PIL
    image (mode "L" or "RGB"), or a table row (a 1-D tensor or array); C is 1 or 3 and all items
    share one shape. Indices ``0 .. len(base) - 1`` are the real items, read from ``base`` on each
    access (so they are exactly what ``base`` returns); the synthetic items follow, grouped by
    class. ``len()`` and :attr:`class_counts` are exact.

    Synthetic items come back in the base's item type (tensor of the base's dtype, numpy array,
    or PIL image of the same mode and size), in its items' container (a tuple, a list, or the same
    namedtuple) and with the base's label objects (the same int, str, numpy scalar, or a copy of
    the same 0-d tensor), so the training script's collate function and loss see nothing new.

    Parameters
    ----------
    base : torch.utils.data.Dataset
        Map-style dataset of ``(x, label)``; it is read once, here, to count the labels and (when
        the augmenter is not fitted yet) to fit the GAN. Give it without random augmentation and
        pass that as ``transform`` instead, so that the GAN learns from the images themselves.
    augmenter : GANAugmenter, str, path or None, default=None
        ``None``: a ``GANAugmenter(sampling_strategy=..., classes=..., random_state=...)`` with
        default settings, fitted here. An unfitted GANAugmenter: fitted here, in place (a non-default
        ``sampling_strategy`` / ``classes`` given here is set on it, and ``random_state`` too when it
        has none). A fitted one is used as is. A str or path: a model directory saved by
        :meth:`GANAugmenter.save`, loaded (never unpickled).
    sampling_strategy : float, str, dict or callable, default="auto"
        How many items to add per class, in imbalanced-learn's grammar, computed on the base
        dataset's labels (see :class:`~gan_augment.GANAugmenter`). Left at "auto" with a given
        augmenter, the augmenter's own ``sampling_strategy`` / ``classes`` apply. A dict is keyed
        by the labels themselves (``{1: 40}``, not ``{"1": 40}``), exactly as for GANAugmenter.
    classes : label or list of labels, default=None
        Shorthand for "top these classes up to the majority count" (a label or its text: ``"1"``
        names the label ``1``). Kept as ``top_up_classes``: ``classes`` is torchvision's attribute
        for the base dataset's class names.
    refresh : {None, "epoch"}, default=None
        ``None``: one synthetic set, made here and kept. ``"epoch"``: a fresh set for every epoch;
        call :meth:`set_epoch` at the start of each epoch, as with ``DistributedSampler``. The new
        set is made eagerly in the calling (main) process, so DataLoader workers started afterwards
        see it; with ``persistent_workers=True`` the workers keep the copy they started with.
    return_synthetic_flag : bool, default=False
        Items are ``(x, label, is_synthetic)`` instead of ``(x, label)``.
    transform : callable or albumentations transform, default=None
        Applied to ``x`` of every item, real and synthetic alike (a classic augmentation
        pipeline: torchvision-style callables, or an albumentations ``Compose``, wrapped in
        :class:`~gan_augment.data.albumentations_adapter.AlbumentationsTransform`; wrap it
        yourself to give it a seed). Must be picklable to run in DataLoader workers.
    random_state : int, RandomState or Generator instance, or None, default=None
        Seeds the synthetic draws: draw ``epoch`` of class ``c`` uses the seed
        ``SeedSequence([random_state, epoch, index of c])``, so the same seed gives the same items
        (bit-identical on CPU), whatever the DataLoader does. It also seeds a GAN fitted here.
        Every rank of a distributed job must use the same value.
    synthetic_dtype : {"auto", "uint8", "float16", "float32"}, default="auto"
        How synthetic items are stored in RAM until they are served. "auto": images as uint8 (one
        byte per pixel value: lossless for uint8 and PIL bases; float images are quantised to 256
        levels over the value range the GAN was fitted on, an 8-bit image's precision), table rows
        in the base's dtype. "float32" keeps the generator's output as it is, at 4 bytes per value.

    Notes
    -----
    What is kept in RAM: not the real items: they are read from ``base`` on each access (the stacked copy used to fit
    the GAN is freed). The synthetic items of the current draw: one array of
    ``n_synthetic x C x H x W`` values of ``synthetic_dtype`` (10,000 RGB 64x64 images: 123 MB as
    uint8, 492 MB as float32), made in chunks of at most 4,096 items, plus one small int per item
    for its class; each item is converted to the base's type (e.g. a float32 tensor) only when it is
    served. The base labels are kept as one array.

    Attributes
    ----------
    augmenter_ : GANAugmenter
        The fitted augmenter the items come from.
    sampling_strategy_ : dict
        ``{class: items added}`` (classes as plain Python values).
    classes_ : list
        The base dataset's classes, sorted, as plain values (ints, strs).
    classes, class_to_idx
        The base dataset's (torchvision's class names and their indices), where it has them;
        ``classes`` is ``classes_`` otherwise. The ``classes`` argument is ``top_up_classes``.
    class_counts : dict
        ``{class: items}`` after the top-up, real plus synthetic.
    n_real, n_synthetic : int
    real_indices, synthetic_indices : range
        ``Subset(dataset, dataset.real_indices)`` is a validation split with no synthetic item.
    targets : ndarray
        The plain label of every item, real then synthetic (e.g. for a WeightedRandomSampler).
    epoch : int
        The epoch the current synthetic set was drawn for (with ``refresh="epoch"``).

    Examples
    --------
    >>> data = AugmentedDataset(train_set, GANAugmenter(random_state=0), classes=[3], random_state=0)  # doctest: +SKIP
    >>> loader = DataLoader(data, batch_size=64, shuffle=True, num_workers=2)  # doctest: +SKIP
    >>> val = Subset(data, data.real_indices)  # doctest: +SKIP
    """

    def __init__(self, base, augmenter=None, *, sampling_strategy="auto", classes=None, refresh=None,
                 return_synthetic_flag=False, transform=None, random_state=None, synthetic_dtype="auto"):
        self.base = base
        self.augmenter = augmenter
        self.sampling_strategy = sampling_strategy
        self.top_up_classes = classes  # not `classes`: torchvision's name for the class names (below)
        self.refresh = refresh
        self.return_synthetic_flag = return_synthetic_flag
        self.transform = transform
        self.random_state = random_state
        self.synthetic_dtype = synthetic_dtype
        self._check_params()
        self._seed = check_seed(random_state)
        augmenter = self._resolve_augmenter()
        fitted = _is_fitted(augmenter)

        # Images (or rows holding flattened ones) are compared with the range a fitted augmenter makes.
        codec = getattr(augmenter, "encoder_", None)
        spec, y, label_objects, X, values = read_base(
            base, stack=not fitted,
            fitted_range=getattr(codec, "value_range_", None) if fitted and _makes_images(codec) else None)
        self._spec = spec
        self._y_real = y
        # Class names for the base's labels where these index its classes (torchvision's ImageFolder),
        # read first where the augmenter was fitted on those names (by the command line, on the folder).
        try:
            self._label_of_name, self._unclear_names = _labels_of_names(base, label_objects), None
        except _UnclearNames as exc:
            # A class name (the model's, or one given here) would be matched to the text of a label,
            # another folder's: refused where one is used.
            self._label_of_name, self._unclear_names = {}, (str(exc), exc.names)
            if fitted and all(isinstance(own, str) for own in augmenter.classes_):
                named = first_few((repr(str(own)) for own in augmenter.classes_), 5)
                raise ValueError(f"The augmenter was fitted on classes named {named}, but {exc}: which of the "
                                 "base's labels each names is unclear. Join datasets with the same class_to_idx, or "
                                 "fit the augmenter on the base's labels.") from None
        self._by_name = fitted and _reads_as_names(augmenter.classes_, {  # by the classes the base holds
            name: label for name, label in self._label_of_name.items()
            if any(same_label(label, present) for present in label_objects)})
        self._pair = _ItemMaker(base[0])
        self.classes_ = sorted(label_objects, key=sort_key)
        self._label_objects = [label_objects[label] for label in self.classes_]
        if len(self.classes_) < 2:
            raise ValueError(f"The base dataset holds a single class ({self.classes_[0]!r}); a top-up needs at least "
                             "two: the classes to top up and the ones they are counted against.")
        if fitted:  # a model of other data is named as such before its classes are compared
            _check_makes_items_like(augmenter, spec)
        with catching_warnings(record=True) as said:  # held back: see below
            warnings.simplefilter("always")
            self.sampling_strategy_ = self._plan(y, augmenter)
        adds = any(n > 0 for n in self.sampling_strategy_.values())
        for warning in said:
            # "Nothing to add" is said here for a fitted augmenter; else by the fit below when there
            # is one, or, when nothing is added at all, by the one warning further down.
            if not issubclass(warning.category, NothingToAddWarning) or fitted:
                warnings.warn(warning.message, stacklevel=user_stacklevel())
        fitting = not fitted and adds
        if fitting:  # the user's augmenter is changed only once the input is known to be good ...
            self._check_store_holds(_largest_value(values, X), "the base's values")
        with _left_as_given(augmenter) if fitting else contextlib.nullcontext():  # ... and all went well
            if fitting:
                self._prepare_for_fit(augmenter)._fit_to_top_up(X, y)  # serves its top-up: refused before training
            del X  # the stacked copy is needed for fitting only; real items are read from base
            self.augmenter_ = augmenter
            if fitted or adds:
                self._targets = self._check_augmenter()
                _check_value_scale(values, augmenter.encoder_)
                self._store_dtype = self._resolve_store_dtype(spec)
                _check_items_hold_missing(augmenter.encoder_, spec)
            else:
                # Every class to top up is at its target already: a GAN would add nothing, so none is
                # fitted (minutes saved); the dataset serves the base's items.
                warnings.warn("Nothing to add: every class to top up is at its target count already, so no GAN is "
                              "fitted; the dataset serves the base's items only.", NothingToAddWarning,
                              stacklevel=user_stacklevel())
                self._targets, self._store_dtype = {}, spec.numpy_dtype
            self.epoch = 0
            self._draw(0)

    def __copy__(self):  # as any object's: the pickled state below is for other processes
        copied = object.__new__(type(self))
        vars(copied).update(vars(self))
        return copied

    def __deepcopy__(self, memo):
        copied = object.__new__(type(self))
        memo[id(self)] = copied
        callbacks = getattr(getattr(self, "augmenter_", None), "callbacks", None)
        if callbacks is not None:  # shared, not copied: a callback may hold a lock or an open writer
            memo[id(callbacks)] = callbacks
        vars(copied).update(copy.deepcopy(vars(self), memo))
        return copied

    def __getstate__(self):
        """What a pickle holds (DataLoader workers started by spawn or forkserver pickle the
        dataset): the augmenter without its callbacks, which only training calls and which may hold
        what cannot be pickled (a lock, a TensorBoard writer)."""
        state = vars(self).copy()
        augmenter = state.get("augmenter_")
        if getattr(augmenter, "callbacks", None):
            trimmed = copy.copy(augmenter)
            trimmed.callbacks = None
            state.update({name: trimmed for name in ("augmenter", "augmenter_") if state.get(name) is augmenter})
        return state

    def __setstate__(self, state):
        """A pickle of a version before ``transform`` and ``classes`` were properties held them as
        plain attributes, which the properties now hide: moved to where they read them."""
        state = dict(state)
        if "_transform_given" not in state:
            state["_transform_given"] = state.pop("transform", None)
        if "top_up_classes" not in state:
            state["top_up_classes"] = state.pop("classes", None)
        vars(self).update(state)

    # ------------------------------------------------------------------ the Dataset protocol
    def __len__(self) -> int:
        return self.n_real + self.n_synthetic

    def __getitem__(self, index):
        return self.__getitems__([index])[0]

    def __getitems__(self, indices) -> list:
        """The items at ``indices``, as a list (how DataLoader fetches a batch): the synthetic ones
        are converted together, one codec call per batch rather than one per item."""
        indices = [self._check_index(index) for index in indices]
        synthetic = iter(self._synthetic_xs([index - self.n_real for index in indices if index >= self.n_real]))
        items = []
        for index in indices:
            if index < self.n_real:
                item = self.base[index]
                if self._transform is None and not self.return_synthetic_flag:
                    items.append(item)  # as base returns it
                    continue
                x, label = split_item(item, index)
            else:
                x = next(synthetic)
                label = copy_label(self._label_objects[int(self._synthetic_class[index - self.n_real])])
            if self._transform is not None:
                x = self._transform(x)
            items.append(self._pair(x, label, index >= self.n_real) if self.return_synthetic_flag
                         else self._pair(x, label))
        return items

    # ------------------------------------------------------------------ public helpers
    def set_epoch(self, epoch: int) -> None:
        """Start epoch ``epoch``: with ``refresh="epoch"``, draw its synthetic set (deterministic:
        going back to an epoch gives its items again). Without refresh, only records the epoch."""
        if isinstance(epoch, bool) or not isinstance(epoch, numbers.Integral) or epoch < 0:
            raise ValueError(f"epoch must be a non-negative int, got {epoch!r}.")
        epoch = int(epoch)
        if self.refresh == "epoch" and epoch != self._drawn_for:
            self._draw(epoch)
        self.epoch = epoch

    def is_synthetic(self, index) -> bool:
        """Whether item ``index`` is synthetic (without reading it)."""
        return self._check_index(index) >= self.n_real

    @property
    def n_real(self) -> int:
        return len(self._y_real)

    @property
    def n_synthetic(self) -> int:
        return len(self._synthetic_class)

    @property
    def real_indices(self) -> range:
        return range(self.n_real)

    @property
    def synthetic_indices(self) -> range:
        return range(self.n_real, len(self))

    @property
    def targets(self) -> np.ndarray:
        synthetic = np.asarray(self.classes_, dtype=self._y_real.dtype)[self._synthetic_class]
        return np.concatenate([self._y_real, synthetic])

    @property
    def transform(self):
        """The transform of every item, as given; assigning another takes effect at once, as on a
        torchvision dataset (it was wrapped once, and a new one was ignored)."""
        return self._transform_given

    @transform.setter
    def transform(self, transform):
        self._transform = _wrap_transform(transform)
        self._transform_given = transform

    @property
    def classes(self) -> list:
        """The base dataset's ``classes`` where it has them (torchvision's class names: what a
        script sizing its model reads), else :attr:`classes_`. The classes to top up, as given:
        ``top_up_classes``."""
        return getattr(self.base, "classes", self.classes_)

    @property
    def class_to_idx(self) -> dict:
        """The base dataset's ``class_to_idx`` (torchvision's), where it has one."""
        try:
            return self.base.class_to_idx
        except AttributeError:
            raise AttributeError(f"{type(self).__name__} has no class_to_idx: its base dataset "
                                 f"({type(self.base).__name__}) has none.") from None

    @property
    def class_counts(self) -> dict:
        real = count_labels(self._y_real)
        return {label: real[label] + int(self.sampling_strategy_.get(label, 0)) for label in self.classes_}

    def __repr__(self) -> str:
        added = {label: n for label, n in self.sampling_strategy_.items() if n}
        return (f"{type(self).__name__}(n_real={self.n_real}, n_synthetic={self.n_synthetic}, "
                f"added={added}, refresh={self.refresh!r}, epoch={self.epoch})")

    def _check_params(self):
        if self.refresh not in REFRESH:
            raise ValueError(f"refresh must be None or 'epoch', got {self.refresh!r}.")
        if self.synthetic_dtype not in SYNTHETIC_DTYPES:
            raise ValueError(f"synthetic_dtype must be one of {list(SYNTHETIC_DTYPES)}, got {self.synthetic_dtype!r}.")
        if not isinstance(self.return_synthetic_flag, (bool, np.bool_)):
            raise ValueError(f"return_synthetic_flag must be a bool, got {self.return_synthetic_flag!r}.")
        map_style = hasattr(self.base, "__getitem__") and hasattr(self.base, "__len__")
        if isinstance(self.base, IterableDataset) or not map_style:
            raise TypeError(
                f"base must be a map-style Dataset (with __len__ and __getitem__), got {type(self.base).__name__}; "
                "iterable datasets cannot be topped up by index."
            )

    def _resolve_augmenter(self):
        augmenter = self.augmenter
        if augmenter is None:
            # Seeded as a given augmenter is (a Generator is no random_state of a GANAugmenter's).
            return GANAugmenter(sampling_strategy=self.sampling_strategy, classes=self.top_up_classes,
                                random_state=None if self.random_state is None else self._seed)
        if isinstance(augmenter, (str, Path)):
            return GANAugmenter.load(augmenter)
        if not isinstance(augmenter, GANAugmenter):
            raise TypeError(
                f"augmenter must be a GANAugmenter, a saved model directory or None, got {type(augmenter).__name__}."
            )
        return augmenter

    def _base_labels(self, strategy, classes) -> tuple:
        """``(sampling_strategy, classes)`` with class names given for a base whose labels index its
        ``classes`` (torchvision's ImageFolder: 'rare' for its label 2) as those labels."""
        if not self._label_of_name and getattr(self, "_unclear_names", None) is None:
            return strategy, classes
        if isinstance(strategy, dict):
            mapped, keys, held = {}, {}, {}
            counts = count_labels(self._y_real)
            for key, n in strategy.items():
                label = self._label_named(key)
                if label in mapped:  # {"rare": 30, 2: 40}: one count would be dropped by the key order
                    raise ValueError(f"sampling_strategy names one class twice ({keys[label]!r} and {key!r}, one of "
                                     "them its name in the base's class_to_idx); give it once.")
                mapped[label], keys[label] = n, key
                held[key] = next((count for have, count in counts.items() if same_label(have, label)), None)
            # Checked as the keys were written: the planner would name the label a name stands for (1 for '2').
            check_strategy_counts(strategy, {key: count for key, count in held.items() if count is not None})
            strategy = mapped
        return strategy, self._labels_named(classes)

    def _labels_named(self, classes):
        """A class or list of classes with each name of the base's ``class_to_idx`` as its label;
        other forms (a tensor, a dict of counts) as given: the planner reads or refuses them."""
        if isinstance(classes, str):
            return self._label_named(classes)
        if isinstance(classes, (list, tuple, set, frozenset, pd.Index, pd.Series)) or (
                isinstance(classes, np.ndarray) and classes.ndim == 1):
            return [self._label_named(value) for value in classes]
        return classes

    def _label_named(self, value):
        """The base label ``value`` names: a class name of the base's ``class_to_idx`` stands for
        its label (read first where the augmenter was fitted on the names); refused where it is
        also the text of another label ("1" of folders "1", "10", "2": folder "1" or label 1?)."""
        unclear = getattr(self, "_unclear_names", None)
        if unclear is not None and isinstance(value, str) and value in unclear[1]:
            raise ValueError(f"{value!r} is a class name of the base, but {unclear[0]}: which label it names is "
                             "unclear. Name the class by its label, or join datasets with the same class_to_idx.")
        if not isinstance(value, str) or value not in self._label_of_name:
            return value
        label = self._label_of_name[value]
        if not self._by_name:
            try:
                as_text = resolve_class(value, self.classes_)
            except ValueError:
                as_text = label
            if not same_label(as_text, label):
                raise ValueError(f"{value!r} names two classes: the base's class {value!r} (label {label!r} in its "
                                 f"class_to_idx) and the label {as_text!r}; name the class by its label, {label!r} "
                                 f"or {as_text!r}.")
        if not any(same_label(label, present) for present in self.classes_):
            # (Passed on as the text, the planner would read it as another label's: "1" as 1.)
            raise ValueError(f"Unknown class {value!r}: the base's class_to_idx names it (label {label!r}), but this "
                             f"dataset holds none of it; its classes are {self.classes_}.")
        return label

    def _prepare_for_fit(self, augmenter):
        """The arguments given here, set on an augmenter about to be fitted here; without them, the
        augmenter's own classes, in the base's labels."""
        strategy, classes = self._base_labels(self.sampling_strategy, self.top_up_classes)
        if classes is None and is_auto(strategy):
            strategy, classes = self._base_labels(augmenter.sampling_strategy, augmenter.classes)
        if classes is not None:
            augmenter.set_params(classes=classes, sampling_strategy="auto")
        elif not is_auto(strategy):
            augmenter.set_params(sampling_strategy=strategy, classes=None)
        source = augmenter.get_params(deep=False).get("source")
        if source is not None and not isinstance(source, str) and self._label_of_name:
            # A translator's source classes, named as the classes to top up are (a lone text is
            # refused by the translator in the user's words).
            try:
                augmenter.set_params(source=self._labels_named(source))
            except ValueError as exc:
                raise ValueError(f"source= names a class this dataset does not hold. {exc}") from None
        if augmenter.random_state is None and self.random_state is not None:
            augmenter.set_params(random_state=self._seed)
        return augmenter

    def _plan(self, y, augmenter) -> dict:
        """``{class: items to add}`` on the base labels, by the planner every door uses; the
        arguments given here win, then the augmenter's own."""
        strategy, classes = self.sampling_strategy, self.top_up_classes
        if is_auto(strategy) and classes is None and self.augmenter is not None:
            strategy, classes = augmenter.sampling_strategy, augmenter.classes
            try:
                return plan_top_up(y, *self._base_labels(strategy, classes))
            except ValueError as exc:  # the classes came from the augmenter, not from this call: say so
                reason = str(exc) if str(exc).endswith(".") else f"{exc}."
                raise ValueError(f"The augmenter's own top-up ({_setting(strategy, classes)}) does not fit this "
                                 f"dataset: {reason} Pass classes= or sampling_strategy= here to choose the classes to "
                                 "top up.") from None
        return plan_top_up(y, *self._base_labels(strategy, classes))

    def _check_augmenter(self) -> dict:
        """A fitted augmenter must know every class to top up.

        Returns ``{class: (the augmenter's label, its class index)}`` for the classes to top up
        (a base label may name the augmenter's by its text: ``"3"`` for ``3``)."""
        augmenter = self.augmenter_
        known = list(augmenter.classes_)
        targets = {}
        for label, n_add in self.sampling_strategy_.items():
            if n_add <= 0:
                continue
            name = next((name for name, own in self._label_of_name.items() if same_label(own, label)), None)
            try:
                target = resolve_class(name if self._by_name else label, known)
            except ValueError:
                named = f" ({name!r} in the base's class_to_idx)" if self._by_name else ""
                raise ValueError(
                    f"Class {label!r}{named} is to be topped up, but the augmenter does not know it; it was fitted "
                    f"on the classes {[time_text(plain_label(c)) for c in known]}."
                ) from None
            targets[label] = (target, known.index(target))
        return targets

    def _resolve_store_dtype(self, spec: ItemSpec) -> np.dtype:
        makes_images = _makes_images(self.augmenter_.encoder_)
        if self.synthetic_dtype == "auto":
            return np.dtype(np.uint8) if makes_images else spec.numpy_dtype
        if self.synthetic_dtype == "uint8" and not makes_images:
            raise ValueError("synthetic_dtype='uint8' quantises images; these are table rows (use 'auto' or a float).")
        return np.dtype(self.synthetic_dtype)

    def _draw(self, epoch: int):
        """Make the synthetic set of ``epoch``: one ``sample`` call per class (per 4,096 items)."""
        total = sum(n for n in self.sampling_strategy_.values() if n > 0)
        store, owners, position = None, np.empty(total, dtype=np.int32), 0
        for label, (target, class_index) in self._targets.items():
            n_add = self.sampling_strategy_[label]
            owners[position:position + n_add] = self.classes_.index(label)
            for chunk, start in enumerate(range(0, n_add, _CHUNK)):
                size = min(_CHUNK, n_add - start)
                # The first chunk's seed has no chunk key: the seed documented for a draw.
                keys = (self._seed, epoch, class_index) + ((chunk,) if chunk else ())
                values = self._to_store(self.augmenter_.sample(size, target, random_state=derive_seed(*keys)))
                if store is None:
                    store = np.empty((total, *values.shape[1:]), dtype=values.dtype)
                store[position + start:position + start + size] = values
            position += n_add
        self._store = np.empty(0, dtype=self._store_dtype) if store is None else store  # None: nothing to add
        self._synthetic_class = owners
        self._drawn_for = epoch

    def _to_store(self, out) -> np.ndarray:
        """The augmenter's output (laid out as it was fitted) -> entries of the synthetic store:
        8-bit pixels ``(N, H, W, C)`` for a uint8 store, else base items, stacked."""
        codec = self.augmenter_.encoder_
        if self._stores_pixels:
            return codec.to_pixels(out)
        if _makes_images(codec):
            out = items_from_nchw(codec.to_nchw(out).numpy(), self._spec.layout)
        else:
            # Numbers only (text columns were refused): a nullable column's pd.NA as NaN.
            out = out.to_numpy(dtype=np.float64, na_value=np.nan) if hasattr(out, "to_numpy") else np.asarray(out)
        with np.errstate(over="ignore"):  # an overflow is refused below, naming synthetic_dtype
            stored = cast_values(out, self._store_dtype)  # integer rows rounded, not cut (2.9 is 3)
        overflowed = np.isinf(stored) & np.isfinite(out)  # value by value: a missing one beside is no excuse
        if stored.dtype.kind == "f" and overflowed.any():
            self._check_store_holds(float(np.abs(out[overflowed]).max()), "the synthetic values")
        return stored

    def _check_store_holds(self, largest: float, what: str) -> None:
        """Refuse a float ``synthetic_dtype`` that would turn values of ``largest`` size to infinity."""
        if self.synthetic_dtype in ("float16", "float32") and largest > float(np.finfo(self.synthetic_dtype).max):
            wider = "'float32'" if self.synthetic_dtype == "float16" else "'auto' (the base's own dtype)"
            raise ValueError(f"synthetic_dtype={self.synthetic_dtype!r} cannot hold {what} (up to {largest:.4g} in "
                             f"size): they overflow to infinity. Use synthetic_dtype={wider}.")

    @property
    def _stores_pixels(self) -> bool:
        """Whether the store holds 8-bit pixels (images' "auto" or "uint8"), not items: a table's
        uint8 rows are items."""
        return self._store_dtype == np.uint8 and _makes_images(self.augmenter_.encoder_)

    def _synthetic_xs(self, positions: list) -> list:
        """Synthetic items ``positions`` (0 = the first synthetic item) in the base's item type."""
        if not positions:
            return []
        values = self._store[positions]
        if self._stores_pixels:
            # The codec maps its pixels back onto the value range and dtype it was fitted on.
            codec = self.augmenter_.encoder_
            images = codec.to_nchw(codec.from_pixels(values))
            values = items_from_nchw(images, self._spec.layout).contiguous().numpy()
        return [as_item(value, self._spec) for value in values]

    def _check_index(self, index) -> int:
        try:
            index = operator.index(index)
        except TypeError:
            raise TypeError(f"{type(self).__name__} indices must be integers, got {type(index).__name__}.") from None
        n = len(self)
        if not -n <= index < n:  # the index as given, not as shifted from the end
            raise IndexError(f"index {index} is out of range for a dataset of {n} items.")
        return index + n if index < 0 else index


def _how_to_read_as_made(held: tuple, made: tuple) -> str:
    """How the base could read its images as the augmenter makes them, where only their channels
    differ (a model of grey files beside torchvision's ImageFolder, which reads every file as RGB)
    or their size does; the start of an "..., or" advice."""
    if held[1:] == made[1:] and (held[0], made[0]) == (3, 1):
        return ("read them in grayscale, as it was fitted, e.g. torchvision's ImageFolder(root, loader=lambda path: "
                "PIL.Image.open(path).convert('L')) (by default it reads every file as RGB), or ")
    if held[1:] == made[1:] and (held[0], made[0]) == (1, 3):
        return "read them as RGB, as it was fitted (PIL.Image.open(path).convert('RGB') in the base's loader), or "
    if held[0] == made[0]:
        return (f"resize them to {made[1]}x{made[2]} in the base dataset (its own transform, not "
                "AugmentedDataset's), or ")
    return ""


def _check_makes_items_like(augmenter, spec: ItemSpec) -> None:
    """A fitted augmenter must make what the base holds (the shape of its images, the width of its
    rows, numbers where the rows hold numbers)."""
    made, unit = tuple(augmenter.encoder_.sample_shape), augmenter.kind_.unit
    if spec.is_image and made != spec.image_shape:
        raise ValueError(
            f"The base dataset holds images of shape (C, H, W) = {spec.image_shape}, but the augmenter "
            f"makes {made}-shaped {unit}; {_how_to_read_as_made(spec.image_shape, made)}pass an unfitted "
            "augmenter (or none): the dataset fits it on its images."
        )
    # A row may hold a flattened image: only the number of values has to agree.
    if not spec.is_image and int(np.prod(made)) != spec.shape[0]:
        raise ValueError(f"The base dataset holds rows of {spec.shape[0]} values, but the augmenter makes "
                         f"{unit} of {int(np.prod(made))} values; pass an unfitted augmenter (or none): the dataset "
                         "fits it on its rows.")
    text = augmenter.encoder_.text_columns() if hasattr(augmenter.encoder_, "text_columns") else []
    if not spec.is_image and text:
        raise ValueError(f"The augmenter makes rows with text in column{'s' if len(text) > 1 else ''} "
                         f"{', '.join(map(repr, text))}, which the base's {spec.describe()} rows cannot hold; "
                         "fit it on the rows as numbers (e.g. the categories' codes), as the base holds them.")


def _check_items_hold_missing(encoder, spec: ItemSpec) -> None:
    """Integer or boolean items cannot hold the missing values a table model makes (a NaN cast to
    int64 was served as -9223372036854775808)."""
    missing = [column["name"] for column in getattr(encoder, "columns_", []) if column.get("has_missing")]
    if missing and not spec.is_image and spec.numpy_dtype.kind in "biu":
        shown = ", ".join(map(repr, missing[:3])) + (" and more" if len(missing) > 3 else "")
        raise ValueError(f"The augmenter makes missing values in column{'s' if len(missing) > 1 else ''} {shown}, "
                         f"which the base's {spec.dtype} rows cannot hold. Give the base float rows (x.float()), "
                         "or fit the augmenter on the rows as the base holds them.")


class _UnclearNames(Exception):
    """A ConcatDataset's parts name their classes differently (:func:`_class_to_idx`): ``reason``,
    and ``names``, every class name of any part."""

    def __init__(self, reason: str, names):
        super().__init__(reason)
        self.names = frozenset(names)


def _class_to_idx(base) -> dict | None:
    """The base's ``class_to_idx`` (or one made of its ``classes``), as torchvision's ImageFolder
    has it; through ``Subset`` / ``random_split`` (its training split), and through a
    ``ConcatDataset`` (two folders' datasets joined): the union of its parts', where they agree on
    every name and index they share. None where there is none; :class:`_UnclearNames` where some
    parts have one and others not, or two parts give a name or an index different meanings."""
    if not hasattr(base, "class_to_idx") and not hasattr(base, "classes"):
        if isinstance(base, Subset):
            return _class_to_idx(base.dataset)
        if isinstance(base, ConcatDataset) and base.datasets:
            # Without this, folder "1"'s images were served as label 1 (folder "2") without a word.
            parts = [_class_to_idx(part) for part in base.datasets]
            if all(part is None for part in parts):
                return None
            names = {name for part in parts if part is not None for name in part}
            union: dict = {}
            for number, part in enumerate(parts):
                if part is None:
                    raise _UnclearNames(f"part {number} of the ConcatDataset has no class_to_idx and others have",
                                        names)
                for name, index in part.items():
                    named = next((known for known, at in union.items() if at == index and known != name), None)
                    if union.get(name, index) != index or named is not None:
                        raise _UnclearNames(f"the parts of the ConcatDataset give {name!r} or the index {index!r} "
                                            "another meaning in their class_to_idx", names)
                    union[name] = index
            return union
    mapping = getattr(base, "class_to_idx", None)
    if isinstance(mapping, dict):
        return mapping
    names = getattr(base, "classes", None)
    if isinstance(names, str) or not isinstance(names, (list, tuple)):
        return None
    return {name: index for index, name in enumerate(names)}


def _labels_of_names(base, label_objects: dict) -> dict:
    """``{class name: label}`` where the base's labels are indices into its ``class_to_idx`` (see
    :func:`_class_to_idx`, and its :class:`_UnclearNames`), as torchvision's ImageFolder's are (a
    training split may lack some classes: these keep their index); {} otherwise."""
    mapping = _class_to_idx(base)
    if mapping is None:
        return {}
    labels = list(label_objects)
    indices = {value: key for key, value in mapping.items() if isinstance(key, str)
               and isinstance(value, numbers.Integral) and not isinstance(value, bool)}
    if not labels or not all(isinstance(label, numbers.Integral) and not isinstance(label, bool)
                             and label in indices for label in labels):
        return {}
    present = {indices[label]: label for label in labels}
    return {name: present.get(name, index) for index, name in indices.items()}


def _reads_as_names(classes, label_of_name: dict) -> bool:
    """Whether a fitted augmenter's ``classes`` are a base's class names (a model `gan-augment fit`
    made of the folder: folders "1", "2", "3", whatever a split lacks) rather than its labels' text
    ("0", "1", "2" of the indices 0, 1, 2): text classes, more of them (or as many) names than texts
    of the base's indices. Folders "0" to "10" are both, and a model of the folder reads them as
    names ("10" is the index 2)."""
    if not label_of_name or not all(isinstance(own, str) for own in classes):
        return False
    as_names = sum(own in label_of_name for own in classes)
    as_text = sum(own in {str(label) for label in label_of_name.values()} for own in classes)
    return as_names > 0 and as_names >= as_text


def _setting(strategy, classes) -> str:
    """``classes=['a']`` or ``sampling_strategy=...``, as the augmenter holds it, for a message."""
    return f"classes={classes!r}" if classes is not None else f"sampling_strategy={strategy!r}"


def augment_loader(loader, augmenter=None, *, sampling_strategy="auto", classes=None, refresh=None,
                   return_synthetic_flag=False, transform=None, random_state=None, synthetic_dtype="auto"):
    """A new DataLoader like ``loader``, over ``AugmentedDataset(loader.dataset, augmenter, ...)``.

    It keeps the loader's batch size, collate function, ``drop_last``, ``pin_memory`` and worker
    settings (``num_workers``, ``worker_init_fn``, ``multiprocessing_context``, ``prefetch_factor``,
    ``persistent_workers``, ``timeout``, ``generator``), and its sampling: sequential stays
    sequential, shuffled stays shuffled (a new ``RandomSampler`` with the same generator and
    replacement; a ``num_samples`` equal to the base's length becomes the augmented length), and a
    ``DistributedSampler`` is rebuilt over the augmented dataset with the same ``num_replicas``,
    ``rank``, ``shuffle``, ``seed`` and ``drop_last``, so each rank sees its own share of the real
    and the synthetic items. The synthetic items are mixed in at the rate ``sampling_strategy`` /
    ``classes`` ask for.

    Parameters
    ----------
    loader : torch.utils.data.DataLoader
        A loader over a map-style dataset; it is left as it was.
    augmenter, sampling_strategy, classes, refresh, return_synthetic_flag, transform, random_state, synthetic_dtype :
        As in :class:`AugmentedDataset`, which is built over ``loader.dataset`` with them.

    Returns
    -------
    DataLoader
        Its ``dataset`` is the :class:`AugmentedDataset`.

    Per epoch, as with ``DistributedSampler``, the calls are yours::

        loader = augment_loader(loader, augmenter, refresh="epoch", random_state=0)
        for epoch in range(n_epochs):
            loader.dataset.set_epoch(epoch)      # a fresh synthetic set (refresh="epoch")
            if isinstance(loader.sampler, DistributedSampler):
                loader.sampler.set_epoch(epoch)
            for batch in loader: ...

    A loader with a custom ``batch_sampler``, or a sampler other than the sequential, random and
    distributed ones (e.g. a WeightedRandomSampler, whose weights index the base dataset only), is
    refused: build the loader yourself over ``AugmentedDataset(loader.dataset, ...)`` (whose
    ``targets`` give the label of every item).
    """
    if not isinstance(loader, DataLoader):
        raise TypeError(f"loader must be a torch.utils.data.DataLoader, got {type(loader).__name__}.")
    dataset = loader.dataset
    if isinstance(dataset, IterableDataset):
        raise ValueError(
            "augment_loader needs a loader over a map-style dataset; this one iterates an IterableDataset."
        )
    if isinstance(dataset, AugmentedDataset):
        raise ValueError("This loader's dataset is already an AugmentedDataset; it would be topped up twice.")
    if loader.batch_size is None and loader.batch_sampler is not None:
        raise ValueError(
            "augment_loader cannot rebuild a loader with a custom batch_sampler "
            f"({type(loader.batch_sampler).__name__}): its batches index the base dataset only. "
            "Wrap the dataset yourself, data = AugmentedDataset(loader.dataset, augmenter, ...), "
            "and build your batch sampler over it (data.targets holds every item's label)."
        )
    sampler = loader.sampler
    if type(sampler) not in (SequentialSampler, RandomSampler, DistributedSampler):
        raise ValueError(
            f"augment_loader cannot rebuild a loader whose sampler is a {type(sampler).__name__}: it indexes the "
            "base dataset only. Wrap the dataset yourself, data = AugmentedDataset(loader.dataset, augmenter, ...), "
            "and build the sampler and DataLoader over it (data.targets holds every item's label)."
        )
    data = AugmentedDataset(dataset, augmenter, sampling_strategy=sampling_strategy, classes=classes, refresh=refresh,
                            return_synthetic_flag=return_synthetic_flag, transform=transform,
                            random_state=random_state, synthetic_dtype=synthetic_dtype)
    if type(sampler) is SequentialSampler:
        new_sampler = SequentialSampler(data)
    elif type(sampler) is RandomSampler:
        # A number of draws equal to the base's length meant "one pass's worth": it follows the
        # augmented length, as the default (None) does; any other number is kept as given.
        num_samples = None if sampler._num_samples == len(dataset) else sampler._num_samples
        new_sampler = RandomSampler(data, replacement=sampler.replacement, num_samples=num_samples,
                                    generator=sampler.generator)
    else:
        new_sampler = DistributedSampler(data, num_replicas=sampler.num_replicas, rank=sampler.rank,
                                         shuffle=sampler.shuffle, seed=sampler.seed, drop_last=sampler.drop_last)
        new_sampler.set_epoch(sampler.epoch)
    kwargs = dict(
        batch_size=loader.batch_size, drop_last=loader.drop_last, sampler=new_sampler,
        num_workers=loader.num_workers, collate_fn=loader.collate_fn, pin_memory=loader.pin_memory,
        timeout=loader.timeout, worker_init_fn=loader.worker_init_fn,
        multiprocessing_context=loader.multiprocessing_context, generator=loader.generator,
        persistent_workers=loader.persistent_workers,
    )
    if loader.num_workers > 0:
        kwargs["prefetch_factor"] = loader.prefetch_factor
    if getattr(loader, "pin_memory_device", ""):
        kwargs["pin_memory_device"] = loader.pin_memory_device
    if hasattr(loader, "in_order"):
        kwargs["in_order"] = loader.in_order
    return DataLoader(data, **kwargs)


# ====================================================================== small helpers
def _wrap_transform(transform):
    if transform is None:
        return None
    if (type(transform).__module__ or "").startswith("albumentations"):
        from gan_augment.data.albumentations_adapter import AlbumentationsTransform

        return AlbumentationsTransform(transform)
    if not callable(transform):
        raise TypeError(f"transform must be callable, got {type(transform).__name__}.")
    return transform


#: Real and synthetic images whose largest magnitudes differ by more than this factor are on two scales.
_SCALE_FACTOR = 10.0
#: Base images with more of their values than this outside the fitted range (widened by a tenth of
#: it each side) are on another scale: Normalize((0.5,), (0.5,)) or mean/std normalisation beside
#: 0..1 puts the background below 0; unclipped noise of sd 0.2 on 0..1 digits puts a quarter there.
_OUTSIDE_SHARE = 0.3


def _on_two_scales(base, made: tuple) -> bool:
    """Whether base images (a ValueSummary) are on another scale than the ``(low, high)`` the
    augmenter makes: largest magnitudes a factor apart (0..1 against 0..255), or many base values
    outside its range (Normalize's -1..1 beside 0..1: a background of -1 beside one of 0).

    The converse, an augmenter fitted through a normalisation beside a base of 0..1, is not told
    apart: of the augmenter's images only the range is kept, and one fitted on 0..1 images with a
    little noise or resizing overshoot spans as much below 0 (tried: it refused such pairs)."""
    base_size, made_size = max(abs(base.low), abs(base.high)), max(abs(made[0]), abs(made[1]))
    if min(base_size, made_size) > 0 and max(base_size, made_size) / min(base_size, made_size) > _SCALE_FACTOR:
        return True
    return base.outside is not None and base.outside > _OUTSIDE_SHARE


def _check_value_scale(values, codec) -> None:
    """Refuse base images on another scale than the augmenter's (0..1 against 0..255): the items
    of one dataset would mix the two, silently. Integer images too: the codec keeps the range it
    was fitted on (digits of 0..16 in uint8 are not pixels of 0..255)."""
    fitted = getattr(codec, "value_range_", None)
    if values is None or fitted is None:
        return
    if _on_two_scales(values, fitted):
        why = "the range of the images it was fitted on"
        if np.dtype(codec.dtype_) == np.uint8 and tuple(fitted) == (0.0, 255.0):
            why += ", or of any uint8 images for a model saved by an earlier gan-augment; a new fit keeps theirs"
        raise ValueError(
            f"The base dataset's images hold values in [{values.low:g}, {values.high:g}], but the augmenter "
            f"makes images in [{fitted[0]:g}, {fitted[1]:g}] ({why}): real and synthetic items would be on two "
            f"scales. {_scale_advice(values, fitted)}")


def _scale_advice(values, fitted) -> str:
    """What puts the base's images on the augmenter's scale: its transforms that scale them moved
    to AugmentedDataset's ``transform`` (which applies to real and synthetic items alike) where the
    base's scaling is what differs; else a fit on images scaled as the base's."""
    refit = "fit the augmenter on images scaled as the base's, or scale the base's images to its range."
    pixels = fitted[0] >= 0 and 1.5 < fitted[1] <= 255  # a model of 0..255 pixels (the command line's)
    unit = fitted[0] >= 0 and 0.5 <= fitted[1] <= 1.0  # a model of ToTensor()'s 0..1
    if pixels and -1.0 <= values.low and values.high <= 1.0:  # ToTensor() (and Normalize) in the base
        return ("Move the base's ToTensor() (and Normalize(...), if any) to AugmentedDataset(..., transform=...), "
                f"which applies them to real and synthetic items alike; or {refit}")
    if unit and values.low < 0 and values.high <= 1.0:  # Normalize after ToTensor in the base
        return ("Move the base's Normalize(...) to AugmentedDataset(..., transform=...), which applies it to real "
                f"and synthetic items alike, and keep its ToTensor(); or {refit}")
    if unit and values.high > 127:  # pixels of 0..255 beside a model of 0..1
        return f"Give the base ToTensor() (0..1, as the images the augmenter was fitted on); or {refit}"
    return refit[0].upper() + refit[1:]


def _is_fitted(augmenter) -> bool:
    return hasattr(augmenter, "generator_")


class _ItemMaker:
    """Makes items in the container of the base's ``item``: a namedtuple of its type (a script
    reads ``batch.image``), a list, or a tuple; with the synthetic flag as a third element, a
    tuple unless the base's items are lists. (A class, not a closure: workers pickle it.)"""

    def __init__(self, item):
        named = isinstance(item, tuple) and hasattr(type(item), "_make")
        self.container = list if isinstance(item, list) else type(item) if named else tuple

    def __call__(self, *values):
        if self.container is list:
            return list(values)
        if self.container is tuple or len(values) != 2:
            return values
        return self.container._make(values)


def _largest_value(values, X) -> float:
    """The largest size of a base's values: its images' (``values``, measured as they were read),
    else its stacked rows' (missing values aside)."""
    if values is not None:
        return max(abs(values.low), abs(values.high))
    X = np.abs(np.asarray(X, dtype=np.float64))
    return float(np.max(X, where=np.isfinite(X), initial=0.0))  # an infinity is refused as such, later


@contextlib.contextmanager
def _left_as_given(augmenter):
    """Fit the user's ``augmenter`` here: if anything fails, in the fit or once it is fitted (the
    first synthetic set drawn, say), it is left as given, unfitted and with its own classes."""
    given = augmenter.get_params(deep=False)
    with keeping_fitted_state(augmenter):
        try:
            yield
        except BaseException:
            restored = ("classes", "sampling_strategy", "random_state", "source")
            augmenter.set_params(**{key: given[key] for key in restored if key in given})
            raise


def _makes_images(codec) -> bool:
    """Whether the codec makes images: those can be laid out (N, C, H, W) and stored as 8-bit pixels."""
    return hasattr(codec, "to_pixels")
