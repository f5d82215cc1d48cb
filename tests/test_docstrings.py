"""The public API's docstrings as a contract, as scikit-learn checks its own: every parameter of a
public class or function is documented, in the signature's order, and every attribute a fit sets is
documented. A parameter added, renamed or moved without its docstring fails here."""
import inspect
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import gan_augment
from gan_augment import AugmentedClassifier, AutoAugmenter, GANAugmenter, TranslationAugmenter
from gan_augment.baselines import ClassicOversampler, MixedSMOTE
from gan_augment.data.albumentations_adapter import AlbumentationsTransform
from gan_augment.evaluation.cnn import CNNClassifier

# A line that opens an entry: names (comma-separated) and " :", at the section's own indentation.
_ENTRY = re.compile(r"^(?P<names>[A-Za-z_][\w, ]*?) :(?:\s|$)")
# Sections whose every unindented line must open an entry (numpydoc reads any such line as one).
_NAMED_SECTIONS = ("Parameters", "Attributes")
# What an entry may say instead of the names of a parent's other attributes.
_OTHERS = "Other fitted attributes"


def _section(obj, title: str) -> list[str]:
    """The names documented in a numpydoc section of ``obj``'s docstring, in their order."""
    lines = inspect.cleandoc(obj.__doc__ or "").splitlines()
    names, inside = [], False
    for line, underline in zip(lines, lines[1:] + [""]):
        if set(underline.strip()) == {"-"} and line.strip():  # a section header
            inside = line.strip() == title
            continue
        if set(line.strip()) == {"-"}:
            continue
        if not inside or not line.strip() or line.startswith(" "):
            continue
        match = _ENTRY.match(line)
        assert match or title not in _NAMED_SECTIONS, \
            f"{obj.__qualname__}'s {title} holds a line that opens no entry: {line!r}"
        if match:
            names += [name.strip() for name in match["names"].split(",")]
    return names


def _parameters(function) -> list[str]:
    return [name for name, parameter in inspect.signature(function).parameters.items()
            if name != "self" and parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)]


_DOCUMENTED = [
    (gan_augment.GANAugmenter, "__init__"), (gan_augment.TranslationAugmenter, "__init__"),
    (gan_augment.AutoAugmenter, "__init__"), (gan_augment.AugmentedClassifier, "__init__"),
    (gan_augment.AugmentedDataset, "__init__"), (gan_augment.InEveryClass, "__init__"),
    (MixedSMOTE, "__init__"), (ClassicOversampler, "__init__"), (CNNClassifier, "__init__"),
    (AlbumentationsTransform, "__init__"), (gan_augment.evaluate_augmentation, None),
    (gan_augment.image_quality, None), (gan_augment.load_dataset, None), (gan_augment.augment_loader, None),
    (GANAugmenter.fit, None), (GANAugmenter.sample, None), (GANAugmenter.save, None), (GANAugmenter.load, None),
]


@pytest.mark.parametrize("owner, method", _DOCUMENTED, ids=lambda item: getattr(item, "__name__", str(item)))
def test_every_parameter_is_documented_in_signature_order(owner, method):
    signature = _parameters(getattr(owner, method) if method else owner)
    assert _section(owner, "Parameters") == signature


def test_the_section_parser_reads_names_and_skips_prose():
    def documented(alpha, beta, gamma):
        """Summary.

        Parameters
        ----------
        alpha, beta : int
            Text that mentions gamma : not an entry, for it is indented.
        gamma : as in something else.

        Returns
        -------
        delta : int
        """

    assert _section(documented, "Parameters") == ["alpha", "beta", "gamma"]
    assert _section(documented, "Returns") == ["delta"]

    def prose_in_a_section(alpha):
        """Summary.

        Parameters
        ----------
        alpha : int

        A paragraph here reads as a parameter named "A paragraph here reads as a parameter ...".
        """

    with pytest.raises(AssertionError, match="opens no entry"):
        _section(prose_in_a_section, "Parameters")


def _fitted_attributes(estimator) -> set[str]:
    names = {name for name in vars(estimator) if name.endswith("_") and not name.startswith("_")}
    properties = {name for name, value in inspect.getmembers(type(estimator), lambda v: isinstance(v, property))
                  if name.endswith("_") and not name.startswith("_")}
    return names | properties


def _documented_attributes(cls) -> set[str]:
    names = set(_section(cls, "Attributes"))
    if _OTHERS in inspect.cleandoc(cls.__doc__ or ""):
        for parent in cls.__mro__[1:]:
            names |= set(_section(parent, "Attributes"))
    return names


def _table():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": rng.normal(size=60), "colour": rng.choice(["red", "blue"], 60)})
    return X, np.array(["common"] * 48 + ["rare"] * 12)


def _images():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (30, 64)).astype(np.uint8), np.repeat([0, 1, 2], [14, 10, 6])


def _fit_gan():
    X, y = _table()
    return GANAugmenter(epochs=1, batch_size=16, random_state=0, n_threads=1).fit(X, y)


def _fit_translator():
    X, y = _images()
    return TranslationAugmenter(image_shape=(1, 8, 8), epochs=1, batch_size=8, random_state=0,
                                n_threads=1).fit(X, y)


def _fit_classifier():
    X, y = _table()
    numbers = X.assign(colour=(X["colour"] == "red").astype(int))
    return AugmentedClassifier(LogisticRegression(), MixedSMOTE(random_state=0)).fit(numbers, y)


def _fit_auto():
    X, y = _table()
    return AutoAugmenter(methods=("random",), amounts=(1.0,), cv=2, random_state=0).fit(X, y)


def _resampled(sampler, data):
    sampler.fit_resample(*data())
    return sampler


_FITS = {
    "GANAugmenter": _fit_gan,
    "TranslationAugmenter": _fit_translator,
    "AugmentedClassifier": _fit_classifier,
    "AutoAugmenter": _fit_auto,
    "MixedSMOTE": lambda: _resampled(MixedSMOTE(random_state=0), _table),
    "ClassicOversampler": lambda: _resampled(ClassicOversampler((1, 8, 8), random_state=0), _images),
    "CNNClassifier": lambda: CNNClassifier((1, 8, 8), epochs=1, random_state=0).fit(*_images()),
}


@pytest.mark.parametrize("name", sorted(_FITS))
def test_every_fitted_attribute_is_documented(name):
    estimator = _FITS[name]()
    undocumented = _fitted_attributes(estimator) - _documented_attributes(type(estimator))
    assert not undocumented, f"{name} sets {sorted(undocumented)} without documenting them"


@pytest.mark.parametrize("name", ["GANAugmenter", "TranslationAugmenter"])
def test_a_loaded_model_has_the_documented_attributes_of_a_fitted_one(name, tmp_path):
    # A loaded translator lacked allowed_sources_, which its docstring documents.
    fitted = _FITS[name]()
    fitted.save(tmp_path / "model")
    loaded = GANAugmenter.load(tmp_path / "model")
    assert type(loaded) is type(fitted)
    documented = _documented_attributes(type(loaded))
    assert not _fitted_attributes(loaded) - documented
    assert _fitted_attributes(fitted) <= _fitted_attributes(loaded)
    if name == "TranslationAugmenter":
        np.testing.assert_array_equal(loaded.allowed_sources_, fitted.allowed_sources_)
