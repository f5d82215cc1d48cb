"""How good are synthetic images of a class? A judge that needs no downloaded weights.

FID and its kin score images in the features of an Inception network trained on ImageNet: weights
to download, 299 px inputs and features made for photographs, not 28 px digits. Here the judge is
a small CNN trained on the caller's own real training images (seconds on a CPU), and three things
are measured in its eyes, per class:

* Label fidelity: the share of the synthetic images of class ``c`` that the judge classifies as
  ``c``. A conditional generator that ignores its label, or draws unrecognisable images, scores low.
* Fréchet distance (Heusel et al. 2017, "GANs trained by a two time-scale update rule converge to a
  local Nash equilibrium") between Gaussians fitted to the judge's penultimate features of the
  synthetic and the held-out real images of the class. A distance alone has no unit, so the same
  distance is given for three references: training real images (the floor a perfect generator
  would reach), blurred ones and brightness-shifted ones (poor-but-plausible generators).
* k-NN precision and recall (Kynkäänniemi et al. 2019, "Improved precision and recall metric for
  assessing generative models"): precision is the share of synthetic images that fall inside the
  real manifold, recall the share of real images inside the synthetic manifold. A set's manifold is
  the union of balls centred at its points, each of radius the distance to that point's k-th
  nearest neighbour in the set. Low precision = implausible images; low recall = missing modes.

Image convention throughout: float arrays or tensors of shape (N, C, H, W) with values in [-1, 1];
labels are integer class indices 0..n_classes-1. :func:`to_model_range` converts uint8 images.
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.nn import functional as F

from gan_augment._random import check_seed
from gan_augment._warnings import catching_warnings, user_stacklevel
from gan_augment.data.images import tensor_of
from gan_augment.data.layout import infer_item_layout, to_nchw
from gan_augment.evaluation.judge import fit_classifier
from gan_augment.planner import plain_label
from gan_augment.training.trainer import float32_matmul_precision, resolve_device, seeded_rng, torch_defaults

__all__ = [
    "ImageClassifier",
    "train_image_classifier",
    "extract_features",
    "predict_labels",
    "frechet_distance",
    "knn_precision_recall",
    "image_quality",
    "fold_image_quality",
    "to_model_range",
]

# Pixel values may overshoot [-1, 1] by float rounding (e.g. after a resize); more than this is a
# wrong scale (0..255 or 0..1 images passed as they are), which would make the judge's scores junk.
_RANGE_TOLERANCE = 1e-3
# Query rows per block of the pairwise-distance matrix in k-NN precision/recall: 1024 x 10,000
# float64 distances is 80 MB, so memory stays flat whatever the set sizes.
_DISTANCE_CHUNK = 1024
# The blurred reference uses sigma = H/16 px, but never less than this. A floor of 1 px (H <= 16)
# made 8x8 digits unrecognisable -- the judge classified 10-46% of them right, chance is 10% -- so
# the reference was no longer "poor but plausible" and scored as far as uniform noise. At 0.5 px
# (the kernel is still 0.11 / 0.79 / 0.11) the judge gets 88-96% of them right.
_MIN_BLUR_SIGMA = 0.5


# ============================================================================ the judge
class ImageClassifier(nn.Module):
    """A small CNN for 8x8 up to 64x64 images: the judge whose features the metrics use.

    Three conv3x3-BatchNorm-ReLU blocks of ``width``, ``2 * width`` and ``4 * width`` channels. Each
    block halves the image by max-pooling only while it is at least 8 px on its shorter side, so an
    8x8 digit is pooled once (to 4x4) and a 64x64 image three times (to 8x8): small images keep
    enough spatial detail, large ones do not cost too much. An adaptive average pool then brings
    any size to a 2x2 grid, which a linear layer maps to ``feature_dim`` features (ReLU), followed
    by dropout 0.3 and the linear classification layer.

    Parameters
    ----------
    in_channels : int
        1 (grey) or 3 (colour); any positive number works.
    n_classes : int
    width : int, default=32
        Channels of the first block.
    feature_dim : int, default=128
        Size of the penultimate layer returned by :meth:`features`.
    """

    def __init__(self, in_channels: int, n_classes: int, *, width: int = 32, feature_dim: int = 128):
        super().__init__()
        for name, value, minimum in (("in_channels", in_channels, 1), ("n_classes", n_classes, 2),
                                     ("width", width, 1), ("feature_dim", feature_dim, 1)):
            if not isinstance(value, numbers.Integral) or value < minimum:
                raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
        self.in_channels = int(in_channels)
        self.n_classes = int(n_classes)
        self.feature_dim = int(feature_dim)
        self.width = int(width)
        channels = [self.in_channels, width, 2 * width, 4 * width]
        self.blocks = nn.ModuleList(
            nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out),
                          nn.ReLU(inplace=True))
            for c_in, c_out in zip(channels[:-1], channels[1:]))
        self.pool = nn.AdaptiveAvgPool2d(2)
        self.embed = nn.Sequential(nn.Flatten(), nn.Linear(4 * width * 4, self.feature_dim), nn.ReLU(inplace=True))
        self.dropout = nn.Dropout(0.3)
        self.head = nn.Linear(self.feature_dim, self.n_classes)

    def config(self) -> dict:
        """The constructor's arguments, to rebuild the judge before loading its weights."""
        return {"in_channels": self.in_channels, "n_classes": self.n_classes, "width": self.width,
                "feature_dim": self.feature_dim}

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """(N, feature_dim) penultimate activations (after the ReLU, before dropout)."""
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"Expected images of shape (N, {self.in_channels}, H, W), got {tuple(x.shape)}.")
        for block in self.blocks:
            x = block(x)
            # Decided per call, so one network serves every image size from 8 to 64 px.
            if min(x.shape[-2:]) >= 8:
                x = F.max_pool2d(x, 2)
        return self.embed(self.pool(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, n_classes) logits."""
        return self.head(self.dropout(self.features(x)))


def train_image_classifier(images, labels, *, n_classes=None, epochs: int = 10, batch_size: int = 64,
                           lr: float = 1e-3, class_balanced: bool = True, augment=None, device="cpu",
                           random_state=None) -> ImageClassifier:
    """Train an :class:`ImageClassifier` on real images (Adam, cross-entropy).

    Parameters
    ----------
    images : ndarray or Tensor of shape (N, C, H, W), values in [-1, 1]
    labels : array-like of N integer class indices
    n_classes : int, default=None
        Defaults to ``max(labels) + 1``. Give it when some class has no image here.
    epochs : int, default=10
    batch_size : int, default=64
    lr : float, default=1e-3
        Adam's initial learning rate, annealed to 0 over the training (cosine).
    class_balanced : bool, default=True
        Weight the loss of each class by the inverse of its frequency, so that a class of 25 images
        counts as much as a class of 2,500 and the judge learns it too.
    augment : callable or None, default=None
        Applied to each float batch tensor (B, C, H, W), on ``device``, before the forward pass;
        must return a tensor of the same shape (e.g. random shifts). It runs inside the seeded RNG,
        so torch random draws in it are reproducible as well.
    device : "cpu", "cuda", "auto" or torch.device, default="cpu"
    random_state : int, RandomState, Generator or None
        Seeds the weights, the shuffling, dropout and ``augment``; the same int gives bit-identical
        weights on the CPU. The caller's global torch RNG is left untouched.

    Returns
    -------
    ImageClassifier
        In eval mode, on the CPU.
    """
    images = _as_images(images, "images")
    labels = _as_labels(labels, len(images), "labels")
    n_classes = _resolve_n_classes(n_classes, labels)
    if len(np.unique(labels)) < 2:
        raise ValueError(f"labels hold a single class ({labels[0]}); a classifier needs images of at least 2 classes.")
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    if augment is not None and not callable(augment):
        raise TypeError(f"augment must be a callable taking and returning a batch tensor, got {augment!r}.")
    device = resolve_device(device)
    seed = check_seed(random_state)
    return fit_classifier(lambda: ImageClassifier(images.shape[1], n_classes), images, labels, n_classes=n_classes,
                          epochs=int(epochs), batch_size=int(batch_size), lr=lr, class_balanced=class_balanced,
                          augment=augment, device=device, seed=seed)


@torch.no_grad()
def extract_features(classifier: ImageClassifier, images, *, batch_size: int = 512) -> np.ndarray:
    """(N, feature_dim) float64 penultimate features of ``images`` (eval mode, no gradients)."""
    return _apply(classifier, classifier.features, images, batch_size).astype(np.float64)


@torch.no_grad()
def predict_labels(classifier: ImageClassifier, images, *, batch_size: int = 512) -> np.ndarray:
    """(N,) int64 predicted class indices of ``images``."""
    return _apply(classifier, lambda x: classifier(x).argmax(1), images, batch_size).astype(np.int64)


@torch.no_grad()
def predict_probabilities(classifier: ImageClassifier, images, *, batch_size: int = 512) -> np.ndarray:
    """(N, n_classes) float64 class probabilities (softmax) of ``images``."""
    return _apply(classifier, lambda x: classifier(x).softmax(1), images, batch_size).astype(np.float64)


def judge_score(probabilities) -> float:
    """The Inception Score's formula on the judge's class probabilities: ``exp(E_x KL(p(y|x) || p(y)))``.

    Salimans et al. (2016) score a set by how confidently each image is classified and how evenly
    the set spreads over the classes; here the classifier is the judge trained on the real
    images, not a downloaded Inception network. It lies in [1, number of classes]: 1 for images the
    judge cannot tell apart or that all look like one class, the number of classes for confident
    images spread evenly over all of them. Compare it with the same score of real images in the
    same class proportions (:func:`image_quality` reports both).
    """
    p = np.clip(np.asarray(probabilities, dtype=np.float64), 1e-12, 1.0)
    marginal = p.mean(axis=0)
    return float(np.exp(np.mean(np.sum(p * (np.log(p) - np.log(marginal)), axis=1))))


def _apply(classifier, function, images, batch_size) -> np.ndarray:
    """``function`` over ``images`` in chunks, in eval mode; the model's mode is restored after."""
    images = _as_images(images, "images")
    if images.shape[1] != classifier.in_channels:
        raise ValueError(f"images have {images.shape[1]} channels but the classifier was trained on "
                         f"{classifier.in_channels}.")
    device = next(classifier.parameters()).device
    was_training = classifier.training
    classifier.eval()
    # In float32 as trained, whatever the caller's autocast, default dtype, device or precision.
    try:
        with torch_defaults(), float32_matmul_precision("float32", device):
            chunks = [function(images[start:start + batch_size].to(device)).cpu()
                      for start in range(0, len(images), batch_size)]
    finally:
        classifier.train(was_training)
    return torch.cat(chunks).numpy()


# ============================================================================ the metrics
_NOT_FINITE = "The Fréchet distance is not finite: the features hold extreme values."


def frechet_distance(features_a, features_b, *, eps: float = 1e-6) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (Heusel et al. 2017).

    ``||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))``, with ``S`` the sample covariances.

    Parameters
    ----------
    features_a, features_b : array-like of shape (n_a, d) and (n_b, d)
        At least 2 rows each. Fewer rows than ``d`` is allowed (the covariances are then singular,
        as for a rare class of 25 images) but the distance is then biased upwards: compare only
        distances measured on similar numbers of rows.
    eps : float, default=1e-6
        When the matrix square root is not finite (near-singular covariances), ``eps * I`` is added
        to both covariances and the root computed again.

    Returns
    -------
    float
        Non-negative; tiny negative values from rounding are clamped to 0.
    """
    from scipy.linalg import LinAlgWarning, sqrtm

    a = _as_features(features_a, "features_a")
    b = _as_features(features_b, "features_b")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"features_a has {a.shape[1]} columns and features_b {b.shape[1]}; they must match.")
    with np.errstate(over="ignore", invalid="ignore"):
        mu_a, mu_b = a.mean(0), b.mean(0)
        cov_a, cov_b = np.atleast_2d(np.cov(a, rowvar=False)), np.atleast_2d(np.cov(b, rowvar=False))
        product = cov_a @ cov_b
    if not (np.isfinite(product).all() and np.isfinite(mu_a).all() and np.isfinite(mu_b).all()):
        # Before scipy: its sqrtm fails with an internal error on an overflowed product.
        raise ValueError(_NOT_FINITE)
    with catching_warnings():
        # Fewer samples than features make both covariances singular, the usual case for a class of
        # a few dozen images: scipy warns, yet the root of such a PSD product stays accurate (checked
        # against the eigenvalues of S_a^(1/2) S_b S_a^(1/2) to 1e-7 relative at 25 x 128).
        warnings.simplefilter("ignore", LinAlgWarning)
        covmean = sqrtm(product)
        if not np.isfinite(covmean).all():
            offset = eps * np.eye(len(cov_a))
            covmean = sqrtm((cov_a + offset) @ (cov_b + offset))
    # The product of two PSD matrices has real non-negative eigenvalues; an imaginary part is
    # rounding noise of the Schur method on a singular product.
    covmean = np.real(covmean)
    with np.errstate(over="ignore", invalid="ignore"):
        distance = float(np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2.0 * np.trace(covmean))
    if not math.isfinite(distance):
        raise ValueError(_NOT_FINITE)
    return max(distance, 0.0)


def knn_precision_recall(real_features, fake_features, *, k: int = 3) -> tuple[float, float]:
    """k-NN precision and recall (Kynkäänniemi et al. 2019).

    Each set defines a manifold: the union of the balls centred at its points whose radius is the
    distance from that point to its ``k``-th nearest neighbour in the same set (the point itself not
    counted). Precision is the share of fake points inside the real manifold, recall the share of
    real points inside the fake manifold; a point on a ball's surface counts as inside.

    Parameters
    ----------
    real_features, fake_features : array-like of shape (n_real, d) and (n_fake, d)
        At least 2 rows each.
    k : int, default=3
        For a set of ``n <= k`` points, ``k`` is clipped to ``n - 1`` for that set's radii (a point
        has only ``n - 1`` neighbours); the manifold is then tighter than with the full ``k``.

    Returns
    -------
    (precision, recall) : tuple of floats in [0, 1]
    """
    _check_k(k)
    real = tensor_of(_as_features(real_features, "real_features"))
    fake = tensor_of(_as_features(fake_features, "fake_features"))
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f"real_features has {real.shape[1]} columns and fake_features {fake.shape[1]}; "
                         "they must match.")
    largest = max(real.abs().max().item(), fake.abs().max().item())
    if largest > 0:
        # Squared distances of huge values overflow (every radius inf), of tiny ones underflow (every
        # radius 0): every point "inside", (1.0, 1.0). Both sets brought to magnitudes under 1 by
        # one power of two: exact, and the shares do not change with scale.
        scale = 2.0 ** -math.frexp(largest)[1]
        real, fake = real * scale, fake * scale
    real_radii = _knn_radii(real, min(int(k), len(real) - 1))
    fake_radii = _knn_radii(fake, min(int(k), len(fake) - 1))
    precision = _share_inside(fake, real, real_radii)
    recall = _share_inside(real, fake, fake_radii)
    return precision, recall


def _check_k(k) -> None:
    if not isinstance(k, numbers.Integral) or isinstance(k, (bool, np.bool_)) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}.")


def _pairwise(queries: torch.Tensor, points: torch.Tensor):
    """Blocks ``(start, distances)`` of the exact Euclidean distances from ``queries`` to ``points``."""
    for start in range(0, len(queries), _DISTANCE_CHUNK):
        # The direct formula, not the matrix-product one: that one can put a point at a small
        # non-zero distance from its own copy, which would leave identical sets outside each other.
        yield start, torch.cdist(queries[start:start + _DISTANCE_CHUNK], points,
                                 compute_mode="donot_use_mm_for_euclid_dist")


def _knn_radii(points: torch.Tensor, k: int) -> torch.Tensor:
    radii = torch.empty(len(points), dtype=points.dtype)
    for start, distances in _pairwise(points, points):
        # The (k+1)-th smallest distance: the smallest is the point to itself (0).
        radii[start:start + len(distances)] = distances.kthvalue(k + 1, dim=1).values
    return radii


def _share_inside(queries: torch.Tensor, points: torch.Tensor, radii: torch.Tensor) -> float:
    inside = 0
    for _, distances in _pairwise(queries, points):
        inside += int((distances <= radii[None, :]).any(dim=1).sum())
    return inside / len(queries)


# ============================================================================ the report
def image_quality(train_images, train_labels, holdout_images, holdout_labels, synthetic_images, synthetic_labels,
                  *, classes=None, class_names=None, classifier=None, epochs: int = 10, k: int = 3,
                  random_state=None) -> pd.DataFrame:
    """Per-class quality of synthetic images, in the eyes of a CNN trained on the real ones.

    Parameters
    ----------
    train_images, train_labels : ndarray or Tensor of shape (N, C, H, W), array-like of integer class indices
        Real images and their classes; the judge is trained on them. Image values are in [-1, 1]
        here and below, with the same C, H and W in all three sets.
    holdout_images, holdout_labels : the same, of held-out real images
        The reference every distance is measured against.
    synthetic_images, synthetic_labels : the same, of the synthetic images to judge
    classes : iterable of int, default=None
        The classes to report; default: those present in ``synthetic_labels``.
    class_names : sequence, default=None
        ``class_names[i]`` names class ``i`` in the index of the frame.
    classifier : ImageClassifier, default=None
        A judge already fitted (e.g. shared between several generators); otherwise one is trained
        with :func:`train_image_classifier` for ``epochs`` epochs.
    epochs : int, default=10
    k : int, default=3
        Neighbours in k-NN precision/recall.
    random_state : int, RandomState, Generator or None
        Seeds the judge's training and the draw of the reference training images.

    Returns
    -------
    DataFrame
        Index "class", one row per class, columns:

        * ``n_synthetic``, ``n_holdout``: images of the class in each set.
        * ``label_fidelity``: share of the synthetic images of the class that the judge assigns to it.
        * ``judge_confidence``: the judge's mean probability of the class on them (a soft fidelity).
        * ``frechet_distance``: synthetic vs held-out real images of the class.
        * ``frechet_real``: training real images vs held-out real -- the floor a perfect generator
          would reach.
        * ``frechet_blurred``: training real images blurred by a Gaussian of sigma = H/16 px (at
          least 0.5 px) vs held-out real -- the scale of a poor-but-plausible generator.
        * ``frechet_mean_shifted``: training real images brightened by +0.5 (clipped to [-1, 1]) vs
          held-out real.
        * ``precision``, ``recall``: k-NN precision/recall, synthetic vs held-out real.
        * ``judge_recall``: the judge's recall on the held-out images of the class; when it is low
          the judge cannot be trusted on that class.

        ``frame.attrs["judge_accuracy"]`` is the judge's accuracy on all held-out images;
        ``frame.attrs["judge_score"]`` the Inception-Score analogue (:func:`judge_score`) of
        synthetic images of the reported classes and ``frame.attrs["judge_score_real"]`` that of
        held-out real images, both on as many images per class as both sets have (a seeded subset
        of the larger, so that the two see the same class proportions): the second is the value a
        generator as good as real data would get.

        The Fréchet distance is biased upwards when few images are used, so the three reference
        distances use as many training images as there are synthetic images of the class (a random
        subset when there are more), making them comparable with ``frechet_distance``. Two caveats
        on ``frechet_real`` as a floor: with fewer training than synthetic images (a rare class) it
        carries the larger bias of the smaller set and sits too high; and a judge trained here has
        seen those very images, whose features are tighter than those of unseen ones, so it can sit
        too low -- on 8x8 digits, a second held-out half scored ~1.5-2x ``frechet_real``. Read it as
        an order of magnitude, next to ``frechet_blurred``. A class with fewer than 2 held-out or
        synthetic images gets NaN distances and a UserWarning.
    """
    sets = {"train_images": _as_images(train_images, "train_images"),
            "holdout_images": _as_images(holdout_images, "holdout_images"),
            "synthetic_images": _as_images(synthetic_images, "synthetic_images")}
    _check_same_geometry(sets)
    train_x, holdout_x, synthetic_x = sets.values()
    train_y = _as_labels(train_labels, len(train_x), "train_labels")
    holdout_y = _as_labels(holdout_labels, len(holdout_x), "holdout_labels")
    synthetic_y = _as_labels(synthetic_labels, len(synthetic_x), "synthetic_labels")
    n_classes = int(max(train_y.max(), holdout_y.max(), synthetic_y.max())) + 1
    seed = check_seed(random_state)
    if classifier is not None and not isinstance(classifier, ImageClassifier):
        raise TypeError(f"classifier must be an ImageClassifier (see train_image_classifier), got "
                        f"{type(classifier).__name__}.")
    if classifier is not None and classifier.n_classes < n_classes:
        raise ValueError(f"The classifier knows {classifier.n_classes} classes but the labels go up to "
                         f"{n_classes - 1}; train it with n_classes={n_classes}.")
    # Before the judge's training, as every other refusal here.
    _check_k(k)
    classes = _resolve_classes(classes, synthetic_y, n_classes if classifier is None else classifier.n_classes)
    names = _class_labels(classes, class_names)
    if classifier is None:
        classifier = train_image_classifier(train_x, train_y, n_classes=n_classes, epochs=epochs,
                                            random_state=seed)

    holdout_proba = predict_probabilities(classifier, holdout_x)
    synthetic_proba = predict_probabilities(classifier, synthetic_x)
    holdout_pred, synthetic_pred = holdout_proba.argmax(1), synthetic_proba.argmax(1)
    holdout_f = extract_features(classifier, holdout_x)
    synthetic_f = extract_features(classifier, synthetic_x)
    references = _reference_features(classifier, train_x, train_y, synthetic_y, classes, names, seed)

    rows = []
    for c, name in zip(classes, names):
        row = _class_row(c, name, holdout_y == c, synthetic_y == c, holdout_pred, synthetic_pred,
                         holdout_f, synthetic_f, references[c], k)
        mask = synthetic_y == c
        row["judge_confidence"] = float(synthetic_proba[mask, c].mean()) if mask.any() else math.nan
        rows.append(row)
    frame = pd.DataFrame(rows, index=pd.Index(names, name="class"))
    frame.attrs["judge_accuracy"] = float(np.mean(holdout_pred == holdout_y))
    synthetic_rows, real_rows = _matched_rows(synthetic_y, holdout_y, classes, seed)
    frame.attrs["judge_score"] = judge_score(synthetic_proba[synthetic_rows]) if len(synthetic_rows) else math.nan
    frame.attrs["judge_score_real"] = judge_score(holdout_proba[real_rows]) if len(real_rows) else math.nan
    return frame


def _matched_rows(synthetic_y, holdout_y, classes, seed) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic and held-out rows of ``classes`` in equal numbers per class (a seeded subset of
    the larger side), so that their judge scores see the same class proportions."""
    rng = np.random.default_rng(seed)
    synthetic_rows, real_rows = [], []
    for c in classes:
        synthetic_c, real_c = np.flatnonzero(synthetic_y == c), np.flatnonzero(holdout_y == c)
        n = min(len(synthetic_c), len(real_c))
        synthetic_rows.append(np.sort(rng.permutation(synthetic_c)[:n]))
        real_rows.append(np.sort(rng.permutation(real_c)[:n]))
    return np.concatenate(synthetic_rows).astype(int), np.concatenate(real_rows).astype(int)


