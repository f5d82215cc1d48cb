"""Training throughput on one device against that device's own matrix-product rate (issue 14).

    python benchmarks/bench_device.py                       # every device here: cuda if present, and cpu
    python benchmarks/bench_device.py --devices cpu --steps 20 --markdown device_quick.md

For each device and precision: the library's training step (``GANTrainer._train_step``, the
default configuration) on synthetic tables laid out like encoded Adult (139 columns, batch 500) and
on 32 px images (DCGAN, batch 64), timed over ``--steps`` steps after warm-up with the device
synchronised; the FLOPs of one step counted by the torch profiler (``with_flops``); and the device's
matrix-product rate measured in the same process at the model's largest layer shape and at
4096^3. Achieved FLOP/s over that rate says how close a step runs to the hardware; rows or
images per second say what a user gets. Sampling: rows per second of ``generate``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gan_augment.config import ImageModelConfig, TrainingConfig  # noqa: E402
from gan_augment.data.tabular import OutputSpan  # noqa: E402
from gan_augment.models.image import build_image_discriminator, build_image_generator  # noqa: E402
from gan_augment.models.tabular import TabularDiscriminator, TabularGenerator  # noqa: E402
from gan_augment.training.trainer import float32_matmul_precision, generate  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_step import stepping_trainer  # noqa: E402

HERE = Path(__file__).resolve().parent


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def matmul_rate(device, m, k, n, dtype, repeats=20) -> float:
    """FLOP/s of an (m x k) @ (k x n) product on ``device``."""
    a = torch.randn(m, k, device=device, dtype=dtype)
    b = torch.randn(k, n, device=device, dtype=dtype)
    for _ in range(3):
        a @ b
    _sync(device)
    started = time.perf_counter()
    for _ in range(repeats):
        a @ b
    _sync(device)
    return 2 * m * k * n * repeats / (time.perf_counter() - started)


def tabular_models(n_classes=2):
    """G and D at Adult's encoded layout: 6 numeric columns (a tanh scalar and 10 mixture modes
    each) and 8 categorical ones; 139 columns."""
    blocks = [(1, "tanh"), (10, "softmax")] * 6 + [(size, "softmax") for size in (9, 16, 7, 15, 6, 5, 2, 13)]
    spans, start = [], 0
    for size, activation in blocks:
        spans.append(OutputSpan(start, size, activation))
        start += size
    return (TabularGenerator(64, n_classes, spans, class_embedding_dim=16, hidden_dims=(256, 256)),
            TabularDiscriminator(start, n_classes, hidden_dims=(256, 256), pac=8)), start


def image_models(n_classes=10):
    config = ImageModelConfig(channels=1, resolution=32, architecture="dcgan")
    return build_image_generator(config, n_classes), build_image_discriminator(config, n_classes)


def step_rate(kind, device, precision, steps) -> dict:
    torch.manual_seed(0)
    if kind == "table":
        (G, D), width = tabular_models()
        X = torch.randn(20_000, width)
        config = TrainingConfig(batch_size=500, precision=precision)
    else:
        G, D = image_models()
        X = torch.rand(5_000, 1, 32, 32) * 2 - 1
        config = TrainingConfig(batch_size=64, loss="hinge", n_critic=1, precision=precision,
                                augment="translation,cutout")
    y = torch.arange(len(X)) % G.n_classes
    X = X.to(device)
    with float32_matmul_precision(precision, device):
        trainer = stepping_trainer(G, D, config, X, y, device)
        # The profiler's FLOP count (matrix products and convolutions): FlopCounterMode's module
        # hooks do not survive the gradient penalty's autograd.grad.
        with torch.profiler.profile(with_flops=True) as profile:
            trainer._train_step(X)
        flops = sum(event.flops or 0 for event in profile.key_averages())
        for _ in range(3):
            trainer._train_step(X)
        _sync(device)
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(steps):
            trainer._train_step(X)
        _sync(device)
        seconds = (time.perf_counter() - started) / steps
        cpu_seconds = (time.process_time() - cpu) / steps
    rows = trainer.batch_size_ * (config.n_critic + 1)  # rows through G and D per step
    out = {"kind": kind, "device": str(device), "precision": precision, "ms_per_step": 1e3 * seconds,
           "cpu_ms_per_step": 1e3 * cpu_seconds, "gflop_per_step": flops / 1e9, "achieved_gflops": flops / seconds / 1e9,
           "rows_per_s": rows / seconds}
    started = time.perf_counter()
    generate(trainer.sampling_generator, 100_000 if kind == "table" else 10_000, 0, seed=0)
    out["sample_rows_per_s"] = (100_000 if kind == "table" else 10_000) / (time.perf_counter() - started)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", nargs="+", default=None)
    parser.add_argument("--precisions", nargs="+", default=None,
                        help="default: float32 and bf16 on a GPU, float32 on the CPU (benchmarks/SPEED.md has bf16 "
                             "there: 5.8x slower without bf16 units)")
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--markdown", default=str(HERE / "DEVICE.md"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    devices = args.devices or (["cuda", "cpu"] if torch.cuda.is_available() else ["cpu"])
    lines = ["# Training throughput per device (issue 14)", "",
             f"Command: `python benchmarks/bench_device.py {' '.join(sys.argv[1:])}`; torch {torch.__version__}, "
             f"{args.threads} CPU thread(s). Achieved = counted FLOPs of one step / its time; the rate it is "
             "compared with is the device's own matrix product at the model's 500 x 256 x 256 shape and at a "
             "large square one, measured in the same run.", "",
             "| device | precision | data | ms/step | GFLOP/step | achieved GFLOP/s | matmul GFLOP/s (model shape / "
             "4096^3 on GPUs, 1024^3 on CPUs) "
             "| achieved / model-shape rate | rows or images through G+D per s | sampled per s |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name in devices:
        device = torch.device(name)
        label = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
        precisions = args.precisions or (["float32", "bf16"] if device.type == "cuda" else ["float32"])
        big_side = 4096 if device.type == "cuda" else 1024  # 4096^3 takes minutes on one CPU thread
        for precision in precisions:
            dtype = torch.bfloat16 if precision == "bf16" else torch.float32
            with float32_matmul_precision(precision, device):
                small = matmul_rate(device, 500, 256, 256, dtype, repeats=200)
                big = matmul_rate(device, big_side, big_side, big_side, dtype, repeats=50)
            for kind in ("table", "image"):
                r = step_rate(kind, device, precision, args.steps)
                print(r, flush=True)
                lines.append(f"| {label} | {precision} | {kind} | {r['ms_per_step']:.2f} | {r['gflop_per_step']:.3f} | "
                             f"{r['achieved_gflops']:.1f} | {small / 1e9:.0f} / {big / 1e9:.0f} | "
                             f"{r['achieved_gflops'] * 1e9 / small:.0%} | {r['rows_per_s']:,.0f} | "
                             f"{r['sample_rows_per_s']:,.0f} |")
    Path(args.markdown).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
