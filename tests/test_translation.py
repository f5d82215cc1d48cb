"""TranslationAugmenter: images of the other classes translated into a rare one (CycleGAN)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import load_digits

from gan_augment import GANAugmenter, TranslationAugmenter
from gan_augment.config import ImageModelConfig, training_config
from gan_augment.exceptions import DataValidationError, ModelFileError
from gan_augment.kinds import kind_named
from gan_augment.label_gate import LabelGate
from gan_augment.models.image import build_image_discriminator, build_image_generator
from gan_augment.models.translation import ConditionalTranslator
from gan_augment.training import GANTrainer
from gan_augment.training.trainer import seeded_rng

# On the CPU, where fits are bit-identical for a given thread count (tests compare them exactly).
FAST = dict(image_shape=(1, 8, 8), epochs=1, batch_size=16, label_gate=False, random_state=0, device="cpu")


@pytest.fixture(scope="module")
def rare_digits():
    """Digits 0, 1 and 3 (8x8, 0-16): 80 0s, 90 1s and 10 3s."""
    X, y = load_digits(return_X_y=True)
    keep = ((y == 0) & (np.cumsum(y == 0) <= 80)) | ((y == 1) & (np.cumsum(y == 1) <= 90)) \
        | ((y == 3) & (np.cumsum(y == 3) <= 10))
    return X[keep], y[keep]


def _translator(labels, allowed=None, resolution=8):
    n_classes = int(labels.max()) + 1
    translator = ConditionalTranslator(n_classes, 1, resolution, len(labels))
    images = torch.arange(len(labels), dtype=torch.float32)[:, None, None, None].expand(-1, 1, resolution, resolution)
    allowed = ~torch.eye(n_classes, dtype=torch.bool) if allowed is None else allowed
    translator.set_sources(images.clone(), labels, allowed)
    return translator


def test_sources_come_from_the_allowed_classes_in_proportion_to_their_pool_size():
    labels = torch.tensor([0] * 60 + [1] * 30 + [2] * 10)
    translator = _translator(labels)
    u = torch.rand(20000, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    for target, expected in ((2, {0: 60 / 90, 1: 30 / 90}), (0, {1: 30 / 40, 2: 10 / 40})):
        rows, source = translator.pick_sources(u, torch.full((len(u),), target))
        pooled = translator.class_counts.cumsum(0) - translator.class_counts
        assert torch.equal(labels[torch.argsort(labels, stable=True)][rows], source)  # the row is of its class
        assert target not in source.tolist()
        assert bool((rows >= pooled[source]).all()) and bool((rows < pooled[source] + translator.class_counts[source]).all())
        for cls, share in expected.items():
            assert abs(float((source == cls).double().mean()) - share) < 0.02
        assert len(torch.unique(rows)) == int(sum(translator.class_counts[c] for c in expected))  # every image reachable
    own = translator.pick_own(u[:500], torch.full((500,), 2))
    assert torch.equal(labels[own], torch.full((500,), 2))
    # A source rule: class 2 may be made from class 1 only.
    allowed = ~torch.eye(3, dtype=torch.bool)
    allowed[2, 0] = False
    _, source = _translator(labels, allowed).pick_sources(u, torch.full((len(u),), 2))
    assert set(source.tolist()) == {1}


def test_the_cycle_and_identity_losses_fall_when_trained(rare_digits):
    X, y = rare_digits
    images = torch.as_tensor(X, dtype=torch.float32).view(-1, 1, 8, 8) / 8 - 1
    labels = torch.as_tensor(np.searchsorted([0, 1, 3], y))
    config = ImageModelConfig(channels=1, resolution=8, architecture="translator", noise_dim=2, n_sources=len(y),
                              cycle_weight=10.0, identity_weight=5.0)  # CycleGAN's weights: both terms matter
    with seeded_rng(0, torch.device("cpu")):
        G, D = build_image_generator(config, 3), build_image_discriminator(config, 3)
    G.set_sources(images, labels, ~torch.eye(3, dtype=torch.bool))
    z, targets = torch.randn(256, 2, generator=torch.Generator().manual_seed(1)), torch.arange(256) % 3

    def cycle_and_identity(generator):
        with torch.no_grad():
            return float(generator.extra_generator_loss(generator(z, targets), z, targets))

    before = cycle_and_identity(G)
    trainer = GANTrainer(G, D, training_config("image-translation", epochs=6, batch_size=16), device="cpu",
                         random_state=0).fit(images, labels)
    after = cycle_and_identity(trainer.generator)
    assert after < 0.5 * before, (before, after)


def test_the_gate_rejects_a_translator_that_returns_its_input(rare_digits):
    """A 'translation' that leaves the source unchanged is an image of another class: the judge
    trained on real images says so, and the class is refused."""
    X, y = rare_digits
    images = torch.as_tensor(X, dtype=torch.float32).view(-1, 1, 8, 8) / 8 - 1
    labels = np.searchsorted([0, 1, 3], y)

    class Unchanged(ConditionalTranslator):
        def translate(self, images, y):
            return images

    lazy = Unchanged(3, 1, 8, len(y))
    lazy.set_sources(images, torch.as_tensor(labels), ~torch.eye(3, dtype=torch.bool))
    gate = LabelGate.fit(kind_named("image"), images, labels, lazy, seed=0)
    assert gate.acceptance[2] < 0.05, gate.acceptance
    # The way out is named for both doors.
    with pytest.raises(ValueError, match=r"label gate accepts .*set_params\(label_gate=False\).*with --no-label-gate") \
            as refused:
        gate.generate(lazy, 10, 2, seed=0, class_name="3", chunk=64)
    # A translator has no architecture= to try (TranslationAugmenter refuses the parameter).
    assert "architecture" not in str(refused.value)


def test_source_is_named_when_it_names_an_unknown_class_and_info_names_the_sources(rare_digits, capsys):
    X, y = rare_digits
    with pytest.raises(ValueError, match=r"source= names a class y does not hold\. Unknown class 9; the classes "
                                         r"are \[0, 1, 3\]"):
        TranslationAugmenter(image_shape=(1, 8, 8), classes=[3], source=[9], epochs=1).fit(X, y)
    # The target itself among the sources: it is never made from its own images.
    augmenter = TranslationAugmenter(image_shape=(1, 8, 8), classes=[3], source=[3, 1], epochs=1, batch_size=32,
                                     label_gate=False, random_state=0, n_threads=1).fit(X, y)
    # It said "translated from the other classes' images" whatever source= was.
    [line] = kind_named("image").describe(augmenter)
    # And it counted those alone, where the file holds every class's (privacy: said before sharing one).
    assert (f"translated from the images of 1 ({augmenter.source_counts_[1]} held as sources; the model file holds "
            f"{len(X)} images in all)") in line, line
    # A model that tops up nothing read "0 held as sources", though sample() translates from them all.
    augmenter = TranslationAugmenter(sampling_strategy={3: 10}, **FAST).fit(X, y)
    augmenter.sampling_strategy_ = {label: 0 for label in augmenter.classes_}
    [line] = kind_named("image").describe(augmenter)
    assert f"translated from the other classes' images ({len(X)} held as sources)" in line, line
    with pytest.raises(ValueError, match=r"The 'max_sources_per_class' parameter of TranslationAugmenter is a count: "
                                         r"pass an int, not True"):
        TranslationAugmenter(image_shape=(1, 8, 8), classes=[3], max_sources_per_class=True, epochs=1).fit(X, y)


@pytest.mark.slow
def test_translations_are_recognised_as_the_target_class(rare_digits):
    """Real property: a judge trained on the real digits labels the translations into the rare 3
    (made from 0s and 1s) as 3 far above chance (1/3), and the gate's rate says the same."""
    X, y = rare_digits
    augmenter = TranslationAugmenter(image_shape=(1, 8, 8), classes=[3], epochs=80, random_state=0).fit(X, y)
    assert augmenter.label_gate_.acceptance[2] > 0.5, augmenter.label_gate_.acceptance
    ungated = clone(augmenter).set_params(label_gate=False)
    ungated.__dict__.update({k: v for k, v in augmenter.__dict__.items() if k.endswith("_")})
    from sklearn.linear_model import LogisticRegression

    judge = LogisticRegression(max_iter=1000).fit(X, y)
    assert np.mean(judge.predict(ungated.sample(300, 3)) == 3) > 0.5
    # The gate keeps what its own judge accepts; this other judge agreed on 0.95, 0.83 and 0.89 of the
    # gated images with seeds 0, 1 and 2 (0.92, 0.72 and 0.90 ungated): the bound leaves room for a
    # CPU whose float sums round otherwise.
    assert np.mean(judge.predict(augmenter.sample(300, 3)) == 3) > 0.8


