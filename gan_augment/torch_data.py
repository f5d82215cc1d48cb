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
"""

from __future__ import annotations

import numbers
import operator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from imblearn.utils import check_sampling_strategy
from sklearn.utils import check_random_state
from torch.utils.data import DataLoader, Dataset, IterableDataset, RandomSampler, SequentialSampler
from torch.utils.data.distributed import DistributedSampler

from gan_augment._classes import resolve_class
from gan_augment.augmenter import GANAugmenter

__all__ = ["AugmentedDataset", "augment_loader"]

_SEED_MAX = np.iinfo(np.int32).max
# Most synthetic items made by one ``sample`` call: bounds the float32 scratch memory of a large
# top-up (a 64x64 RGB chunk is 200 MB as float32) while keeping the generator batched.
_CHUNK = 4096
REFRESH = (None, "epoch")
SYNTHETIC_DTYPES = ("auto", "uint8", "float16", "float32")
_PIL_MODES = {"L": 1, "RGB": 3}


@dataclass(frozen=True)
class _ItemSpec:
    """What the ``x`` of every base item is: container, layout, shape, dtype (and PIL mode)."""

    container: str  # "tensor", "numpy" or "pil"
    layout: str  # "chw", "hw", "hwc" (images) or "row" (tables)
    shape: tuple
    dtype: object  # torch.dtype for tensors, np.dtype for arrays and PIL images
    mode: str | None = None  # PIL mode

    @property
    def is_image(self) -> bool:
        return self.layout != "row"

    @property
    def image_shape(self) -> tuple[int, int, int]:
        if self.layout == "chw":
            return tuple(self.shape)
        if self.layout == "hw":
            return (1, *self.shape)
        if self.layout == "hwc":
            return (self.shape[2], self.shape[0], self.shape[1])
        raise AttributeError("table rows have no image shape")

    @property
    def numpy_dtype(self) -> np.dtype:
        if self.container == "tensor":
            if self.dtype in (torch.bfloat16, torch.float16):
                return np.dtype(np.float32)
            return torch.empty(0, dtype=self.dtype).numpy().dtype
        return np.dtype(self.dtype)

    def describe(self) -> str:
        kind = {"tensor": f"{self.dtype} tensor", "numpy": f"{self.dtype} array",
                "pil": f"PIL image (mode {self.mode!r})"}[self.container]
        if self.container == "pil":
            return f"{kind} of size {self.shape[1]}x{self.shape[0]}"
        return f"{kind} of shape {self.shape}"


class AugmentedDataset(Dataset):
    """A map-style Dataset: the items of ``base`` followed by synthetic items of the rare classes.

    ``base`` is any map-style Dataset of ``(x, label)`` pairs, where ``x`` is an image tensor
    ``(C, H, W)`` or ``(H, W)``, a numpy image ``(H, W)`` / ``(H, W, C)`` / ``(C, H, W)``, a PIL
    image (mode "L" or "RGB"), or a table row (a 1-D tensor or array); C is 1 or 3 and all items
    share one shape. Indices ``0 .. len(base) - 1`` are the real items, read from ``base`` on each
    access (so they are exactly what ``base`` returns); the synthetic items follow, grouped by
    class. ``len()`` and :attr:`class_counts` are exact.

    Synthetic items come back in the base's item type (tensor of the base's dtype, numpy array,
    or PIL image of the same mode and size) and with the base's label objects (the same int,
    str, numpy scalar, or a copy of the same 0-d tensor), so the training script's collate
    function and loss see nothing new.

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
        augmenter, the augmenter's own ``sampling_strategy`` / ``classes`` apply.
    classes : list of labels, default=None
        Shorthand for "top these classes up to the majority count".
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
    random_state : int, RandomState instance or None, default=None
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
        self.classes = classes
        self.refresh = refresh
        self.return_synthetic_flag = return_synthetic_flag
        self.transform = transform
        self.random_state = random_state
        self.synthetic_dtype = synthetic_dtype
        self._check_params()
        self._transform = _wrap_transform(transform)
        self._seed = _base_seed(random_state)
        augmenter = self._resolve_augmenter()
        fitted = _is_fitted(augmenter)

        spec, y, label_objects, X = _read_base(base, stack=not fitted)
        self._spec = spec
        self._y_real = y
        self.classes_ = sorted(label_objects, key=_sort_key)
        self._label_objects = [label_objects[label] for label in self.classes_]
        self.sampling_strategy_ = self._resolve_strategy(y, augmenter)
        if not fitted:  # the user's augmenter is changed only once the input is known to be good
            _check_fit_input(spec, y)
            self._prepare_for_fit(augmenter).fit(X, y)
        del X  # the stacked copy is needed for fitting only; real items are read from base
        self.augmenter_ = augmenter
        self._check_augmenter(spec)
        self._store_dtype = self._resolve_store_dtype(spec)
        self.epoch = 0
        self._draw(0)

    # ------------------------------------------------------------------ the Dataset protocol
    def __len__(self) -> int:
        return self.n_real + self.n_synthetic

    def __getitem__(self, index):
        index = self._check_index(index)
        if index < self.n_real:
            x, label = _split_item(self.base[index], index)
            synthetic = False
        else:
            j = index - self.n_real
            x = self._synthetic_x(j)
            label = _copy_label(self._label_objects[int(self._synthetic_class[j])])
            synthetic = True
        if self._transform is not None:
            x = self._transform(x)
        return (x, label, synthetic) if self.return_synthetic_flag else (x, label)

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
    def class_counts(self) -> dict:
        real = dict(zip(*np.unique(self._y_real, return_counts=True)))
        return {label: int(real[label]) + int(self.sampling_strategy_.get(label, 0)) for label in self.classes_}

    def __repr__(self) -> str:
        added = {label: n for label, n in self.sampling_strategy_.items() if n}
        return (f"{type(self).__name__}(n_real={self.n_real}, n_synthetic={self.n_synthetic}, "
                f"added={added}, refresh={self.refresh!r}, epoch={self.epoch})")

    # ------------------------------------------------------------------ internals
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
            return GANAugmenter(sampling_strategy=self.sampling_strategy, classes=self.classes,
                                random_state=self.random_state)
        if isinstance(augmenter, (str, Path)):
            return GANAugmenter.load(augmenter)
        if not isinstance(augmenter, GANAugmenter):
            raise TypeError(
                f"augmenter must be a GANAugmenter, a saved model directory or None, got {type(augmenter).__name__}."
            )
        return augmenter

    def _prepare_for_fit(self, augmenter):
        """The arguments given here, set on an augmenter about to be fitted here."""
        if self.classes is not None:
            augmenter.set_params(classes=self.classes, sampling_strategy="auto")
        elif not _is_auto(self.sampling_strategy):
            augmenter.set_params(sampling_strategy=self.sampling_strategy, classes=None)
        if augmenter.random_state is None and self.random_state is not None:
            augmenter.set_params(random_state=self._seed)
        return augmenter

    def _resolve_strategy(self, y, augmenter) -> dict:
        """``{class: items to add}`` on the base labels; the arguments given here win, then the augmenter's."""
        strategy, classes = self.sampling_strategy, self.classes
        if _is_auto(strategy) and classes is None and self.augmenter is not None:
            strategy, classes = augmenter.sampling_strategy, augmenter.classes
        labels = self.classes_
        if classes is not None:
            if not _is_auto(strategy):
                raise ValueError(
                    "Give either classes or sampling_strategy, not both: classes=[...] already means "
                    "'top these classes up to the majority count'."
                )
            if len(labels) < 2:
                raise ValueError(f"The base dataset needs more than 1 class to top up; it has {len(labels)}.")
            counts = dict(zip(*np.unique(y, return_counts=True)))
            majority = max(counts.values())
            wanted = [classes] if isinstance(classes, (str, numbers.Number)) else list(classes)
            resolved = {}
            for value in wanted:
                label = resolve_class(value, labels)
                resolved[label] = int(majority - counts[label])
        else:
            if isinstance(strategy, dict):
                strategy = {resolve_class(key, labels): value for key, value in strategy.items()}
            resolved = {_plain(k): int(v) for k, v in check_sampling_strategy(strategy, y, "over-sampling").items()}
        return {label: resolved[label] for label in labels if label in resolved}

    def _check_augmenter(self, spec):
        """A fitted augmenter must make what the base holds, and know every class to top up."""
        augmenter = self.augmenter_
        known = list(augmenter.classes_)
        self._augmenter_labels = {}
        for label, n_add in self.sampling_strategy_.items():
            if n_add <= 0:
                continue
            try:
                self._augmenter_labels[label] = resolve_class(label, known)
            except ValueError:
                raise ValueError(
                    f"Class {label!r} is to be topped up, but the augmenter does not know it; it was fitted "
                    f"on the classes {[str(c) for c in known]}."
                ) from None
        kind = augmenter.kind_
        if spec.is_image:
            if kind != "image":
                raise ValueError(
                    f"The base dataset holds images ({spec.describe()}), but the augmenter models table rows."
                )
            if tuple(augmenter.encoder_.image_shape_) != spec.image_shape:
                raise ValueError(
                    f"The base dataset holds images of shape (C, H, W) = {spec.image_shape}, but the augmenter "
                    f"makes {tuple(augmenter.encoder_.image_shape_)}."
                )
        else:
            width = spec.shape[0]
            made = int(np.prod(augmenter.encoder_.image_shape_)) if kind == "image" else augmenter.n_features_in_
            if made != width:
                raise ValueError(f"The base dataset holds rows of {width} values, but the augmenter makes {made}.")

    def _resolve_store_dtype(self, spec):
        is_image = self.augmenter_.kind_ == "image"
        if self.synthetic_dtype == "auto":
            return np.dtype(np.uint8) if is_image else spec.numpy_dtype
        if self.synthetic_dtype == "uint8" and not is_image:
            raise ValueError("synthetic_dtype='uint8' quantises images; these are table rows (use 'auto' or a float).")
        return np.dtype(self.synthetic_dtype)

    def _draw(self, epoch: int):
        """Make the synthetic set of ``epoch``: one ``sample`` call per class (per 4,096 items)."""
        augmenter = self.augmenter_
        known = list(augmenter.classes_)
        total = sum(n for label, n in self.sampling_strategy_.items() if n > 0)
        store = None
        owners = np.empty(total, dtype=np.int32)
        self._scale = None
        if augmenter.kind_ == "image" and self._store_dtype == np.uint8 and augmenter.encoder_.dtype_ != np.uint8:
            self._scale = tuple(float(v) for v in augmenter.encoder_.value_range_)
        position = 0
        for label, n_add in self.sampling_strategy_.items():
            if n_add <= 0:
                continue
            target = self._augmenter_labels[label]
            class_index = next(i for i, c in enumerate(known) if c is target or _plain(c) == _plain(target))
            owners[position:position + n_add] = self.classes_.index(label)
            for chunk, start in enumerate(range(0, n_add, _CHUNK)):
                size = min(_CHUNK, n_add - start)
                key = [self._seed, epoch, class_index] + ([chunk] if chunk else [])
                seed = int(np.random.SeedSequence(key).generate_state(1)[0])
                values = self._encode(self._to_item_layout(augmenter.sample(size, target, random_state=seed)))
                if store is None:
                    store = np.empty((total, *values.shape[1:]), dtype=values.dtype)
                store[position + start:position + start + size] = values
            position += n_add
        self._store = store
        self._synthetic_class = owners
        self._drawn_for = epoch

    def _to_item_layout(self, out) -> np.ndarray:
        """The augmenter's output (its fitted layout) -> an array of base items, stacked."""
        out = out.to_numpy() if hasattr(out, "to_numpy") else np.asarray(out)
        spec, augmenter = self._spec, self.augmenter_
        if augmenter.kind_ != "image":
            return out
        codec = augmenter.encoder_
        c, h, w = codec.image_shape_
        layout = codec.layout_
        if layout == "flat":
            nchw = out.reshape(-1, c, h, w)
        elif layout == "nhw":
            nchw = out[:, None]
        elif layout == "nhwc":
            nchw = out.transpose(0, 3, 1, 2)
        else:
            nchw = out
        if spec.layout == "chw":
            return nchw
        if spec.layout == "hw":
            return nchw[:, 0]
        if spec.layout == "hwc":
            return nchw.transpose(0, 2, 3, 1)
        return nchw.reshape(len(nchw), -1)

    def _encode(self, values: np.ndarray) -> np.ndarray:
        if self._scale is not None:
            low, high = self._scale
            scaled = (values.astype(np.float32) - low) * (255.0 / (high - low))
            return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
        return values.astype(self._store_dtype, copy=False)

    def _synthetic_x(self, j):
        values = self._store[j]
        if self._scale is not None:
            low, high = self._scale
            values = values.astype(np.float32) * np.float32((high - low) / 255.0) + np.float32(low)
        spec = self._spec
        if spec.container == "pil":
            from PIL import Image

            image = Image.fromarray(_cast(values, np.dtype(np.uint8)))
            return image if image.mode == spec.mode else image.convert(spec.mode)
        values = _cast(values, spec.numpy_dtype)  # a copy: the cache is never handed out
        if spec.container == "tensor":
            tensor = torch.from_numpy(values)
            return tensor if tensor.dtype == spec.dtype else tensor.to(spec.dtype)
        return values

    def _check_index(self, index) -> int:
        try:
            index = operator.index(index)
        except TypeError:
            raise TypeError(f"{type(self).__name__} indices must be integers, got {type(index).__name__}.") from None
        n = len(self)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError(f"index {index} is out of range for a dataset of {n} items.")
        return index


