"""The label-agreement gate: synthetic images count as their class only if a judge agrees.

A conditional image GAN can draw a rare class's images that look like another class, or like no
class (at 32 px our DCGAN's rare-digit samples were recognised as that digit 0-16% of the time;
benchmarks/IMAGES.md). Topping up with them teaches the downstream model the wrong thing. The gate
trains a judge (:class:`gan_augment.evaluation.images.ImageClassifier`) on the real training images
and keeps a synthetic image of class c only when the judge assigns it to c.

Generation stays label-exact (every kept image was generated *as* class c) and O(n) in
expectation: n images cost about n / acceptance generator calls. The acceptance rate of each class
is measured after training and kept; a class whose rate is below ``MIN_ACCEPTANCE`` is refused at
sampling time (with the rate and what to do), since almost every image of it would be thrown away.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from gan_augment.training.trainer import generate

#: Below this share of accepted images a class is refused: the generator does not make it.
MIN_ACCEPTANCE = 0.05
#: How to do without the gate, through either door (the command line's translations are always gated).
_WITHOUT_GATE = "Python: set_params(label_gate=False); command line: fit again without --label-gate"
#: Images generated per class to measure the acceptance rate after training.
ACCEPTANCE_SAMPLES = 500
#: Epochs of the judge: those of the image-quality judge (gan_augment.evaluation.images).
JUDGE_EPOCHS = 10
# Give up after this many rounds of candidates for one request (only reachable if the rate
# measured after training is far above the rate of the request's seeds).
_MAX_ROUNDS = 100


class LabelGate:
    """A judge of real images and the share of each class's synthetic images it accepts.

    Parameters
    ----------
    judge : ImageClassifier
        Trained on the real training images (in the model's working range, [-1, 1]).
    acceptance : list of float
        Per class index, the share of its synthetic images the judge assigned to it.
    """

    def __init__(self, judge, acceptance):
        self.judge = judge.eval().requires_grad_(False)
        self.acceptance = [float(a) for a in acceptance]

    @classmethod
    def fit(cls, images: torch.Tensor, labels: np.ndarray, generator, *, seed: int) -> LabelGate:
        """Train the judge on ``images`` / ``labels`` (class indices) and measure how many of
        ``generator``'s images of each class it accepts."""
        from gan_augment.evaluation.images import train_image_classifier

        n_classes = generator.n_classes
        judge = train_image_classifier(images, labels, n_classes=n_classes, epochs=JUDGE_EPOCHS, random_state=seed)
        gate = cls(judge, [math.nan] * n_classes)
        for index in range(n_classes):
            candidates = generate(generator, ACCEPTANCE_SAMPLES, index, seed=seed + index)
            gate.acceptance[index] = round(float(gate.accepts(candidates, index).float().mean()), 4)
        return gate

    @torch.no_grad()
    def accepts(self, images: torch.Tensor, class_index: int) -> torch.Tensor:
        """A boolean mask: the judge assigns each image to ``class_index``."""
        device = next(self.judge.parameters()).device
        return (self.judge(images.to(device)).argmax(1) == class_index).cpu()

    def generate(self, generator, n: int, class_index: int, *, seed: int, class_name: str, chunk: int) -> torch.Tensor:
        """``n`` images of ``class_index`` that the judge accepts, in rounds of candidates (each
        round seeded from ``seed`` and its number); at most ``chunk`` candidates per round."""
        rate = self.acceptance[class_index]
        if not rate >= MIN_ACCEPTANCE:
            raise ValueError(
                f"The label gate accepts {rate:.1%} of the synthetic images of class {class_name} (the judge "
                f"trained on the real images assigns the rest to other classes): too few to top it up "
                f"(at least {MIN_ACCEPTANCE:.0%}). Fit longer (epochs=, --epochs) or with another architecture "
                "(architecture=, --architecture), top the class up with its real images repeated under classic "
                f"augmentation, or sample without the gate ({_WITHOUT_GATE}).")
        kept, have, round_ = [], 0, 0
        while have < n:
            if round_ == _MAX_ROUNDS:
                raise RuntimeError(f"The label gate found {have} of {n} images of class {class_name} in "
                                   f"{_MAX_ROUNDS} rounds; sample without the gate ({_WITHOUT_GATE}).")
            # 20% above the expected need (and a few more) so that one round usually suffices.
            size = min(chunk, math.ceil((n - have) / rate * 1.2) + 8)
            round_seed = int(np.random.SeedSequence([seed, round_]).generate_state(1)[0])
            candidates = generate(generator, size, class_index, seed=round_seed)
            kept.append(candidates[self.accepts(candidates, class_index)][: n - have])
            have += len(kept[-1])
            round_ += 1
        return torch.cat(kept) if kept else generate(generator, 0, class_index, seed=seed)  # n = 0

    def state(self) -> dict:
        """What :meth:`from_state` needs: the judge's shape and weights, the acceptance rates."""
        return {"in_channels": self.judge.in_channels, "n_classes": self.judge.n_classes,
                "feature_dim": self.judge.feature_dim, "acceptance": self.acceptance,
                "weights": self.judge.state_dict()}

    @classmethod
    def from_state(cls, state: dict) -> LabelGate:
        from gan_augment.evaluation.images import ImageClassifier

        judge = ImageClassifier(int(state["in_channels"]), int(state["n_classes"]),
                                feature_dim=int(state["feature_dim"]))
        judge.load_state_dict(state["weights"])
        return cls(judge, [math.nan if a is None else float(a) for a in state["acceptance"]])