def fold_image_quality(fitted, X_train, y_train, X_test, y_test, X_fit, y_fit, seed: int) -> list[dict]:
    """The evaluator's image table for one training fold: per class, the images ``fitted`` (a
    GANAugmenter fitted on ``X_train``) added in ``X_fit``, judged by :func:`image_quality` against
    the test fold, at the augmenter's working resolution. One record per class, with the judge's
    overall accuracy repeated on each (the report shows it next to the class)."""
    codec = fitted.encoder_
    position = {label: i for i, label in enumerate(fitted.classes_.tolist())}

    def encode(X):
        return codec.transform(np.asarray(X))

    def indices(labels):
        return np.array([position[label] for label in np.asarray(labels).tolist()])

    added = slice(len(X_train), None)
    frame = image_quality(encode(X_train), indices(y_train), encode(X_test), indices(y_test),
                          encode(X_fit.iloc[added]), indices(np.asarray(y_fit)[added]),
                          class_names=[plain_label(c) for c in fitted.classes_], random_state=seed)
    # By column, not by row (iterrows made the counts floats beside the scores).
    return [{"class": label, **{key: plain_label(value) for key, value in row.items()},
             **{key: frame.attrs[key] for key in ("judge_accuracy", "judge_score", "judge_score_real")}}
            for label, row in frame.to_dict(orient="index").items()]