def test_fit_resample_s_gate_refusal_advises_only_what_a_translator_takes(rare_digits, monkeypatch):
    # It advised label_gate='auto' (not a translator's value) and "fit without --label-gate" (the
    # translator's gate is on unless --no-label-gate).
    from gan_augment.label_gate import LabelGate

    monkeypatch.setattr(LabelGate, "serves", lambda gate, index: False)
    X, y = rare_digits
    with pytest.raises(ValueError) as refused:
        TranslationAugmenter(classes=[3], **{**FAST, "label_gate": True}).fit_resample(X, y)
    message = str(refused.value)
    assert "Fit again with label_gate=False (command line: with --no-label-gate)" in message
    assert "'auto'" not in message


def test_fit_resample_is_label_exact_reproducible_and_round_trips(rare_digits, tmp_path):
    X, y = rare_digits
    augmenter = TranslationAugmenter(classes=[3], **FAST)
    X_res, y_res = augmenter.fit_resample(X, y)
    assert X_res.shape == (len(X) + 80, 64) and np.sum(y_res == 3) == 90
    assert np.array_equal(X_res[:len(X)], X)
    synthetic = X_res[len(X):]
    assert synthetic.min() >= 0 and synthetic.max() <= 16 and synthetic.std() > 0
    assert augmenter.source_counts_ == {0: 80, 1: 90, 3: 10}
    assert augmenter.model_config_.architecture == "translator"
    assert augmenter.training_config_.loss == "lsgan"
    again = TranslationAugmenter(classes=[3], **FAST).fit_resample(X, y)[0]
    assert np.array_equal(X_res, again)
    augmenter.save(tmp_path / "model")
    loaded = GANAugmenter.load(tmp_path / "model")  # the class that saved it, through either door
    assert type(loaded) is TranslationAugmenter and loaded.get_params() == augmenter.get_params()
    assert loaded.source_counts_ == augmenter.source_counts_  # was lost by save / load
    assert np.array_equal(loaded.sample(20, 3), augmenter.sample(20, 3))
    assert augmenter.sample(0, 3).shape == (0, 64)  # an IndexError from instance norm on a batch of none
    GANAugmenter(image_shape=(1, 8, 8), epochs=1, random_state=0).fit(X, y).save(tmp_path / "gan")
    with pytest.raises(ModelFileError, match="holds a GANAugmenter model; load it with GANAugmenter.load"):
        TranslationAugmenter.load(tmp_path / "gan")


