"""The examples run end to end on tiny settings."""

from __future__ import annotations

import importlib.util
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def load_example(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sklearn_pipeline_example(capsys):
    results = load_example("sklearn_pipeline").main(["--epochs", "2", "--folds", "2"])
    assert set(results) == {"no augmentation", "GAN top-up"}
    for scores in results.values():
        assert len(scores["macro_f1"]) == 2
        assert all(0.0 <= value <= 1.0 for value in scores["rare_recall"])
    assert "GAN top-up" in capsys.readouterr().out