def _class_row(c, name, holdout_mask, synthetic_mask, holdout_pred, synthetic_pred, holdout_f, synthetic_f,
               references, k) -> dict:
    n_holdout, n_synthetic = int(holdout_mask.sum()), int(synthetic_mask.sum())
    real_f, fake_f = holdout_f[holdout_mask], synthetic_f[synthetic_mask]
    row = {
        "n_synthetic": n_synthetic,
        "n_holdout": n_holdout,
        "label_fidelity": float(np.mean(synthetic_pred[synthetic_mask] == c)) if n_synthetic else math.nan,
    }
    if n_holdout < 2:
        warnings.warn(f"Class {name!r} has {n_holdout} held-out real image(s); its distances and precision/"
                      "recall need at least 2 and are NaN.", UserWarning, stacklevel=user_stacklevel())
    elif n_synthetic < 2:
        warnings.warn(f"Class {name!r} has {n_synthetic} synthetic image(s); its frechet_distance and "
                      "precision/recall need at least 2 and are NaN.", UserWarning, stacklevel=user_stacklevel())
    ok = n_holdout >= 2 and n_synthetic >= 2
    row["frechet_distance"] = frechet_distance(fake_f, real_f) if ok else math.nan
    for column in ("frechet_real", "frechet_blurred", "frechet_mean_shifted"):
        ref = references[column]
        row[column] = frechet_distance(ref, real_f) if n_holdout >= 2 and ref is not None else math.nan
    precision, recall = knn_precision_recall(real_f, fake_f, k=k) if ok else (math.nan, math.nan)
    row["precision"], row["recall"] = precision, recall
    row["judge_recall"] = float(np.mean(holdout_pred[holdout_mask] == c)) if n_holdout else math.nan
    return row


