"""Per-class pixel spread of the generator during training (a probe for issue 11's collapse).

Usage: OMP_NUM_THREADS=1 .venv/bin/python benchmarks/_diversity_trajectory.py SIZE STEPS [key=value ...]
key=value are TrainingConfig fields (json values) on top of the image defaults (e.g.
mode_seeking_weight=0 for the defaults before issue 11's fix, r1_gamma=1, lr_d=5e-5,
ada_max_p=0.95); model.key=value are ImageModelConfig fields; model_seed / train_seed pick the
seeds of the weights and of training; sn=1 puts spectral norm on every layer of the DCGAN
discriminator; grid=PATH.png saves 16 samples per class at the end. The last line gives the
fit's CPU seconds (time.process_time).
"""
import json
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench_image_diversity import build_sets, pixel_std  # noqa: E402

from gan_augment.config import ImageModelConfig, training_config  # noqa: E402
from gan_augment.data.images import ImageCodec  # noqa: E402
from gan_augment.models.image import build_image_discriminator, build_image_generator  # noqa: E402
from gan_augment.training import GANTrainer  # noqa: E402
from gan_augment.training.callbacks import Callback  # noqa: E402
from gan_augment.training.trainer import seeded_rng  # noqa: E402


class Probe(Callback):
    def __init__(self, every):
        self.every = every
        self.z = torch.Generator().manual_seed(5)

    def on_epoch_end(self, trainer, record):
        if trainer.epoch_ % self.every and trainer.epoch_ != trainer.n_epochs_:
            return
        G = trainer.generator
        out = []
        with torch.no_grad(), torch.random.fork_rng():
            z = torch.randn(128, G.noise_dim, generator=torch.Generator().manual_seed(5))
            means = []
            for c in range(3):
                x = G(z, torch.full((128,), c)).clamp(-1, 1)
                out.append(pixel_std(x))
                means.append((x + 1) * 127.5)
            # how far apart the classes are: mean over pixels of |mean image c - mean image c'|
            between = float(sum((means[a].mean(0) - means[b].mean(0)).abs().mean()
                                for a, b in ((0, 1), (0, 2), (1, 2))) / 3)
            # share of output variance explained by z vs class in the stem (DCGAN only)
        extra = ""
        if hasattr(G, "embed") and hasattr(G, "stem") and G.stem.in_features == G.noise_dim + G.embed.embedding_dim:
            w = G.stem.weight
            wz, we = w[:, :G.noise_dim], w[:, G.noise_dim:]
            e = G.embed.weight * G.condition_strength
            var_z = float((wz ** 2).sum())  # E||Wz z||^2 for z ~ N(0, I)
            ey = e @ we.T
            var_y = float(((ey - ey.mean(0)) ** 2).sum(1).mean())
            extra = f" |Wz z|^2 {var_z:8.2f} class spread {var_y:8.2f} |e| {float(e.norm(dim=1).mean()):.2f}"
        print(f"step {trainer.step_:5d} s {trainer.condition_strength if hasattr(trainer, 'condition_strength') else G.condition_strength:.2f} "
              f"std {out[0]:5.1f} {out[1]:5.1f} {out[2]:5.1f} between {between:5.1f} | d {record['loss_d']:.3f} g {record['loss_g']:.3f} "
              f"p {record.get('augment_p', 0):.2f} r {record.get('real_sign', 0):.2f}{extra} t {time.process_time():.0f}",
              flush=True)


def main():
    size, steps = int(sys.argv[1]), int(sys.argv[2])
    settings, model = {}, {}
    for arg in sys.argv[3:]:
        key, value = arg.split("=", 1)
        value = None if value == "None" else json.loads(value) if value[0] in "0123456789-[." else value
        (model if key.startswith("model.") else settings)[key.removeprefix("model.")] = value
    torch.set_num_threads(1)
    train_x, train_y, _, _ = build_sets()
    codec = ImageCodec(image_size=size).fit(train_x)
    X = codec.transform(train_x)
    cfg = ImageModelConfig(resolution=size, **model)
    steps_per_epoch = -(-len(train_y) // 64)
    tc = training_config("image", epochs=max(1, steps // steps_per_epoch),
                         **{k: v for k, v in settings.items() if k not in ("sn", "model_seed", "train_seed", "grid")})
    sn = settings.pop("sn", 0)
    grid = settings.pop("grid", None)
    model_seed, train_seed = settings.pop("model_seed", 0), settings.pop("train_seed", 0)
    with seeded_rng(model_seed, torch.device("cpu")):
        G, D = build_image_generator(cfg, 3), build_image_discriminator(cfg, 3)
        if sn:  # spectral norm on every layer of D (probe only)
            from torch.nn.utils.parametrizations import spectral_norm
            for name, module in list(D.named_modules()):
                for child_name, child in list(module.named_children()):
                    if isinstance(child, (torch.nn.Conv2d, torch.nn.Linear)):
                        setattr(module, child_name, spectral_norm(child))
    real = [pixel_std(X[torch.as_tensor(train_y) == c][:128]) for c in range(3)]
    print(f"size {size} steps {steps} {settings} {model} real std {real[0]:.1f} {real[1]:.1f} {real[2]:.1f}", flush=True)
    started = time.process_time()
    trainer = GANTrainer(G, D, tc, device="cpu", callbacks=[Probe(10)], random_state=train_seed)
    trainer.fit(X, torch.as_tensor(train_y))
    cpu = time.process_time() - started
    if grid:  # 16 samples per class (rows), raw G in train mode as probed, as a PNG
        from PIL import Image

        with torch.no_grad():
            z = torch.randn(16, G.noise_dim, generator=torch.Generator().manual_seed(5))
            rows = [torch.cat(list(G(z, torch.full((16,), c)).clamp(-1, 1)[:, 0]), dim=1) for c in range(3)]
        pixels = ((torch.cat(rows, dim=0) + 1) * 127.5).round().to(torch.uint8).numpy()
        Image.fromarray(pixels).resize((pixels.shape[1] * 3, pixels.shape[0] * 3), Image.NEAREST).save(grid)
    print(f"fit cpu {cpu:.0f} s for {trainer.step_} updates ({cpu / trainer.step_:.3f} s per update); "
          f"mode_seeking_weight {tc.mode_seeking_weight} r1_gamma {tc.r1_gamma} lr_d {tc.lr_d} "
          f"ada_max_p {tc.ada_max_p}", flush=True)


if __name__ == "__main__":
    main()