def augment_loader(loader, augmenter=None, *, sampling_strategy="auto", classes=None, refresh=None,
                   return_synthetic_flag=False, transform=None, random_state=None, synthetic_dtype="auto"):
    """A new DataLoader like ``loader``, over ``AugmentedDataset(loader.dataset, augmenter, ...)``.

    It keeps the loader's batch size, collate function, ``drop_last``, ``pin_memory`` and worker
    settings (``num_workers``, ``worker_init_fn``, ``multiprocessing_context``, ``prefetch_factor``,
    ``persistent_workers``, ``timeout``, ``generator``), and its sampling: sequential stays
    sequential, shuffled stays shuffled (a new ``RandomSampler`` with the same generator), and a
    ``DistributedSampler`` is rebuilt over the augmented dataset with the same ``num_replicas``,
    ``rank``, ``shuffle``, ``seed`` and ``drop_last``, so each rank sees its own share of the real
    and the synthetic items. The synthetic items are mixed in at the rate ``sampling_strategy`` /
    ``classes`` ask for; the other arguments are those of :class:`AugmentedDataset`.

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
        new_sampler = RandomSampler(data, replacement=sampler.replacement, num_samples=sampler._num_samples,
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


# ====================================================================== reading the base dataset
def _read_base(base, *, stack: bool):
    """One pass over ``base``: the item spec, the plain labels, one label object per class and,
    when ``stack``, the stacked ``x`` in a layout GANAugmenter takes."""
    n = len(base)
    if n == 0:
        raise ValueError("The base dataset is empty.")
    spec, labels, label_objects, xs = None, [], {}, []
    for i in range(n):
        x, label = _split_item(base[i], i)
        item_spec = _describe(x, i)
        if spec is None:
            spec = item_spec
        elif item_spec != spec:
            raise ValueError(
                f"Item {i} of the base dataset is a {item_spec.describe()}, but item 0 is a {spec.describe()}; "
                "every x must have one type, shape and dtype (resize or convert them in the base dataset)."
            )
        plain = _plain_label(label, i)
        if plain not in label_objects:
            label_objects[plain] = _copy_label(label)
        labels.append(plain)
        if stack:
            xs.append(_as_numpy(x, spec))
    y = np.asarray(labels)
    if y.dtype == object:
        raise ValueError(
            "The base dataset's labels mix types (e.g. ints and strs); give every item the same kind of label."
        )
    X = None
    if stack:
        X = np.stack(xs)
        if spec.layout == "chw" and X.shape[3] in (1, 3):
            # (N, C, H, 1 or 3) would read as channel-last; channel-last is unambiguous.
            X = np.ascontiguousarray(X.transpose(0, 2, 3, 1))
    return spec, y, label_objects, X


def _split_item(item, index):
    if not isinstance(item, (tuple, list)) or len(item) != 2:
        raise ValueError(
            f"Item {index} of the base dataset is {_short(item)}; AugmentedDataset needs (x, label) pairs."
        )
    return item[0], item[1]


def _describe(x, index) -> _ItemSpec:
    if isinstance(x, torch.Tensor):
        shape = tuple(x.shape)
        if x.ndim == 1:
            layout = "row"
        elif x.ndim == 2:
            layout = "hw"
        elif x.ndim == 3 and shape[0] in (1, 3):
            layout = "chw"
        else:
            raise ValueError(
                f"Item {index}: x is a tensor of shape {shape}; AugmentedDataset takes image tensors (C, H, W) with "
                "C = 1 or 3, or (H, W), and table rows (F,)."
            )
        if x.is_complex():
            raise ValueError(f"Item {index}: x is a complex tensor; images and rows must be real numbers.")
        return _ItemSpec("tensor", layout, shape, x.dtype)
    if _is_pil(x):
        if x.mode not in _PIL_MODES:
            raise ValueError(
                f"Item {index}: a PIL image of mode {x.mode!r}; AugmentedDataset models 'L' and 'RGB' images "
                "(convert them in the base dataset, e.g. image.convert('RGB'))."
            )
        width, height = x.size
        shape = (height, width) if x.mode == "L" else (height, width, 3)
        return _ItemSpec("pil", "hw" if x.mode == "L" else "hwc", shape, np.dtype(np.uint8), x.mode)
    if isinstance(x, np.ndarray):
        if x.dtype.kind not in "biuf":
            raise ValueError(f"Item {index}: x is an array of dtype {x.dtype}; images and rows must be numeric.")
        shape = x.shape
        if x.ndim == 1:
            layout = "row"
        elif x.ndim == 2:
            layout = "hw"
        elif x.ndim == 3 and shape[2] in (1, 3):
            layout = "hwc"
        elif x.ndim == 3 and shape[0] in (1, 3):
            layout = "chw"
        else:
            raise ValueError(
                f"Item {index}: x is an array of shape {shape}; AugmentedDataset takes images (H, W), (H, W, C) or "
                "(C, H, W) with C = 1 or 3, and table rows (F,)."
            )
        return _ItemSpec("numpy", layout, tuple(shape), x.dtype)
    raise TypeError(
        f"Item {index}: x is a {type(x).__name__}; AugmentedDataset takes torch tensors, numpy arrays and PIL "
        "images (convert lists and other containers in the base dataset)."
    )


def _as_numpy(x, spec: _ItemSpec) -> np.ndarray:
    if spec.container == "tensor":
        x = x.detach().cpu()
        if x.is_floating_point():
            x = x.float()  # the GAN works in float32; bfloat16 has no numpy twin
        return x.numpy()
    return np.asarray(x)


def _check_fit_input(spec, y):
    if len(np.unique(y)) < 2:
        raise ValueError(f"The base dataset holds a single class ({y[0]!r}); there is nothing to top up.")


def _is_pil(x) -> bool:
    return type(x).__module__.startswith("PIL.") and hasattr(x, "mode") and hasattr(x, "size")


def _plain_label(label, index):
    """A label as a plain hashable value (int, str, float, bool) for the augmenter."""
    if isinstance(label, torch.Tensor):
        if label.numel() != 1 or label.ndim > 1:
            raise ValueError(
                f"Item {index}: the label is a tensor of shape {tuple(label.shape)}; labels must be class ids "
                "(one-hot or multi-label targets cannot be topped up per class)."
            )
        return label.item()
    if isinstance(label, np.ndarray):
        if label.size != 1:
            raise ValueError(f"Item {index}: the label is an array of shape {label.shape}; labels must be class ids.")
        return label.item()
    if isinstance(label, np.generic):
        return label.item()
    if isinstance(label, (numbers.Number, str)):
        return label
    raise TypeError(f"Item {index}: the label is a {type(label).__name__}; labels must be ints, strs or 0-d tensors.")


def _copy_label(label):
    """The label object to hand out: tensors are copied (and detached from a larger storage)."""
    if isinstance(label, torch.Tensor):
        return label.detach().clone()
    if isinstance(label, np.ndarray):
        return label.copy()
    return label


def _sort_key(label):
    return (type(label).__name__ == "str", label)


def _short(item) -> str:
    text = repr(item)
    return text if len(text) <= 80 else f"a {type(item).__name__}"


# ====================================================================== small helpers
def _cast(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """A copy of ``values`` as ``dtype``, rounded (and clipped) when going to integers."""
    if dtype.kind in "iu" and values.dtype.kind == "f":
        info = np.iinfo(dtype)
        return np.clip(np.rint(values), info.min, info.max).astype(dtype)
    if dtype.kind == "b" and values.dtype.kind == "f":
        return values > 0.5
    return np.array(values, dtype=dtype, copy=True)


def _wrap_transform(transform):
    if transform is None:
        return None
    if (type(transform).__module__ or "").startswith("albumentations"):
        from gan_augment.data.albumentations_adapter import AlbumentationsTransform

        return AlbumentationsTransform(transform)
    if not callable(transform):
        raise TypeError(f"transform must be callable, got {type(transform).__name__}.")
    return transform


def _base_seed(random_state) -> int:
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be a non-negative int, got {random_state}.")
        return int(random_state)
    return int(check_random_state(random_state).randint(_SEED_MAX))


def _is_fitted(augmenter) -> bool:
    return hasattr(augmenter, "generator_")


def _is_auto(strategy) -> bool:
    return isinstance(strategy, str) and strategy == "auto"


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value