def _reference_features(classifier, train_x, train_y, synthetic_y, classes, names, seed) -> dict:
    """Per class, the judge's features of the three references: real, blurred and brightened.

    As many training images as synthetic ones are used (all of them when there are fewer or when
    there are under 2 synthetic ones), so that the references share the synthetic set's size bias.
    """
    sigma = max(train_x.shape[-2] / 16.0, _MIN_BLUR_SIGMA)
    out = {}
    with seeded_rng(seed, torch.device("cpu")):
        for c, name in zip(classes, names):
            index = np.flatnonzero(train_y == c)
            n_synthetic = int(np.sum(synthetic_y == c))
            if n_synthetic >= 2 and n_synthetic < len(index):
                index = np.sort(index[torch.randperm(len(index))[:n_synthetic].numpy()])
            if len(index) < 2:
                warnings.warn(f"Class {name!r} has {len(index)} training image(s); its reference distances need "
                              "at least 2 and are NaN.", UserWarning, stacklevel=user_stacklevel())
                out[c] = dict.fromkeys(("frechet_real", "frechet_blurred", "frechet_mean_shifted"))
                continue
            images = train_x[torch.as_tensor(index)]
            out[c] = {"frechet_real": extract_features(classifier, images),
                      "frechet_blurred": extract_features(classifier, _gaussian_blur(images, sigma)),
                      "frechet_mean_shifted": extract_features(classifier, (images + 0.5).clamp(-1.0, 1.0))}
    return out


