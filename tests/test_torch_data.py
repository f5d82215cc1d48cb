"""The torch door: AugmentedDataset and augment_loader, on scikit-learn's 8x8 digits as tensors."""

from __future__ import annotations

import pickle
import re
import typing
from collections import Counter

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits, make_classification
from sklearn.linear_model import LogisticRegression
from torch.utils.data import (BatchSampler, ConcatDataset, DataLoader, Dataset, RandomSampler, SequentialSampler,
                              Subset, TensorDataset, WeightedRandomSampler)
from torch.utils.data.distributed import DistributedSampler

from gan_augment import GANAugmenter, NothingToAddWarning
from gan_augment.exceptions import DataValidationError
from gan_augment.training import Callback
from gan_augment.torch_data import AugmentedDataset, augment_loader

pytestmark = pytest.mark.usefixtures("quick_row_judge")

RARE, KEEP = 3, 10
GAN_EPOCHS = 40  # enough for the synthetic digits to be recognised by a classifier trained on real ones (with
# the mode-seeking term of the image defaults, 15 epochs gave a label fidelity of 0.65, 40 gave 0.91)


class Pairs(Dataset):
    """A plain map-style dataset of (x, label) pairs (module level, so that workers can pickle it)."""

    def __init__(self, xs, labels):
        self.xs, self.labels = list(xs), list(labels)

    def __len__(self):
        return len(self.xs)

    def __getitem__(self, index):
        return self.xs[index], self.labels[index]


def negate(x):
    return -x


def collate_pairs(batch):
    return [item[0] for item in batch], [item[1] for item in batch]


@pytest.fixture(scope="module")
def digits():
    """All digits as (N, 1, 8, 8) float32 values 0..16, and a training set with few 3s."""
    X, y = load_digits(return_X_y=True)
    X = X.reshape(-1, 1, 8, 8).astype(np.float32)
    keep = (y != RARE) | (np.cumsum(y == RARE) <= KEEP)
    return X, y, X[keep], y[keep]


@pytest.fixture(scope="module")
def base(digits):
    _, _, X, y = digits
    return TensorDataset(torch.from_numpy(X), torch.from_numpy(y))


@pytest.fixture(scope="module")
def augmented(base):
    """The GAN fitted once, here, by AugmentedDataset itself; the other tests reuse its augmenter."""
    # On the CPU wherever the tests run: a saved model directory given as ``augmenter`` loads on the CPU,
    # and one test compares it with this in-memory model sample for sample.
    return AugmentedDataset(base, GANAugmenter(epochs=GAN_EPOCHS, batch_size=64, random_state=0, device="cpu"),
                            random_state=0, return_synthetic_flag=True)


@pytest.fixture(scope="module")
def fitted(augmented):
    return augmented.augmenter_


def _synthetic(dataset):
    return [dataset[i] for i in dataset.synthetic_indices]


def _same_items(a, b):
    assert len(a) == len(b)
    for (xa, ya, *_), (xb, yb, *_) in zip(a, b):
        assert torch.equal(torch.as_tensor(np.asarray(xa)), torch.as_tensor(np.asarray(xb))) and ya == yb


# ----------------------------------------------------------------------------- counts, labels, layout
def test_counts_per_class_are_exact_and_real_items_come_first(augmented, base, digits):
    y = digits[3]
    majority = Counter(y.tolist()).most_common(1)[0][1]
    assert augmented.augmenter_.generator_ is not None  # fitted here
    assert augmented.class_counts == {c: majority for c in range(10)}
    assert len(augmented) == 10 * majority == augmented.n_real + augmented.n_synthetic
    assert augmented.sampling_strategy_[RARE] == majority - KEEP
    assert augmented.real_indices == range(len(base))
    counts = Counter(int(augmented[i][1]) for i in range(len(augmented)))
    assert counts == Counter(augmented.class_counts)
    assert Counter(augmented.targets.tolist()) == counts
    x, label, synthetic = augmented[5]
    assert torch.equal(x, base[5][0]) and torch.equal(label, base[5][1]) and synthetic is False
    x, label, synthetic = augmented[-1]
    assert synthetic is True and augmented.is_synthetic(-1) and not augmented.is_synthetic(0)
    assert x.shape == (1, 8, 8) and x.dtype == torch.float32 and 0 <= x.min() and x.max() <= 16
    assert isinstance(label, torch.Tensor) and label.dtype == base[0][1].dtype and label.ndim == 0
    with pytest.raises(IndexError):
        augmented[len(augmented)]
    n = len(augmented)
    assert torch.equal(augmented[-n][0], augmented[0][0])
    with pytest.raises(IndexError, match=rf"index {-n - 100} is out of range for a dataset of {n} items"):
        augmented[-n - 100]  # named as given, not as shifted from the end


@pytest.mark.parametrize("kind", ["int", "str", "numpy", "tensor"])
def test_labels_keep_the_base_type_and_encoding(kind, digits, fitted):
    _, _, X, y = digits
    make = {"int": int, "str": str, "numpy": np.int32,
            "tensor": lambda v: torch.tensor(v, dtype=torch.int16)}[kind]
    labels = [make(v) for v in y]
    data = AugmentedDataset(Pairs(torch.from_numpy(X), labels), fitted, classes=[make(RARE)], random_state=0)
    x, label = data[len(data) - 1]
    assert type(label) is type(make(RARE)) and label == make(RARE)
    if kind == "tensor":
        assert label.dtype == torch.int16
    assert data.class_counts[RARE if kind != "str" else str(RARE)] == max(data.class_counts.values())


def test_numpy_images_come_back_as_numpy_in_their_own_layout_and_dtype(digits, fitted):
    _, _, X, y = digits
    images = X[:, 0].astype(np.float64)  # (H, W) float64, while the GAN was fitted on (1, H, W) float32
    data = AugmentedDataset(Pairs(images, y), fitted, classes=[RARE], random_state=0)
    x, label = data[len(data) - 1]
    assert isinstance(x, np.ndarray) and x.shape == (8, 8) and x.dtype == np.float64 and label == RARE


# ----------------------------------------------------------------------------- determinism and refresh
def test_same_seed_same_items_other_seed_other_items(base, fitted):
    first = AugmentedDataset(base, fitted, classes=[RARE], random_state=0)
    again = AugmentedDataset(base, fitted, classes=[RARE], random_state=0)
    other = AugmentedDataset(base, fitted, classes=[RARE], random_state=1)
    _same_items(_synthetic(first), _synthetic(again))
    assert not torch.equal(first[len(first) - 1][0], other[len(other) - 1][0])


def test_fitting_here_is_deterministic(digits):
    _, _, X, y = digits
    small = TensorDataset(torch.from_numpy(X[::6]), torch.from_numpy(y[::6]))
    runs = [AugmentedDataset(small, GANAugmenter(epochs=1, batch_size=64), classes=[RARE], random_state=0)
            for _ in range(2)]
    assert runs[0].augmenter_.random_state == 0  # random_state seeds an augmenter that has none
    _same_items(_synthetic(runs[0]), _synthetic(runs[1]))


def test_refresh_epoch_draws_a_new_set_and_going_back_reproduces(base, fitted):
    data = AugmentedDataset(base, fitted, classes=[RARE], refresh="epoch", random_state=0)
    epoch0 = _synthetic(data)
    data.set_epoch(1)
    assert data.epoch == 1 and len(data) == len(epoch0) + data.n_real
    assert not torch.equal(data[len(data) - 1][0], epoch0[-1][0])
    data.set_epoch(0)
    _same_items(_synthetic(data), epoch0)

    cached = AugmentedDataset(base, fitted, classes=[RARE], random_state=0)
    cached.set_epoch(1)
    _same_items(_synthetic(cached), epoch0)
    with pytest.raises(ValueError, match="refresh"):
        AugmentedDataset(base, fitted, refresh="batch")


def test_synthetic_images_are_stored_as_uint8_unless_float32_is_asked_for(base, fitted):
    compact = AugmentedDataset(base, fitted, classes=[RARE], random_state=0)
    exact = AugmentedDataset(base, fitted, classes=[RARE], random_state=0, synthetic_dtype="float32")
    assert compact._store.dtype == np.uint8 and exact._store.dtype == np.float32
    n = exact.n_synthetic
    seed = int(np.random.SeedSequence([0, 0, RARE]).generate_state(1)[0])  # the documented seed of a draw
    expected = fitted.sample(n, RARE, random_state=seed)
    np.testing.assert_array_equal(torch.stack([x for x, _ in _synthetic(exact)]).numpy(), expected)
    quantised = torch.stack([x for x, _ in _synthetic(compact)]).numpy()
    assert np.abs(quantised - expected).max() <= 16 / 510 + 1e-5  # half a step of 256 levels over 0..16


# ----------------------------------------------------------------------------- label-exactness
def test_synthetic_items_are_of_their_label_for_a_classifier_trained_on_real_data(digits, base, fitted):
    X_all, y_all, _, y = digits
    judge = LogisticRegression(max_iter=3000).fit(X_all.reshape(len(X_all), -1) / 16, y_all)
    counts = Counter(y.tolist())
    data = AugmentedDataset(base, fitted, sampling_strategy={c: n + 30 for c, n in counts.items()}, random_state=0)
    items = _synthetic(data)
    images = torch.stack([x for x, _ in items]).reshape(len(items), -1).numpy()
    labels = np.array([int(label) for _, label in items])
    assert Counter(labels.tolist()) == {c: 30 for c in counts}  # label-exact: k asked, k given
    predicted = judge.predict(images / 16)
    fidelity = {c: float(np.mean(predicted[labels == c] == c)) for c in counts}
    assert np.mean(list(fidelity.values())) > 0.8, fidelity
    assert fidelity[RARE] > 0.5, fidelity