def test_source_limits_what_is_translated_into_the_topped_up_class(rare_digits):
    X, y = rare_digits
    augmenter = TranslationAugmenter(classes=[3], source=[1], **FAST).fit(X, y)
    assert augmenter.allowed_sources_.tolist() == [[False, True, True], [True, False, True], [False, True, False]]
    u = torch.linspace(0, 0.999, 200, dtype=torch.float64)
    _, source = augmenter.generator_.pick_sources(u, torch.full((200,), 2))
    assert set(source.tolist()) == {1}


@pytest.mark.parametrize("case", ["table", "one class", "unknown source", "only itself", "two sizes"])
def test_bad_input_is_refused_before_training_naming_the_culprit(rare_digits, case):
    X, y = rare_digits
    augmenter = TranslationAugmenter(classes=[3], **FAST)
    if case == "table":
        with pytest.raises(ValueError, match="translates images.*GANAugmenter"):
            augmenter.set_params(image_shape=None).fit(pd.DataFrame(X[:, :4]), y)
    elif case == "one class":
        with pytest.raises(ValueError, match="more than 1 class"):
            TranslationAugmenter(image_shape=(1, 8, 8), sampling_strategy={3: 20}).fit(X[y == 3], y[y == 3])
    elif case == "unknown source":
        with pytest.raises(ValueError, match="Unknown class 7"):
            augmenter.set_params(source=[7]).fit(X, y)
    elif case == "only itself":
        with pytest.raises(ValueError, match="Class 3 is to be topped up.*names no other class"):
            augmenter.set_params(source=[3]).fit(X, y)
        # As written, not numpy's repr ("source=[np.int64(3)]").
        with pytest.raises(ValueError, match=r"and source=\[3\] names no other class"):
            augmenter.set_params(source=np.array([3])).fit(X, y)
    else:  # it said "pass an image array ... For table rows use GANAugmenter", naming no image
        images = [image.reshape(8, 8) for image in X]
        images[5] = np.zeros((7, 8))
        with pytest.raises(DataValidationError, match=r"item 5 has shape \(7, 8\), item 0 \(8, 8\)"):
            augmenter.set_params(image_shape=None).fit(images, y)
    assert not hasattr(augmenter, "generator_")


