"""Images through the engine: the codec, the models, differentiable augmentation, training, and
GANAugmenter with ``image_shape`` (scikit-learn's 8x8 digits)."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from gan_augment import GANAugmenter
from gan_augment.config import ImageModelConfig, TrainingConfig, training_config
from gan_augment.data.images import ImageCodec, infer_layout, working_resolution
from gan_augment.diffaug import AdaptiveProbability, augment, cutout, parse_policy, translation
from gan_augment.exceptions import DataValidationError
from gan_augment.models.image import build_image_discriminator, build_image_generator, default_architecture
from gan_augment.training import GANTrainer
from gan_augment.training.trainer import seeded_rng

FAST = dict(epochs=2, batch_size=32)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X, y


def _rare_digits(X, y, rare=3, keep=15):
    mask = (y != rare) | (np.cumsum(y == rare) <= keep)
    return X[mask], y[mask]


# ----------------------------------------------------------------------------- codec
@pytest.mark.parametrize("layout, shape", [
    ("flat", (5, 64)), ("nhw", (5, 8, 8)), ("nhwc", (5, 8, 8, 3)), ("nchw", (5, 3, 8, 8)),
])
def test_codec_round_trips_every_layout_exactly_for_uint8(layout, shape):
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=shape, dtype=np.uint8)
    codec = ImageCodec(image_shape=(1, 8, 8) if layout == "flat" else None).fit(X)
    assert codec.layout_ == layout
    encoded = codec.transform(X)
    assert encoded.shape == (5, codec.channels, 8, 8) and encoded.dtype == torch.float32
    assert encoded.min() >= -1 and encoded.max() <= 1
    back = codec.inverse_transform(encoded)
    assert back.dtype == np.uint8 and back.shape == X.shape
    np.testing.assert_array_equal(back, X)


@pytest.mark.parametrize("dtype", [np.int32, np.uint32, np.int64, np.uint64])
def test_codec_pins_saturated_pixels_to_the_ends_of_a_wide_integer_range(dtype):
    # float32 rounds 2**31 - 1 up to 2**31: a saturated pixel came back as the dtype's minimum.
    info = np.iinfo(dtype)
    X = np.zeros((4, 8, 8), dtype=dtype)
    X[0] = info.max
    X[1] = info.min
    codec = ImageCodec().fit(X)
    back = codec.inverse_transform(torch.tensor([1.0, -1.0]).view(2, 1, 1, 1).expand(2, 1, 8, 8))
    assert back.dtype == dtype
    assert (back[0] == info.max).all() and (back[1] == info.min).all()


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, bool])
def test_a_constant_image_set_is_refused_whatever_its_dtype(dtype):
    # uint8 zeros were accepted (their range is taken as 0..255) and made pixels never seen.
    value = {np.uint8: "0", np.float32: r"0\.0", bool: "False"}[dtype]  # as Python writes it, not np.uint8(0)
    with pytest.raises(DataValidationError, match=rf"Every pixel of every image has the value {value}: there is no"):
        ImageCodec().fit(np.zeros((4, 8, 8), dtype=dtype))


@pytest.mark.parametrize("mode, advice", [("P", r"image\.convert\('RGB'\).*item 0 is of mode 'P'"),
                                          ("L+RGB", r"image\.convert\('RGB'\).*item 0 is grey, item 3 colour"),
                                          ("RGB", r"np\.stack\(\[np\.asarray\(image\) for image in X\]\)"),
                                          ("ragged", r"np\.stack\(\[np\.asarray\(image\) for image in X\]\)")])
@pytest.mark.parametrize("make", ["gan", "translation", "auto", "classic", "evaluate"])
def test_a_list_of_pil_images_is_refused_before_training_saying_what_to_pass(mode, advice, make):
    # numpy read a palette image as its indices, and the sampler gave every image back as nested
    # lists of numbers; images of two sizes were taken for ragged table rows.
    from PIL import Image

    from gan_augment import AutoAugmenter, TranslationAugmenter, evaluate_augmentation
    from gan_augment.baselines import ClassicOversampler

    rgb = np.random.default_rng(0).integers(0, 256, (12, 8, 8, 3), dtype=np.uint8)
    images = [Image.fromarray(a) for a in rgb]
    if mode == "P":
        images = [image.convert("P", palette=Image.Palette.ADAPTIVE, colors=16) for image in images]
    elif mode == "ragged":
        images[5] = images[5].resize((8, 4))
    elif mode == "L+RGB":  # the plain advice's np.stack failed on them
        images[:3] = [image.convert("L") for image in images[:3]]
    # Those that read images as rows of pixels say how to make them (they refused the stacked array).
    reads_rows = make in ("auto", "classic", "evaluate")
    rows = r".*then images.transpose\(0, 3, 1, 2\).*image_shape=\(C, H, W\)" if reads_rows else ""
    with pytest.raises(DataValidationError, match=r"X is a list of PIL images \(item 0 is one\).*" + advice + rows):
        if make == "evaluate":
            evaluate_augmentation(images, [0] * 8 + [1] * 4, GANAugmenter(epochs=1), cv=2, repeats=1)
        else:
            {"gan": GANAugmenter(epochs=1), "translation": TranslationAugmenter(epochs=1),
             "auto": AutoAugmenter(methods=("random",)), "classic": ClassicOversampler((3, 8, 8))}[make].fit_resample(
                images, [0] * 8 + [1] * 4)


def test_codec_resizes_to_a_power_of_two_and_back_keeping_range_and_dtype(digits):
    X = np.repeat(np.repeat(digits[0][:10].reshape(10, 8, 8), 3, axis=1), 3, axis=2)[:, :20, :20]  # 20x20, 0..16
    codec = ImageCodec().fit(X)
    assert codec.resolution_ == 32 and codec.value_range_ == (0.0, 16.0)
    encoded = codec.transform(X)
    assert encoded.shape == (10, 1, 32, 32)
    back = codec.inverse_transform(encoded)
    assert back.shape == X.shape and back.dtype == X.dtype
    assert back.min() >= 0 and back.max() <= 16
    assert np.abs(back - X).mean() < 1.0  # resizing up and down blurs a little, no more


def test_working_resolution():
    assert working_resolution(8, 8) == 8
    assert working_resolution(28, 28) == 32
    assert working_resolution(5, 3) == 8
    assert working_resolution(200, 100) == 64
    assert working_resolution(28, 28, 16) == 16
    with pytest.raises(ValueError, match="image_size"):
        working_resolution(28, 28, 24)


def test_layout_errors_say_what_to_do():
    with pytest.raises(DataValidationError, match="image_shape"):
        infer_layout((5, 64))
    with pytest.raises(DataValidationError, match="64 columns.*holds 49"):
        infer_layout((5, 64), (1, 7, 7))
    with pytest.raises(DataValidationError, match="1 or 3 channels") as info:
        infer_layout((5, 8, 8, 5))
    assert "alpha" not in str(info.value)
    # np.asarray of RGBA / grey + alpha PNGs: refused without a word of what to do.
    for shape, advice in (((5, 8, 8, 4), r"RGBA images \(4 channels last\), drop the alpha channel: X\[\.\.\., :3\]"),
                          ((5, 2, 8, 8), r"grey \+ alpha images \(2 channels first\), drop the alpha channel: "
                                         r"X\[:, :1\]")):
        with pytest.raises(DataValidationError, match=advice):
            infer_layout(shape)
    with pytest.raises(DataValidationError, match="images are"):
        infer_layout((5, 2, 8, 8, 3))
    with pytest.raises(DataValidationError, match="NaN"):
        ImageCodec().fit(np.full((3, 8, 8), np.nan))
    # Images of no pixels failed in numpy's words ("zero-size array to reduction operation minimum").
    for shape in ((40, 0, 8), (40, 8, 0, 3), (40, 1, 0, 8)):
        with pytest.raises(DataValidationError, match=r"an image needs at least one pixel a side"):
            ImageCodec().fit(np.zeros(shape, np.uint8))
    # Finite pixels past float32, where images are worked on, were refused as "NaN or infinite" ones.
    for low, high in ((0.0, 1e39), (-3e38, 3e38)):
        with pytest.raises(DataValidationError, match=r"past float32's largest number \(about 3\.4e38\)"):
            ImageCodec().fit(np.linspace(low, high, 3 * 64).reshape(3, 8, 8))
    assert ImageCodec().fit(np.linspace(-1e38, 1e38, 3 * 64).reshape(3, 8, 8)).value_range_ == (-1e38, 1e38)
    # 8.9 was read as 8 and True as 1 channel without a word.
    for shape in ((1, 8.9, 8), (True, 8, 8), (1, 8), "188"):
        with pytest.raises(ValueError, match=r"image_shape must be \(C, H, W\), three whole numbers"):
            infer_layout((5, 64), shape)
    assert infer_layout((5, 64), (1.0, 8, np.int64(8))) == ("flat", (1, 8, 8))


# ----------------------------------------------------------------------------- augmentation
def test_augmentations_keep_shape_and_let_gradients_through():
    x = torch.rand(6, 3, 16, 16, requires_grad=True)
    out = augment(x * 2 - 1, parse_policy("color,translation,cutout"), p=1.0)
    assert out.shape == x.shape
    out.sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_probability_zero_is_the_identity_and_policy_words_are_checked():
    x = torch.rand(4, 1, 8, 8)
    assert torch.equal(augment(x, parse_policy("color,translation,cutout"), p=0.0), x)
    with pytest.raises(ValueError, match="'blur'"):
        parse_policy("color,blur")
    with pytest.raises(ValueError, match=r"augment='color,translation, color' names 'color' more than once"):
        GANAugmenter(augment="color,translation, color").fit(x.numpy(), [0, 0, 1, 1])  # it was applied twice


def test_translation_moves_pixels_without_changing_them():
    torch.manual_seed(0)
    x = torch.arange(64, dtype=torch.float32).reshape(1, 1, 8, 8).repeat(20, 1, 1, 1) / 64
    out = translation(x)
    for image in out:
        values = image[image != -1]
        assert set(values.tolist()) <= set(x[0].flatten().tolist())  # only original values, or the fill
    assert not torch.equal(out, x)


def test_cutout_blanks_one_square_of_half_the_size():
    torch.manual_seed(0)
    out = cutout(torch.ones(50, 1, 16, 16))
    blanked = (out == -1).sum(dim=(1, 2, 3))
    assert blanked.max() == 64 and blanked.min() > 0  # an 8x8 square, clipped at the border at worst


def test_adaptive_probability_follows_the_overfitting_signal_within_its_cap():
    ada = AdaptiveProbability(target=0.6, max_p=0.5, interval=1, steps_to_full=10)
    for _ in range(20):
        ada.observe(torch.ones(8))  # D is sure of every real image: r_t = 1 > 0.6
    assert ada.p == pytest.approx(0.5)
    for _ in range(3):
        ada.observe(-torch.ones(8))
    assert ada.p == pytest.approx(0.2)
    fixed = AdaptiveProbability(p=0.3, adaptive=False)
    fixed.observe(torch.ones(8))
    assert fixed.p == 0.3


# ----------------------------------------------------------------------------- models
@pytest.mark.parametrize("architecture", ["resnet", "dcgan", "stylegan", "progressive"])
@pytest.mark.parametrize("resolution, channels", [(8, 1), (16, 3), (32, 1), (64, 3)])
def test_models_map_noise_and_class_to_images_and_images_to_scores(architecture, resolution, channels):
    config = ImageModelConfig(channels=channels, resolution=resolution, architecture=architecture,
                              generator_width=8, discriminator_width=8)
    G, D = build_image_generator(config, 4), build_image_discriminator(config, 4)
    y = torch.tensor([0, 1, 2, 3])
    images = G(torch.randn(4, G.noise_dim), y)
    assert images.shape == (4, channels, resolution, resolution)
    assert images.min() >= -1 and images.max() <= 1
    assert D(images, y).shape == (4,)


def test_auto_architecture_is_the_residual_pair_only_where_it_is_affordable():
    assert default_architecture(32, "cuda") == "resnet" and default_architecture(64, "cuda:1") == "resnet"
    assert default_architecture(16, "cuda") == "dcgan"  # it learned poorly on small images
    assert default_architecture(32, "cpu") == "dcgan"  # twice the fit time on a CPU
    augmenter = GANAugmenter(random_state=0, **FAST).fit(np.zeros((6, 8, 8), np.uint8) + np.arange(6)[:, None, None],
                                                          [0, 0, 0, 1, 1, 1])
    assert augmenter.model_config_.architecture == "dcgan"


@pytest.mark.parametrize("architecture", ["resnet", "dcgan", "stylegan", "progressive"])
def test_condition_strength_zero_makes_models_ignore_the_class(architecture):
    config = ImageModelConfig(channels=1, resolution=16, architecture=architecture, generator_width=8,
                              discriminator_width=8)
    G, D = build_image_generator(config, 3).eval(), build_image_discriminator(config, 3).eval()
    z, x = torch.randn(1, G.noise_dim).repeat(3, 1), torch.rand(1, 1, 16, 16).repeat(3, 1, 1, 1)
    y = torch.tensor([0, 1, 2])
    with torch.no_grad():
        for module in (G, D):  # give the class weights something to say first
            for name, param in module.named_parameters():
                if "embed" in name or "gain" in name or "bias.weight" in name:
                    param.normal_()
        assert not torch.allclose(G(z, y)[0], G(z, y)[1])
        assert not torch.allclose(D(x, y)[0], D(x, y)[1])
        G.condition_strength = D.condition_strength = 0.0
        assert torch.allclose(G(z, y)[0], G(z, y)[1]) and torch.allclose(G(z, y)[1], G(z, y)[2])
        assert torch.allclose(D(x, y)[0], D(x, y)[2])


# ----------------------------------------------------------------------------- training
def _train(X, y, seed=0, **settings):
    config = ImageModelConfig(channels=1, resolution=8, generator_width=16, discriminator_width=16)
    with seeded_rng(seed, torch.device("cpu")):
        G, D = build_image_generator(config, 10), build_image_discriminator(config, 10)
    training = training_config("image", **{"epochs": 3, "batch_size": 64, **settings})
    return GANTrainer(G, D, training, device="cpu", random_state=seed).fit(X, y)


@pytest.fixture(scope="module")
def digit_tensors(digits):
    codec = ImageCodec(image_shape=(1, 8, 8)).fit(digits[0])
    return codec.transform(digits[0]), torch.from_numpy(digits[1])


def test_image_training_is_deterministic_and_records_augmentation(digit_tensors):
    first, second = _train(*digit_tensors), _train(*digit_tensors)
    for a, b in zip(first.sampling_generator.state_dict().values(), second.sampling_generator.state_dict().values()):
        assert torch.equal(a, b)
    assert all("augment_p" in record for record in first.history_)
    assert torch.equal(first.sample(5, 2, seed=1), second.sample(5, 2, seed=1))
    assert not torch.equal(first.sample(5, 2, seed=1), _train(*digit_tensors, seed=1).sample(5, 2, seed=1))


def test_image_training_resumes_bit_identically(digit_tensors, tmp_path):
    class StopAfter2:
        def on_train_begin(self, trainer): pass
        def on_train_end(self, trainer): pass
        def on_epoch_end(self, trainer, record):
            if record["epoch"] == 2:
                trainer.save_checkpoint(tmp_path / "ckpt")
                trainer.stop_training = True

    full = _train(*digit_tensors, augment_p=0.5)
    config = ImageModelConfig(channels=1, resolution=8, generator_width=16, discriminator_width=16)
    training = training_config("image", epochs=3, batch_size=64, augment_p=0.5)
    with seeded_rng(0, torch.device("cpu")):
        G, D = build_image_generator(config, 10), build_image_discriminator(config, 10)
    GANTrainer(G, D, training, device="cpu", callbacks=[StopAfter2()], random_state=0).fit(*digit_tensors)
    with seeded_rng(0, torch.device("cpu")):
        G, D = build_image_generator(config, 10), build_image_discriminator(config, 10)
    resumed = GANTrainer(G, D, training, device="cpu", random_state=0).fit(*digit_tensors,
                                                                            resume_from=tmp_path / "ckpt")
    for a, b in zip(full.sampling_generator.state_dict().values(), resumed.sampling_generator.state_dict().values()):
        assert torch.equal(a, b)


def test_sampling_is_batch_independent_after_batchnorm_calibration(digit_tensors):
    trainer = _train(*digit_tensors)
    G = trainer.sampling_generator
    z = torch.randn(6, G.noise_dim)
    with torch.no_grad():
        together = G(z, torch.tensor([0, 1, 2, 3, 4, 5]))
        alone = G(z[:1], torch.tensor([0]))
    assert not G.training
    torch.testing.assert_close(together[:1], alone)
    means = [m.running_mean for m in G.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert means and all(torch.isfinite(m).all() and m.abs().sum() > 0 for m in means)


def test_condition_warmup_fades_in_and_ends_at_full_strength(digit_tensors):
    strengths = []

    class Watch:
        def on_train_begin(self, trainer): pass
        def on_train_end(self, trainer): pass
        def on_epoch_end(self, trainer, record):
            strengths.append(trainer.generator.condition_strength)

    config = ImageModelConfig(channels=1, resolution=8, generator_width=16, discriminator_width=16)
    G, D = build_image_generator(config, 10), build_image_discriminator(config, 10)
    training = training_config("image", epochs=4, batch_size=64, condition_warmup=0.5)
    trainer = GANTrainer(G, D, training, device="cpu", callbacks=[Watch()], random_state=0).fit(*digit_tensors)
    assert 0 < strengths[0] < strengths[1] < 1 and strengths[-1] == 1.0
    assert trainer.sampling_generator.condition_strength == 1.0


def test_image_training_defaults_differ_from_tables_only_where_stated():
    image, table = training_config("image"), TrainingConfig()
    assert (image.loss, image.batch_size, image.augment) == ("hinge", 64, "color,translation,cutout")
    assert image.mode_seeking_weight > 0 and table.mode_seeking_weight == 0  # issue 11's within-class collapse
    assert image.r1_gamma == table.r1_gamma == 0
    assert image.optimizer == table.optimizer and image.ema_decay == table.ema_decay
    assert training_config("image", loss="auto", batch_size=16).batch_size == 16


# ----------------------------------------------------------------------------- scikit-learn door
def test_digits_in_a_pipeline_with_image_shape(digits):
    from imblearn.pipeline import make_pipeline

    X, y = _rare_digits(*digits)
    pipe = make_pipeline(GANAugmenter(image_shape=(1, 8, 8), random_state=0, **FAST),
                         LogisticRegression(max_iter=2000))
    pipe.fit(X, y)
    assert pipe.score(*digits) > 0.5
    X_res, y_res = GANAugmenter(image_shape=(1, 8, 8), random_state=0, **FAST).fit_resample(X, y)
    assert X_res.shape == (len(y_res), 64) and X_res.dtype == X.dtype
    assert np.bincount(y_res).tolist() == [np.bincount(y).max()] * 10  # every class topped up exactly
    np.testing.assert_array_equal(X_res[:len(X)], X)  # real rows first, untouched
    assert X_res.min() >= 0 and X_res.max() <= 16


def test_a_read_only_float32_array_is_read_without_torch_warning_of_undefined_behaviour(digits):
    # np.load(mmap_mode="r") and Arrow views are read-only: torch.from_numpy warned of writing to them.
    X, y = _rare_digits(*digits)
    X = np.ascontiguousarray(X.reshape(-1, 1, 8, 8), dtype=np.float32)
    X.setflags(write=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        codec = ImageCodec().fit(X)
        images = codec.to_nchw(X)
    assert images.shape == X.shape and torch.equal(images, torch.from_numpy(X.copy()))


def test_image_arrays_come_back_in_their_layout_dtype_and_range():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(40, 12, 12, 3), dtype=np.uint8)
    y = np.array([0] * 30 + [1] * 10)
    augmenter = GANAugmenter(random_state=0, **FAST).fit(X, y)
    images = augmenter.sample(7, 1)
    assert images.shape == (7, 12, 12, 3) and images.dtype == np.uint8
    assert augmenter.kind_.name == "image" and augmenter.encoder_.resolution_ == 16
    assert augmenter.n_features_in_ == 12 * 12 * 3


def test_a_list_of_images_is_read_as_images_and_given_back_as_one():
    # A list has no .ndim: it was taken for a table and failed in scikit-learn ("Found array with dim 3").
    # Then every image came back as nested lists of numbers, the real ones too.
    X = np.random.default_rng(0).integers(0, 256, size=(16, 8, 8), dtype=np.uint8)
    y = np.array([0] * 12 + [1] * 4)
    X_res, y_res = GANAugmenter(random_state=0, epochs=1).fit_resample(list(X), y)
    assert isinstance(X_res, list) and len(X_res) == 24 and np.bincount(y_res).tolist() == [12, 12]
    assert all(isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.shape == (8, 8) for image in X_res)
    np.testing.assert_array_equal(np.stack(X_res[:16]), X)
    as_tensors = [torch.from_numpy(image) for image in X]
    X_res, _ = GANAugmenter(random_state=0, epochs=1).fit_resample(as_tensors, y)
    assert len(X_res) == 24 and all(isinstance(image, torch.Tensor) and image.dtype == torch.uint8 for image in X_res)
    torch.testing.assert_close(torch.stack(X_res[:16]), torch.from_numpy(X))


def test_uint8_images_come_back_within_the_range_they_use(digits):
    # uint8 was taken to span 0..255 whatever it held: digits of 0..16 came back with pixels up to 206.
    X, y = digits
    X = X.astype(np.uint8).reshape(-1, 8, 8)
    augmenter = GANAugmenter(random_state=0, **FAST).fit(X, y)
    assert augmenter.encoder_.value_range_ == (0.0, 16.0)
    images = augmenter.sample(200, 3)
    assert images.dtype == np.uint8 and images.max() <= 16
    codec = augmenter.encoder_
    # A uint8 array's values are its pixels (PNG files written by the command line keep them) ...
    np.testing.assert_array_equal(codec.to_pixels(X[:5])[..., 0], X[:5])
    np.testing.assert_array_equal(codec.from_pixels(codec.to_pixels(X[:5])), X[:5])
    # ... while sample grids stretch the range, so that they are not black.
    assert codec.display_pixels(X[:5]).max() == 255


def test_image_augmenter_saves_loads_and_keeps_sample_grids(digits, tmp_path):
    X, y = _rare_digits(*digits)
    augmenter = GANAugmenter(image_shape=(1, 8, 8), classes=[3], random_state=0, **FAST).fit(X, y)
    augmenter.save(tmp_path / "model")
    grids = sorted(p.name for p in (tmp_path / "model").glob("samples_*.png"))
    assert len(grids) == 10 and grids[3] == "samples_3_3.png"
    # Loaded where the fit ran (the GPU, where there is one): samples are reproducible per device.
    loaded = GANAugmenter.load(tmp_path / "model", device=next(augmenter.generator_.parameters()).device)
    np.testing.assert_array_equal(loaded.sample(9, 3), augmenter.sample(9, 3))
    assert loaded.training_config_ == augmenter.training_config_
    assert loaded.training_config_.mode_seeking_weight == training_config("image").mode_seeking_weight > 0
    augmenter.save(tmp_path / "model")  # a model directory with grids is ours to replace


def test_an_image_model_json_edited_to_huge_or_odd_images_is_refused_at_load(digits, tmp_path):
    # image_shape [1, 100000, 100000] loaded, and sampling one image asked for 40 GB; a bad layout or
    # shape failed at sample time, naming no file.
    from gan_augment.checkpoint import _header_sha256
    from gan_augment.exceptions import ModelFileError

    X, y = _rare_digits(*digits)
    GANAugmenter(image_shape=(1, 8, 8), classes=[3], random_state=0, epochs=1, batch_size=32).fit(X, y).save(
        tmp_path / "model")
    meta = tmp_path / "model" / "model.json"
    written = json.loads(meta.read_text())
    for field, value, said in (("image_shape", [1, 100000, 100000], r"does not hold the model's 64 values"),
                               ("image_shape", [1, -8, 8], r"image_shape must be \(C, H, W\) with C = 1 or 3"),
                               ("image_shape", [1, 8], r"image_shape must be \(C, H, W\), three whole numbers"),
                               ("layout", "sideways", r"the image layout is 'sideways', not one of"),
                               ("dtype", "|O", r"the image dtype is object"),
                               ("value_range", [0, float("inf")], r"not two finite values"),
                               ("resolution", 4096, r"the working resolution is 4096")):
        header = json.loads(json.dumps(written))
        header["state"]["encoder"][field] = value
        header["header_sha256"] = _header_sha256(header)  # what someone who knows the format could do
        meta.write_text(json.dumps(header))
        with pytest.raises(ModelFileError, match=rf"model\.json could not be read as a model .*{said}"):
            GANAugmenter.load(tmp_path / "model")


def test_a_model_of_few_images_saves_strict_json(digits, tmp_path):
    # An epoch of under 4 critic steps (a few dozen images) wrote the adaptive augmentation's
    # signal as NaN into model.json, which JSON parsers other than Python's refuse.
    from gan_augment.training import EarlyStopping

    X, y = digits
    keep = np.flatnonzero(y < 3)[:60]
    # A callback reading the signal gets a number (NaN: none yet), as training records it.
    augmenter = GANAugmenter(image_shape=(1, 8, 8), random_state=0, checkpoint_dir=tmp_path / "ckpt",
                             callbacks=[EarlyStopping("real_sign", mode="max")],
                             **{**FAST, "batch_size": 32}).fit(X[keep], y[keep])
    assert np.isnan(augmenter.history_[0]["real_sign"])
    augmenter.save(tmp_path / "model")
    for saved in (tmp_path / "model", tmp_path / "ckpt"):
        for path in saved.glob("*.json"):
            json.loads(path.read_text(), parse_constant=lambda name: pytest.fail(f"{path} holds {name}"))
    assert np.isnan(GANAugmenter.load(tmp_path / "model").history_[0]["real_sign"])


def test_image_specific_errors(digits):
    X, y = digits
    with pytest.raises(DataValidationError, match="64 columns"):
        GANAugmenter(image_shape=(1, 4, 4), **FAST).fit(X, y)
    with pytest.raises(ValueError, match="categorical_features"):
        GANAugmenter(image_shape=(1, 8, 8), categorical_features=[0], **FAST).fit(X, y)
    # The table models' settings were dropped unread on images: the same images came back.
    with pytest.raises(ValueError, match=r"^generator_dims=\(1,\), pac=64 are settings for tables; these are images"):
        GANAugmenter(image_shape=(1, 8, 8), generator_dims=(1,), pac=64, **FAST).fit(X, y)
    with pytest.raises(ValueError, match="detect_rules=False is a setting for tables"):
        GANAugmenter(image_shape=(1, 8, 8), detect_rules=False, **FAST).fit(X, y)
    with pytest.raises(ValueError, match="augments images"):
        GANAugmenter(augment="cutout", **FAST).fit(X[:, :5], y)
    # A setting of the image generator was dropped without a word on a table (as augment= is not).
    for name, value in (("architecture", "stylegan"), ("image_size", 16)):
        with pytest.raises(ValueError, match=rf"{name}={value!r} is a setting for images; these are table rows"):
            GANAugmenter(**{name: value}, **FAST).fit(X[:, :5], y)


def test_table_settings_at_their_defaults_pass_on_images_and_old_image_models_drop_theirs(digits, tmp_path):
    import json

    from gan_augment.checkpoint import _header_sha256
    from gan_augment.evaluation import evaluate_augmentation

    X, y = digits
    # Defaults spelt otherwise are no settings (np.True_ is what scikit-learn's check reads as True).
    augmenter = GANAugmenter(image_shape=(1, 8, 8), clip_to_range=np.bool_(True), pac=np.int64(8),
                             generator_dims=[256, 256], **FAST).fit(X, y)
    # A model saved while table settings were dropped unread on images holds them: they are read
    # back at their defaults, so that its settings can be reused (`evaluate --model`, a clone).
    augmenter.save(tmp_path / "model")
    meta = tmp_path / "model" / "model.json"
    header = json.loads(meta.read_text())
    header["state"]["params"].update(pac=4, generator_dims=[64])
    header["header_sha256"] = _header_sha256(header)
    meta.write_text(json.dumps(header))
    # Loaded where the fit ran (the GPU, where there is one): samples are reproducible per device.
    loaded = GANAugmenter.load(tmp_path / "model", device=next(augmenter.generator_.parameters()).device)
    assert loaded.get_params()["pac"] == 8 and loaded.get_params()["generator_dims"] == (256, 256)
    np.testing.assert_array_equal(loaded.sample(5, 3), augmenter.sample(5, 3))
    # The evaluator refuses such settings before any fold (they were refused by the first fold's GAN,
    # after the baselines had trained).
    class Untrainable(LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            raise AssertionError("a fold was trained before the settings were checked")

    with pytest.raises(ValueError, match="pac=4 is a setting for tables; these are images"):
        evaluate_augmentation(X, y, GANAugmenter(image_shape=(1, 8, 8), pac=4, **FAST), estimator=Untrainable(),
                              cv=2, repeats=1)


def test_a_text_column_of_a_pixel_frame_is_named(digits):
    X, y = digits
    frame = pd.DataFrame(X, columns=[f"p{i}" for i in range(64)])
    frame["p7"] = frame["p7"].astype(str)
    with pytest.raises(DataValidationError, match=r"column 'p7' of X holds .* values; convert it"):
        GANAugmenter(image_shape=(1, 8, 8), **FAST).fit(frame, y)


# That synthetic digits look like their class (a classifier trained on real digits labels them with it,
# rare class included) is asserted once, on the 40-epoch fit that tests/test_torch_data.py shares
# between its tests: a second 40-epoch fit here cost ~40 s of the suite and checked less.


@pytest.mark.parametrize("X", [
    np.random.default_rng(0).uniform(0.1, 0.3, size=(8, 8, 8)),  # float64 ends float32 cannot hold
    np.random.default_rng(0).integers(16_777_000, 16_777_220, size=(8, 8, 8), dtype=np.int32),  # ints past 2**24
], ids=["float64", "int32"])
def test_decoded_images_stay_within_the_observed_range_exactly(X):
    # The range was clamped in float32: 0.3 came back as 0.30000001192092896, 16777219 as 16777220.
    codec = ImageCodec().fit(X)
    for saturated in (1.0, -1.0):
        images = codec.inverse_transform(torch.full((2, 1, codec.resolution_, codec.resolution_), saturated))
        assert images.dtype == X.dtype and X.min() <= images.min() and images.max() <= X.max()
    pixels = codec.from_pixels(np.full((2, 8, 8, 1), 255, dtype=np.uint8))
    assert pixels.max() <= X.max()


def test_large_images_are_sampled_in_chunks_whose_decoding_stays_small(monkeypatch):
    # Chunks were sized by the encoded images alone (at least 4,096 of them), each decoded at the
    # user's size: 4,096 images of 256x256 took 7 GB to give 0.27 GB of pixels.
    from gan_augment.augmenter import _DECODED_VALUE_BYTES, _SAMPLE_DECODE_BYTES

    X = np.random.default_rng(0).integers(0, 256, size=(12, 64, 64, 3), dtype=np.uint8)
    augmenter = GANAugmenter(epochs=1, batch_size=4, image_size=8, random_state=0).fit(X, [0] * 8 + [1] * 4)
    decode, sizes = augmenter.kind_.decode, []

    def recording_decode(encoder, encoded, *, seed, class_index=None):
        sizes.append(len(encoded))
        return decode(encoder, encoded, seed=seed, class_index=class_index)

    monkeypatch.setattr(augmenter.kind_, "decode", recording_decode)
    images = augmenter.sample(3000, 1)
    assert images.shape == (3000, 64, 64, 3) and images.dtype == np.uint8 and sum(sizes) == 3000
    assert max(sizes) * X[0].size * _DECODED_VALUE_BYTES <= _SAMPLE_DECODE_BYTES

    # Through a label gate, the candidates judged a round are not bounded by the decoding: they are
    # encoded rows (with a chunk of 1-2 huge images, its 100 rounds could find too few).
    from gan_augment.augmenter import _SAMPLE_MIN_CHUNK
    from gan_augment.training.trainer import generate

    class Gate:
        rounds = []

        def generate(self, generator, n, class_index, *, seed, class_name, chunk, view=None):
            self.rounds.append(chunk)
            return generate(generator, n, class_index, seed=seed)

    monkeypatch.setattr(GANAugmenter, "_gate", lambda self, index, refuse: Gate())
    augmenter.sample(3000, 1)
    assert Gate.rounds and min(Gate.rounds) >= _SAMPLE_MIN_CHUNK


def test_an_lsgan_discriminator_at_chance_does_not_read_as_overfitting(digits):
    # Its scores sit about 0.5 (LSGAN's targets are 0 and 1): read about 0, the overfitting signal
    # was 1.0 from the first epoch and the augmentation probability climbed to its cap in every fit.
    X, y = digits
    keep = np.isin(y, [0, 1, 2])
    history = GANAugmenter(loss="lsgan", architecture="dcgan", image_size=8, epochs=8, batch_size=64, n_threads=1,
                           random_state=0).fit(X[keep].reshape(-1, 8, 8), y[keep]).history_
    signals = [record["real_sign"] for record in history]
    assert min(signals) < 0.6 and history[-1]["augment_p"] < 8 * 0.016  # it fell back at least once


@pytest.mark.parametrize("architecture", ["resnet", "progressive"])
def test_weight_clipping_is_refused_for_critics_it_silences_before_training(digits, architecture):
    X, y = digits
    augmenter = GANAugmenter(loss="wasserstein", architecture=architecture, image_size=8, epochs=1, n_threads=1,
                             image_shape=(1, 8, 8))
    with pytest.raises(ValueError, match=rf"loss='wasserstein' clips every weight.*the {architecture} critic"):
        augmenter.fit(X[:200], y[:200])
    assert not hasattr(augmenter, "generator_")
    # The evaluator refuses it before any fold (it trained the first fold's baselines first).
    from gan_augment.evaluation.plan import plan_evaluation

    with pytest.raises(ValueError, match="clips every weight"):
        plan_evaluation(X[:200], y[:200], augmenter, classes=[2], cv=2, repeats=1)
    # DCGAN's critic (batch norm) learns under clipping: taken.
    GANAugmenter(loss="wasserstein", architecture="dcgan", image_size=8, epochs=1, n_threads=1).fit(
        X[:200].reshape(-1, 8, 8), y[:200])
