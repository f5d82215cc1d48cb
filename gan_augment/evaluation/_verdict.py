"""The report's verdict in plain words: did the augmenter help, against which baseline, and what to use.

A method "helped" when its macro-F1 rose significantly, or when the recall of a topped-up class
rose significantly without macro-F1 falling significantly; intervals are the paired corrected t
intervals of :mod:`.stats`. When the augmenter did not help, that is the first thing said.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gan_augment.evaluation._text import show
from gan_augment.evaluation._types import AUGMENTER, EvaluationPlan, FoldResult
from gan_augment.evaluation.stats import paired

Interval = tuple[float, float, float]  # (mean, low, high)


def macro_f1(fold: FoldResult, method: str) -> float:
    return fold.scores[method]["macro_f1"]


def _recall_of(label):
    def key(fold: FoldResult, method: str) -> float:
        return fold.class_scores[method][label]["recall"]

    return key


def _significant(interval: Interval, sign: int) -> bool:
    # A zero-width interval means every fold gave the same difference, which with few test
    # rows of a class (recall moving in steps of 1/n) is chance, not certainty: not evidence.
    _, low, high = interval
    return bool(np.isfinite(low)) and high > low and (low > 0 if sign > 0 else high < 0)


@dataclass(frozen=True)
class _Effect:
    """One method's paired differences from "none": recall of each topped-up class, and macro-F1."""

    recall: list[tuple[object, Interval]]
    macro_f1: Interval

    def recall_up(self) -> bool:
        return any(_significant(interval, +1) for _, interval in self.recall)

    def helped(self) -> bool:
        return _significant(self.macro_f1, +1) or (self.recall_up() and not _significant(self.macro_f1, -1))

    def trade_off(self) -> bool:
        return self.recall_up() and _significant(self.macro_f1, -1)

    def hurt(self) -> bool:
        recalls = [interval for _, interval in self.recall]
        return _significant(self.macro_f1, -1) or (bool(recalls) and all(_significant(i, -1) for i in recalls))

    def text(self) -> str:
        pieces = [f"recall of class {show(label)} {_change(interval)}" for label, interval in self.recall]
        pieces.append(f"macro-F1 {_change(self.macro_f1)}")
        return ", ".join(pieces)

    def rank(self) -> tuple[float, float]:
        return self.macro_f1[0], float(np.mean([i[0] for _, i in self.recall] or [0]))


def make_verdict(plan: EvaluationPlan, results: list[FoldResult], names: dict) -> str:
    effects = {method: _Effect(
        recall=[(label, paired(plan, results, method, "none", _recall_of(label))) for label in plan.targets],
        macro_f1=paired(plan, results, method, "none", macro_f1),
    ) for method in plan.methods if method != "none"}
    sentences = [_first_sentence(names[AUGMENTER], effects[AUGMENTER])]
    sentences += [f"{names[method]}: {effects[method].text()}." for method in plan.methods
                  if method not in ("none", AUGMENTER)]
    sentences.append(_advice(plan, results, names, effects))
    how = (f"{plan.n_splits}-fold stratified CV x {plan.n_repeats} repeat{'s' if plan.n_repeats != 1 else ''}"
           if plan.n_splits else "the given CV splitter")
    sentences.append(f"Intervals: {plan.confidence:.0%} t intervals over {len(results)} paired folds ({how}) with "
                     f"the Nadeau-Bengio corrected variance; the estimator was {plan.estimator_name}.")
    return " ".join(sentences)


def _first_sentence(name: str, effect: _Effect) -> str:
    if effect.helped():
        return f"{name} helped: {effect.text()} versus none."
    if effect.trade_off():
        return (f"{name} traded precision for recall, not a clear gain: {effect.text()} versus none "
                "(recall up, macro-F1 down).")
    if effect.hurt():
        return f"{name} made the model worse: {effect.text()} versus none."
    return f"{name} did not clearly help: {effect.text()} versus none (intervals include 0)."


def _advice(plan: EvaluationPlan, results: list[FoldResult], names: dict, effects: dict[str, _Effect]) -> str:
    """Which method to use: none when nothing helped; a cheaper baseline when the augmenter is not
    clearly better than it."""
    candidates = [m for m in effects if effects[m].helped()]
    if not candidates:
        return "No method clearly improved on none: prefer no augmentation here."
    best = max(candidates, key=lambda m: effects[m].rank())
    if best != AUGMENTER:
        return f"Prefer {names[best]} here: the best macro-F1 of the methods that clearly helped."
    name = names[AUGMENTER]
    cheaper = [m for m in candidates if m != AUGMENTER
               and not _clearly_above(paired(plan, results, AUGMENTER, m, macro_f1))]
    if not cheaper:
        return f"Prefer {name} here: it beat every other method that helped on macro-F1."
    alt = max(cheaper, key=lambda m: effects[m].macro_f1[0])
    return (f"{name} is not clearly better than {names[alt]} on macro-F1, and {names[alt]} is cheaper: "
            f"prefer {names[alt]} here.")


def _clearly_above(interval: Interval) -> bool:
    _, low, _ = interval
    return bool(np.isfinite(low) and low > 0)


def _change(interval: Interval) -> str:
    mean, low, high = interval
    if not np.isfinite(low):
        return f"{mean:+.3f}"
    return f"{mean:+.3f} [{low:+.3f}, {high:+.3f}]"
