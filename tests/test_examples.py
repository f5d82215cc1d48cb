"""The examples run end to end on tiny settings."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# The label gate is on (the tables' default) with a short judge: the gate is not these tests' subject.
pytestmark = pytest.mark.usefixtures("quick_row_judge")


def load_example(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_sklearn_pipeline_example(capsys):
    results = load_example("sklearn_pipeline").main(["--epochs", "2", "--folds", "2"])
    assert set(results) == {"no augmentation", "class weights", "random oversampling", "SMOTE-NC", "GAN top-up"}
    for scores in results.values():
        assert len(scores["macro_f1"]) == 2
        assert all(0.0 <= value <= 1.0 for value in scores["rare_recall"])
    assert "GAN top-up" in capsys.readouterr().out


@pytest.mark.slow
def test_digits_pipeline_example(capsys):
    results = load_example("digits_pipeline").main(["--epochs", "2"])
    for name in ("no augmentation", "class weights", "repeated 3s", "GAN top-up"):
        assert 0.5 < results[name]["accuracy"] <= 1.0 and 0.0 <= results[name]["rare_recall"] <= 1.0
    assert 0.0 <= results["quality"]["label_fidelity"] <= 1.0
    assert "label fidelity" in capsys.readouterr().out


@pytest.mark.slow
def test_torch_images_example(capsys):
    results = load_example("torch_images").main(["--epochs", "2", "--cnn-epochs", "1"])
    for name in ("no augmentation", "repeat + classic", "GAN top-up"):  # albumentations is a test dependency
        assert 0.0 <= results[name]["accuracy"] <= 1.0 and 0.0 <= results[name]["rare_recall"] <= 1.0
        assert set(results[name]["recall"]) == set(range(10))
    assert results["n_synthetic"] > 0
    assert "recall per class" in capsys.readouterr().out


@pytest.mark.slow
def test_torch_tabular_example(capsys):
    results = load_example("torch_tabular").main(["--epochs", "2", "--mlp-epochs", "2"])
    for name in ("no augmentation", "class-weighted loss", "balanced sampler", "GAN top-up"):
        assert 0.0 <= results[name]["rare_recall"] <= 1.0 and 0.0 <= results[name]["balanced_accuracy"] <= 1.0
    assert results["n_synthetic"] > 0
    assert "GAN top-up" in capsys.readouterr().out