# ----------------------------------------------------------------------------- loaders, workers, splits
def test_a_batch_fetch_gives_the_items_one_by_one_would(augmented):
    indices = [0, len(augmented) - 1, augmented.n_real, -2, 5]
    batch = augmented.__getitems__(indices)  # what DataLoader calls
    _same_items(batch, [augmented[i] for i in indices])
    assert [flag for _, _, flag in batch] == [augmented.is_synthetic(i) for i in indices]


def test_workers_see_the_same_items_and_the_dataset_pickles(augmented):
    assert pickle.loads(pickle.dumps(augmented)).class_counts == augmented.class_counts
    batches = {}
    for workers in (0, 2):
        loader = DataLoader(augmented, batch_size=128, num_workers=workers)
        batches[workers] = [(x, y, flag) for x, y, flag in loader]
    for (x0, y0, f0), (x2, y2, f2) in zip(batches[0], batches[2], strict=True):
        assert torch.equal(x0, x2) and torch.equal(y0, y2) and torch.equal(f0, f2)
    labels = torch.cat([y for _, y, _ in batches[2]]).tolist()
    assert Counter(labels) == Counter(augmented.class_counts)
    assert int(torch.cat([f for _, _, f in batches[2]]).sum()) == augmented.n_synthetic


def test_augment_loader_with_workers_and_shuffling(base, fitted):
    loader = DataLoader(base, batch_size=100, shuffle=True, num_workers=2, generator=torch.Generator().manual_seed(0))
    augmented = augment_loader(loader, fitted, classes=[RARE], random_state=0)
    labels = torch.cat([y for _, y in augmented]).tolist()
    assert Counter(labels) == Counter(augmented.dataset.class_counts)
    assert labels != sorted(labels)


def test_augment_loader_keeps_the_loader_settings(base, fitted):
    generator = torch.Generator().manual_seed(0)
    loader = DataLoader(base, batch_size=16, shuffle=True, collate_fn=collate_pairs, pin_memory=True, num_workers=2,
                        drop_last=True, persistent_workers=True, prefetch_factor=3, timeout=30, generator=generator)
    new = augment_loader(loader, fitted, classes=[RARE], random_state=0)
    assert isinstance(new.dataset, AugmentedDataset) and new.dataset.base is base
    assert (new.batch_size, new.collate_fn, new.pin_memory, new.num_workers, new.drop_last) == \
        (16, collate_pairs, True, 2, True)
    assert (new.persistent_workers, new.prefetch_factor, new.timeout, new.generator) == (True, 3, 30, generator)
    assert type(new.sampler) is RandomSampler and new.sampler.data_source is new.dataset

    plain = augment_loader(DataLoader(base, batch_size=8), fitted, classes=[RARE], random_state=0)
    assert type(plain.sampler) is SequentialSampler and plain.batch_size == 8 and plain.num_workers == 0
    x, y = next(iter(augment_loader(DataLoader(base, batch_size=4, collate_fn=collate_pairs), fitted, classes=[RARE])))
    assert isinstance(x, list) and len(x) == 4


def test_loaders_that_cannot_be_rebuilt_are_refused_with_a_way_out(base, fitted):
    custom = DataLoader(base, batch_sampler=BatchSampler(SequentialSampler(base), 8, drop_last=False))
    with pytest.raises(ValueError, match="batch_sampler.*AugmentedDataset"):
        augment_loader(custom, fitted, classes=[RARE])
    weighted = DataLoader(base, batch_size=8, sampler=WeightedRandomSampler(torch.ones(len(base)), len(base)))
    with pytest.raises(ValueError, match="WeightedRandomSampler.*AugmentedDataset"):
        augment_loader(weighted, fitted, classes=[RARE])


def test_distributed_shares_cover_the_dataset_without_overlap(base, fitted):
    replicas = 3
    loaders = [augment_loader(DataLoader(base, batch_size=32, sampler=DistributedSampler(
        base, num_replicas=replicas, rank=rank, shuffle=True, seed=7)), fitted, classes=[RARE], random_state=0)
        for rank in range(replicas)]
    data = loaders[0].dataset
    shares = []
    for rank, loader in enumerate(loaders):
        sampler = loader.sampler
        assert type(sampler) is DistributedSampler
        assert (sampler.num_replicas, sampler.rank, sampler.seed) == (replicas, rank, 7)
        assert sampler.dataset is loader.dataset
        shares.append(list(sampler))
    everything = [i for share in shares for i in share]
    padding = (-len(data)) % replicas  # DistributedSampler repeats a few indices to even the shares out
    assert set(everything) == set(range(len(data)))
    assert len(everything) == len(data) + padding
    assert sum(n - 1 for n in Counter(everything).values()) == padding
    assert any(i in data.synthetic_indices for i in shares[1])

    exact = [list(DistributedSampler(data, num_replicas=replicas, rank=r, shuffle=True, seed=0, drop_last=True))
             for r in range(replicas)]
    flat = [i for share in exact for i in share]
    assert len(flat) == len(set(flat)) == len(data) - len(data) % replicas


def test_a_validation_split_of_real_indices_holds_no_synthetic_item(augmented, base):
    validation = Subset(augmented, augmented.real_indices)
    assert len(validation) == len(base)
    assert not any(flag for _, _, flag in DataLoader(validation, batch_size=256) for flag in flag.tolist())
    assert all(augmented[i][2] for i in augmented.synthetic_indices[:20])


# ----------------------------------------------------------------------------- other kinds of base data
@pytest.mark.parametrize("mode", ["L", "RGB"])
def test_pil_images_round_trip(mode, digits):
    from PIL import Image

    _, _, X, y = digits
    pixels = (X[::5, 0] * 15).astype(np.uint8)
    images = [Image.fromarray(p).convert(mode) for p in pixels]
    data = AugmentedDataset(Pairs(images, y[::5]), GANAugmenter(epochs=1, batch_size=64, random_state=0),
                            classes=[RARE], random_state=0)
    assert data.augmenter_.kind_.name == "image" and data._store.dtype == np.uint8
    x, label = data[len(data) - 1]
    assert isinstance(x, Image.Image) and x.mode == mode and x.size == (8, 8) and label == RARE


def test_an_image_item_with_nan_pixels_is_named_by_its_index():
    # It was refused as "X holds 1 NaN or infinite pixel values": the user passed no X, and which
    # item was not said.
    images = torch.rand(30, 1, 8, 8)
    images[7, 0, 3, 3] = float("nan")
    base = TensorDataset(images, torch.tensor([0] * 20 + [1] * 10))
    with pytest.raises(ValueError, match=r"^Item 7 of the base dataset holds 1 NaN or infinite pixel values"):
        AugmentedDataset(base, GANAugmenter(epochs=1, random_state=0))
    # Float64 pixels past float32's range were cast to infinite ones first, and called so.
    huge = torch.rand(30, 1, 8, 8, dtype=torch.float64)
    huge[7, 0, 3, 3] = 1e39
    with pytest.raises(ValueError, match=r"^Item 7 of the base dataset holds pixel values up to 1e\+39, past float32"):
        AugmentedDataset(TensorDataset(huge, base.tensors[1]), GANAugmenter(epochs=1, random_state=0))


def test_nan_labels_are_refused_by_item_whatever_the_augmenter(tmp_path):
    # A fitted or saved augmenter took them: each NaN a class of its own, and class_counts a KeyError.
    rows = torch.rand(40, 3)
    labels = torch.tensor([0.0] * 30 + [1.0] * 10, dtype=torch.float64)
    fitted = GANAugmenter(epochs=1, batch_size=16, random_state=0).fit(rows.numpy(), labels.numpy())
    fitted.save(tmp_path / "model")
    labels[[5, 7]] = float("nan")
    for augmenter in (fitted, str(tmp_path / "model"), GANAugmenter(epochs=1)):
        with pytest.raises(DataValidationError, match=r"The base dataset has 2 items of 40 whose label is NaN "
                                                      r"\(items 5, 7\)"):
            AugmentedDataset(TensorDataset(rows, labels), augmenter, classes=[1], random_state=0)


def test_pil_images_of_other_modes_are_refused_with_a_way_that_keeps_their_values():
    from PIL import Image

    from gan_augment.data.torch_items import item_spec

    deep = Image.fromarray(np.full((8, 8), 40_000, dtype=np.uint16))  # 16-bit grey
    with pytest.raises(ValueError, match=r"mode 'I;16'.*np\.asarray\(image\) / 257.*would clip") as refused:
        item_spec(deep, 0)
    assert "convert('RGB')" not in str(refused.value)  # which would turn 40,000 into 255
    with pytest.raises(ValueError, match=r"mode 'RGBA'.*image\.convert\('RGB'\)"):
        item_spec(Image.new("RGBA", (8, 8)), 0)
    # Grey stays grey ('RGB' would have tripled a mask's channels), by a conversion Pillow can do.
    advice = {"1": lambda image: image.convert("L"), "LA": lambda image: image.convert("L"),
              "La": lambda image: image.convert("LA").convert("L")}  # (Pillow has no La -> L)
    shown = {"1": "image.convert('L')", "LA": "image.convert('L')", "La": "image.convert('LA').convert('L')"}
    for grey, convert in advice.items():
        with pytest.raises(ValueError, match=rf"mode '{grey}'.*e\.g\. {re.escape(shown[grey])}\)\.$"):
            item_spec(Image.new(grey, (8, 8)), 0)
        assert convert(Image.new(grey, (8, 8))).mode == "L"


def test_arrays_and_tensors_with_an_alpha_channel_are_told_to_drop_it():
    from gan_augment.data.torch_items import item_spec

    # np.asarray of an RGBA PNG: refused without saying what to do, where a PIL RGBA item is told.
    for x, advice in ((np.zeros((8, 8, 4), np.uint8), r"RGBA images \(4 channels last\).*: x\[\.\.\., :3\]\.$"),
                      (torch.zeros(2, 8, 8), r"grey \+ alpha images \(2 channels first\).*: x\[:1\]\.$")):
        with pytest.raises(ValueError, match=advice):
            item_spec(x, 0)
    with pytest.raises(ValueError, match=r"C = 1 or 3, and table rows \(F,\)\.$"):
        item_spec(np.zeros((8, 8, 5)), 0)