def test_parameters_follow_scikit_learn_conventions():
    augmenter = TranslationAugmenter(source=[0, 1], cycle_weight=5.0)
    assert set(TranslationAugmenter._parameter_constraints) == set(augmenter.get_params())
    copy = clone(augmenter)
    assert copy.get_params() == augmenter.get_params() and copy.label_gate is True
    with pytest.raises(ValueError, match="cycle_weight"):
        TranslationAugmenter(cycle_weight=-1.0, image_shape=(1, 8, 8)).fit(np.zeros((4, 64)), [0, 0, 1, 1])


def test_a_killed_fit_resumes_from_its_checkpoint_bit_identically(rare_digits, tmp_path):
    X, y = rare_digits

    class KilledAtEpoch2:
        def on_train_begin(self, trainer): pass
        def on_train_end(self, trainer): pass
        def on_epoch_end(self, trainer, record):
            if record["epoch"] == 2:
                raise KeyboardInterrupt

    settings = dict(FAST, epochs=3, batch_size=64, checkpoint_every=1)
    with pytest.raises(KeyboardInterrupt):
        TranslationAugmenter(classes=[3], checkpoint_dir=tmp_path / "ckpt", callbacks=[KilledAtEpoch2()],
                             **settings).fit(X, y)
    resumed = TranslationAugmenter(classes=[3], checkpoint_dir=tmp_path / "ckpt", **settings).fit(X, y)
    straight = TranslationAugmenter(classes=[3], **settings).fit(X, y)
    assert np.array_equal(resumed.sample(30, 3), straight.sample(30, 3))
    # Other sources: not this checkpoint's run; the setting is named (it was the hash "sources").
    with pytest.raises(ModelFileError, match=r"differ in: parameters: source None in the checkpoint, \[1\] now\)"):
        TranslationAugmenter(classes=[3], source=[1], checkpoint_dir=tmp_path / "ckpt", **settings).fit(X, y)
    # A setting that changes the model's shape alone was named by that only (n_sources), which the
    # user never set.
    with pytest.raises(ModelFileError, match=r"differ in: parameters: max_sources_per_class \d+ in the checkpoint, "
                                             r"2 now; model_config: n_sources"):
        TranslationAugmenter(classes=[3], max_sources_per_class=2, checkpoint_dir=tmp_path / "ckpt",
                             **settings).fit(X, y)


