"""The report's verdict: did the augmenter help, and what to use. The decision rule, stated once:

**Decision rule.** One primary metric is fixed before any fold runs: macro-F1 unless ``metric=``
(``--metric``) names accuracy, balanced_accuracy or pr_auc (binary targets). Every method is
compared with no augmentation ("none") on that metric alone: the per-fold paired differences are
tested with the corrected resampled t test (Nadeau-Bengio variance over the J = cv x repeats
folds), and the p-values are Holm-adjusted across the methods compared. A method *helped* when its
adjusted p is below alpha = 1 - confidence (0.05 by default) and its mean difference is positive,
*made the model worse* when the adjusted p is below alpha and the difference is negative, and
otherwise *did not clearly help*. The recommendation is the method that helped with the largest
mean gain; when that is the augmenter and a cheaper baseline also helped, the augmenter must beat
that baseline significantly on the same metric (Holm across those baselines), or the baseline is
recommended; when the augmenter alone helped, the cheaper method it does not beat significantly (if
any) is named beside the recommendation; when no method helped, the recommendation is no
augmentation. Secondary metrics (Holm across methods, per metric) and per-class precision, recall
and F1 (Holm across classes, per method and metric) are supporting evidence only: they are shown in
the tables, and cited in the verdict when significant after correction, but never change the
answer. The verdict is at most three sentences: the answer, the recommendation, the supporting
evidence.

Where every fold gives the same paired difference (the same rows found, or the same share of each
fold's rows), its spread says nothing: it is tested as if one fold had moved one row less
(:func:`gan_augment.evaluation.stats.paired`), so a change the same in every fold is never weaker
evidence than one that varies, and a few folds stay weak evidence. Only a difference of no known
row count with no spread at all has p = 1, its interval spanning 0 and the difference.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Optional

import numpy as np

from gan_augment._listing import first_few
from gan_augment.evaluation._text import METRIC_NAMES, counted, percent, rows_text, show
from gan_augment.evaluation._types import (AUGMENTER, MIN_ROWS, OVERALL_METRICS, PRIMARY_METRIC,
                                           EvaluationPlan, FoldResult, class_behind)
from gan_augment.evaluation.stats import DIFFERENCE, Test, holm, paired

__all__ = ["Comparison", "Decision", "class_comparisons", "compare_with_none", "decide", "make_verdict"]

MAX_EVIDENCE = 3  # supporting changes named per method in the verdict; the rest are in the tables


class Comparison(NamedTuple):
    """One method against a reference on one metric: the paired test and its Holm-adjusted p."""

    mean: float
    low: float
    high: float
    p: float
    p_holm: float

    def significant(self, alpha: float, sign: int = 0) -> bool:
        """Adjusted p below ``alpha`` (and the mean of sign ``sign`` when it is +1 or -1)."""
        if not (np.isfinite(self.p_holm) and self.p_holm < alpha):
            return False
        return sign == 0 or (self.mean > 0 if sign > 0 else self.mean < 0)


class _Settings(NamedTuple):
    test_train_ratio: float
    confidence: float


def _family(tests: Sequence[Test]) -> list[Comparison]:
    """Holm across ``tests``: one family of hypotheses."""
    adjusted = holm([t.p for t in tests])
    return [Comparison(t.mean, t.low, t.high, t.p, a) for t, a in zip(tests, adjusted)]


def _overall(metric: str):
    return lambda fold, method: fold.scores[method].get(metric, math.nan)


def _by_class(label, metric: str):
    return lambda fold, method: fold.class_scores[method][label][metric]


def compare_with_none(folds: Sequence[FoldResult], methods: Iterable[str], metric: str, *, test_train_ratio: float,
                      confidence: float, reference: str = "none") -> dict[str, Comparison]:
    """``{method: Comparison}`` on overall ``metric`` for each method but ``reference``; Holm across them."""
    settings = _Settings(test_train_ratio, confidence)
    others = [m for m in methods if m != reference]
    # Balanced accuracy is the mean of the classes' recalls (their true positives); macro-F1 also
    # rests on their false positives.
    tallies = {"balanced_accuracy": _class_tallies(false_positives=False),
               "macro_f1": _class_tallies(false_positives=True)}.get(metric)
    # Accuracy moves in steps of one test row of the fold; the others rest on no one count of rows
    # (read as the fold's rows, balanced accuracy +0.125 of folds of 40 was "5 rows" where 1 rare
    # row of 4 had moved, and p fell from 0.198 to 0.011).
    rows = None if metric == "accuracy" else (lambda fold: 0)
    tests = [paired(settings, folds, m, reference, _overall(metric), DIFFERENCE, rows=rows, tallies=tallies)
             for m in others]
    return dict(zip(others, _family(tests)))


def _class_tallies(*, false_positives: bool):
    """``tallies(fold, method)``: every class's true positives, and with ``false_positives`` its
    false ones too, or None where one cannot be read."""
    def tallies(fold: FoldResult, method: str) -> Optional[tuple]:
        counts = [_tallies_of(scores, false_positives) for scores in fold.class_scores.get(method, {}).values()]
        if not counts or any(count is None for count in counts):
            return None
        return sum(counts, ())
    return tallies


def _tallies_of(scores: dict, false_positives: bool = True) -> Optional[tuple]:
    """A class's (true positives,) or (true positives, false positives), read back from its recall,
    precision and support. A class found nowhere has an F1 of 0 whatever its false positives (which
    its precision of 0 does not tell): they count as 0; a class called nowhere (precision NaN) has
    none. None for scores that are not numbers."""
    if not all(np.isfinite(float(scores.get(key, math.nan))) for key in ("recall", "support")):
        return None
    found = round(scores["recall"] * scores["support"])
    if not false_positives:
        return (found,)
    precision = float(scores.get("precision", math.nan))
    if math.isnan(precision):
        return (found, 0) if found == 0 else None
    if not np.isfinite(precision):
        return None
    return found, (round(found / precision - found) if found else 0)


def class_comparisons(folds: Sequence[FoldResult], method: str, labels: Sequence, metric: str, *,
                      test_train_ratio: float, confidence: float) -> dict[Any, Comparison]:
    """``{class: Comparison}`` of ``method`` against "none" on per-class ``metric``; Holm across the classes."""
    settings = _Settings(test_train_ratio, confidence)
    # Same rows in every fold: for recall, counted among the class's test rows, which it rests on;
    # precision and F1 rest on no fixed count of rows (the rows called the class vary), so only the
    # same change of found and wrongly found rows is.
    tests = [paired(settings, folds, method, "none", _by_class(label, metric), DIFFERENCE,
                    rows=(lambda fold, label=label: fold.class_scores["none"][label]["support"]) if metric == "recall"
                    else (lambda fold: 0),
                    tallies=lambda fold, m, label=label: _tallies_of(fold.class_scores[m][label],
                                                                     false_positives=metric != "recall"))
             for label in labels]
    return dict(zip(labels, _family(tests)))


@dataclass(frozen=True)
class Decision:
    """What the rule decided, and the verdict's sentences (at most three)."""

    metric: str
    alpha: float
    primary: dict[str, Comparison]  # method -> its comparison with none on the primary metric
    helped: list[str]
    hurt: list[str]
    choice: str  # the method recommended; "none" when nothing helped
    sentences: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)  # the supporting evidence cited, per method

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