def _gaussian_blur(images: torch.Tensor, sigma: float) -> torch.Tensor:
    """Blur each channel of (N, C, H, W) ``images`` with a Gaussian of ``sigma`` px (edges replicated)."""
    radius = max(int(math.ceil(3.0 * sigma)), 1)
    grid = torch.arange(-radius, radius + 1, dtype=images.dtype)
    kernel = torch.exp(-0.5 * (grid / sigma) ** 2)
    kernel = kernel / kernel.sum()
    channels = images.shape[1]
    # Separable: a horizontal then a vertical 1-D pass, one group per channel.
    x = F.pad(images, (radius, radius, radius, radius), mode="replicate")
    x = F.conv2d(x, kernel.view(1, 1, 1, -1).repeat(channels, 1, 1, 1), groups=channels)
    return F.conv2d(x, kernel.view(1, 1, -1, 1).repeat(channels, 1, 1, 1), groups=channels)


def to_model_range(images_uint8_nhwc) -> np.ndarray:
    """uint8 channel-last images (N, H, W, C) -- or (N, H, W) grey -- as float32 (N, C, H, W) in [-1, 1]."""
    images = np.asarray(images_uint8_nhwc)
    if images.dtype != np.uint8:
        raise ValueError(f"to_model_range expects uint8 images (0..255), got dtype {images.dtype}; float images "
                         "in [0, 1] convert with x * 2 - 1.")
    if images.ndim == 3:
        nchw = to_nchw(images, "nhw", (1, *images.shape[1:]))
    elif images.ndim == 4:
        nchw = to_nchw(images, "nhwc", (images.shape[3], *images.shape[1:3]))
    else:
        raise ValueError(f"Expected uint8 images of shape (N, H, W, C) or (N, H, W), got {images.shape}.")
    return nchw.astype(np.float32) / np.float32(127.5) - np.float32(1.0)