def test_the_command_line_fits_with_method_translate_and_refuses_what_does_not_apply(rare_digits, tmp_path, capsys):
    from test_cli import _one_line_error, run
    from test_cli_images import write_digit_folder

    X, y = rare_digits
    root = write_digit_folder(tmp_path / "digits", X, y, {"zero": 0, "one": 1, "rare": 3}, 30)
    code, out, err = run(capsys, "fit", root, "--classes", "rare", "--method", "translate", "--epochs", "1",
                         "--seed", "0", "--out", tmp_path / "model")
    assert code == 0, err
    model = GANAugmenter.load(tmp_path / "model")
    assert type(model) is TranslationAugmenter and model.label_gate_ is not None
    refused = not model.label_gate_.serves(int(np.flatnonzero(model.classes_ == "rare")[0]))
    # A class the gate will refuse to sample is said at fit time and by info, not first by `sample`.
    assert ("Sampling them will be refused (label_gate=True, --label-gate)" in err) == refused
    code, info_out, _ = run(capsys, "info", tmp_path / "model")
    assert code == 0 and ("sampling is refused: 'rare'" in info_out) == refused
    # Without the gate, as the gate's own refusal advises (a short fit it would refuse, say).
    code, _, err = run(capsys, "fit", root, "--classes", "rare", "--method", "translate", "--epochs", "1",
                       "--seed", "0", "--no-label-gate", "--out", tmp_path / "ungated", "-q")
    assert code == 0, err
    assert GANAugmenter.load(tmp_path / "ungated").label_gate is False
    assert "samples_1_rare.png" in {p.name for p in (tmp_path / "model").glob("samples_*.png")}
    code, out, _ = run(capsys, "info", tmp_path / "model")
    # The rare class is made from the other two (60 images); the file holds the rare one's too.
    assert code == 0 and ("translated from the other classes' images (60 held as sources; the model file holds 70 "
                          "images in all)") in " ".join(out.split()), out
    # evaluate --model fits each fold's model as the saved one was: a translator, not a GAN.
    code, out, err = run(capsys, "evaluate", root, "--model", tmp_path / "ungated", "--cv", "2", "--repeats", "1",
                         "--baseline", "none", "--seed", "0")
    assert code == 0, err
    assert "Each fold's translator is fitted with the settings of" in err and "translation top-up" in out
    code, _, err = run(capsys, "fit", root, "--classes", "rare", "--method", "translate", "--generators", "2",
                       "--out", tmp_path / "other")
    assert code != 0 and "--generators does not apply to --method translate" in _one_line_error(err)
    table = tmp_path / "table.csv"
    pd.DataFrame({"a": range(20), "label": ["x"] * 15 + ["y"] * 5}).to_csv(table, index=False)
    code, _, err = run(capsys, "fit", table, "--target", "label", "--method", "translate", "--out", tmp_path / "t")
    assert code != 0 and "is a table. Use --method gan" in _one_line_error(err)
    assert not (tmp_path / "other").exists() and not (tmp_path / "t").exists()


def test_the_torch_door_serves_translated_items(rare_digits):
    from torch.utils.data import TensorDataset

    from gan_augment import AugmentedDataset

    X, y = rare_digits
    base = TensorDataset(torch.as_tensor(X, dtype=torch.float32).view(-1, 1, 8, 8), torch.as_tensor(y))
    data = AugmentedDataset(base, TranslationAugmenter(epochs=1, batch_size=16, label_gate=False, random_state=0),
                            classes=[3], random_state=0, return_synthetic_flag=True)
    assert type(data.augmenter_) is TranslationAugmenter and len(data) == len(y) + 80
    items = [data[i] for i in data.synthetic_indices]
    assert {int(label) for _, label, _ in items} == {3} and all(flag for _, _, flag in items)
    assert items[0][0].shape == (1, 8, 8) and items[0][0].dtype == torch.float32


def test_the_torch_door_reads_source_by_the_base_s_class_names(rare_digits):
    # classes=["three"] was the base's label 2, but source=["one"] was refused: "Unknown class 'one';
    # the classes are [0, 1, 2]".
    from torch.utils.data import TensorDataset

    from gan_augment import AugmentedDataset

    X, y = rare_digits
    base = TensorDataset(torch.as_tensor(X, dtype=torch.float32).view(-1, 1, 8, 8),
                         torch.as_tensor(np.searchsorted([0, 1, 3], y)))
    base.classes, base.class_to_idx = ["zero", "one", "three"], {"zero": 0, "one": 1, "three": 2}
    augmenter = TranslationAugmenter(epochs=1, batch_size=16, label_gate=False, random_state=0, source=["one"])
    data = AugmentedDataset(base, augmenter, classes=["three"], random_state=0)
    assert data.augmenter_.allowed_sources_[2].tolist() == [False, True, False]
    failing = TranslationAugmenter(epochs=1, label_gate=False, source=("one", "zero"), image_size=12)
    with pytest.raises(ValueError, match="image_size"):
        AugmentedDataset(base, failing, classes=["three"], random_state=0)
    assert failing.source == ("one", "zero")  # left as given when the fit fails
    with pytest.raises(ValueError, match=r"Got 'one' instead"):  # a lone text: refused in the user's words
        AugmentedDataset(base, TranslationAugmenter(epochs=1, source="one"), classes=["three"], random_state=0)