def decide(folds: Sequence[FoldResult], methods: Sequence[str], *, test_train_ratio: float,
           metric: str = PRIMARY_METRIC, confidence: float = 0.95, labels: Sequence = (),
           names: Optional[dict] = None, positive=None) -> Decision:
    """Apply the decision rule of this module to per-fold scores; ``methods`` holds "none" and the rest.

    ``labels``: the classes whose per-class metrics are supporting evidence (Holm across them).
    ``names``: display names of the methods (default: the keys themselves).
    ``positive``: the class PR-AUC scores (binary targets), whose test rows its caveat counts.
    """
    names = {m: m for m in methods} | dict(names or {})
    alpha = 1.0 - confidence
    kw: dict[str, Any] = dict(test_train_ratio=test_train_ratio, confidence=confidence)
    primary = compare_with_none(folds, methods, metric, **kw)
    helped = [m for m, c in primary.items() if c.significant(alpha, +1)]
    hurt = [m for m, c in primary.items() if c.significant(alpha, -1)]
    subject = AUGMENTER if AUGMENTER in primary else list(primary)[-1]
    choice, advice = _advice(folds, primary, helped, subject, names, metric, alpha, kw)
    cited = [subject] + ([choice] if choice not in ("none", subject) else [])
    evidence = _evidence(folds, list(methods), cited, labels, metric, names, alpha, kw, positive)
    sentences = [_answer(names[subject], primary[subject], metric, alpha, len(primary), folds, positive), advice,
                 _supporting(evidence, [names[m] for m in cited])]
    return Decision(metric=metric, alpha=alpha, primary=primary, helped=helped, hurt=hurt, choice=choice,
                    sentences=sentences, evidence=evidence)