def test_tabular_rows_work(digits):
    X, y = make_classification(n_samples=160, n_features=4, n_informative=3, n_redundant=0, weights=[0.85],
                               random_state=0)
    rows = torch.from_numpy(X.astype(np.float32))
    labels = ["common" if v == 0 else "rare" for v in y]
    data = AugmentedDataset(Pairs(rows, labels), GANAugmenter(epochs=1, batch_size=64, random_state=0), random_state=0)
    assert data.augmenter_.kind_.name == "tabular"
    assert data.class_counts["rare"] == data.class_counts["common"] == labels.count("common")
    x, label = data[len(data) - 1]
    assert label == "rare" and x.shape == (4,) and x.dtype == torch.float32 and torch.isfinite(x).all()


@pytest.mark.parametrize("dtype", [torch.uint8, torch.int64])
def test_integer_rows_are_served_rounded_in_their_dtype(dtype):
    # uint8 rows were taken for 8-bit image pixels ("'TabularEncoder' object has no attribute
    # 'to_pixels'", after the fit); int64 rows were cut toward zero in the store (2.9 served as 2).
    rng = np.random.default_rng(0)
    X = rng.integers(0, 200, size=(36, 3))
    y = torch.tensor([0] * 30 + [1] * 6)
    augmenter = GANAugmenter(epochs=1, batch_size=16, random_state=0).fit(X.astype(np.float64), y.numpy())
    base = TensorDataset(torch.from_numpy(X).to(dtype), y)
    served = AugmentedDataset(base, augmenter, random_state=0)
    as_floats = AugmentedDataset(base, augmenter, random_state=0, synthetic_dtype="float32")
    for index in served.synthetic_indices:
        x, label = served[index]
        assert x.dtype == dtype and x.shape == (3,) and label == 1
        assert torch.equal(x, as_floats[index][0])  # rounded alike whatever the store holds


def test_missing_values_a_model_makes_are_refused_for_integer_rows_and_served_as_nan_in_floats():
    # Integer rows were served the int64 minimum for every missing cell; a model fitted on a frame
    # with a nullable Int64 column failed inside numpy ("float() argument must be ... not 'NAType'").
    import pandas as pd

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=36), "b": pd.array([None if i % 3 == 0 else i % 5 for i in range(36)],
                                                                   dtype="Int64")})
    y = torch.tensor([0] * 30 + [1] * 6)
    augmenter = GANAugmenter(epochs=1, batch_size=16, random_state=0).fit(frame, y.numpy())
    rows = torch.from_numpy(np.nan_to_num(frame.astype(float).to_numpy()))
    with pytest.raises(ValueError, match=r"makes missing values in column 'b', which the base's torch.int64 rows"):
        AugmentedDataset(TensorDataset(rows.long(), y), augmenter, random_state=0)
    served = AugmentedDataset(TensorDataset(rows.float(), y), augmenter, random_state=0)
    made = torch.stack([served[i][0] for i in served.synthetic_indices])
    assert made.dtype == torch.float32 and torch.isfinite(made[:, 0]).all()
    assert not torch.isinf(made).any() and (torch.isnan(made[:, 1]) | (made[:, 1] == made[:, 1].round())).all()


class Sample(typing.NamedTuple):
    image: torch.Tensor
    label: int


class NamedSamples(Dataset):
    """(image, label) items as a namedtuple, or as a list: the container a training script reads."""

    def __init__(self, base, container):
        self.base, self.container = base, container

    def __len__(self):
        return len(self.base)

    def __getitem__(self, index):
        x, label = self.base[index]
        return self.container((x, int(label))) if self.container is list else self.container(x, int(label))


@pytest.mark.parametrize("container", [Sample, list])
def test_items_come_back_in_the_base_items_container(base, fitted, container):
    # A namedtuple base's items came back as plain tuples, so a script's batch.image failed.
    named = NamedSamples(base, container)
    dataset = AugmentedDataset(named, fitted, random_state=0)
    real, synthetic = dataset[0], dataset[dataset.synthetic_indices[0]]
    assert type(real) is container and type(synthetic) is container
    assert real[0] is named.base[0][0] or torch.equal(real[0], named[0][0])
    batch = next(iter(DataLoader(Subset(dataset, [0, dataset.synthetic_indices[0]]), batch_size=2)))
    if container is Sample:
        assert batch.image.shape == (2, 1, 8, 8) and batch.label.tolist() == [real.label, synthetic.label]
    flagged = AugmentedDataset(named, fitted, random_state=0, return_synthetic_flag=True)
    assert [item[2] for item in (flagged[0], flagged[flagged.synthetic_indices[0]])] == [False, True]


def test_the_dataset_pickles_for_workers_without_the_augmenters_training_callbacks():
    # A callback holding a lock (a logger, a TensorBoard writer) made the dataset unpicklable, so
    # DataLoader workers started by spawn or forkserver (Python 3.14's default) failed.
    import threading

    from gan_augment.training import Callback

    class Logs(Callback):
        def __init__(self):
            self.lock = threading.Lock()

    X = np.random.default_rng(0).normal(size=(36, 2)).astype(np.float32)
    y = torch.tensor([0] * 30 + [1] * 6)
    callbacks = [Logs()]
    augmenter = GANAugmenter(epochs=1, batch_size=16, callbacks=callbacks)
    dataset = AugmentedDataset(TensorDataset(torch.from_numpy(X), y), augmenter, classes=[1], random_state=0)
    copied = pickle.loads(pickle.dumps(dataset))
    indices = [0, dataset.synthetic_indices[-1]]
    _same_items([copied[i] for i in indices], [dataset[i] for i in indices])
    assert augmenter.callbacks is callbacks and dataset.augmenter_ is augmenter  # the user's, untouched


def test_one_class_given_as_a_0d_tensor():
    # classes=ds.targets[i] failed with torch's "iteration over a 0-d tensor".
    X = np.random.default_rng(0).normal(size=(36, 2))
    y = torch.tensor([0] * 30 + [1] * 6)
    dataset = AugmentedDataset(TensorDataset(torch.from_numpy(X), y), GANAugmenter(epochs=1, batch_size=16,
                                                                                    random_state=0),
                               classes=y[-1], random_state=0)
    assert dataset.sampling_strategy_ == {1: 24}


@pytest.mark.parametrize("shape", [(2,), (1, 8, 8)], ids=["rows", "images"])
def test_a_store_too_narrow_for_the_values_is_refused_before_training(shape, monkeypatch):
    # Found while drawing the first synthetic set: after the fit, which had left the user's
    # augmenter fitted and its classes changed (16-bit microscopy images up to 65,535).
    X = np.abs(np.random.default_rng(0).normal(size=(36, *shape))) * 1e6
    y = torch.tensor([0] * 30 + [1] * 6)
    base = TensorDataset(torch.from_numpy(X).float(), y)
    augmenter = GANAugmenter(epochs=1, batch_size=16, random_state=0)
    monkeypatch.setattr(GANAugmenter, "fit", lambda *args: pytest.fail("trained"))
    with pytest.raises(ValueError, match=r"synthetic_dtype='float16' cannot hold .*Use synthetic_dtype='float32'"):
        AugmentedDataset(base, augmenter, classes=[1], random_state=0, synthetic_dtype="float16")
    assert augmenter.classes is None and not hasattr(augmenter, "generator_")


def test_infinite_values_are_named_as_such_whatever_the_store():
    # The store check counted the infinity: "float16 cannot hold the base's values (up to inf)",
    # and float32 as advised then failed on the infinity itself.
    X = np.random.default_rng(0).normal(size=(36, 2)).astype(np.float32)
    X[3, 1] = np.inf
    base = TensorDataset(torch.from_numpy(X), torch.tensor([0] * 30 + [1] * 6))
    with pytest.raises(DataValidationError, match="infinite"):
        AugmentedDataset(base, GANAugmenter(epochs=1, batch_size=16), random_state=0, synthetic_dtype="float16")


def test_a_store_overflow_is_found_beside_missing_values(monkeypatch):
    # One NaN anywhere in a drawn chunk turned the check off: 19 synthetic values served as inf.
    X = np.random.default_rng(0).uniform(-100, 100, size=(36, 3))
    X[::7, 1] = np.nan
    base = TensorDataset(torch.from_numpy(X), torch.tensor([0] * 30 + [1] * 6))
    original = GANAugmenter.sample

    def with_large_values(self, n, cls, **kwargs):  # values past float16 beside the missing ones
        rows = np.asarray(original(self, n, cls, **kwargs), dtype=np.float64)
        rows[:, 0] = 1e6
        return rows

    monkeypatch.setattr(GANAugmenter, "sample", with_large_values)
    with pytest.raises(ValueError, match=r"synthetic_dtype='float16' cannot hold the synthetic values"):
        AugmentedDataset(base, GANAugmenter(epochs=1, batch_size=16), random_state=0, synthetic_dtype="float16")


def test_copies_of_the_dataset_keep_the_augmenter_as_it_is():
    # Trimming the callbacks for worker pickles also trimmed copy.copy / copy.deepcopy.
    import copy

    X = np.random.default_rng(0).normal(size=(36, 2)).astype(np.float32)
    callbacks = [Callback()]
    augmenter = GANAugmenter(epochs=1, batch_size=16, callbacks=callbacks)
    dataset = AugmentedDataset(TensorDataset(torch.from_numpy(X), torch.tensor([0] * 30 + [1] * 6)), augmenter,
                               random_state=0)
    shallow, deep = copy.copy(dataset), copy.deepcopy(dataset)
    assert shallow.augmenter_ is augmenter and shallow.augmenter is augmenter
    assert deep.augmenter_.callbacks is callbacks and deep.augmenter_ is not augmenter  # callbacks shared
    import threading

    callbacks.append(Callback())
    callbacks[-1].lock = threading.Lock()  # (cannot be copied)
    assert copy.deepcopy(dataset).augmenter_.callbacks is callbacks
    _same_items([deep[i] for i in (0, len(dataset) - 1)], [dataset[i] for i in (0, len(dataset) - 1)])