def test_low_coverage_advice_leaves_out_the_ensemble_a_translator_cannot_be():
    # It said "try an ensemble (n_generators=3, --generators 3)", which a translator refuses.
    from gan_augment import LowCoverageWarning

    X, y = load_digits(return_X_y=True)
    keep = np.r_[np.flatnonzero(y == 0)[:25], np.flatnonzero(y == 1)[:60]]  # 25 rows: enough to measure
    with pytest.warns(LowCoverageWarning, match="class 0") as caught:
        TranslationAugmenter(classes=[0], **FAST).fit(X[keep], y[keep])
    advice = " ".join(str(w.message) for w in caught if issubclass(w.category, LowCoverageWarning))
    assert "Train longer" in advice and "generators" not in advice


def test_a_translators_warnings_speak_of_its_source_pool(rare_digits):
    # A translation is a function of its source image: a pool of 4 gave 4 distinct images, said as
    # a collapse to be fixed by another loss, more epochs or lower learning rates; and a class of one
    # image was warned to get "near copies" of it, where its images come from the other classes.
    import warnings

    from gan_augment import ModeCollapseWarning, SmallClassWarning

    X, y = rare_digits
    keep = (y != 3) | (np.cumsum(y == 3) <= 1)  # one image of 3
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        TranslationAugmenter(image_shape=(1, 8, 8), classes=[3], label_gate=False, max_sources_per_class=2, epochs=1,
                             batch_size=32, random_state=0, n_threads=1).fit(X[keep], y[keep])
    assert not [w for w in said if issubclass(w.category, SmallClassWarning)]
    # Said before training (89 translations from 4 source images) and measured after it.
    before, after = [str(w.message) for w in said if issubclass(w.category, ModeCollapseWarning)]
    assert "89 translated images drawn from 4 source images, about 4 distinct" in before
    assert "source=" not in before  # every other class is a source already: no advice that cannot help
    assert "keep more images of each (max_sources_per_class, 2 now)" in after and "another loss" not in after


def test_a_top_up_beyond_what_its_sources_hold_is_warned_before_training(rare_digits):
    # A translation is made from one source image: 37 images of class 1 from a pool of 2 were 2
    # distinct ones and 35 copies, and no warning named it (the collapse check compares a class with
    # its own few real images).
    from gan_augment.exceptions import ModeCollapseWarning

    X, y = rare_digits
    translator = TranslationAugmenter(**FAST, classes=[3], source=[1], max_sources_per_class=5)
    with pytest.warns(ModeCollapseWarning, match=r"class 3: 80 translated images drawn from 5 source images, about 5 "
                                                 r"distinct\).*name more source classes \(source=\)"):
        translator.fit(X, y)
    with warnings.catch_warnings(record=True) as said:  # 80 from the 170 images of 0 and 1: no such warning
        warnings.simplefilter("always")
        TranslationAugmenter(**FAST, classes=[3]).fit(X, y)
    assert not [w for w in said if "source images" in str(w.message)]  # about 64 distinct of 80


@pytest.mark.parametrize("kept", [0.1, 1.0])
def test_a_top_up_the_label_gate_leaves_few_sources_for_is_warned_after_training(rare_digits, monkeypatch, kept):
    # The gate keeps the translations of a fixed share of the sources: 90 images of a class from a
    # pool of 360 whose gate kept 12% held 44 distinct ones, and nothing warned (the pool was counted
    # whole before training, and the collapse check compares the class with its own real images).
    from gan_augment.exceptions import ModeCollapseWarning
    from gan_augment.label_gate import LabelGate

    def measured(gate, generator, **kwargs):  # the judge's verdicts made a setting of the test
        gate.acceptance[:] = [kept] * generator.n_classes

    monkeypatch.setattr(LabelGate, "measure_acceptance", measured)
    monkeypatch.setattr(LabelGate, "accepts", lambda gate, samples, index: torch.ones(len(samples), dtype=torch.bool))
    X, y = rare_digits
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        TranslationAugmenter(**{**FAST, "label_gate": True}, classes=[3]).fit(X, y)
    copies = [str(w.message) for w in said
              if issubclass(w.category, ModeCollapseWarning) and "copies" in str(w.message)]
    if kept == 1.0:  # about 64 distinct of 80, as without the gate
        assert not copies
    else:
        assert len(copies) == 1 and ("class 3: 80 translated images drawn from the about 17 of its 170 source images "
                                     "whose translations the label gate keeps (10.0%), about 17 distinct") in copies[0]
        assert "The label gate rejects the translations of most sources: fit longer" in copies[0]
        assert "their images are few" not in copies[0]  # the pool's remedy: its 170 images are not few


