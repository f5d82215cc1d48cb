"""gan-augment: top up rare classes with a class-conditional GAN.

Public API (imported lazily so that ``import gan_augment`` and ``gan-augment --help`` stay fast):

* :class:`GANAugmenter` -- an imbalanced-learn sampler (``fit_resample``, ``sampling_strategy``).
* :class:`AutoAugmenter` -- an imbalanced-learn sampler that chooses the top-up (none, random
  oversampling, SMOTE or the GAN, and how much) by inner cross-validation on the training data.
* :class:`TranslationAugmenter` -- an imbalanced-learn sampler for images that tops up a rare class
  by translating images of the other classes into it (CycleGAN), kept only if a judge agrees.
* :class:`AugmentedClassifier` -- a scikit-learn meta-estimator that augments inside ``fit``.
* :func:`evaluate_augmentation` -- did the synthetic rows help? Cross-validated, against baselines,
  with intervals.
* :func:`image_quality` -- how good are synthetic images of each class, judged by a CNN trained on
  the real ones (no downloaded weights).
* :class:`InEveryClass` -- a ``sampling_strategy`` that puts synthetic samples in every class, so
  that "synthetic" marks no class for a downstream model.
* :class:`AugmentedDataset` -- a torch Dataset: real items followed by synthetic ones topping up
  the rare classes; :func:`augment_loader` does the same for an existing DataLoader.
"""

__version__ = "0.1.0"

_LAZY = {
    "GANAugmenter": "gan_augment.augmenter",
    "AutoAugmenter": "gan_augment.auto",
    "TranslationAugmenter": "gan_augment.translation",
    "AugmentedClassifier": "gan_augment.classifier",
    "load_dataset": "gan_augment.data.io",
    "evaluate_augmentation": "gan_augment.evaluation",
    "AugmentationReport": "gan_augment.evaluation",
    "image_quality": "gan_augment.evaluation",
    "AugmentedDataset": "gan_augment.torch_data",
    "augment_loader": "gan_augment.torch_data",
    "ModeCollapseWarning": "gan_augment.exceptions",
    "SmallClassWarning": "gan_augment.exceptions",
    "NothingToAddWarning": "gan_augment.exceptions",
    "DistributedError": "gan_augment.exceptions",
    "LowCoverageWarning": "gan_augment.exceptions",
    "LabelGateWarning": "gan_augment.exceptions",
    "LabelSpellingWarning": "gan_augment.exceptions",
    "InEveryClass": "gan_augment.planner",
}

__all__ = ["AugmentationReport", "AugmentedClassifier", "AutoAugmenter", "AugmentedDataset", "GANAugmenter",
           "InEveryClass", "augment_loader", "DistributedError", "LabelGateWarning", "LabelSpellingWarning",
           "LowCoverageWarning", "ModeCollapseWarning", "NothingToAddWarning", "SmallClassWarning",
           "TranslationAugmenter", "evaluate_augmentation", "image_quality", "load_dataset", "__version__"]


def __getattr__(name):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'gan_augment' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
