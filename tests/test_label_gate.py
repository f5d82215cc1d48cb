"""The label-agreement gate: only synthetic samples the judge assigns to their class are kept."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.datasets import load_digits, load_iris

from gan_augment import GANAugmenter, LabelGateWarning
from gan_augment.evaluation.images import ImageClassifier
from gan_augment.data.tabular import TabularEncoder
from gan_augment.evaluation.judge import RowClassifier, RowFeatures, train_row_classifier
from gan_augment.kinds import kind_named
from gan_augment.label_gate import MIN_ACCEPTANCE, LabelGate


class BrightIsClassOne(torch.nn.Module):
    """A 'judge' with a known rule: class 1 when the image's mean is positive, else class 0."""

    in_channels, n_classes, feature_dim = 1, 2, 1

    def __init__(self):
        super().__init__()
        self.unused = torch.nn.Parameter(torch.zeros(()))

    def forward(self, x):
        bright = x.mean(dim=(1, 2, 3)) > 0
        return torch.stack([(~bright).float(), bright.float()], dim=1)


class NoiseImages(torch.nn.Module):
    """A 'generator' of noise images, whatever the class: half of them bright."""

    noise_dim, n_classes = 4, 2

    def __init__(self):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.ones(()))

    def forward(self, z, y):
        return (z[:, :1, None, None] * self.scale).expand(-1, 1, 4, 4)


def test_the_gate_returns_exactly_n_accepted_images_reproducibly():
    gate = LabelGate(BrightIsClassOne(), [0.5, 0.5])
    images = gate.generate(NoiseImages(), 100, 1, seed=3, class_name="'bright'", chunk=64)
    assert images.shape == (100, 1, 4, 4) and bool((images.mean(dim=(1, 2, 3)) > 0).all())
    assert torch.equal(images, gate.generate(NoiseImages(), 100, 1, seed=3, class_name="'bright'", chunk=64))
    assert not torch.equal(images, gate.generate(NoiseImages(), 100, 1, seed=4, class_name="'bright'", chunk=64))
    assert gate.generate(NoiseImages(), 0, 1, seed=3, class_name="'bright'", chunk=64).shape == (0, 1, 4, 4)


def test_the_gate_judges_in_eval_mode_whatever_mode_the_judge_was_left_in():
    # A judge left in training mode (its dropout on) changed which rows the gate kept.
    judge = torch.nn.Sequential(torch.nn.Linear(4, 64), torch.nn.Dropout(0.5), torch.nn.Linear(64, 2))
    gate, samples = LabelGate(judge, [0.5, 0.5]), torch.randn(500, 4, generator=torch.Generator().manual_seed(0))
    kept = gate.accepts(samples, 1)
    judge.train()
    assert torch.equal(gate.accepts(samples, 1), kept) and judge.training  # and left as it was
    judge.eval()
    assert torch.equal(gate.accepts(samples, 1), kept) and not judge.training


def test_a_class_the_judge_rarely_accepts_is_refused_with_its_rate():
    gate = LabelGate(BrightIsClassOne(), [0.5, MIN_ACCEPTANCE / 2])
    with pytest.raises(ValueError, match=r"accepts 2\.5% of the synthetic images of class 'rare'.*label_gate=False"):
        gate.generate(NoiseImages(), 10, 1, seed=0, class_name="'rare'", chunk=64)
    # A gate made for a data kind advises that kind's plain top-up, and no other.
    from gan_augment.kinds import kind_named

    for name, other in (("tabular", "classic augmentation"), ("image", "SMOTE")):
        kind = kind_named(name)
        gate = LabelGate(BrightIsClassOne(), [0.5, 0.01], unit=kind.unit, plain_top_up=kind.plain_top_up)
        with pytest.raises(ValueError) as refused:
            gate.generate(NoiseImages(), 10, 1, seed=0, class_name="'rare'", chunk=64)
        assert f"top the class up with {kind.plain_top_up};" in str(refused.value) and other not in str(refused.value)