def test_a_refusal_after_fitting_leaves_the_users_augmenter_as_it_was(monkeypatch):
    # Whatever fails once the GAN is fitted here (drawing the first synthetic set, say), the user's
    # augmenter is left unfitted, with its own classes, not half changed.
    X = np.random.default_rng(0).normal(size=(36, 2))
    y = torch.tensor([0] * 30 + [1] * 6)
    augmenter = GANAugmenter(epochs=1, batch_size=16)

    def failing_draw(self, epoch):
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(AugmentedDataset, "_draw", failing_draw)
    with pytest.raises(RuntimeError, match="drawing failed"):
        AugmentedDataset(TensorDataset(torch.from_numpy(X), y), augmenter, classes=[1], random_state=0)
    assert augmenter.classes is None and augmenter.random_state is None and not hasattr(augmenter, "generator_")


# ----------------------------------------------------------------------------- one planner for every door
TINY = dict(epochs=1, batch_size=16, random_state=0)


def _tiny_table():
    X = np.arange(18, dtype=np.float32).reshape(6, 3)
    y = np.array([0, 0, 0, 0, 1, 1])
    return X, y, TensorDataset(torch.from_numpy(X), torch.from_numpy(y))


@pytest.mark.parametrize("request_", [{"sampling_strategy": {1: 4}}, {"sampling_strategy": "auto"},
                                      {"classes": ["1"]}, {"sampling_strategy": 0.75}])
def test_the_torch_door_plans_as_the_sampler_does(request_):
    X, y, base = _tiny_table()
    sampler = GANAugmenter(**TINY, **request_).fit(X, y)
    assert AugmentedDataset(base, GANAugmenter(**TINY), random_state=0, **request_).sampling_strategy_ == \
        sampler.sampling_strategy_
    # The augmenter's own request applies when none is given here.
    assert AugmentedDataset(base, GANAugmenter(**TINY, **request_), random_state=0).sampling_strategy_ == \
        sampler.sampling_strategy_


def test_a_strategy_keyed_by_a_labels_text_is_refused_by_both_doors_alike():
    X, y, base = _tiny_table()
    with pytest.raises(ValueError, match="'1'") as by_sampler:
        GANAugmenter(**TINY, sampling_strategy={"1": 2}).fit(X, y)
    augmenter = GANAugmenter(**TINY)
    with pytest.raises(ValueError) as by_dataset:
        AugmentedDataset(base, augmenter, sampling_strategy={"1": 2}, random_state=0)
    assert str(by_dataset.value) == str(by_sampler.value)
    assert not hasattr(augmenter, "generator_")


def test_a_strategy_keyed_by_a_tensor_label_is_refused_naming_the_label_to_write():
    # base[i][1] is a 0-d tensor: equal to the label, hashed by identity, so imbalanced-learn said
    # "The {tensor(1)} target class is/are not present in the data."
    X, y, base = _tiny_table()
    with pytest.raises(ValueError, match=r"sampling_strategy names a class by tensor\(1\), a Tensor of one value; "
                                         r"write the label itself: \{1: \.\.\.\}"):
        GANAugmenter(**TINY, sampling_strategy={base[4][1]: 5}).fit(X, y)
    assert GANAugmenter(**TINY, sampling_strategy={np.int64(1): 5}).fit(X, y).sampling_strategy_ == {1: 3}


def test_a_refused_torch_door_leaves_the_users_augmenter_as_it_was():
    # The classes and seed of this call were set on the augmenter before its fit refused the input.
    X, y, base = _tiny_table()
    augmenter = GANAugmenter(epochs=1, batch_size=16, min_class_size=5)
    with pytest.raises(ValueError, match="min_class_size"):
        AugmentedDataset(base, augmenter, classes=[1], random_state=3)
    assert augmenter.get_params()["classes"] is None and augmenter.get_params()["random_state"] is None


def test_a_generator_seeds_the_gan_the_torch_door_fits(monkeypatch):
    # With no augmenter given, a numpy Generator went to GANAugmenter as its random_state and was
    # refused in GANAugmenter's words.
    X, y, base = _tiny_table()
    seeds = []

    class Fitted(Exception):
        pass

    def fit(self, X, y):  # the default GAN's whole fit is not this test's subject
        self._validate_params()
        seeds.append(self.random_state)
        raise Fitted

    monkeypatch.setattr(GANAugmenter, "fit", fit)
    for _ in range(2):
        with pytest.raises(Fitted):
            AugmentedDataset(base, None, random_state=np.random.default_rng(0))
    assert isinstance(seeds[0], int) and seeds[0] == seeds[1]


# ----------------------------------------------------------------------------- errors, saved models
def test_unknown_classes_are_clear_errors(base, fitted, digits):
    with pytest.raises(ValueError, match="42"):
        AugmentedDataset(base, fitted, classes=[42])
    with pytest.raises(ValueError, match="cat"):
        AugmentedDataset(base, fitted, sampling_strategy={"cat": 500})
    _, _, X, y = digits
    relabelled = np.where(y == RARE, 10, y)  # a class the fitted augmenter never saw
    with pytest.raises(ValueError, match=r"Class 10 .*does not know"):
        AugmentedDataset(TensorDataset(torch.from_numpy(X), torch.from_numpy(relabelled)), fitted, classes=[10])
    with pytest.raises(ValueError, match=r"images of shape .*\(1, 16, 16\).*makes \(1, 8, 8\)"):
        AugmentedDataset(TensorDataset(torch.zeros(4, 1, 16, 16), torch.tensor([0, 0, 0, 3])), fitted, classes=[3])
    with pytest.raises(ValueError, match="rows of 5 values"):
        AugmentedDataset(TensorDataset(torch.zeros(4, 5), torch.tensor([0, 0, 0, 3])), fitted, classes=[3])


def test_the_scale_advice_fits_the_model_so_that_following_it_works(digits):
    # A model of ToTensor()'s 0..1 beside a base through ToTensor() and Normalize: the advice was to move
    # both to AugmentedDataset's transform, which then was refused again (the base's 0..255 pixels).
    _, _, X, y = digits
    unit = GANAugmenter(**TINY).fit(X / 16, y)
    normalised = TensorDataset(torch.from_numpy((X / 16 - 0.5) / 0.5), torch.from_numpy(y))
    with pytest.raises(ValueError, match=r"two scales\. Move the base's Normalize\(\.\.\.\) to "
                                         r"AugmentedDataset\(\.\.\., transform=\.\.\.\), which applies it to real and "
                                         r"synthetic items alike, and keep its ToTensor\(\)"):
        AugmentedDataset(normalised, unit, classes=[RARE])
    followed = AugmentedDataset(TensorDataset(torch.from_numpy(X / 16), torch.from_numpy(y)), unit, classes=[RARE],
                                transform=lambda x: (x - 0.5) / 0.5, random_state=0)
    assert followed.n_synthetic > 0
    pixels = TensorDataset(torch.from_numpy(X * 255 / 16), torch.from_numpy(y))
    with pytest.raises(ValueError, match=r"two scales\. Give the base ToTensor\(\) \(0\.\.1, as the images the "
                                         r"augmenter"):
        AugmentedDataset(pixels, unit, classes=[RARE])


def test_images_on_another_scale_than_the_augmenters_are_refused(digits, fitted):
    # The fitted digits are 0..16 floats; ToTensor-like 0..1 images made synthetic items 16x brighter
    # than the real ones beside them, silently.
    _, _, X, y = digits
    # The advice works with a saved model too (a CLI model of the files beside ImageFolder(transform=ToTensor())):
    # it was only to fit the augmenter again.
    with pytest.raises(ValueError, match=r"images hold values in \[0, 1\], but the augmenter makes images in "
                                         r"\[0, 16\].*two scales\. Move the base's ToTensor\(\) \(and "
                                         r"Normalize\(\.\.\.\), if any\) to AugmentedDataset\(\.\.\., "
                                         r"transform=\.\.\.\)"):
        AugmentedDataset(TensorDataset(torch.from_numpy(X / 16), torch.from_numpy(y)), fitted, classes=[RARE])
    scaled = AugmentedDataset(TensorDataset(torch.from_numpy(X), torch.from_numpy(y)), fitted, classes=[RARE],
                              transform=lambda x: x / 16, random_state=0)  # the advice, followed
    assert max(float(scaled[i][0].max()) for i in scaled.synthetic_indices) <= 1.0 + 1e-6
    AugmentedDataset(TensorDataset(torch.from_numpy(X * 0.9), torch.from_numpy(y)), fitted, classes=[RARE])  # same scale
    # The same largest values, centred on 0 (as Normalize leaves images): a background of -8 beside one of 0.
    with pytest.raises(ValueError, match=r"images hold values in \[-8, 8\].*two scales"):
        AugmentedDataset(TensorDataset(torch.from_numpy(X - 8), torch.from_numpy(y)), fitted, classes=[RARE])
    # Rows holding the flattened images, which skipped the check.
    with pytest.raises(ValueError, match=r"images hold values in \[0, 1\].*two scales"):
        AugmentedDataset(TensorDataset(torch.from_numpy(X.reshape(len(X), -1) / 16), torch.from_numpy(y)), fitted,
                         classes=[RARE])
    # A little unclipped noise (sd 5% of the range) reaches below 0 and is the same scale.
    noisy = X + np.random.default_rng(0).normal(0, 0.8, X.shape).astype(np.float32)
    assert noisy.min() < -2.5
    AugmentedDataset(TensorDataset(torch.from_numpy(noisy), torch.from_numpy(y)), fitted, classes=[RARE])


