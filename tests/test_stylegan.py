"""The style-based generator (``architecture="stylegan"``): modulated convolutions, noise inputs
taken from z, style mixing, per-class truncation, and the doors (GANAugmenter, save/load, CLI)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from gan_augment import GANAugmenter
from gan_augment.config import ImageModelConfig
from gan_augment.models.image import ProjectionDiscriminator, build_image_discriminator, build_image_generator
from gan_augment.models.stylegan import ModulatedConv2d, StyleGenerator


def _generator(resolution=8, n_classes=3, **kwargs) -> StyleGenerator:
    torch.manual_seed(0)
    return StyleGenerator(n_classes, 1, resolution, width=8, w_dim=16, **kwargs)


# ----------------------------------------------------------------------------- modulated convolution
def test_modulated_conv_at_unit_style_is_a_plain_convolution():
    torch.manual_seed(0)
    conv = ModulatedConv2d(4, 6, 3, w_dim=5, demodulate=False)
    x = torch.randn(2, 4, 8, 8)
    expected = F.conv2d(x, conv.weight * conv.weight_gain, padding=1)
    assert torch.allclose(conv.modulated(x, torch.ones(2, 4)), expected, atol=1e-6)
    # Demodulated, each output channel's weights are scaled to unit norm.
    conv.demodulate = True
    weight = conv.weight * conv.weight_gain
    unit = weight / weight.pow(2).sum(dim=(1, 2, 3), keepdim=True).sqrt()
    assert torch.allclose(conv.modulated(x, torch.ones(2, 4)), F.conv2d(x, unit, padding=1), atol=1e-5)


def test_modulated_conv_equals_the_per_sample_modulated_demodulated_weights():
    """StyleGAN2's definition: w'[o,i,k] = W[o,i,k] s[i], then w'' = w' / ||w'[o]||, one kernel per
    sample. The batch form (scale the input, shared convolution, scale the output) must equal it."""
    torch.manual_seed(1)
    conv = ModulatedConv2d(3, 5, 3, w_dim=7)
    x, styles = torch.randn(4, 3, 6, 6), torch.randn(4, 3)
    weight = conv.weight * conv.weight_gain
    for n in range(4):
        modulated = weight * styles[n][None, :, None, None]
        demodulated = modulated / modulated.pow(2).sum(dim=(1, 2, 3), keepdim=True).add(1e-8).sqrt()
        reference = F.conv2d(x[n:n + 1], demodulated, padding=1)
        assert torch.allclose(conv.modulated(x, styles)[n:n + 1], reference, atol=1e-5)


# ----------------------------------------------------------------------------- the generator
def test_a_sample_is_a_function_of_its_z_alone_and_the_noise_maps_are_its_tail():
    G = _generator(resolution=16).eval()
    assert G.noise_dim == G.latent_dim + 4 * 4 + 2 * 8 * 8 + 2 * 16 * 16
    z, y = torch.randn(5, G.noise_dim), torch.tensor([0, 1, 2, 0, 1])
    with torch.no_grad():
        batch = G(z, y)
        assert torch.equal(G(z, y), batch)
        assert torch.allclose(G(z[2:3], y[2:3]), batch[2:3], atol=1e-6)  # independent of its batch
        for layer in G.layers:  # noise strengths start at 0; give them a say
            layer.noise_strength.fill_(0.5)
        other_noise = z.clone()
        other_noise[:, G.latent_dim:] = torch.randn(5, G.noise_dim - G.latent_dim)
        before, after = G(z, y), G(other_noise, y)
    assert not torch.allclose(before, after)


def test_style_mixing_acts_in_training_only():
    G = _generator()
    z, y = torch.randn(6, G.noise_dim), torch.tensor([0, 1, 2, 0, 1, 2])
    with torch.no_grad():
        G.eval()
        plain = G(z, y)
        G.train()
        G.style_mixing_prob = 0.0
        assert torch.allclose(G(z, y), plain, atol=1e-6)  # no batch norm: train and eval agree
        G.style_mixing_prob = 1.0
        mixed = G(z, y)
    assert not torch.allclose(mixed, plain, atol=1e-3)


def test_truncation_pulls_every_sample_to_its_class_average_style():
    G = _generator()
    y = torch.tensor([0] * 50 + [1] * 50)
    with torch.no_grad():
        for _ in range(1000):  # training-mode calls track each class's average style
            G.map(torch.randn(100, G.latent_dim), y)
        G.eval()
        w = G.mapping(torch.randn(4000, G.latent_dim), torch.tensor([0] * 2000 + [1] * 2000), 1.0)
        assert torch.allclose(G.w_avg[0], w[:2000].mean(0), atol=0.1 * w.std().item())
        assert torch.allclose(G.w_avg[1], w[2000:].mean(0), atol=0.1 * w.std().item())
        z = torch.randn(20, G.noise_dim)
        ones = torch.ones(20, dtype=torch.long)
        free = G(z, ones)
        G.truncation_psi = 0.0
        truncated = G(z, ones)
        G.truncation_psi = 0.5
        halfway = G(z, ones)
    # psi = 0: one image per class (the noise maps are silent at initialisation); psi = 0.5 in between.
    assert truncated.std(dim=0).max() < 1e-5 < free.std(dim=0).mean()
    assert truncated.std(dim=0).mean() < halfway.std(dim=0).mean() < free.std(dim=0).mean()


def test_factory_pairs_the_style_generator_with_the_projection_critic():
    config = ImageModelConfig(channels=1, resolution=16, architecture="stylegan", noise_dim=32)
    G, D = build_image_generator(config, 4), build_image_discriminator(config, 4)
    assert isinstance(G, StyleGenerator) and isinstance(D, ProjectionDiscriminator)
    assert G.latent_dim == 32  # noise_dim is the mapping network's latent


# ----------------------------------------------------------------------------- the doors
@pytest.fixture(scope="module")
def digits_job():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    keep = (y < 3) & ((y != 2) | (np.cumsum(y == 2) <= 12))
    return X[keep].reshape(-1, 8, 8), y[keep]


@pytest.fixture(scope="module")
def fitted(digits_job):
    X, y = digits_job
    # On the CPU: fits are bit-identical there for a given thread count (on a GPU only close).
    return GANAugmenter(architecture="stylegan", epochs=3, batch_size=32, random_state=0, n_threads=1,
                        device="cpu").fit(X, y)


def test_stylegan_trains_as_stylegan2_does_and_its_losses_move(fitted):
    training = fitted.training_config_
    assert (training.loss, training.betas, training.r1_gamma, training.penalty_every) == \
        ("non-saturating", (0.0, 0.99), 0.1, 16)
    assert training.mode_seeking_weight == 0.0
    losses = [record["loss_g"] for record in fitted.history_]
    assert len(losses) == 3 and len(set(losses)) == 3 and all(np.isfinite(losses))
    assert fitted.generator_.w_avg.abs().sum(dim=1).min() > 0  # every class's average style was tracked


def test_stylegan_top_up_is_label_exact_reproducible_and_survives_save_load(fitted, digits_job, tmp_path):
    X, y = digits_job
    augmenter = GANAugmenter(architecture="stylegan", epochs=3, batch_size=32, random_state=0, n_threads=1,
                             device="cpu")
    X_res, y_res = augmenter.fit_resample(X, y)
    counts = np.bincount(y_res)
    assert counts[2] == counts[0] == counts.max() and X_res.shape[1:] == (8, 8)
    assert np.array_equal(np.asarray(fitted.sample(16, 2)), np.asarray(augmenter.sample(16, 2)))
    fitted.save(tmp_path / "model")
    assert json.loads((tmp_path / "model" / "model.json").read_text())["state"]["model_config"]["architecture"] == "stylegan"
    loaded = GANAugmenter.load(tmp_path / "model")
    assert np.array_equal(np.asarray(loaded.sample(16, 2)), np.asarray(fitted.sample(16, 2)))
    # The truncation a user set is a setting of the model: it is saved with it.
    augmenter.generator_.truncation_psi = 0.0
    augmenter.save(tmp_path / "truncated")
    truncated = GANAugmenter.load(tmp_path / "truncated")
    assert truncated.generator_.truncation_psi == 0.0
    assert np.array_equal(np.asarray(truncated.sample(16, 2)), np.asarray(augmenter.sample(16, 2)))


def test_an_ensemble_of_style_generators_truncates_every_member(digits_job, tmp_path):
    # Setting truncation_psi on the ensemble used to add an attribute that nothing read.
    X, y = digits_job
    ensemble = GANAugmenter(architecture="stylegan", n_generators=2, epochs=1, batch_size=32, random_state=0,
                            n_threads=1, device="cpu").fit(X, y)
    spread = {}
    for psi in (1.0, 0.0):
        ensemble.generator_.truncation_psi = psi
        samples = np.asarray(ensemble.sample(16, 1), dtype=float).reshape(16, -1)
        # Rows take the two members in turn; at psi 0 each draws its class's average style (noise maps aside).
        spread[psi] = [samples[k::2].std(axis=0).mean() for k in (0, 1)]
    assert [member.truncation_psi for member in ensemble.generator_.members] == [0.0, 0.0]
    assert all(truncated < 0.5 * full for truncated, full in zip(spread[0.0], spread[1.0])), spread
    # A member's own truncation is kept by save/load (the first member's was given to all).
    ensemble.generator_.members[1].truncation_psi = 0.3
    loaded = GANAugmenter.load(ensemble.save(tmp_path / "model"))
    assert [member.truncation_psi for member in loaded.generator_.members] == [0.0, 0.3]


def test_stylegan_trains_under_bf16_autocast(digits_job):
    # Its running average of the styles (float32) was updated with bfloat16 styles: index_add_ failed.
    X, y = digits_job
    augmenter = GANAugmenter(architecture="stylegan", precision="bf16", epochs=1, batch_size=32, random_state=0,
                             n_threads=1, device="cpu").fit(X, y)
    assert augmenter.generator_.w_avg.dtype == torch.float32
    assert augmenter.generator_.w_avg.abs().sum(dim=1).min() > 0
    assert np.isfinite(augmenter.history_[-1]["loss_g"])


@pytest.mark.parametrize("psi", [float("nan"), float("inf"), "0.5", True])
def test_truncation_is_refused_unless_a_finite_number(psi):
    # A NaN made every sample NaN (all-zero uint8 images) and was saved as NaN, which is not JSON.
    G = _generator()
    with pytest.raises(ValueError, match=r"truncation_psi must be a finite number"):
        G.truncation_psi = psi
    assert G.truncation_psi == 1.0


def test_truncation_of_generators_without_it_is_named_and_not_saved(digits_job, tmp_path):
    X, y = digits_job
    ensemble = GANAugmenter(architecture="dcgan", n_generators=2, epochs=1, batch_size=32, random_state=0,
                            n_threads=1, device="cpu").fit(X, y)
    # nn.Module's own "object has no attribute" used to replace the message that says why.
    with pytest.raises(AttributeError, match=r"members have no truncation_psi \(the style-based generator"):
        ensemble.generator_.truncation_psi = 0.5
    single = GANAugmenter(architecture="dcgan", epochs=1, batch_size=32, random_state=0, n_threads=1,
                          device="cpu").fit(X, y)
    # It was taken as a plain attribute: no sample changed, nothing said, and the saved model dropped it.
    with pytest.raises(AttributeError, match=r"DCGANGenerator has no truncation_psi \(the style-based generator"):
        single.generator_.truncation_psi = 0.0
    single.save(tmp_path / "model")
    assert json.loads((tmp_path / "model" / "model.json").read_text())["state"]["truncation_psi"] is None
    for generator in (GANAugmenter(epochs=1, batch_size=32, label_gate=False, random_state=0, n_threads=1).fit(
                          X.reshape(len(X), -1)[:, :4], y).generator_,  # rows of a table
                      GANAugmenter(architecture="progressive", epochs=1, batch_size=32, random_state=0, n_threads=1,
                                   device="cpu").fit(X, y).generator_):
        with pytest.raises(AttributeError, match=r"has no truncation_psi \(the style-based generator"):
            generator.truncation_psi = 0.5
        assert not hasattr(generator, "truncation_psi")


def test_the_command_line_fits_a_stylegan_and_refuses_the_option_where_it_does_not_apply(digits_job, tmp_path,
                                                                                          capsys):
    import pandas as pd

    from test_cli import _one_line_error, run
    from test_cli_images import write_digit_folder

    X, y = digits_job
    root = write_digit_folder(tmp_path / "digits", X, y, {"zero": 0, "one": 1, "rare": 2}, 20)
    code, out, err = run(capsys, "fit", root, "--classes", "rare", "--architecture", "stylegan", "--epochs", "1",
                         "--seed", "0", "--out", tmp_path / "model", "--quiet")
    assert code == 0, err
    assert type(GANAugmenter.load(tmp_path / "model").generator_) is StyleGenerator
    code, out, _ = run(capsys, "info", tmp_path / "model")
    assert code == 0 and "by a stylegan GAN" in out
    code, _, err = run(capsys, "fit", root, "--method", "translate", "--architecture", "stylegan",
                       "--out", tmp_path / "other")
    assert code != 0 and "--architecture does not apply to --method translate" in _one_line_error(err)
    table = tmp_path / "table.csv"
    pd.DataFrame({"a": range(20), "label": ["x"] * 15 + ["y"] * 5}).to_csv(table, index=False)
    code, _, err = run(capsys, "fit", table, "--target", "label", "--architecture", "dcgan", "--out", tmp_path / "t")
    assert code != 0 and "--architecture chooses the image generator" in _one_line_error(err)
    assert not (tmp_path / "other").exists() and not (tmp_path / "t").exists()
