"""The label-agreement gate: synthetic samples count as their class only if a judge agrees.

A conditional GAN can draw a rare class's samples that look like another class, or like no class
(at 32 px our DCGAN's rare-digit samples were recognised as that digit 0-16% of the time;
benchmarks/IMAGES.md; on a table whose classes follow exact rules, such as car, a synthetic row a
little off the rule is a row of another class under the wrong label). Topping up with them teaches
the downstream model the wrong thing. The gate trains a judge on the real training samples, in the
model's encoding (the data kind's :meth:`~gan_augment.kinds.base.DataKind.train_judge`: a small CNN
for images; for table rows a multilayer perceptron that reads each number in quantile bins), and
keeps a synthetic sample of class c only when the judge assigns it to c.

Generation stays label-exact (every kept sample was generated *as* class c) and O(n) in
expectation: n samples cost about n / acceptance generator calls. The acceptance rate of each class
is measured after training and kept; a class whose rate is below ``MIN_ACCEPTANCE`` is refused at
sampling time (with the rate and what to do), since almost every sample of it would be thrown away.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from gan_augment.training.trainer import generate

#: Below this share of accepted samples a class is refused: the generator does not make it.
MIN_ACCEPTANCE = 0.05
#: How to do without the gate, through either door.
WITHOUT_GATE = "Python: set_params(label_gate=False); command line: fit again with --no-label-gate"
#: Samples generated per class to measure the acceptance rate after training.
ACCEPTANCE_SAMPLES = 500
#: A class whose own real samples the judge assigns to it less often than this is one it cannot
#: tell from the others, and what it keeps of that class's synthetic samples is picked by an
#: arbitrary boundary: on a table whose rare class repeated two other classes' rows, the judge took
#: 0% of its real rows for it, yet kept 52% of its synthetic ones, every one a combination of values
#: the class never had. The gate does not serve such a class. No class of the benchmarks' tables
#: came near (the lowest in any fit: 48%, yeast's large overlapping CYT). The recall is that of the
#: judge's own training rows, which it learns by heart for small classes: on rows it did not see it
#: misses most of some (benchmarks/GATE_RECALL.md), yet a check on those changed no score on
#: average, so it is not made.
MIN_REAL_RECALL = 0.25
#: Real samples per class (its first) on which the judge's recall of the class is measured.
REAL_RECALL_SAMPLES = 1000
#: Candidates per round: the expected need times this (see :meth:`LabelGate.generate`).
_HEADROOM = 1.05
#: Candidates the judge reads at once (the rows kept do not depend on it: each is judged alone).
_JUDGED_AT_ONCE = 16_384
# Give up after this many rounds of candidates for one request (only reachable if the rate
# measured after training is far above the rate of the request's seeds).
_MAX_ROUNDS = 100


class LabelGate:
    """A judge of real samples and the share of each class's synthetic samples it accepts.

    Parameters
    ----------
    judge : torch.nn.Module
        A classifier of encoded samples returning logits, trained on the real training samples
        (:meth:`DataKind.train_judge`).
    acceptance : list of float
        Per class index, the share of its synthetic samples the judge assigned to it.
    unit : str, default="images"
        What a sample is called in messages (the data kind's ``unit``).
    plain_top_up : str, optional
        What a refusal advises to top a class up with instead (the data kind's ``plain_top_up``).
    prior_shift : list of float, optional
        Per class index, added to the judge's logits before its argmax (the data kind's
        ``judge_prior_weight`` times the log of the class's share of the training samples).
    real_recall : list of float, optional
        Per class index, the share of its real samples the judge assigns to it (None: not measured,
        as in gates saved before it was).
    """

    def __init__(self, judge, acceptance, *, unit: str = "images", plain_top_up=None, prior_shift=None,
                 real_recall=None):
        self.judge = judge.eval().requires_grad_(False)
        self.acceptance = [float(a) for a in acceptance]
        self.real_recall = None if real_recall is None else [math.nan if r is None else float(r) for r in real_recall]
        self.unit = unit
        self.plain_top_up = plain_top_up
        self.prior_shift = None if prior_shift is None else [float(s) for s in prior_shift]

    def __setstate__(self, state):
        # Pickled (inside a fitted augmenter) before real_recall was kept: served by acceptance alone,
        # as a model file of that age is read.
        state.setdefault("real_recall", None)
        state.setdefault("prior_shift", None)
        self.__dict__.update(state)

    @classmethod
    def fit(cls, kind, real: torch.Tensor, labels: np.ndarray, generator, *, seed: int, codec=None) -> LabelGate:
        """Train ``kind``'s judge on the ``real`` samples (encoded by ``codec``) and their ``labels``
        (class indices) and measure how many of ``generator``'s samples of each class it accepts."""
        gate = cls.train(kind, real, labels, generator.n_classes, seed=seed, codec=codec)
        gate.measure_acceptance(generator, seed=seed)
        return gate

    @classmethod
    def train(cls, kind, real: torch.Tensor, labels: np.ndarray, n_classes: int, *, seed: int,
              codec=None) -> LabelGate:
        """:meth:`fit` before there is a generator: the judge trained and its recall of each class's
        ``real`` samples measured, the acceptance rates not yet (NaN until :meth:`measure_acceptance`).
        The judge draws from its own seeded stream: training it first leaves a GAN's training as it is."""
        shift = None
        if kind.judge_prior_weight:
            shares = np.maximum(np.bincount(np.asarray(labels), minlength=n_classes), 1) / len(labels)
            shift = (kind.judge_prior_weight * np.log(shares)).tolist()
        gate = cls(kind.train_judge(real, labels, n_classes, seed=seed, codec=codec), [math.nan] * n_classes,
                   unit=kind.unit, plain_top_up=kind.plain_top_up, prior_shift=shift)
        gate.measure_real_recall(real, labels)
        return gate

    def measure_acceptance(self, generator, *, seed: int, view=None) -> None:
        """Set ``acceptance``: the share of ``ACCEPTANCE_SAMPLES`` of ``generator``'s samples of each
        class that the gate keeps (class c's drawn with seed ``seed + c``); ``view`` as in
        :meth:`generate`."""
        for index in range(generator.n_classes):
            candidates = generate(generator, ACCEPTANCE_SAMPLES, index, seed=seed + index)
            self.acceptance[index] = round(float(self.accepts(_seen(candidates, view), index).float().mean()), 4)

    def measure_real_recall(self, real: torch.Tensor, labels: np.ndarray) -> None:
        """Set ``real_recall``: the share of (the first ``REAL_RECALL_SAMPLES`` of) each class's
        ``real`` samples that the judge assigns to it."""
        labels = np.asarray(labels)
        self.real_recall = []
        for index in range(len(self.acceptance)):
            rows = torch.from_numpy(np.flatnonzero(labels == index)[:REAL_RECALL_SAMPLES])
            self.real_recall.append(round(float(self.accepts(real[rows], index).float().mean()), 4)
                                    if len(rows) else math.nan)

    def knows(self, class_index: int) -> bool:
        """Whether the judge tells the class's real samples from the others' (assigns at least
        ``MIN_REAL_RECALL`` of them to it); a recall not measured (None, NaN) is taken as yes."""
        return self.real_recall is None or not self.real_recall[class_index] < MIN_REAL_RECALL

    def serves(self, class_index: int) -> bool:
        """Whether the gate keeps enough of the class's samples (at least ``MIN_ACCEPTANCE``) to be
        used for it, and its judge knows the class (:meth:`knows`); a rate not measured (NaN) does not."""
        return self.acceptance[class_index] >= MIN_ACCEPTANCE and self.knows(class_index)

    @torch.no_grad()
    def accepts(self, samples: torch.Tensor, class_index: int) -> torch.Tensor:
        """A boolean mask: the judge assigns each encoded sample to ``class_index``."""
        device = next(self.judge.parameters()).device
        # Judged in eval mode whatever mode the caller left the judge in (its dropout made the rows
        # kept depend on it), and left in that mode, as the generator is by generate().
        was_training = self.judge.training
        self.judge.eval()
        shift = None if self.prior_shift is None else torch.tensor(self.prior_shift, device=device)
        masks = []
        try:
            # In slices: a round of a narrow table's candidates is up to a sampling chunk's 32 MB of
            # encoded rows (1.7M rows of one column), and the judge's features and hidden layers
            # hold some 50x that (sampling 1M rows took 1.1 GB above its result; 0.1 GB in slices).
            for start in range(0, len(samples), _JUDGED_AT_ONCE):
                logits = self.judge(samples[start:start + _JUDGED_AT_ONCE].to(device))
                if shift is not None:
                    logits = logits + shift.to(logits.dtype)
                masks.append((logits.argmax(1) == class_index).cpu())
        finally:
            self.judge.train(was_training)
        return torch.cat(masks) if masks else torch.zeros(0, dtype=torch.bool)

    def generate(self, generator, n: int, class_index: int, *, seed: int, class_name: str, chunk: int,
                 view=None) -> torch.Tensor:
        """``n`` samples of ``class_index`` that the judge accepts, in rounds of candidates (each
        round seeded from ``seed`` and its number); at most ``chunk`` candidates per round.
        ``view`` (the data kind's :meth:`~gan_augment.kinds.base.DataKind.judged_view`): what the
        judge reads of the candidates, where decoding changes them; None: the candidates as made."""
        rate = self.acceptance[class_index]
        if not self.serves(class_index):
            unit = self.unit
            instead = f"with {self.plain_top_up}" if self.plain_top_up else "another way"
            if not self.knows(class_index):
                raise ValueError(
                    f"The label gate's judge assigns {self.real_recall[class_index]:.1%} of the real {unit} of class "
                    f"{class_name} to it: it cannot tell the class from the others, so what it would keep of the "
                    f"synthetic {unit} need not be like the class. Top the class up {instead}; or sample without "
                    f"the gate ({WITHOUT_GATE}).")
            another = " or, for a GAN of images, with another architecture (architecture=, --architecture)" \
                if unit == "images" and getattr(generator, "has_architecture_choice", True) else ""
            raise ValueError(
                f"The label gate accepts {rate:.1%} of the synthetic {unit} of class {class_name} (the judge "
                f"trained on the real {unit} assigns the rest to other classes): too few to top it up "
                f"(at least {MIN_ACCEPTANCE:.0%}). Fit longer (epochs=, --epochs){another}; top the class up "
                f"{instead}; or sample without the gate ({WITHOUT_GATE}).")
        kept, have, round_ = [], 0, 0
        while have < n:
            if round_ == _MAX_ROUNDS:
                raise RuntimeError(f"The label gate found {have} of {n} {self.unit} of class {class_name} in "
                                   f"{_MAX_ROUNDS} rounds; sample without the gate ({WITHOUT_GATE}).")
            # A little above the expected need so that one round usually suffices: the rate was
            # measured on ACCEPTANCE_SAMPLES samples (standard error ~2% of a rate near 0.8), and a
            # short round costs only a small second one, while every surplus candidate is waste.
            size = min(chunk, math.ceil((n - have) / rate * _HEADROOM) + 8)
            round_seed = int(np.random.SeedSequence([seed, round_]).generate_state(1)[0])
            candidates = generate(generator, size, class_index, seed=round_seed)
            kept.append(candidates[self.accepts(_seen(candidates, view), class_index)][: n - have])
            have += len(kept[-1])
            round_ += 1
        return torch.cat(kept) if kept else generate(generator, 0, class_index, seed=seed)  # n = 0

    def state(self) -> dict:
        """What :meth:`from_state` needs: the judge's shape and weights, the acceptance rates, the
        prior shift."""
        return {"judge": self.judge.config(), "acceptance": self.acceptance, "weights": self.judge.state_dict(),
                "prior_shift": self.prior_shift, "real_recall": self.real_recall}

    @classmethod
    def from_state(cls, state: dict, kind, *, source) -> LabelGate:
        """The gate saved as ``state`` (its judge checked against its weights first, as the
        generator is: see :func:`~gan_augment.checkpoint.build_checked`); ``source`` names the file."""
        from gan_augment.checkpoint import build_checked

        # Image models saved before table gates kept the judge's shape beside the weights.
        config = state.get("judge") or {key: state[key] for key in ("in_channels", "n_classes", "feature_dim")}
        judge = build_checked(lambda: kind.build_judge(config), state["weights"], source=source)
        judge.load_state_dict(state["weights"])
        # Gates saved before the prior shift or the real recall existed have none.
        return cls(judge, [math.nan if a is None else float(a) for a in state["acceptance"]], unit=kind.unit,
                   plain_top_up=kind.plain_top_up, prior_shift=state.get("prior_shift"),
                   real_recall=state.get("real_recall"))


def _seen(candidates: torch.Tensor, view) -> torch.Tensor:
    """The candidates as the judge reads them (see :meth:`LabelGate.generate`)."""
    return candidates if view is None else view(candidates)