@pytest.mark.parametrize("base, made, two", [
    ((0.0, 1.0, 0.0), (0.0, 255.0), True),      # ToTensor beside 8-bit pixels
    ((-1.0, 1.0, 0.8), (-0.2, 1.2), True),      # Normalize((0.5,), (0.5,)) beside 0..1 with a little overshoot
    ((-1.0, 0.08, 0.0), (-1.0, 1.0), False),    # dim images, both through Normalize: largest value 0.08
    ((-0.47, 1.43, 0.13), (0.0, 1.0), False),   # 0..1 digits with unclipped noise of sd 0.1
    ((0.0, 0.4, 0.0), (0.0, 1.0), False),       # dark images on the same scale
    ((0.0, 0.4, 0.0), (-0.09, 1.07), False),    # dim images beside a model fitted on a little noise
])
def test_two_scales_are_told_by_magnitude_and_by_values_outside_the_range(base, made, two):
    from gan_augment.data.torch_items import ValueSummary
    from gan_augment.torch_data import _on_two_scales

    assert _on_two_scales(ValueSummary(*base), made) is two


def test_integer_images_on_another_scale_than_the_augmenters_are_refused(digits):
    # Integer pixels on both sides were never compared: digits of 0..16 in uint8 beside 0..255 ones.
    _, _, X, y = digits
    small = X.astype(np.uint8)
    augmenter = GANAugmenter(epochs=1, batch_size=64, random_state=0, device="cpu").fit(small, y)
    with pytest.raises(ValueError, match=r"images hold values in \[0, 240\], but the augmenter makes images in "
                                         r"\[0, 16\].*two scales"):
        AugmentedDataset(TensorDataset(torch.from_numpy(small * 15), torch.from_numpy(y)), augmenter, classes=[RARE])
    AugmentedDataset(TensorDataset(torch.from_numpy(small), torch.from_numpy(y)), augmenter, classes=[RARE])
    # A model file of an earlier version took every uint8 image as 0..255: the message says it may be that.
    state = augmenter.encoder_.to_dict()
    state["value_range"] = [0.0, 255.0]
    augmenter.encoder_ = type(augmenter.encoder_).from_dict(state)
    with pytest.raises(ValueError, match=r"\[0, 255\] \(.*or of any uint8 images for a model saved by an earlier"):
        AugmentedDataset(TensorDataset(torch.from_numpy(small), torch.from_numpy(y)), augmenter, classes=[RARE])


def test_rows_of_numbers_are_refused_a_model_that_makes_text():
    import pandas as pd

    rng = np.random.default_rng(0)
    y = np.array([0] * 40 + [1] * 20)
    table = pd.DataFrame({"a": rng.normal(size=60), "b": np.arange(60), "colour": ["red", "blue"] * 30})
    model = GANAugmenter(epochs=1, batch_size=32, random_state=0).fit(table, y)
    with pytest.raises(ValueError, match=r"makes rows with text in column 'colour'"):  # was numpy's "could not convert"
        AugmentedDataset(TensorDataset(torch.randn(60, 3), torch.from_numpy(y)), model)


def test_a_saved_model_directory_is_accepted_as_augmenter(tmp_path, base, fitted):
    path = fitted.save(tmp_path / "model")
    loaded = AugmentedDataset(base, str(path), classes=[RARE], random_state=0)
    in_memory = AugmentedDataset(base, fitted, classes=[RARE], random_state=0)
    _same_items(_synthetic(loaded), _synthetic(in_memory))


# ----------------------------------------------------------------------------- transforms
def test_a_plain_callable_transform_is_applied_to_real_and_synthetic_items(base, fitted):
    raw = AugmentedDataset(base, fitted, classes=[RARE], random_state=0)
    negated = AugmentedDataset(base, fitted, classes=[RARE], random_state=0, transform=negate)
    for i in (0, len(raw) - 1):
        assert torch.equal(negated[i][0], -raw[i][0])
    pickle.loads(pickle.dumps(negated))


def test_albumentations_adapter_is_seeded_picklable_and_keeps_the_type(base, fitted):
    A = pytest.importorskip("albumentations")
    from PIL import Image

    from gan_augment.data.albumentations_adapter import AlbumentationsTransform

    steps = [A.HorizontalFlip(p=0.5), A.Affine(translate_px=(-1, 1), p=0.5)]
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (8, 8, 3), dtype=np.uint8) for _ in range(12)]
    first, second = AlbumentationsTransform(steps, seed=3), AlbumentationsTransform(steps, seed=3)
    for image in images:
        np.testing.assert_array_equal(first(image), second(image))
    copy = pickle.loads(pickle.dumps(first))
    for image in images:
        np.testing.assert_array_equal(first(image), copy(image))

    flip = AlbumentationsTransform([A.HorizontalFlip(p=1.0)], seed=0)
    tensor = torch.arange(64, dtype=torch.float32).reshape(1, 8, 8)
    assert torch.equal(flip(tensor), tensor.flip(-1))
    gray = np.arange(64, dtype=np.float64).reshape(8, 8)
    out = flip(gray)
    assert out.dtype == np.float64 and out.shape == (8, 8) and np.array_equal(out, gray[:, ::-1])
    pil = flip(Image.fromarray(images[0]).convert("L"))
    assert isinstance(pil, Image.Image) and pil.mode == "L" and pil.size == (8, 8)

    raw = AugmentedDataset(base, fitted, classes=[RARE], random_state=0)
    flip_all = A.Compose([A.HorizontalFlip(p=1.0)])  # a bare Compose is wrapped in the adapter
    flipped = AugmentedDataset(base, fitted, classes=[RARE], random_state=0, transform=flip_all)
    for i in (0, len(raw) - 1):
        assert torch.equal(flipped[i][0], raw[i][0].flip(-1))


def test_floats_a_transform_makes_of_uint8_pixels_come_back_as_floats_in_every_container():
    # Rounded back into uint8, a Normalize's image around 0 became one of 0..3 (-2 had even wrapped
    # to 254 in a tensor): the standard end of an albumentations pipeline destroyed the images.
    A = pytest.importorskip("albumentations")
    from PIL import Image

    from gan_augment.data.albumentations_adapter import AlbumentationsTransform

    image = np.array([[0, 64], [128, 250]], np.uint8)
    normalize = AlbumentationsTransform([A.Normalize(mean=0.5, std=0.25, p=1.0)], seed=0)
    expected = (image / 255.0 - 0.5) / 0.25
    np.testing.assert_allclose(normalize(image), expected, rtol=1e-6)
    assert normalize(image).dtype == np.float32
    tensor = normalize(torch.from_numpy(image)[None])
    assert tensor.dtype == torch.float32 and tensor.shape == (1, 2, 2)
    np.testing.assert_allclose(tensor[0].numpy(), expected, rtol=1e-6)
    with pytest.raises(ValueError, match=r"made floats of this L PIL image's pixels .*ToTensorV2"):
        normalize(Image.fromarray(image))


def test_a_pipeline_ending_in_to_tensor_gives_its_tensor_as_it_made_it():
    # ToTensorV2's (C, H, W) tensor was read as channel-last and moved again: (3, 4, 5) came back
    # (5, 3, 4) with its pixels scrambled, and a PIL image failed in PIL.
    A = pytest.importorskip("albumentations")
    from albumentations.pytorch import ToTensorV2
    from PIL import Image

    from gan_augment.data.albumentations_adapter import AlbumentationsTransform

    rgb = np.random.default_rng(0).integers(0, 256, (4, 5, 3), dtype=np.uint8)
    to_tensor = AlbumentationsTransform([ToTensorV2()], seed=0)
    for given in (rgb, torch.from_numpy(rgb).permute(2, 0, 1), Image.fromarray(rgb)):
        out = to_tensor(given)
        assert isinstance(out, torch.Tensor) and torch.equal(out, torch.from_numpy(rgb).permute(2, 0, 1))
    normalized = AlbumentationsTransform([A.Normalize(mean=0.5, std=0.5), ToTensorV2()], seed=0)(Image.fromarray(rgb))
    np.testing.assert_allclose(normalized.numpy(), (rgb / 255.0 - 0.5).transpose(2, 0, 1) / 0.5, rtol=1e-5)


def test_a_palette_image_is_transformed_in_its_colours():
    # The palette indices were moved as grey levels and written back into a new, grey palette.
    A = pytest.importorskip("albumentations")
    from PIL import Image

    from gan_augment.data.albumentations_adapter import AlbumentationsTransform

    rgb = Image.fromarray(np.random.default_rng(0).integers(0, 256, (8, 8, 3), dtype=np.uint8))
    flip = AlbumentationsTransform([A.HorizontalFlip(p=1.0)], seed=0)
    palette = rgb.quantize(16)
    out = flip(palette)
    assert out.mode == "RGB"
    assert np.array_equal(np.asarray(out), np.asarray(palette.convert("RGB"))[:, ::-1])
    transparent = palette.copy()
    transparent.info["transparency"] = 0
    assert flip(transparent).mode == "RGBA"
    rgba = np.zeros((2, 4, 4), np.uint8)
    rgba[..., 0], rgba[:, 2:, 3] = 200, 255
    alpha_in_palette = Image.fromarray(rgba, "RGBA").quantize(colors=4)  # no "transparency" in its info
    assert np.asarray(flip(alpha_in_palette))[0, :, 3].tolist() == [255, 255, 0, 0]