def test_source_date_labels_come_back_as_dates_from_a_model_file(rare_digits, tmp_path):
    X, y = rare_digits
    days = np.array(["2020-01-01", "2021-01-01", "2022-01-01"], dtype="datetime64[ns]")
    dated = days[np.searchsorted([0, 1, 3], y)]
    translator = TranslationAugmenter(**FAST, classes=[days[2]], source=[days[1]]).fit(X, dated)
    translator.save(tmp_path / "m")
    loaded = TranslationAugmenter.load(tmp_path / "m")
    assert loaded.source == [pd.Timestamp(days[1])] and loaded.classes == [pd.Timestamp(days[2])]


def test_evaluation_refuses_a_source_the_data_lacks_before_any_fold(rare_digits):
    from gan_augment.evaluation.plan import plan_evaluation

    X, y = rare_digits
    for source, words in (([7], "source= names a class y does not hold"), ([3], "names no other class")):
        with pytest.raises(ValueError, match=words):
            plan_evaluation(X, y, TranslationAugmenter(**FAST, source=source), classes=[3], cv=2, repeats=1)


def test_evaluation_refuses_a_source_some_fold_cannot_follow_before_any_fold():
    # Checked against the whole data's top-up only, a fold that tops up another class (one tied with
    # the largest, or every class under InEveryClass) failed mid-run, once the folds before had trained.
    from gan_augment.evaluation.plan import plan_evaluation
    from gan_augment.planner import InEveryClass

    X = np.random.default_rng(0).random((72, 64)).astype(np.float32)
    tied = np.array(["A"] * 30 + ["B"] * 30 + ["C"] * 12)  # the whole data tops up C alone
    with pytest.raises(DataValidationError, match=r"cv split 3 of 4 trains on other counts than the whole data "
                                                  r"\('A' 23, 'B' 22, 'C' 9\), and its top-up is refused there: Class "
                                                  r"'B' is to be topped up, and source=\['B'\] names no other class"):
        plan_evaluation(X, tied, TranslationAugmenter(**FAST, source=["B"]), cv=4, repeats=1, random_state=0)
    plan_evaluation(X, tied, TranslationAugmenter(**FAST, source=["A", "B"]), cv=4, repeats=1, random_state=0)
    every = TranslationAugmenter(**FAST, source=["A"], sampling_strategy=InEveryClass())
    with pytest.raises(ValueError, match=r"^Class 'A' is to be topped up, and source=\['A'\] names no other"):
        plan_evaluation(X, np.array(["A"] * 40 + ["B"] * 20 + ["C"] * 12), every, cv=3, repeats=1)


def test_evaluation_refuses_a_table_before_any_fold():
    # Accepted by the plan, it was refused by the first fold's fit, once that fold's baselines had trained.
    from gan_augment.evaluation.plan import plan_evaluation

    rng = np.random.default_rng(0)
    table, labels = pd.DataFrame(rng.normal(size=(60, 3))), np.array([0] * 50 + [1] * 10)
    with pytest.raises(ValueError, match="TranslationAugmenter translates images"):
        plan_evaluation(table, labels, TranslationAugmenter(epochs=1), cv=2, repeats=1)


def test_its_tags_say_it_takes_neither_missing_values_nor_text():
    # It refuses both, yet declared both as taken (the table samplers' tags), and so did an
    # AugmentedClassifier around it.
    from sklearn.linear_model import LogisticRegression
    from sklearn.utils import get_tags

    from gan_augment import AugmentedClassifier

    tags = get_tags(TranslationAugmenter()).input_tags
    assert not tags.allow_nan and not tags.string and not tags.sparse
    X = np.full((4, 16), np.nan)
    with pytest.raises(ValueError, match="NaN"):
        TranslationAugmenter(image_shape=(1, 4, 4)).fit_resample(X, np.array([0, 0, 1, 1]))
    assert not get_tags(AugmentedClassifier(LogisticRegression(), TranslationAugmenter())).input_tags.allow_nan