# ============================================================================ validation helpers
def _as_images(images, name: str) -> torch.Tensor:
    """``images`` as a float32 CPU tensor (N, C, H, W) in [-1, 1], or a ValueError saying what is wrong."""
    # Checked in float64, then cast: values past float32's range became infinite in the cast, and
    # were called NaN or infinite values the images did not hold.
    if isinstance(images, torch.Tensor):
        # (Row-major strides as a copy of a numpy array has them: "preserve" gave (N, 1, H, W) the strides
        # of channels-last, and convolutions other kernels, other sums.)
        x = images.detach().to("cpu", torch.float64, memory_format=torch.contiguous_format)
    else:
        array = np.asarray(images)
        if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
            raise ValueError(f"{name} must hold numbers, got dtype {array.dtype}.")
        x = tensor_of(np.ascontiguousarray(array, dtype=np.float64))
    if x.ndim != 4:
        raise ValueError(f"{name} must have shape (N, C, H, W), got {tuple(x.shape)}; add a channel axis to grey "
                         "images (images[:, None]).")
    if len(x) == 0:
        raise ValueError(f"{name} holds no image.")
    if min(x.shape[1:]) < 1:
        raise ValueError(f"{name} has shape {tuple(x.shape)}: an image needs a channel and a pixel a side at least.")
    if infer_item_layout(tuple(x.shape[1:]), channel_first=True) == "hwc":
        raise ValueError(f"{name} has shape {tuple(x.shape)}, which looks channel-last (N, H, W, C); transpose it "
                         "to (N, C, H, W), or use to_model_range for uint8 images.")
    if not torch.isfinite(x).all():
        raise ValueError(f"{name} holds NaN or infinite values.")
    low, high = float(x.min()), float(x.max())
    if low < -1 - _RANGE_TOLERANCE or high > 1 + _RANGE_TOLERANCE:
        raise ValueError(f"{name} values span [{low:g}, {high:g}] but must lie in [-1, 1]; convert uint8 images "
                         "with to_model_range, or clip a generator's raw outputs.")
    return x.to(torch.float32, memory_format=torch.contiguous_format)