def test_albumentations_output_outside_an_integer_type_comes_back_the_same_in_every_container():
    # A blend of an int16 image or a mask is rounded and clipped into its type in every container.
    A = pytest.importorskip("albumentations")
    from PIL import Image

    from gan_augment.data.albumentations_adapter import AlbumentationsTransform

    doubled = AlbumentationsTransform([A.Lambda(image=lambda x, **kw: x * 2, p=1.0)], seed=0)
    wide = torch.tensor([[[30000, -30000], [1, 2]]], dtype=torch.int16)
    assert doubled(wide).tolist() == [[[32767, -32768], [2, 4]]]
    # A mask's blend is rounded, not cast (every nonzero blend True thickened it), in every container,
    # and a bilevel PIL image keeps its pixels (it came back black).
    mask = np.zeros((16, 16), bool)
    mask[6:10, 6:10] = True
    blur = AlbumentationsTransform([A.GaussianBlur(blur_limit=(5, 5), sigma_limit=(2, 2), p=1.0)], seed=0)
    blurred = blur(mask)
    assert blurred.dtype == bool and 0 < blurred.sum() < 64
    assert np.array_equal(np.asarray(blur(torch.from_numpy(mask))), blurred)
    flip = AlbumentationsTransform([A.HorizontalFlip(p=1.0)], seed=0)
    assert np.array_equal(np.asarray(flip(Image.fromarray(mask))), mask[:, ::-1])


def test_channel_first_numpy_images_are_moved_along_their_height_and_width():
    # A (1, 8, 8) array was read channel-last, as an 8-channel image one pixel high: a horizontal
    # flip of AugmentedDataset's numpy (C, H, W) items came out vertical.
    A = pytest.importorskip("albumentations")
    from gan_augment.data.albumentations_adapter import AlbumentationsTransform

    flip = AlbumentationsTransform([A.HorizontalFlip(p=1.0)], seed=0)
    rng = np.random.default_rng(0)
    for chw in (rng.integers(0, 256, (1, 8, 8), dtype=np.uint8), rng.random((3, 8, 10), dtype=np.float32)):
        out = flip(chw)
        assert out.shape == chw.shape and out.dtype == chw.dtype and np.array_equal(out, chw[:, :, ::-1])
    hwc = rng.integers(0, 256, (3, 8, 3), dtype=np.uint8)  # both ends could hold channels: numpy reads HWC
    assert np.array_equal(flip(hwc), hwc[:, ::-1])


@pytest.mark.parametrize("mode", ["CMYK", "YCbCr", "HSV", "LAB", "RGBX"])
def test_a_pil_image_comes_back_in_its_own_mode_without_a_colour_conversion(mode):
    # The moved bands were read as RGB(A) and converted back into the mode: a flipped CMYK image
    # was off by up to 255 in its pixels.
    A = pytest.importorskip("albumentations")
    from PIL import Image

    from gan_augment.data.albumentations_adapter import AlbumentationsTransform

    image = Image.fromarray(np.random.default_rng(0).integers(0, 256, (8, 10, 3), dtype=np.uint8)).convert(mode)
    out = AlbumentationsTransform([A.HorizontalFlip(p=1.0)], seed=0)(image)
    assert out.mode == mode and np.array_equal(np.asarray(out), np.asarray(image)[:, ::-1])


@pytest.mark.parametrize("mode", ["CMYK", "YCbCr", "HSV", "LAB"])
def test_colour_transforms_of_a_pil_image_in_a_colour_space_see_its_colours(mode):
    # The raw Y/Cb/Cr (C/M/Y/K, ...) bands were read as RGB: ToGray made a coloured image.
    A = pytest.importorskip("albumentations")
    from PIL import Image

    from gan_augment.data.albumentations_adapter import AlbumentationsTransform

    rgb = Image.fromarray(np.array([[[200, 30, 30], [30, 200, 30]], [[30, 30, 200], [120, 120, 120]]], np.uint8))
    out = AlbumentationsTransform([A.ToGray(p=1.0)], seed=0)(rgb.convert(mode))
    seen = np.asarray(out.convert("RGB")).reshape(-1, 3).astype(int)
    assert out.mode == mode and (seen.max(axis=1) - seen.min(axis=1)).max() <= 2
    # A move that fills what it uncovers writes its fill as a colour: black corners, not green ones.
    grey = Image.fromarray(np.full((16, 16, 3), 200, np.uint8)).convert(mode)
    rotate = A.Affine(rotate=(45, 45), p=1.0)  # filled with 0
    corner = np.asarray(AlbumentationsTransform([rotate], seed=0)(grey).convert("RGB"))[0, 0].astype(int)
    assert corner.max() <= 4


def test_a_pil_image_whose_bands_a_transform_changes_comes_back_or_is_refused_naming_it():
    # ToGray to one band failed inside PIL ("Cannot handle this data type: (1, 1, 1), |u1"), and so
    # did ToRGB of a 32-bit image.
    A = pytest.importorskip("albumentations")
    from PIL import Image

    from gan_augment.data.albumentations_adapter import AlbumentationsTransform

    rgb = Image.fromarray(np.random.default_rng(0).integers(0, 256, (4, 5, 3), dtype=np.uint8))
    out = AlbumentationsTransform([A.ToGray(num_output_channels=1, p=1.0)], seed=0)(rgb)
    assert out.mode == "RGB" and out.size == (5, 4)
    wide = rgb.convert("L").convert("I")
    with pytest.raises(ValueError, match=r"made 3 bands of int32 of this I PIL image, which PIL cannot hold"):
        AlbumentationsTransform([A.ToRGB(p=1.0)], seed=0)(wide)


class Repeated(Dataset):
    """One image, transformed anew on every access."""

    def __init__(self, image, n, transform):
        self.image, self.n, self.transform = image, n, transform

    def __len__(self):
        return self.n

    def __getitem__(self, index):
        return self.transform(self.image), 0


@pytest.mark.parametrize("seed, error", [(1.5, TypeError), ("0", TypeError), (True, TypeError), (-1, ValueError)])
def test_albumentations_adapter_refuses_a_seed_that_is_no_seed_naming_it(seed, error):
    # albumentations refused 1.5 and "0" naming no parameter ("SeedSequence expects int"); True passed.
    A = pytest.importorskip("albumentations")
    from gan_augment.data.albumentations_adapter import AlbumentationsTransform

    with pytest.raises(error, match=r"^seed(=True is a bool;| must be)"):
        AlbumentationsTransform([A.HorizontalFlip(p=0.5)], seed=seed)


def test_albumentations_in_workers_differs_per_worker_and_follows_the_loader_seed():
    A = pytest.importorskip("albumentations")
    from gan_augment.data.albumentations_adapter import AlbumentationsTransform

    image = np.random.default_rng(0).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    dataset = Repeated(image, 16, AlbumentationsTransform([A.Affine(translate_px=(-2, 2), p=1.0)], seed=0))

    def run(seed):
        loader = DataLoader(dataset, batch_size=1, num_workers=2, generator=torch.Generator().manual_seed(seed))
        return torch.cat([x for x, _ in loader]).numpy()

    first = run(0)
    np.testing.assert_array_equal(first, run(0))
    assert not np.array_equal(first[0::2], first[1::2])  # worker 0 and worker 1 draw differently
    assert not np.array_equal(first, run(1))


def test_a_missing_albumentations_says_what_to_install(monkeypatch):
    import sys

    from gan_augment.data.albumentations_adapter import AlbumentationsTransform

    monkeypatch.setitem(sys.modules, "albumentations", None)  # as if it were not installed
    with pytest.raises(ImportError, match=r'pip install "gan-augment\[albumentations\]"'):
        AlbumentationsTransform([])


def test_a_bad_request_leaves_the_users_augmenter_untouched(base):
    augmenter = GANAugmenter(epochs=1)
    with pytest.raises(ValueError, match="42"):
        AugmentedDataset(base, augmenter, classes=[42], random_state=0)
    assert augmenter.classes is None and augmenter.random_state is None
    assert not hasattr(augmenter, "generator_")


def test_classes_held_by_the_augmenter_are_named_as_its_own_when_the_base_lacks_them(base, fitted):
    # The augmenter was told to top up RARE; a base whose labels are other numbers does not have it.
    # The error says the classes came from the augmenter, and how to choose others here.
    import copy

    augmenter = copy.copy(fitted).set_params(classes=[RARE])  # still fitted: set_params on a shallow copy
    shifted = TensorDataset(base.tensors[0], base.tensors[1] + 100)
    with pytest.raises(ValueError, match=rf"The augmenter's own top-up \(classes=\[{RARE}\]\) does not fit this dataset: "
                                         rf"Unknown class {RARE}; .*Pass classes= or sampling_strategy= here"):
        AugmentedDataset(shifted, augmenter)


# ----------------------------------------------------------------------------- sweep findings (stop 42)
def test_labels_mixing_strings_and_numbers_are_refused_before_fitting():
    # numpy made [0, "0", ...] an array of strings, not objects: the old check never fired, and 0
    # and "0" were fitted as one class while classes_ listed both.
    X = np.arange(36, dtype=np.float32).reshape(12, 3)
    labels = [0, "0", 1, "1"] * 2 + [0, 0, 0, 1]
    augmenter = GANAugmenter(**TINY)
    with pytest.raises(ValueError, match=r"The base dataset holds labels that differ only in type: 0 \(int\), '0' "
                                         r"\(str\)"):
        AugmentedDataset(Pairs(torch.from_numpy(X), labels), augmenter)
    assert not hasattr(augmenter, "generator_")


@pytest.mark.parametrize("item, named", [((torch.zeros(3), 0, "extra"), "a tuple of 3 elements"),
                                         ({"image": torch.zeros(3), "label": 0}, r"a dict with keys \['image', "
                                                                                  r"'label'\]")])
def test_items_other_than_pairs_are_named_with_the_way_to_wrap_them(item, named):
    with pytest.raises(ValueError, match=rf"Item 0 of the base dataset is {named}; .*returns \(x, label\)"):
        AugmentedDataset([item] * 4, GANAugmenter(**TINY))


def test_a_single_class_base_is_refused_as_such():
    X = np.arange(12, dtype=np.float32).reshape(4, 3)
    for augmenter in (GANAugmenter(**TINY), GANAugmenter(**TINY, classes=[0])):
        with pytest.raises(ValueError, match=r"holds a single class \(0\); a top-up needs at least two") as refused:
            AugmentedDataset(TensorDataset(torch.from_numpy(X), torch.zeros(4, dtype=torch.long)), augmenter)
        assert "Pass classes=" not in str(refused.value)  # naming classes cannot help