def make_verdict(plan: EvaluationPlan, results: list[FoldResult], names: dict) -> str:
    return decide(results, plan.methods, test_train_ratio=plan.test_train_ratio, metric=plan.metric,
                  confidence=plan.confidence, labels=plan.labels, names=names, positive=plan.positive).text


# ============================================================================ the sentences
def _answer(name: str, c: Comparison, metric: str, alpha: float, n_methods: int, folds: Sequence[FoldResult],
            positive=None) -> str:
    """Sentence 1: the answer for the augmenter, on the primary metric."""
    family = f"Holm-adjusted p {_p(c.p_holm)} across {n_methods} method{'s' if n_methods != 1 else ''}"
    if not c.significant(alpha) and np.isfinite(c.low) and (c.low > 0 or c.high < 0):
        # The interval is the comparison's own; the decision counts every method compared.
        family += (f": not significant once the {n_methods} comparisons are counted, though the unadjusted "
                   f"{percent(1 - alpha)} interval excludes 0")
    change = f"{METRIC_NAMES[metric]} {_change(c)} versus none ({family}{_few_test_rows(folds, metric, positive)})"
    if c.significant(alpha, +1):
        return f"{name} helped: {change}."
    if c.significant(alpha, -1):
        return f"{name} made the model worse: {change}."
    return f"{name} did not clearly help: {change}."


def _few_test_rows(folds: Sequence[FoldResult], metric: str, positive=None) -> str:
    # The mean as it is, as the summary's caveat reads it: folds of 30, 30 and 29 rows are few (29.7).
    n_test = float(np.mean([f.n_test for f in folds])) if folds else 0.0
    if 0 < n_test < MIN_ROWS:
        return f"; few rows: test folds of {rows_text(n_test)} rows (< {MIN_ROWS})"
    behind = class_behind(folds, metric, positive) if folds else None
    if behind is not None and behind[1] < MIN_ROWS:
        return f"; few rows: {counted(behind[1], f'test rows of class {show(behind[0])} per fold')} (< {MIN_ROWS})"
    return ""


def _advice(folds, primary: dict[str, Comparison], helped: list[str], subject: str, names: dict, metric: str,
            alpha: float, kw: dict) -> tuple[str, str]:
    """``(method to use, sentence 2)``: none when nothing helped; a cheaper baseline when the augmenter
    is not significantly better than it."""
    label = METRIC_NAMES[metric]
    if not helped:
        return "none", f"No method improved {label} significantly over none: prefer no augmentation here."
    best = max(helped, key=lambda m: primary[m].mean)
    if best != subject:
        return best, f"Prefer {names[best]} here: the largest significant {label} gain, {_change(primary[best])}."
    cheaper = [m for m in helped if m != subject]
    if not cheaper:
        # A cheaper method whose gain missed significance by a hair is named, not recommended: without
        # it the augmenter was preferred as if that method had not helped at all.
        gained = [m for m, c in primary.items() if m != subject and c.mean > 0]
        close = _not_beaten(folds, primary, subject, gained, metric, alpha, kw)
        if close is None:
            return best, f"Prefer {names[best]} here: no other method improved {label} significantly."
        return best, (f"Prefer {names[best]} here: no other method improved {label} significantly, though "
                      f"{names[close]} ({_change(primary[close])}) is not significantly worse than it, and cheaper.")
    alt = _not_beaten(folds, primary, subject, cheaper, metric, alpha, kw)
    if alt is None:
        return best, f"Prefer {names[best]} here: it beat every other method that helped on {label}."
    return alt, (f"{names[subject]} is not significantly better than {names[alt]} on {label}, and "
                 f"{names[alt]} is cheaper: prefer {names[alt]} here.")