def _as_labels(labels, n: int, name: str) -> np.ndarray:
    array = labels.detach().cpu().numpy() if isinstance(labels, torch.Tensor) else np.asarray(labels)
    if array.ndim != 1 or len(array) != n:
        raise ValueError(f"{name} must be a 1-D array of {n} class indices (one per image), got shape {array.shape}.")
    if not np.issubdtype(array.dtype, np.integer):
        if not np.issubdtype(array.dtype, np.number) or not np.all(np.mod(array, 1) == 0):
            raise ValueError(f"{name} must hold integer class indices 0..n_classes-1, got dtype {array.dtype}; "
                             "encode string labels first (e.g. sklearn.preprocessing.LabelEncoder).")
    array = array.astype(np.int64)
    if array.min() < 0:
        raise ValueError(f"{name} holds a negative class index ({array.min()}); indices start at 0.")
    return array


def _resolve_n_classes(n_classes, labels: np.ndarray) -> int:
    if n_classes is None:
        return int(labels.max()) + 1
    if not isinstance(n_classes, numbers.Integral) or n_classes < 2:
        raise ValueError(f"n_classes must be an integer >= 2, got {n_classes!r}.")
    if labels.max() >= n_classes:
        raise ValueError(f"labels go up to {labels.max()} but n_classes={n_classes}; "
                         f"pass n_classes={labels.max() + 1}.")
    return int(n_classes)