def test_nothing_to_add_fits_no_gan_and_serves_the_base():
    X = np.arange(24, dtype=np.float32).reshape(8, 3)
    base = TensorDataset(torch.from_numpy(X), torch.tensor([0, 1] * 4))  # balanced: "auto" adds nothing
    augmenter = GANAugmenter(**TINY)
    with pytest.warns(NothingToAddWarning, match="Nothing to add.*no GAN is fitted"):
        data = AugmentedDataset(base, augmenter, refresh="epoch", random_state=0)
    assert not hasattr(augmenter, "generator_")
    assert len(data) == 8 and data.n_synthetic == 0 and data.class_counts == {0: 4, 1: 4}
    data.set_epoch(1)
    torch.testing.assert_close(data[5][0], base[5][0])


def test_a_grey_model_beside_images_read_as_rgb_says_how_to_read_them_as_it_was_fitted(digits, fitted):
    # torchvision's ImageFolder reads every file as RGB: beside a model `gan-augment fit` made of the
    # same grey folder, the advice was only to give up the model ("pass an unfitted augmenter").
    _, _, X, y = digits
    as_rgb = TensorDataset(torch.from_numpy(np.repeat(X[:40], 3, axis=1)), torch.from_numpy(y[:40]))
    with pytest.raises(ValueError, match=r"images of shape \(C, H, W\) = \(3, 8, 8\), but the augmenter makes "
                                         r"\(1, 8, 8\)-shaped images; read them in grayscale, as it was fitted, e\.g\. "
                                         r"torchvision's ImageFolder\(root, loader=lambda path: "
                                         r"PIL\.Image\.open\(path\)\.convert\('L'\)\) .*, or pass an unfitted "
                                         r"augmenter"):
        AugmentedDataset(as_rgb, fitted)
    smaller = TensorDataset(torch.from_numpy(X[:40, :, :6, :6].copy()), torch.from_numpy(y[:40]))
    with pytest.raises(ValueError, match=r"resize them to 8x8 in the base dataset \(its own transform, not "
                                         r"AugmentedDataset's\), or pass an unfitted augmenter"):
        AugmentedDataset(smaller, fitted)


def test_a_model_of_images_given_table_rows_is_named_as_such_not_as_unknown_classes(fitted):
    rows = TensorDataset(torch.zeros(6, 5), torch.tensor([7, 7, 7, 7, 8, 8]))  # labels the model does not know
    with pytest.raises(ValueError, match="rows of 5 values, but the augmenter makes images of 64 values; pass an "
                                         "unfitted augmenter"):
        AugmentedDataset(rows, fitted)
    rows = TensorDataset(torch.randn(12, 5), torch.tensor([7] * 8 + [8] * 4))
    assert len(AugmentedDataset(rows, GANAugmenter(**TINY), random_state=0)) == 16  # the advice, followed


def test_random_sampler_of_one_pass_per_epoch_follows_the_augmented_length(base, fitted):
    from torch.utils.data import RandomSampler

    one_pass = DataLoader(base, batch_size=8, sampler=RandomSampler(base, replacement=True, num_samples=len(base)))
    loader = augment_loader(one_pass, fitted, classes=[RARE], random_state=0)
    assert len(loader.sampler) == len(loader.dataset) > len(base)
    fixed = DataLoader(base, batch_size=8, sampler=RandomSampler(base, replacement=True, num_samples=100))
    assert len(augment_loader(fixed, fitted, classes=[RARE], random_state=0).sampler) == 100  # as given


def test_labels_mixing_booleans_and_numbers_are_refused_before_fitting():
    # True == 1 in Python: the two merged into one class of 9 ("classes_ [0, True]").
    X = np.arange(39, dtype=np.float32).reshape(13, 3)
    labels = [True] * 6 + [1] * 3 + [0] * 4
    augmenter = GANAugmenter(**TINY)
    with pytest.raises(ValueError, match=r"mixes labels of different kinds: booleans \(True\), numbers \(1\)"):
        AugmentedDataset(Pairs(torch.from_numpy(X), labels), augmenter)
    assert not hasattr(augmenter, "generator_")


def test_labels_beyond_int64_stay_exact_classes():
    # numpy made the .item()-ed labels floats: "Unknown label type: continuous", where GANAugmenter
    # takes the same uint64 labels.
    X = np.arange(48, dtype=np.float32).reshape(16, 3)
    big = np.uint64(2 ** 63 + 7)
    labels = [big] * 8 + [np.uint64(1)] * 4 + [np.uint64(2)] * 4
    dataset = AugmentedDataset(Pairs(torch.from_numpy(X), labels), GANAugmenter(**TINY), random_state=0)
    assert dataset.class_counts == {1: 8, 2: 8, 2 ** 63 + 7: 8}
    assert all(label == big for _, label in (dataset[i] for i in range(8)))


class NamedClasses(Pairs):
    """A dataset with torchvision's class names (as MNIST and ImageFolder have them)."""

    def __init__(self, xs, labels, names):
        super().__init__(xs, labels)
        self.classes, self.class_to_idx = names, {name: i for i, name in enumerate(names)}


def test_transform_and_torchvisions_class_attributes_behave_as_on_a_torchvision_dataset(base, fitted, digits):
    # Assigning dataset.transform was ignored (wrapped once in __init__), and dataset.classes held the
    # classes to top up ([3]): a script sizing its model with len(dataset.classes) got 1.
    data = AugmentedDataset(base, fitted, classes=[RARE], random_state=0)
    real, synthetic = data[0][0], data[len(data) - 1][0]
    data.transform = negate
    assert torch.equal(data[0][0], -real) and torch.equal(data[len(data) - 1][0], -synthetic)
    data.transform = None
    assert torch.equal(data[0][0], real) and data.transform is None
    assert data.top_up_classes == [RARE] and data.classes == data.classes_ == list(range(10))
    with pytest.raises(AttributeError, match="has no class_to_idx: its base dataset"):
        data.class_to_idx
    _, _, X, y = digits
    names = [f"{d} - digit" for d in range(10)]
    named = AugmentedDataset(NamedClasses(torch.from_numpy(X), y.tolist(), names), fitted, classes=[RARE],
                             random_state=0)
    assert named.classes == names and named.class_to_idx["3 - digit"] == 3
    assert pickle.loads(pickle.dumps(named)).classes == names
    # A pickle of the version before held them as plain attributes, which the properties hide.
    old = dict(vars(data), transform=negate, classes=[RARE])
    for name in ("_transform_given", "top_up_classes"):
        del old[name]
    restored = AugmentedDataset.__new__(AugmentedDataset)
    restored.__setstate__(old)
    assert restored.transform is negate and restored.top_up_classes == [RARE] and len(restored) == len(data)


class FolderOfClasses(Pairs):
    """What torchvision's ImageFolder gives: labels that index ``classes`` (sorted folder names)."""

    def __init__(self, xs, names, classes):
        self.classes = list(classes)
        self.class_to_idx = {name: index for index, name in enumerate(self.classes)}
        super().__init__(xs, [self.class_to_idx[name] for name in names])


def _folder_and_its_model(digits, tmp_path, folders):
    """Digits 0, 1, 2 (10 of 2) in ``folders`` as an ImageFolder would serve them, and a model of the
    folder names saved at ``tmp_path / "model"``, its rare class the third folder's:
    ``(X, names, base, rare, rare's index)``."""
    X, y, _, _ = digits
    keep = np.isin(y, [0, 1, 2]) & ((y != 2) | (np.cumsum(y == 2) <= 10))
    X, names = X[keep][:130], [folders[int(v)] for v in y[keep][:130]]
    rare = folders[2]
    model = GANAugmenter(classes=[rare], epochs=1, batch_size=32, random_state=0).fit(X, np.array(names))
    model.save(tmp_path / "model")
    base = FolderOfClasses(torch.from_numpy(X), names, sorted(folders))
    return X, names, base, rare, base.class_to_idx[rare]


@pytest.mark.parametrize("folders", [("a", "b", "rare"), ("10", "2", "1")])
def test_a_model_of_class_names_tops_up_a_base_whose_labels_index_those_names(digits, tmp_path, folders):
    # `gan-augment fit folder/` names classes by their folders; an ImageFolder over the same folder
    # labels them 0, 1, 2. Every way of joining the two was refused ("Unknown class 'rare'"), and
    # folders named "1", "10", "2" matched the model's "1" to the label 1 (folder "10"), not 0.
    X, names, base, rare, index = _folder_and_its_model(digits, tmp_path, folders)
    for given in ({}, {"classes": [rare]}, {"classes": [index]}):
        data = AugmentedDataset(base, tmp_path / "model", random_state=0, **given)
        added = {label: n for label, n in data.sampling_strategy_.items() if n}
        assert added == {index: names.count(folders[0]) - names.count(rare)}, given
        assert {data[i][1] for i in data.synthetic_indices} == {index}
    if rare == "rare":  # a base without class names is matched by its labels alone, as before
        with pytest.raises(ValueError, match="Unknown class 'rare'"):
            AugmentedDataset(Pairs(torch.from_numpy(X), [base.class_to_idx[n] for n in names]), tmp_path / "model")
    # The split a training script makes, and the classes as an array.
    split = Subset(base, list(range(0, len(base), 2)))
    data = AugmentedDataset(split, tmp_path / "model", classes=np.array([rare]), random_state=0)
    assert [label for label, n in data.sampling_strategy_.items() if n] == [index]
    with pytest.raises(ValueError, match=rf"sampling_strategy names one class twice \({index} and '{rare}'"):
        AugmentedDataset(base, tmp_path / "model", sampling_strategy={index: 40, rare: 30})
    with pytest.raises(ValueError, match=rf"sampling_strategy names one class twice \('{rare}' and {index}"):
        AugmentedDataset(base, tmp_path / "model", sampling_strategy={rare: 30, index: 40})


