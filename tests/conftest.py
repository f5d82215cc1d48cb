"""Shared fixtures. The whole suite runs offline: any network connection attempt fails the test."""

from __future__ import annotations

import os
import socket

import numpy as np
import pandas as pd
import pytest
import torch

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

# The suite trains tiny models, for which thread start-up costs more than it saves, in two worker
# processes (pyproject's addopts): one torch thread each, here and in the fits (n_threads="auto"
# takes at most OMP_NUM_THREADS) and in the command-line subprocesses the tests start.
if not os.environ.get("OMP_NUM_THREADS", "").strip():  # unset or empty (empty counts as unset)
    os.environ["OMP_NUM_THREADS"] = "1"
torch.set_num_threads(1)

_INTERNET_FAMILIES = {socket.AF_INET, socket.AF_INET6}


class NetworkAccessError(RuntimeError):
    pass


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Fail any test that opens an internet socket connection (local Unix sockets stay allowed)."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guard(method):
        def wrapper(self, address, *args, **kwargs):
            if self.family in _INTERNET_FAMILIES:
                raise NetworkAccessError(f"test tried to open a network connection to {address!r}")
            return method(self, address, *args, **kwargs)

        return wrapper

    monkeypatch.setattr(socket.socket, "connect", guard(real_connect))
    monkeypatch.setattr(socket.socket, "connect_ex", guard(real_connect_ex))
    monkeypatch.setattr(socket, "getaddrinfo", _refuse_lookup)
    yield


def _refuse_lookup(host, *args, **kwargs):
    raise NetworkAccessError(f"test tried to resolve {host!r}")


@pytest.fixture
def mixed_frame():
    """A small imbalanced table with numeric, integer, categorical, boolean and missing values."""
    rng = np.random.default_rng(0)
    n_major, n_minor = 120, 20
    n = n_major + n_minor
    y = np.array(["common"] * n_major + ["rare"] * n_minor)
    shift = np.where(y == "rare", 3.0, 0.0)
    frame = pd.DataFrame({
        "income": rng.normal(50 + 10 * shift, 5, n),
        "age": rng.integers(18, 70, n) + (shift * 5).astype(int),
        "city": rng.choice(["paris", "lyon", "nice"], n),
        "member": rng.random(n) < 0.3,
        "score": np.where(rng.random(n) < 0.1, np.nan, rng.normal(0, 1, n)),
    })
    frame["city"] = frame["city"].astype("category")
    return frame, pd.Series(y, name="label")


#: Optimiser steps of the label gate's row judge in test modules whose subject is not the gate.
QUICK_JUDGE_STEPS = 150


@pytest.fixture(scope="module")
def quick_row_judge():
    """The tables' label gate with a judge of ``QUICK_JUDGE_STEPS`` optimiser steps instead of
    ``ROW_JUDGE_STEPS``, as the tests' GANs train for a few epochs: the gate still runs (its judge
    trained, its acceptance rates measured, rows drawn through it), at a tenth of the judge's cost.
    Module-scoped so that module-scoped fits (a shared model directory) get it too; request it
    with ``pytestmark = pytest.mark.usefixtures("quick_row_judge")``."""
    from gan_augment.evaluation import judge

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(judge, "ROW_JUDGE_STEPS", QUICK_JUDGE_STEPS)
        yield