def _resolve_classes(classes, synthetic_y: np.ndarray, n_classes: int) -> list[int]:
    if classes is None:
        return [int(c) for c in np.unique(synthetic_y)]
    given = list(np.atleast_1d(np.asarray(classes, dtype=object)))
    # 1.7 and True were read as class 1, "a" failed in int() naming nothing, [] after the judge's training.
    bad = [c for c in given if not isinstance(c, numbers.Integral) or isinstance(c, (bool, np.bool_))
           or not 0 <= c < n_classes]
    if bad or not given:
        raise ValueError(f"classes must list class indices of the judge (integers 0..{n_classes - 1}); "
                         + (f"got {bad}." if bad else "it is empty."))
    repeated = sorted({int(c) for c in given if given.count(c) > 1})
    if repeated:
        raise ValueError(f"classes names {repeated} more than once; name each class once.")
    return [int(c) for c in given]


def _class_labels(classes: list[int], class_names) -> list:
    if class_names is None:
        return classes
    names = list(class_names)
    missing = [c for c in classes if c >= len(names)]
    if missing:
        raise ValueError(f"class_names has {len(names)} names but classes {missing} are reported; give one name per "
                         "class index.")
    return [names[c] for c in classes]


def _as_features(features, name: str) -> np.ndarray:
    array = np.asarray(features, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D (samples, features), got shape {array.shape}.")
    array = np.ascontiguousarray(array)  # torch takes no negative strides (a[::-1])
    if len(array) < 2:
        raise ValueError(f"{name} has {len(array)} sample(s); at least 2 are needed.")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} holds NaN or infinite values.")
    return array


def _check_same_geometry(sets: dict) -> None:
    """The three image sets must share channels and size; name the set that differs."""
    (first_name, first), *others = sets.items()
    for name, x in others:
        if x.shape[1] != first.shape[1]:
            raise ValueError(f"{first_name} have {first.shape[1]} channel(s) but {name} have {x.shape[1]}; convert "
                             "them to the same channels (e.g. grey to colour with x.repeat(1, 3, 1, 1)).")
        if x.shape[2:] != first.shape[2:]:
            raise ValueError(f"{first_name} are {tuple(first.shape[2:])} px but {name} are {tuple(x.shape[2:])} px; "
                             "resize them to the same size.")