def _not_beaten(folds, primary: dict[str, Comparison], subject: str, candidates: list[str], metric: str,
                alpha: float, kw: dict) -> Optional[str]:
    """Of ``candidates``, the one with the largest gain over none that ``subject`` does not beat
    significantly on ``metric`` (Holm across the candidates), or None."""
    if not candidates:
        return None
    versus = compare_with_none(folds, [subject, *candidates], metric, reference=subject, **kw)
    # versus[m] is m - subject: the subject is clearly better when that is significantly negative.
    tied = [m for m in candidates if not versus[m].significant(alpha, -1)]
    return max(tied, key=lambda m: primary[m].mean) if tied else None


def _evidence(folds, methods: list[str], cited: list[str], labels: Sequence, metric: str, names: dict, alpha: float,
              kw: dict, positive=None) -> list[str]:
    """The supporting evidence for the ``cited`` methods (the augmenter, and the recommended method):
    each secondary metric (Holm across the methods) and per-class recall, F1 and precision (Holm
    across the classes) that changed significantly, as "name: change, change, ...", each with the
    "few rows" caveat the tables give it."""
    secondary = [m for m in OVERALL_METRICS if m != metric and _defined(folds, m)]
    tests = {m: compare_with_none(folds, methods, m, **kw) for m in secondary}
    items = []
    for method in cited:
        changes = [f"{METRIC_NAMES[m]} {tests[m][method].mean:+.3f}{_in_brackets(_few_test_rows(folds, m, positive))}"
                   for m in secondary if tests[m][method].significant(alpha)]
        for class_metric in ("recall", "f1", "precision"):
            changes += [f"{METRIC_NAMES[class_metric]} of class {show(label)} {c.mean:+.3f}{_few_class_rows(folds, label)}"
                        for label, c in class_comparisons(folds, method, list(labels), class_metric, **kw).items()
                        if c.significant(alpha)]
        if changes:
            items.append((names[method], changes))
    return [f"{name}: {first_few(changes, MAX_EVIDENCE)}" for name, changes in items]


def _in_brackets(caveat: str) -> str:
    """"; few rows: ..." (a clause of the answer's sentence) as " (few rows: ...)"."""
    return f" ({caveat.removeprefix('; ')})" if caveat else ""


def _few_class_rows(folds: Sequence[FoldResult], label) -> str:
    """" (few rows: 8 per test fold)" when the class's per-fold score rests on fewer than MIN_ROWS rows."""
    support = [fold.class_scores["none"][label].get("support", math.nan) for fold in folds]
    mean = float(np.mean(support)) if support else math.nan
    return f" (few rows: {rows_text(mean)} per test fold)" if np.isfinite(mean) and mean < MIN_ROWS else ""


def _defined(folds: Sequence[FoldResult], metric: str) -> bool:
    return any(np.isfinite(fold.scores[m].get(metric, math.nan)) for fold in folds for m in fold.scores)


def _supporting(evidence: list[str], cited: list[str]) -> str:
    """Sentence 3: the supporting evidence for the ``cited`` methods (by name), named only when
    significant after correction; the other methods' is in the tables, and the sentence says whose
    it looked at."""
    if not evidence:
        whose = " or ".join(cited)
        return (f"No secondary or per-class metric of {whose} changed significantly after Holm correction; "
                "the details, other methods' included, are in the tables.")
    return ("Supporting evidence only, not part of the answer (significant after Holm correction; intervals in the "
            f"tables): {'; '.join(evidence)}.")


def _p(p: float) -> str:
    if not np.isfinite(p):
        return "undefined (fewer than 2 folds)"
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def _change(c) -> str:
    mean, low, high = c[0], c[1], c[2]
    if not np.isfinite(low):
        return f"{mean:+.3f}"
    return f"{mean:+.3f} [{low:+.3f}, {high:+.3f}]"