def test_a_model_of_class_names_reads_them_through_a_concat_dataset_of_folders(digits, tmp_path):
    # Two folders of the same classes joined: the ConcatDataset has no class_to_idx of its own, and
    # the model's class "1" (folder "1") was served as the label 1 (folder "2"), without a word.
    X, names, base, rare, index = _folder_and_its_model(digits, tmp_path, ("1", "2", "3"))
    whole = AugmentedDataset(base, tmp_path / "model", random_state=0)
    both = ConcatDataset([base, Subset(base, list(range(0, len(base), 2)))])
    for given in ({}, {"classes": [rare]}, {"classes": [index]}):
        data = AugmentedDataset(both, tmp_path / "model", random_state=0, **given)
        assert [label for label, n in data.sampling_strategy_.items() if n] == [index], given
        assert {data[i][1] for i in data.synthetic_indices} == {index}
    drawn = AugmentedDataset(both, tmp_path / "model", random_state=0)
    assert torch.equal(drawn[drawn.synthetic_indices[0]][0], whole[whole.synthetic_indices[0]][0])
    # A folder lacking a class beside the whole one: the names they share mean the same labels.
    lacking = [i for i, name in enumerate(names) if name != "3"]
    fewer = FolderOfClasses(torch.from_numpy(X[lacking]), [names[i] for i in lacking], ["1", "2"])
    data = AugmentedDataset(ConcatDataset([base, fewer]), tmp_path / "model", random_state=0)
    assert [label for label, n in data.sampling_strategy_.items() if n] == [index]
    # Names that mean other labels in another part, or a part without names: which label the
    # model's "3" is cannot be told, and the text of the label 3 was taken, another folder.
    shifted = FolderOfClasses(torch.from_numpy(X), names, ["0", "1", "2", "3"])
    unnamed = Pairs(torch.from_numpy(X), [base.class_to_idx[name] for name in names])
    for other, reason in ((shifted, r"the parts of the ConcatDataset give '0' or the index 0 another meaning"),
                          (unnamed, r"part 1 of the ConcatDataset has no class_to_idx")):
        with pytest.raises(ValueError, match=rf"fitted on classes named '1', '2', '3', but {reason}"):
            AugmentedDataset(ConcatDataset([base, other]), tmp_path / "model")
        # A name given here, to an augmenter yet to fit, was read as the text of a label just as silently.
        for given in ({"classes": ["1"]}, {"sampling_strategy": {"2": 60}}):
            with pytest.raises(ValueError, match=rf"'[12]' is a class name of the base, but {reason}"):
                AugmentedDataset(ConcatDataset([base, other]), GANAugmenter(epochs=1), **given)
    # Counts keyed by a class's name are checked, and named, as written (it named the label 2, "in y").
    with pytest.raises(ValueError, match=r"sampling_strategy\['3'\] = 5 is below the 16 that class '3' already has"):
        AugmentedDataset(both, tmp_path / "model", sampling_strategy={"3": 5})


@pytest.mark.parametrize("folders", [("1", "2", "3"), ("one", "two", "rare")])
def test_a_model_of_class_names_reads_them_in_a_split_or_folder_that_lacks_some(digits, tmp_path, folders):
    # A split without folder "1" (labels 1 and 2 left) matched the model's classes by the labels' text:
    # folder "3" (label 2) drew the model's "2", another digit, labelled as the rare one; with names
    # of words it was refused as a class the model does not know.
    X, names, base, rare, index = _folder_and_its_model(digits, tmp_path, folders)
    split = Subset(base, [i for i, name in enumerate(names) if name != folders[0]])
    whole = AugmentedDataset(base, tmp_path / "model", classes=[rare], random_state=0)
    for given in ({}, {"classes": [rare]}, {"classes": [index]}):
        data = AugmentedDataset(split, tmp_path / "model", random_state=0, **given)
        added = {label: n for label, n in data.sampling_strategy_.items() if n}
        assert added == {index: names.count(folders[1]) - names.count(rare)}, given
        drawn = torch.stack([data[i][0] for i in data.synthetic_indices[:5]])
        assert torch.equal(drawn, torch.stack([whole[i][0] for i in whole.synthetic_indices[:5]])), given
    # A class the split lacks is named as given, not by its index (which nobody wrote); folder "1" is
    # also the text of the label 1 (folder "2"), which the planner took.
    lacking = (r"'1' names two classes: the base's class '1' \(label 0 in its class_to_idx\) and the label 1"
               if rare == "3" else r"Unknown class 'one': the base's class_to_idx names it \(label 0\), but this "
                                   r"dataset holds none of it; its classes are \[1, 2\]")
    for given in ({"classes": [folders[0]]}, {"sampling_strategy": {folders[0]: 50}}):
        with pytest.raises(ValueError, match=lacking):
            AugmentedDataset(split, GANAugmenter(epochs=1), **given)
    # A folder that lacks one of the model's classes: the names still match.
    other = [name for name in names if name != folders[0]]
    fewer = FolderOfClasses(torch.from_numpy(X[[name != folders[0] for name in names]]), other, sorted(folders[1:]))
    data = AugmentedDataset(fewer, tmp_path / "model", classes=[rare], random_state=0)
    assert [label for label, n in data.sampling_strategy_.items() if n] == [fewer.class_to_idx[rare]]
    assert torch.equal(data[data.synthetic_indices[0]][0], whole[whole.synthetic_indices[0]][0])
    # A class of the folder the model does not know is named as the folder names it (the model's "1",
    # "2", "3" read as names as well as the text of labels 0, 1, 2: as names, as a model of folders;
    # as text, label 2 would draw the model's "2", folder "2"'s images).
    strange = FolderOfClasses(torch.from_numpy(X), [{rare: "zzz"}.get(name, name) for name in names],
                              sorted({*folders[:2], "zzz"}))
    with pytest.raises(ValueError, match=r"Class 2 \('zzz' in the base's class_to_idx\) is to be topped up, but the "
                                         "augmenter does not know it"):
        AugmentedDataset(strange, tmp_path / "model", classes=["zzz"])


def test_a_model_of_eleven_numbered_folders_reads_them_as_names(digits, tmp_path):
    # Folders "0" to "10" are also the text of their indices, in another order ("10" is the index 2):
    # a model of the folder read as either was refused, with advice that could not help.
    X, y, _, _ = digits
    folders = [str(k) for k in range(11)]
    index = np.arange(len(X)) % 11
    names = [folders[k] for k in index]
    keep = (index != 10) | (np.cumsum(index == 10) <= 4)  # folder "10" rare
    X, names = X[keep][:160], [n for n, k in zip(names, keep) if k][:160]
    model = GANAugmenter(classes=["10"], epochs=1, batch_size=32, random_state=0, n_threads=1).fit(X, np.array(names))
    base = FolderOfClasses(torch.from_numpy(X), names, sorted(folders))
    assert base.class_to_idx["10"] == 2
    for given in ({}, {"classes": ["10"]}, {"classes": [2]}):
        data = AugmentedDataset(base, model, random_state=0, **given)
        assert [label for label, n in data.sampling_strategy_.items() if n] == [2], given
        assert data._targets[2][0] == "10"


def test_a_model_of_the_labels_text_reads_them_as_text_beside_folder_names_like_it(digits):
    # Fitted on the text of an ImageFolder's labels ("0", "1", "2") beside folders "1", "2", "3", the
    # model's "2" was read as folder "2" (label 1): another class's images.
    X, y, _, _ = digits
    keep = np.isin(y, [0, 1, 2]) & ((y != 1) | (np.cumsum(y == 1) <= 10))
    X, y = X[keep][:130], y[keep][:130]
    base = FolderOfClasses(torch.from_numpy(X), [("1", "2", "3")[v] for v in y], ["1", "2", "3"])
    model = GANAugmenter(classes=["1"], epochs=1, batch_size=32, random_state=0, n_threads=1).fit(
        X, y.astype(str))  # the labels' text: 0, 1, 2 index folders "1", "2", "3"
    data = AugmentedDataset(base, model, classes=[1], random_state=0)
    assert data._targets == {1: ("1", 1)}
    # Fitted on the text of a split's labels (1 and 2: folder "1" left out), read by the classes it
    # holds: folder "1", named by none of its labels, made the names tie with the text.
    split = Subset(base, np.flatnonzero(y != 0).tolist())
    model = GANAugmenter(epochs=1, batch_size=32, random_state=0, n_threads=1).fit(X[y != 0], y[y != 0].astype(str))
    assert AugmentedDataset(split, model, random_state=0)._targets == {1: ("1", 0)}


def test_an_unfitted_augmenter_tops_up_a_class_named_by_its_folder_and_refuses_a_name_of_two_classes(digits):
    X, y, _, _ = digits
    keep = np.isin(y, [0, 1, 2]) & ((y != 2) | (np.cumsum(y == 2) <= 10))
    X, y = X[keep][:130], y[keep][:130]
    base = FolderOfClasses(torch.from_numpy(X), [("a", "b", "rare")[v] for v in y], ["a", "b", "rare"])
    for given in ({"augmenter": GANAugmenter(classes=["rare"], epochs=1, batch_size=32)},  # its own classes
                  {"augmenter": GANAugmenter(epochs=1, batch_size=32), "classes": ["rare"]}):
        data = AugmentedDataset(base, random_state=0, **given)
        assert [label for label, n in data.sampling_strategy_.items() if n] == [2]
        assert data.augmenter_.classes_.tolist() == [0, 1, 2]
    # Folders "1", "10", "2": "1" is folder "1" (label 0) or the label 1 (folder "10").
    digits_named = FolderOfClasses(torch.from_numpy(X), [("1", "10", "2")[v] for v in y], ["1", "10", "2"])
    with pytest.raises(ValueError, match=r"'1' names two classes: the base's class '1' \(label 0 in its "
                                         r"class_to_idx\) and the label 1; name the class by its label, 0 or 1\."):
        AugmentedDataset(digits_named, GANAugmenter(epochs=1), classes=["1"])