def test_gated_augmenter_samples_only_images_its_judge_accepts_and_round_trips(tmp_path):
    X, y = load_digits(return_X_y=True)
    keep = np.isin(y, [1, 3, 7])
    augmenter = GANAugmenter(image_shape=(1, 8, 8), classes=[3], epochs=8, batch_size=32, random_state=0,
                             device="cpu", label_gate=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        augmenter.fit(X[keep], y[keep])
    gate = augmenter.label_gate_
    assert len(gate.acceptance) == 3 and all(0.0 <= a <= 1.0 for a in gate.acceptance)
    assert gate.acceptance[1] >= MIN_ACCEPTANCE  # digit 3, the class topped up
    images = augmenter.sample(40, 3, random_state=1)
    assert images.shape == (40, 64)
    # Every image kept is a 3 to the judge (checked after the round trip through 8-bit-like pixel
    # values, which can move an image on the judge's boundary: hence 95%, not all).
    assert float(gate.accepts(augmenter.encoder_.transform(images), 1).float().mean()) >= 0.95
    # Without the gate the same seed gives other images, some of which the judge rejects.
    augmenter.set_params(label_gate=False)
    ungated = augmenter.sample(400, 3, random_state=1)
    assert not bool(gate.accepts(augmenter.encoder_.transform(ungated), 1).all()) or gate.acceptance[1] == 1.0
    augmenter.set_params(label_gate=True)
    augmenter.save(tmp_path / "model")
    loaded = GANAugmenter.load(tmp_path / "model")
    assert loaded.label_gate_.acceptance == gate.acceptance
    assert gate.plain_top_up == loaded.label_gate_.plain_top_up == augmenter.kind_.plain_top_up  # its advice
    np.testing.assert_array_equal(loaded.sample(40, 3, random_state=1), images)


def rule_table(n=600, n_rare=40, seed=0):
    """A table whose rare class is an exact rule of two columns: 'rare' iff colour == 'red' and
    size > 1; the common class is every other combination."""
    rng = np.random.default_rng(seed)
    colour = rng.choice(["red", "green", "blue"], size=n)
    size = rng.uniform(-3, 3, size=n)
    rare = (colour == "red") & (size > 1)
    keep = np.flatnonzero(~rare)[: n - n_rare].tolist() + np.flatnonzero(rare)[:n_rare].tolist()
    X = pd.DataFrame({"colour": colour[keep], "size": size[keep], "noise": rng.normal(size=n)[keep]})
    return X, np.where(rare[keep], "rare", "common")


def follows_rule(rows):
    return (rows["colour"] == "red") & (rows["size"] > 1)


def test_table_gate_keeps_rows_that_follow_their_class_rule_and_round_trips(tmp_path):
    """Real property: a briefly trained GAN draws many 'rare' rows off the class's rule; a judge
    trained on the real rows learns the rule, so the gated rows follow it far more often."""
    X, y = rule_table()
    augmenter = GANAugmenter(epochs=3, batch_size=64, random_state=0, device="cpu", label_gate=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        augmenter.fit(X, y)
    gate = augmenter.label_gate_
    assert gate.unit == "rows" and len(gate.acceptance) == 2 and gate.acceptance[1] >= MIN_ACCEPTANCE
    assert gate.judge.config()["features"]["n_columns"] == 2  # the judge reads "size" and "noise" as numbers
    assert gate.prior_shift is None  # the judge's class-balanced argmax (TabularKind.judge_prior_weight)
    gated = augmenter.sample(300, "rare", random_state=1)
    assert len(gated) == 300 and list(gated.columns) == list(X.columns)
    augmenter.set_params(label_gate=False)
    ungated = augmenter.sample(300, "rare", random_state=1)
    assert follows_rule(gated).mean() >= follows_rule(ungated).mean() + 0.2, \
        (follows_rule(gated).mean(), follows_rule(ungated).mean())
    assert follows_rule(gated).mean() >= 0.8
    augmenter.set_params(label_gate=True)
    augmenter.save(tmp_path / "model")
    loaded = GANAugmenter.load(tmp_path / "model")
    assert loaded.label_gate_.acceptance == gate.acceptance and loaded.label_gate_.unit == "rows"
    assert loaded.label_gate_.prior_shift == gate.prior_shift
    pd.testing.assert_frame_equal(loaded.sample(50, "rare", random_state=2),
                                  augmenter.sample(50, "rare", random_state=2))


def test_the_table_gate_does_not_judge_a_column_that_decoding_reads_off_another(tmp_path):
    # "a" is read off "c" (one value for each): decoding replaces the generator's block for "a" by
    # the value "c" sets. The judge read that block, so a row the generator wrote as ("y"-like a,
    # c = "x") passed as "min" and came out as an exact copy of a "maj" row, which the judge refuses.
    y = np.array(["maj"] * 250 + ["min"] * 50)
    X = pd.DataFrame({"a": [1.5] * 250 + [2.5] * 50, "c": ["x"] * 250 + ["y"] * 50})
    augmenter = GANAugmenter(epochs=1, generator_dims=(16,), discriminator_dims=(16,), batch_size=32, n_threads=1,
                             random_state=0, label_gate=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        augmenter.fit(X, y)
    assert augmenter.encoder_.describe_rules() == [
        "set by another column: a takes one value for each value of c (2 pairs); read off it"]
    assert augmenter.encoder_.unread_positions() == [0, 1, 2]  # a's value and its two modes' slots
    rows = augmenter.sample(200, "min", random_state=0)
    assert rows.value_counts().to_dict() == {(2.5, "y"): 200}
    augmenter.save(tmp_path / "model")
    pd.testing.assert_frame_equal(GANAugmenter.load(tmp_path / "model").sample(50, "min", random_state=1),
                                  augmenter.sample(50, "min", random_state=1))


@pytest.mark.parametrize("rule", ["implied", "link"])
def test_the_table_gate_judges_a_column_a_rule_sets_as_decoding_sets_it(rule):
    # "min" rows have p = "B" and ch = "v" (m near 8); "A" implies ch = "u" (m missing). The judge
    # read the generator's own block for ch (m), which decoding overrides where p = "A": rows it
    # passed as "min" for ch = "v" (m = 8) came out ("A", "u") (m missing), as only "maj" rows are.
    rng = np.random.default_rng(0)
    y = np.array(["maj"] * 250 + ["min"] * 50)
    p = np.array(["A"] * 150 + ["B"] * 150)
    if rule == "implied":
        X = pd.DataFrame({"p": p, "ch": ["u"] * 250 + ["v"] * 50})
        expected = "implied values: ch follows p on some of its values ('A' -> 'u'); set from it there"
    else:
        X = pd.DataFrame({"p": p, "m": np.where(p == "A", np.nan, np.r_[rng.normal(0, 1, 250), rng.normal(8, 1, 50)])})
        expected = "missing link: m is missing exactly when p = 'A'"
    augmenter = GANAugmenter(epochs=1, generator_dims=(16,), discriminator_dims=(16,), batch_size=32, n_threads=1,
                             random_state=0, label_gate=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        augmenter.fit(X, y)
    assert augmenter.encoder_.describe_rules() == [expected]
    rows = augmenter.sample(300, "min", random_state=0)
    assert (rows["p"] == "B").all()  # 173 ("A", "u") rows of 300 before, 181 with m missing
    view = augmenter.encoder_.decoded_view()
    encoded = torch.as_tensor(augmenter.encoder_.transform(rows, random_state=0), dtype=torch.float32)
    assert torch.equal(view(encoded), view(view(encoded)))  # rows as decoded are their own view


def test_fit_resample_with_the_gate_on_refuses_every_class_it_keeps_too_few_of_before_sampling(monkeypatch):
    # The gate's own refusal came from the first class sampled, named that class alone and advised
    # set_params(label_gate=False) on a model fit_resample had already thrown away.
    from gan_augment.label_gate import LabelGate

    X, y = rule_table()
    y = np.where((y == "common") & (X["noise"] > 1.2), "other", y)  # a third class, also topped up
    monkeypatch.setattr(LabelGate, "serves", lambda gate, index: index == 0)  # common only
    monkeypatch.setattr(GANAugmenter, "sample", lambda *args, **kwargs: pytest.fail("sampled before refusing"))
    augmenter = GANAugmenter(epochs=1, batch_size=64, random_state=0, label_gate=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match=r"of class 'other' \(\d+\.\d%\), 'rare' \(\d+\.\d%\) .*label_gate="
                                             r"True refuses to top them up\. Fit again with "
                                             r"label_gate='auto'"):
            augmenter.fit_resample(X, y)


def _repeating_class_table():
    """Class C repeats rows of A and B: no judge can tell C's real rows from theirs."""
    rng = np.random.default_rng(0)
    a = pd.DataFrame({"colour": rng.choice(["red", "green"], 300), "size": rng.choice(["S", "M"], 300)})
    b = pd.DataFrame({"colour": rng.choice(["blue", "black"], 300), "size": rng.choice(["L", "XL"], 300)})
    X = pd.concat([a, b, a.iloc[:30], b.iloc[:30]], ignore_index=True)
    return X, np.array(["A"] * 300 + ["B"] * 300 + ["C"] * 60)


def test_a_class_not_topped_up_that_the_gate_does_not_serve_is_said_when_sampled():
    # The fit names only the classes it tops up: C was sampled without the gate without a word,
    # though sample() says it returns only rows the judge assigns to the class.
    X, y = _repeating_class_table()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing to say of B, which the gate serves
        augmenter = GANAugmenter(epochs=1, batch_size=64, random_state=0, sampling_strategy={"B": 350}).fit(X, y)
        augmenter.sample(5, "B")
        augmenter.preview(5, "C")  # a look at what the model makes, as generated
    assert not augmenter.label_gate_.serves(2)
    with pytest.warns(LabelGateWarning, match=r"judge assigns under 25% of the real rows of class 'C' \(\d+\.\d%\) to "
                                              r"it.* Class 'C' is sampled without the gate\.$"):
        rows = augmenter.sample(5, "C", random_state=1)
    pd.testing.assert_frame_equal(rows, augmenter.set_params(label_gate=False).sample(5, "C", random_state=1))


def test_fit_resample_with_the_gate_on_refuses_a_class_its_judge_cannot_tell_before_training(monkeypatch):
    # The judge's recall of the real rows is known before the GAN: the refusal came after the whole fit.
    from gan_augment.training.trainer import GANTrainer

    X, y = _repeating_class_table()
    monkeypatch.setattr(GANTrainer, "fit", lambda *args, **kwargs: pytest.fail("trained before refusing"))
    with pytest.raises(ValueError, match=r"judge assigns under 25% of the real rows of class 'C' \(\d+\.\d%\) to it: "
                                         r"it cannot tell them.*label_gate=True refuses to top them up"):
        GANAugmenter(epochs=1, batch_size=64, random_state=0, label_gate=True).fit_resample(X, y)


def test_doors_that_top_up_from_the_fit_refuse_what_the_gate_will_not_serve_before_training(monkeypatch, tmp_path,
                                                                                           capsys):
    # `gan-augment augment --label-gate` and AugmentedDataset trained the whole GAN, then sample() refused.
    from torch.utils.data import TensorDataset

    from cli.main import main
    from gan_augment import AugmentedDataset
    from gan_augment.training.trainer import GANTrainer

    X, y = _repeating_class_table()
    monkeypatch.setattr(GANTrainer, "fit", lambda *args, **kwargs: pytest.fail("trained before refusing"))
    X.assign(label=y).to_csv(tmp_path / "rep.csv", index=False)
    code = main(["augment", str(tmp_path / "rep.csv"), "--target", "label", "--label-gate", "--out",
                 str(tmp_path / "out.csv"), "-e", "1", "--threads", "1", "-q"])
    [line] = [line for line in capsys.readouterr().err.splitlines() if line.startswith("Error:")]
    assert code == 1 and line.startswith("Error: The label gate's judge assigns under 25% of the real rows of class "
                                         "'C'")
    assert "(command line: without --label-gate)" in line and "ValueError" not in line
    assert not (tmp_path / "out.csv").exists()
    rows = torch.as_tensor(pd.get_dummies(X).to_numpy(dtype=np.float32))
    base = TensorDataset(rows, torch.as_tensor(np.searchsorted(["A", "B", "C"], y)))
    with pytest.raises(ValueError, match=r"judge assigns under 25% of the real rows of class 2"):
        AugmentedDataset(base, GANAugmenter(epochs=1, label_gate=True), classes=[2], random_state=0)


def test_a_label_gate_set_after_the_fit_is_checked_as_at_fit(tmp_path):
    # Any string was read as "auto": set_params(label_gate="off") sampled through the gate, and the
    # model file said "off".
    X, y = rule_table()
    augmenter = GANAugmenter(epochs=1, batch_size=64, random_state=0, label_gate=False).fit(X, y)
    for value in ("off", "false", 0.5):
        augmenter.set_params(label_gate=value)
        for use in (lambda: augmenter.sample(5, "rare"), lambda: augmenter.preview(5, "rare"),
                    lambda: augmenter.save(tmp_path / "model")):
            with pytest.raises(ValueError, match=r"The 'label_gate' parameter of GANAugmenter must be"):
                use()
        assert not (tmp_path / "model").exists()


def test_a_model_saved_with_another_label_gate_string_loads_as_the_auto_it_sampled_as(tmp_path, monkeypatch):
    X, y = rule_table()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # On the CPU, where load() puts the model: samples are reproducible per device, not across.
        augmenter = GANAugmenter(epochs=1, batch_size=64, random_state=0, device="cpu").fit(X, y)
    expected = augmenter.sample(5, "rare", random_state=1)
    with monkeypatch.context() as patch:  # as versions before the check saved it
        patch.setattr(GANAugmenter, "_check_label_gate", lambda self: None)
        augmenter.set_params(label_gate="off").save(tmp_path / "model")
    with pytest.warns(UserWarning, match=r"model\.json has label_gate='off', which is not a value of it; it is read "
                                         r"as 'auto'"):
        loaded = GANAugmenter.load(tmp_path / "model")
    assert loaded.label_gate == "auto"
    pd.testing.assert_frame_equal(loaded.sample(5, "rare", random_state=1), expected)


def test_a_class_whose_real_rows_the_judge_cannot_tell_apart_is_not_gated(tmp_path, capsys):
    # Class C repeats A's and B's rows: the judge took none of C's real rows for C, yet kept about
    # half of its synthetic rows, every one a combination C never had.
    from gan_augment.cli.main import main
    from gan_augment.label_gate import MIN_REAL_RECALL

    X, y = _repeating_class_table()
    with pytest.warns(LabelGateWarning, match=r"judge assigns under 25% of the real rows of class 'C' \(\d+\.\d%\) to "
                                              r"it: it cannot tell them from the other classes.*topped up without the "
                                              r"gate") as said:
        augmenter = GANAugmenter(epochs=1, batch_size=64, random_state=0).fit(X, y)
    assert not any("fit longer" in str(w.message) for w in said)  # more epochs cannot teach the judge
    gate = augmenter.label_gate_
    assert gate.real_recall[2] < MIN_REAL_RECALL <= min(gate.real_recall[:2]) and gate.acceptance[2] >= MIN_ACCEPTANCE
    assert not gate.serves(2) and gate.serves(0)
    # "auto" samples C as generated; label_gate=True refuses it, saying why.
    ungated = augmenter.set_params(label_gate=False).sample(50, "C", random_state=1)
    pd.testing.assert_frame_equal(augmenter.set_params(label_gate="auto").sample(50, "C", random_state=1), ungated)
    with pytest.raises(ValueError, match=r"judge assigns \d+\.\d% of the real rows of class 'C' to it: it cannot tell"):
        augmenter.set_params(label_gate=True).sample(5, "C")
    augmenter.set_params(label_gate="auto").save(tmp_path / "model")
    assert GANAugmenter.load(tmp_path / "model").label_gate_.real_recall == gate.real_recall
    assert main(["info", str(tmp_path / "model")]) == 0
    assert "the real rows of 'C' (0.0%) to that class: it cannot tell them from the others (they are sampled " \
           "without it)" in capsys.readouterr().out
    augmenter.set_params(label_gate=False).save(tmp_path / "off")  # "sampling is refused" was said of it
    assert main(["info", str(tmp_path / "off")]) == 0
    shown = capsys.readouterr().out
    assert "switched off" in shown and "it cannot tell them from the others\n" in shown
    # A gate saved before the real recall was measured serves by its acceptance alone.
    state = gate.state()
    del state["real_recall"]
    from gan_augment.label_gate import LabelGate

    assert LabelGate.from_state(state, augmenter.kind_, source="old").serves(2)


def test_a_kind_with_a_prior_weight_shifts_the_judge_by_the_log_class_shares(monkeypatch):
    from gan_augment.kinds.tabular import TabularKind

    monkeypatch.setattr(TabularKind, "judge_prior_weight", 0.5)
    X, y = rule_table()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gate = GANAugmenter(epochs=1, batch_size=64, random_state=0, label_gate=True).fit(X, y).label_gate_
    # classes_: common, rare
    np.testing.assert_allclose(gate.prior_shift, 0.5 * np.log([np.mean(y == "common"), np.mean(y == "rare")]))


def test_row_judge_learns_a_rule_and_is_seeded():
    rows = torch.randn(400, 5)
    labels = (rows[:, 0] + rows[:, 1] > 1.5).long().numpy()  # ~14% class 1
    judge = train_row_classifier(rows, labels, n_classes=2, steps=300, random_state=3)
    assert float((judge(rows).argmax(1).numpy() == labels).mean()) > 0.9
    again = train_row_classifier(rows, labels, n_classes=2, steps=300, random_state=3)
    other = train_row_classifier(rows, labels, n_classes=2, steps=300, random_state=4)
    assert all(torch.equal(a, b) for a, b in zip(judge.state_dict().values(), again.state_dict().values()))
    assert not all(torch.equal(a, b) for a, b in zip(judge.state_dict().values(), other.state_dict().values()))
    with pytest.raises(ValueError, match="at least 2 classes"):
        train_row_classifier(rows, np.zeros(400, int), n_classes=2)
    with pytest.raises(ValueError, match=r"shape \(N, D\)"):
        train_row_classifier(rows[:, :, None], labels, n_classes=2)


def skewed_table(n=1500, seed=0):
    """A heavy-tailed number whose class is a cut on it, beside a category and a column with gaps."""
    rng = np.random.default_rng(seed)
    level = rng.lognormal(0.0, 1.2, n)
    return pd.DataFrame({"level": level, "site": rng.choice(["a", "b", "c"], n),
                         "dose": np.where(rng.random(n) < 0.2, np.nan, rng.normal(5, 2, n))}), \
        np.where(level > 6.0, 1, 0)


def test_row_features_read_numbers_back_off_the_encoding_and_bin_them_monotonically():
    X, _ = skewed_table()
    encoder = TabularEncoder(random_state=0).fit(X)
    rows = torch.from_numpy(encoder.transform(X, random_state=0)).float()
    features = RowFeatures.fit(encoder.numeric_blocks(), rows, n_bins=8)
    values, observed = features.values(rows)
    # The codec keeps a value within 4 spreads of its mode: all but the farthest outliers read back
    # exactly, less one constant per column (its most used mode's mean, where float32 is finest).
    for column, name in enumerate(["level", "dose"]):
        raw = X[name].to_numpy()
        assert np.array_equal(observed[:, column].numpy(), ~np.isnan(raw))
        shift = np.median((raw - values[:, column].numpy())[~np.isnan(raw)])
        close = np.isclose(values[:, column].numpy() + shift, raw, rtol=1e-4, atol=1e-4)[~np.isnan(raw)]
        assert close.mean() > 0.99, close.mean()
    # The bins follow the value: their sum rises with it, from 0 at the minimum to n_bins at the maximum.
    bins = features(rows)[:, features.n_passthrough:].reshape(len(rows), 2, 8).sum(-1)[:, 0]
    order = torch.argsort(values[:, 0])
    assert torch.all(bins[order].diff() >= -1e-6) and float(bins.min()) == 0.0 and float(bins.max()) == 8.0
    # What passes through as encoded: the category's slots and the missing slot of "dose", no mode slots.
    assert features.n_passthrough == encoder.output_dim - sum(1 + len(m) for _, m, _ in encoder.numeric_blocks())


@pytest.mark.parametrize("scale", [1e40, 1e-40, 1e-20])
def test_row_features_read_a_column_beyond_float32_as_in_any_other_unit(scale):
    # Modes of 1e40 were inf in float32: every feature of the column NaN, and the gate kept no rare row.
    X, _ = skewed_table()
    features = []
    for factor in (1.0, scale):
        scaled = X.assign(level=X["level"] * factor)
        encoder = TabularEncoder(random_state=0).fit(scaled)
        rows = torch.from_numpy(encoder.transform(scaled, random_state=0)).float()
        features.append(RowFeatures.fit(encoder.numeric_blocks(), rows, n_bins=8)(rows))
    assert torch.isfinite(features[1]).all()
    torch.testing.assert_close(features[1], features[0], atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("offset, sentinel", [(1.6e9, 0.0), (-1.6e12, 0.0), (1.6e9, 0.1), (1.6e9, 0.6)])
def test_row_features_read_a_column_alike_at_any_offset(offset, sentinel):
    # Epoch seconds: float32 values 128 apart at 1.6e9 made a column of 1.6e9 + (0..60) one value
    # to the judge (its recall on real rows fell from 1.00 to 0.60-0.68, and the gate kept rows of
    # the wrong class); so did a sentinel 0 in a tenth of the rows (the modes' midpoint was 8e8), or
    # in most of them (the most used mode was the 0).
    X, _ = skewed_table()
    if sentinel:
        X.loc[X.sample(frac=sentinel, random_state=0).index, "level"] = -offset  # 0 once shifted
    features = []
    for shift in (0.0, offset):
        shifted = X.assign(level=X["level"] + shift)
        encoder = TabularEncoder(random_state=0).fit(shifted)
        rows = torch.from_numpy(encoder.transform(shifted, random_state=0)).float()
        features.append(RowFeatures.fit(encoder.numeric_blocks(), rows, n_bins=8)(rows))
        if sentinel:  # the bulk's values still read apart: as many distinct features as values
            bulk = (X["level"] != -offset).to_numpy()
            level_bins = features[-1][torch.from_numpy(bulk)][:, features[-1].shape[1] - 16:-8]
            assert len(torch.unique(level_bins, dim=0)) > 0.9 * shifted["level"][bulk].nunique()
    torch.testing.assert_close(features[1], features[0], atol=1e-3, rtol=1e-3)


def test_row_features_take_their_bins_from_numpy_beyond_what_torch_quantile_takes(monkeypatch):
    # torch.quantile refuses more than 2**24 values: a table of 16.8M rows failed after training.
    from gan_augment.evaluation import judge as judge_module

    X, _ = skewed_table()
    encoder = TabularEncoder(random_state=0).fit(X)
    rows = torch.from_numpy(encoder.transform(X, random_state=0)).float()
    by_torch = judge_module.RowFeatures.fit(encoder.numeric_blocks(), rows)
    monkeypatch.setattr(judge_module, "_TORCH_QUANTILE_MAX", 10)  # as if the table were that large
    by_numpy = judge_module.RowFeatures.fit(encoder.numeric_blocks(), rows)
    torch.testing.assert_close(by_numpy.lower, by_torch.lower)
    torch.testing.assert_close(by_numpy.width, by_torch.width)


def test_a_tall_table_trains_the_row_judge_on_about_its_steps_keeping_every_rare_row(monkeypatch):
    # At least one whole epoch: a million rows made 15,625 steps where 1,500 are meant.
    from gan_augment.evaluation import judge as judge_module

    seen = {}

    def capture(build, x, labels, **kwargs):
        seen.update(rows=len(x), labels=np.asarray(labels), epochs=kwargs["epochs"])
        return build()

    monkeypatch.setattr(judge_module, "fit_classifier", capture)
    rows = torch.randn(1000, 3)
    labels = np.repeat([0, 1, 2], [900, 90, 10])
    judge_module.train_row_classifier(rows, labels, n_classes=3, steps=4, batch_size=16)
    assert seen["rows"] == 64 and seen["epochs"] == 1  # 4 batches of 16, one epoch
    assert np.bincount(seen["labels"]).tolist() == [27, 27, 10]  # the 10 rare rows all kept
    judge_module.train_row_classifier(rows[:50], labels[-50:], n_classes=3, steps=4, batch_size=16)
    assert seen["rows"] == 50 and seen["epochs"] == 1  # a table that fits is trained on whole


def test_row_judge_on_row_features_learns_a_cut_in_a_heavy_tail_and_round_trips():
    """A cut on a skewed number falls inside the codec's mixture modes; the judge that reads the
    value (binned) learns it better than the one reading modes, and rebuilds from its config."""
    X, y = skewed_table()
    X_test, y_test = skewed_table(seed=1)
    encoder = TabularEncoder(random_state=0).fit(X)
    rows = torch.from_numpy(encoder.transform(X, random_state=0)).float()
    test_rows = torch.from_numpy(encoder.transform(X_test, random_state=1)).float()

    def balanced_accuracy(judge):
        predicted = judge(test_rows).argmax(1).numpy()
        return np.mean([(predicted[y_test == c] == c).mean() for c in (0, 1)])

    plain = train_row_classifier(rows, y, n_classes=2, steps=600, random_state=0)
    binned = train_row_classifier(rows, y, n_classes=2, steps=600, random_state=0,
                                  numeric_blocks=encoder.numeric_blocks())
    assert balanced_accuracy(binned) >= 0.95 and balanced_accuracy(binned) > balanced_accuracy(plain)
    rebuilt = RowClassifier.from_config(binned.config())
    rebuilt.load_state_dict(binned.state_dict())
    assert torch.equal(rebuilt.eval()(test_rows), binned(test_rows))
    assert RowClassifier.from_config(plain.config()).features is None  # judges saved before RowFeatures


class LeansToClassOne(torch.nn.Module):
    """A 'judge' that prefers class 1 by half a logit, whatever the row."""

    def __init__(self):
        super().__init__()
        self.unused = torch.nn.Parameter(torch.zeros(()))

    def forward(self, x):
        return torch.tensor([[0.0, 0.5]]).expand(len(x), 2)


def test_the_prior_shift_decides_where_the_judge_leans_less_than_the_class_shares():
    rows = torch.zeros(4, 3)
    assert LabelGate(LeansToClassOne(), [1.0, 1.0], unit="rows").accepts(rows, 1).all()
    # Class 1 holds 10% of the rows: 0.5 * log(0.1 / 0.9) = -1.1 outweighs the judge's 0.5.
    shifted = LabelGate(LeansToClassOne(), [1.0, 1.0], unit="rows", prior_shift=0.5 * np.log([0.9, 0.1]))
    assert not shifted.accepts(rows, 1).any() and shifted.accepts(rows, 0).all()
    # A shift smaller than the judge's lean changes nothing.
    assert LabelGate(LeansToClassOne(), [1.0, 1.0], unit="rows",
                     prior_shift=0.5 * np.log([0.6, 0.4])).accepts(rows, 1).all()


def test_image_gate_saved_before_table_gates_still_loads():
    judge = ImageClassifier(1, 2, feature_dim=16).eval()
    legacy = {"in_channels": 1, "n_classes": 2, "feature_dim": 16, "acceptance": [0.5, None],
              "weights": judge.state_dict()}
    gate = LabelGate.from_state(legacy, kind_named("image"), source="model.json")
    images = torch.rand(8, 1, 8, 8) * 2 - 1
    assert torch.equal(gate.judge(images), judge(images)) and gate.acceptance[0] == 0.5
    assert np.isnan(gate.acceptance[1]) and gate.unit == "images"


def test_the_gate_is_needed_once_asked_for():
    X, y = load_iris(return_X_y=True)
    plain = GANAugmenter(epochs=1, batch_size=64, random_state=0, device="cpu", label_gate=False).fit(X, y)
    assert plain.label_gate_ is None
    plain.set_params(label_gate=True)
    with pytest.raises(ValueError, match=r"without the gate .* sample without it: set_params\(label_gate=False\)"):
        plain.sample(5, 1)  # the advice it gives is followed below
    assert len(plain.preview(5, 1)) == 5  # a picture of the model needs no gate
    plain.set_params(label_gate="auto")  # "auto" on a model fitted without a gate: as generated
    np.testing.assert_array_equal(plain.sample(5, 1, random_state=0),
                                  plain.set_params(label_gate=False).sample(5, 1, random_state=0))


def test_auto_gates_tables_and_not_images():
    """The default ("auto") trains the gate for a table and samples through it, exactly as
    label_gate=True does; an image model gets none."""
    X, y = rule_table()
    table = GANAugmenter(epochs=3, batch_size=64, random_state=0, device="cpu")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table.fit(X, y)
    assert table.label_gate == "auto" and table.label_gate_ is not None
    assert min(table.label_gate_.acceptance) >= MIN_ACCEPTANCE
    gated = table.sample(60, "rare", random_state=1)
    pd.testing.assert_frame_equal(gated, table.set_params(label_gate=True).sample(60, "rare", random_state=1))
    assert not gated.equals(table.set_params(label_gate=False).sample(60, "rare", random_state=1))

    digits, labels = load_digits(return_X_y=True)
    keep = np.isin(labels, [1, 3])
    images = GANAugmenter(image_shape=(1, 8, 8), epochs=1, batch_size=32, random_state=0, device="cpu")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        images.fit(digits[keep][:120], labels[keep][:120])
    assert images.label_gate_ is None and images.sample(4, 3).shape == (4, 64)


class AlwaysCommon(torch.nn.Module):
    """A row 'judge' that assigns every row to class index 0."""

    def __init__(self, n_classes):
        super().__init__()
        self.n_classes = n_classes
        self.bias = torch.nn.Parameter(torch.zeros(()))

    def forward(self, rows):
        logits = torch.zeros(len(rows), self.n_classes)
        logits[:, 0] = 1.0
        return logits + self.bias


def test_auto_tops_up_a_class_the_gate_refuses_without_it_and_says_so(monkeypatch):
    """Under "auto" a class the judge never accepts is sampled as generated (after a warning that
    names it at fit time), where label_gate=True refuses it."""
    monkeypatch.setattr(type(kind_named("tabular")), "train_judge",
                        lambda self, encoded, y_index, n_classes, *, seed, codec=None: AlwaysCommon(n_classes))
    # This stand-in judge takes no real rare row for rare either, which is the other reason the gate
    # does not serve a class: here only the synthetic rows' share is at issue.
    from gan_augment.label_gate import LabelGate

    monkeypatch.setattr(LabelGate, "knows", lambda gate, index: True)
    X, y = rule_table()
    augmenter = GANAugmenter(epochs=1, batch_size=64, random_state=0, device="cpu")
    with pytest.warns(LabelGateWarning, match=r"under 5% of the synthetic rows of class 'rare' \(0\.0%\).*without the "
                                              r"gate"):
        augmenter.fit(X, y)
    assert augmenter.label_gate_.acceptance == [1.0, 0.0]  # classes_: common, rare
    rows = augmenter.sample(30, "rare", random_state=1)
    pd.testing.assert_frame_equal(rows, augmenter.set_params(label_gate=False).sample(30, "rare", random_state=1))
    _, y_resampled = augmenter.set_params(label_gate="auto").fit_resample(X, y)
    assert (y_resampled == "rare").sum() == (y == "common").sum()
    augmenter.set_params(label_gate=True)
    with pytest.raises(ValueError, match="accepts 0.0% of the synthetic rows of class 'rare'"):
        augmenter.sample(5, "rare")


def test_the_judge_reads_candidates_in_slices_and_keeps_the_same_rows(monkeypatch):
    # A round of a narrow table's candidates (up to 1.7M rows of one column) went through the judge
    # at once: 1.1 GB above a 1M-row result. Each candidate is judged alone, so slices keep the same.
    import gan_augment.label_gate as gate_module

    X, y = load_iris(return_X_y=True)
    model = GANAugmenter(epochs=2, random_state=0, n_threads=1, label_gate=True).fit(X, y)
    whole = model.sample(3000, 1)
    seen = []
    judge = model.label_gate_.judge
    forward = judge.forward
    monkeypatch.setattr(judge, "forward", lambda rows: (seen.append(len(rows)), forward(rows))[1])
    monkeypatch.setattr(gate_module, "_JUDGED_AT_ONCE", 500)
    sliced = model.sample(3000, 1)
    assert seen and max(seen) <= 500 and sum(seen) > 3000
    np.testing.assert_array_equal(sliced, whole)
