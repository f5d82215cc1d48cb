"""Interleaved A/B of the tabular training step (issue 15): CPU ms per step, variant by variant.

Every variant trains its own copy of the same initial G and D on the same fixed 5,000-row
subsample of Adult; the variants take turns step by step in ONE process, and each step's CPU
time (``time.process_time``) and wall time are recorded. On a busy machine wall times drift, but
the variants see the same drift, and CPU-time ratios hold.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_step.py --steps 300
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_step.py --variants trainer,trainer@medium,trainer@bf16
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_step.py --variants trainer,trainer@penalty_fraction=0.25
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_step.py --variants trainer@autograd_penalty,trainer
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_step.py sample --n 1000000   # sampling memory
    .venv/bin/python benchmarks/bench_step.py threads --rounds 3 --steps 100     # 1 vs 2 vs auto threads
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_step.py rate     # the step's share of the matmul rate

``baseline`` is the step as it was at 6d9deba (per-block ``F.gumbel_softmax``, ``nn.Dropout``,
separate D calls, one G call per critic step, for-loop Adam, per-parameter EMA). Each ``+lever``
variant is the baseline with that one lever; ``all`` has every kept lever; ``trainer`` runs the
library's own ``GANTrainer`` step (what ``fit`` runs now).
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import functools
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils._python_dispatch import TorchDispatchMode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gan_augment.config import TabularModelConfig, TrainingConfig  # noqa: E402
from gan_augment.data.tabular import TabularEncoder  # noqa: E402
from gan_augment.losses import gradient_penalty  # noqa: E402
from gan_augment.models.tabular import TabularDiscriminator, TabularGenerator, _Dropout  # noqa: E402
from gan_augment.training.distributed import SINGLE_PROCESS  # noqa: E402
from gan_augment.training.trainer import GANTrainer, float32_matmul_precision  # noqa: E402

ADULT = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "tabular" / "adult.csv"
LEVERS = ("uniform_gumbel", "batched_gumbel", "cheap_dropout", "joint_d", "joint_d_penalty",
          "batched_fakes", "fused_adam", "foreach_adam", "foreach_ema", "lerp_penalty")


def load(rows: int, seed: int = 0):
    df = pd.read_csv(ADULT, skipinitialspace=True, na_values="?")
    df = df.sample(n=rows, random_state=seed).reset_index(drop=True)
    y = df.pop("income").to_numpy()
    classes, y_index = np.unique(y, return_inverse=True)
    encoder = TabularEncoder(random_state=seed).fit(df)
    X = torch.from_numpy(encoder.transform(df, random_state=seed)).float()
    return encoder, X, torch.from_numpy(y_index).long(), len(classes)


# ----------------------------------------------------------------------------- the baseline pieces
def stepping_trainer(G, D, cfg, X, y, device) -> GANTrainer:
    """A GANTrainer set up as ``fit`` sets it up, in one process, ready for ``_train_step`` calls
    outside ``fit`` (the A/B loop times steps, not epochs). Shared with bench_device.py."""
    trainer = GANTrainer(G, D, cfg, device=device, random_state=0)
    trainer.device_, trainer.group_, trainer.shared_rng_, trainer.seed_ = device, SINGLE_PROCESS, None, 0
    trainer._init_sampler(y.to(device))
    trainer.n_epochs_ = 10 ** 6
    trainer._initialize(X, y)
    return trainer


def lerp_gradient_penalty(discriminator, real, fake, y):
    """The lever tried and dropped: one ``lerp`` with a broadcast per-pack weight."""
    pac = discriminator.pac
    n = real.shape[0] // pac
    weight = torch.rand(n, 1, 1).expand(n, pac, 1).reshape(-1, 1)
    mixed = torch.lerp(fake.detach(), real, weight).requires_grad_(True)
    scores = discriminator(mixed, y)
    (grad,) = torch.autograd.grad(scores.sum(), mixed, create_graph=True)
    norms = grad.reshape(n, -1).norm(2, dim=1)
    return ((norms - 1) ** 2).mean()


class AutogradPenaltyDiscriminator(TabularDiscriminator):
    """The tabular critic with its gradient penalty's input gradient taken by autograd's double
    backward, not written out (``TabularDiscriminator.input_gradient``)."""

    writes_input_gradient = False


def g_forward(G, z, y, lever):
    """G's training forward: the library's (batched) or the old per-block one."""
    if lever.get("batched_gumbel"):
        return G(z, y)
    logits = G.head(G.body(torch.cat([z, G.class_embedding(y)], dim=1)))
    pieces = []
    for start, size, activation in G.spans:
        block = logits[:, start:start + size]
        if activation == "tanh":
            pieces.append(torch.tanh(block))
        elif lever.get("uniform_gumbel"):
            noise = torch.rand_like(block).log_().neg_().log_()
            pieces.append(torch.softmax((block - noise) / G.gumbel_tau, dim=1))
        else:
            pieces.append(F.gumbel_softmax(block, tau=G.gumbel_tau))
    return torch.cat(pieces, dim=1)


class Variant:
    def __init__(self, name, lever, G, D, X, y, n_classes, cfg):
        self.name, self.lever, self.cfg = name, lever, cfg
        self.G, self.D = copy.deepcopy(G).train(), copy.deepcopy(D).train()
        if not name.startswith("trainer"):  # the 6d9deba step and its levers: the penalty by autograd
            self.D.__class__ = AutogradPenaltyDiscriminator
        if not lever.get("cheap_dropout"):
            for i, layer in enumerate(self.D.net):
                if isinstance(layer, _Dropout):
                    self.D.net[i] = nn.Dropout(layer.p)
        self.trainer = None
        if name.startswith("trainer"):
            # "trainer@bf16": the library's step at another TrainingConfig.precision;
            # "trainer@penalty_fraction=0.25": at another value of any TrainingConfig field.
            setting = name.partition("@")[2]
            if setting == "autograd_penalty":  # the penalty's input gradient by autograd, as before 2026-11-27
                self.D.__class__ = AutogradPenaltyDiscriminator
            elif "=" in setting:
                field, _, value = setting.partition("=")
                cfg = dataclasses.replace(cfg, **{field: type(getattr(cfg, field))(value)})
            elif setting:
                cfg = dataclasses.replace(cfg, precision=setting)
            self.precision = functools.partial(float32_matmul_precision, cfg.precision, torch.device("cpu"))
            self.trainer = stepping_trainer(self.G, self.D, cfg, X, y, torch.device("cpu"))
            self.trainer._X = X
        kwargs = {}
        if lever.get("fused_adam"):
            kwargs["fused"] = True
        elif lever.get("foreach_adam"):
            kwargs["foreach"] = True
        else:
            kwargs["foreach"] = False
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=cfg.lr_g, betas=cfg.betas,
                                      weight_decay=cfg.weight_decay, **kwargs)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=cfg.lr_d, betas=cfg.betas,
                                      weight_decay=cfg.weight_decay, **kwargs)
        self.ema = copy.deepcopy(self.G).eval().requires_grad_(False)
        self.step_ = 0
        self.X, self.y = X, y
        self.classes, counts = torch.unique(y, return_counts=True)
        self.counts, self.starts = counts, torch.cumsum(counts, 0) - counts
        self.rows = torch.argsort(y, stable=True)
        self.batch = cfg.batch_size - cfg.batch_size % D.pac  # as the trainer does
        self.cpu, self.wall = [], []

    def labels(self, n):
        pick = torch.randint(len(self.classes), (n,))
        return pick, self.classes[pick]

    def real(self, n):
        pick, labels = self.labels(n)
        offset = (torch.rand(n) * self.counts[pick]).long()
        return self.X[self.rows[self.starts[pick] + offset]], labels

    def step(self):
        if self.trainer is not None:
            with self.precision():
                self.trainer._train_step(self.trainer._X)
            return
        lever, cfg, G, D, B = self.lever, self.cfg, self.G, self.D, self.batch
        D.requires_grad_(True)
        if lever.get("batched_fakes"):
            real_all, labels_all = self.real(B * cfg.n_critic)
            with torch.no_grad():
                fake_all = g_forward(G, torch.randn(B * cfg.n_critic, G.noise_dim), labels_all, lever)
        for k in range(cfg.n_critic):
            if lever.get("batched_fakes"):
                real, fake = real_all[k * B:(k + 1) * B], fake_all[k * B:(k + 1) * B]
                labels = labels_all[k * B:(k + 1) * B]
            else:
                real, labels = self.real(B)
                with torch.no_grad():
                    fake = g_forward(G, torch.randn(B, G.noise_dim), labels, lever)
            if lever.get("joint_d_penalty"):
                pac = D.pac
                w = torch.rand(B // pac, 1).repeat_interleave(pac, dim=0)
                mixed = (w * real + (1 - w) * fake).requires_grad_(True)
                scores = D(torch.cat([real, fake, mixed]), torch.cat([labels, labels, labels]))
                n = B // pac
                (grad,) = torch.autograd.grad(scores[2 * n:].sum(), mixed, create_graph=True)
                norms = grad.reshape(n, -1).norm(2, dim=1)
                loss_d = scores[n:2 * n].mean() - scores[:n].mean() + cfg.gp_weight * ((norms - 1) ** 2).mean()
            else:
                if lever.get("joint_d"):
                    scores = D(torch.cat([real, fake]), torch.cat([labels, labels]))
                    real_s, fake_s = scores.chunk(2)
                else:
                    real_s, fake_s = D(real, labels), D(fake, labels)
                penalty = lerp_gradient_penalty if lever.get("lerp_penalty") else gradient_penalty
                loss_d = fake_s.mean() - real_s.mean() + cfg.gp_weight * penalty(D, real, fake, labels)
            self.opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            self.opt_d.step()
        D.requires_grad_(False)
        _, labels = self.labels(B)
        loss_g = -D(g_forward(G, torch.randn(B, G.noise_dim), labels, lever), labels).mean()
        self.opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        self.opt_g.step()
        self.step_ += 1
        with torch.no_grad():
            decay = min(cfg.ema_decay, (1 + self.step_) / (10 + self.step_))
            if lever.get("foreach_ema"):
                torch._foreach_lerp_(list(self.ema.parameters()), list(G.parameters()), 1.0 - decay)
            else:
                for e, p in zip(self.ema.parameters(), G.parameters()):
                    e.lerp_(p, 1.0 - decay)


# ----------------------------------------------------------------------------- sampling
SAMPLE_COLUMNS = ["age", "hours-per-week", "education", "sex", "income"]


def sample_child(model_dir: str, n: int, mode: str) -> None:
    """In a fresh process: peak RSS above the loaded model while drawing ``n`` rows, and rows/s."""
    import resource

    from gan_augment import GANAugmenter
    from gan_augment.training.trainer import generate

    augmenter = GANAugmenter.load(model_dir)
    augmenter.sample(5000, augmenter.classes_[0])  # warm: first-call allocations are not the sample's
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    c0, w0 = time.process_time(), time.perf_counter()
    if mode == "whole":  # the code before issue 15: the whole encoded matrix, then one decode
        encoded = generate(augmenter.generator_, n, 0, seed=1)
        rows = augmenter.kind_.decode(augmenter.encoder_, encoded, seed=2)
    else:
        rows = augmenter.sample(n, augmenter.classes_[0])
    c1, w1 = time.process_time(), time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert len(rows) == n
    print(f"{mode:<8} n={n:>9,}  peak RSS above the loaded model {(peak - before) / 1024:7.0f} MB  "
          f"{n / (c1 - c0):>10,.0f} rows/CPU-s  {n / (w1 - w0):>10,.0f} rows/wall-s  "
          f"(threads {torch.get_num_threads()})", flush=True)


def bench_sampling(n: int, threads: str, all_columns: bool = False) -> None:
    import subprocess
    import tempfile

    from gan_augment import GANAugmenter

    df = pd.read_csv(ADULT, skipinitialspace=True, na_values="?")
    columns = list(df.columns) if all_columns else SAMPLE_COLUMNS
    df = df[columns].sample(n=3000, random_state=0)
    y = df.pop("income").to_numpy()
    with tempfile.TemporaryDirectory() as tmp:
        GANAugmenter(epochs=1, random_state=0, n_threads=1).fit(df, y).save(f"{tmp}/model")
        print(f"table: {len(columns) - 1} columns of Adult ({', '.join(columns[:-1])})")
        for mode in ("whole", "chunked"):
            code = (f"import torch; torch.set_num_threads({threads}); import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
                    f"import bench_step; bench_step.sample_child({tmp + '/model'!r}, {n}, {mode!r})")
            subprocess.run([sys.executable, "-c", code], check=True)


def bench_threads(rounds: int, steps: int) -> None:
    """Short fits at 1 and 2 threads and "auto", taking turns, in one process: CPU and wall seconds."""
    from gan_augment import GANAugmenter
    from gan_augment.training.trainer import resolve_threads

    df = pd.read_csv(ADULT, skipinitialspace=True, na_values="?").sample(n=2000, random_state=0)
    y = df.pop("income").to_numpy()
    times = {1: [], 2: [], "auto": []}
    for r in range(rounds):
        for n_threads in (list(times) if r % 2 == 0 else list(times)[::-1]):
            resolved = resolve_threads(n_threads)
            c0, w0 = time.process_time(), time.perf_counter()
            GANAugmenter(epochs=steps // 4, batch_size=500, random_state=0, n_threads=n_threads).fit(df, y)
            times[n_threads].append((time.process_time() - c0, time.perf_counter() - w0, resolved))
            print(f"round {r} n_threads={n_threads!s:<5} (-> {resolved}) CPU {times[n_threads][-1][0]:6.1f} s "
                  f"wall {times[n_threads][-1][1]:6.1f} s  load {os.getloadavg()[0]:.1f}", flush=True)
    for n_threads, rows in times.items():
        print(f"n_threads={n_threads!s:<5} median CPU {statistics.median(t[0] for t in rows):6.1f} s  "
              f"median wall {statistics.median(t[1] for t in rows):6.1f} s")


class _MatmulRecorder(TorchDispatchMode):
    """Records the shape and strides of both operands of every matrix product a step runs
    (forward, backward and the penalty's double backward), and counts every aten op."""

    PRODUCTS = {torch.ops.aten.mm.default, torch.ops.aten.addmm.default}

    def __init__(self):
        super().__init__()
        self.calls, self.ops = [], 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.ops += 1
        if func in self.PRODUCTS:
            a, b = (args[0], args[1]) if func is torch.ops.aten.mm.default else (args[1], args[2])
            self.calls.append(((tuple(a.shape), a.stride()), (tuple(b.shape), b.stride())))
        return func(*args, **(kwargs or {}))


def bench_rate(steps: int, rounds: int, rows: int) -> None:
    """The library's step against the same matrix products run bare, in one process: the share of
    the one-core matmul rate the step achieves (issue 15's target: at least 75%)."""
    encoder, X, y, n_classes = load(rows)
    model, cfg = TabularModelConfig(), TrainingConfig()
    G = TabularGenerator(model.noise_dim, n_classes, encoder.output_spans, hidden_dims=model.generator_dims,
                         gumbel_tau=model.gumbel_tau)
    D = TabularDiscriminator(encoder.output_dim, n_classes, hidden_dims=model.discriminator_dims, pac=model.pac,
                             dropout=model.discriminator_dropout)
    trainer = stepping_trainer(G, D, cfg, X, y, torch.device("cpu"))
    for _ in range(5):
        trainer._train_step(X)  # warm up
    recorder = _MatmulRecorder()
    with recorder:
        trainer._train_step(X)
    flops = sum(2 * a[0][0] * a[0][1] * b[0][1] for a, b in recorder.calls)
    operands = [(_strided(a_spec), _strided(b_spec)) for a_spec, b_spec in recorder.calls]
    out = [torch.empty(a.shape[0], b.shape[1]) for a, b in operands]

    def bare():
        for (a, b), o in zip(operands, out):
            torch.mm(a, b, out=o)

    step_cpu, bare_cpu = [], []
    for r in range(rounds):
        for which in ((("step", step_cpu), ("bare", bare_cpu)) if r % 2 == 0 else
                      (("bare", bare_cpu), ("step", step_cpu))):
            c0 = time.process_time()
            for _ in range(steps):
                trainer._train_step(X) if which[0] == "step" else bare()
            which[1].append((time.process_time() - c0) / steps)
    step, matmul = statistics.median(step_cpu), statistics.median(bare_cpu)
    print(f"Adult subsample {rows} rows, encoded width {X.shape[1]}, batch {trainer.batch_size_}, "
          f"{torch.get_num_threads()} thread(s), torch {torch.__version__}")
    print(f"aten ops per step: {recorder.ops}, of which matrix products {len(recorder.calls)} "
          f"({flops / 1e6:.0f} MFLOP)")
    print(f"step: {1e3 * step:.1f} CPU ms ({flops / step / 1e9:.1f} GFLOP/s); the same products bare: "
          f"{1e3 * matmul:.1f} CPU ms ({flops / matmul / 1e9:.1f} GFLOP/s)")
    print(f"achieved share of the matmul rate: {matmul / step:.1%} (rounds: "
          + ", ".join(f"{b / s:.1%}" for s, b in zip(step_cpu, bare_cpu)) + ")")
    # Two of the larger non-matmul costs, timed alone at the step's sizes: random numbers (Gumbel
    # uniforms, the noise z, dropout masks) and the softmax over the padded block layout.
    numbers = torch.empty(100_000)
    padded = torch.randn(trainer.batch_size_, G.n_soft_blocks, G.widest_block)
    for name, op in (("one random uniform", numbers.uniform_), ("one random normal", numbers.normal_),
                     ("one float added (x + x)", lambda: numbers + numbers)):
        print(f"{name}: {1e9 * _cpu_seconds(op) / numbers.numel():.2f} CPU ns")
    print(f"softmax of one batch's padded blocks {tuple(padded.shape)} ({G.soft_columns.numel()} of "
          f"{padded[0].numel()} slots real): {1e3 * _cpu_seconds(lambda: torch.softmax(padded, dim=2)):.2f} CPU ms")


def _cpu_seconds(op, repeats: int = 200) -> float:
    op()
    started = time.process_time()
    for _ in range(repeats):
        op()
    return (time.process_time() - started) / repeats


def _strided(spec):
    """A random tensor of the given shape and strides (a transposed view where the step had one)."""
    shape, stride = spec
    if stride == torch.empty(shape).stride():
        return torch.randn(shape)
    size = 1 + sum((n - 1) * s for n, s in zip(shape, stride))
    return torch.randn(size).as_strided(shape, stride)


def main(argv=None):
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "rate":
        parser = argparse.ArgumentParser(description="the step's share of the one-core matmul rate")
        parser.add_argument("--steps", type=int, default=20, help="steps (or bare replays) per round")
        parser.add_argument("--rounds", type=int, default=10)
        parser.add_argument("--rows", type=int, default=5000)
        args = parser.parse_args(sys.argv[2:])
        bench_rate(args.steps, args.rounds, args.rows)
        return
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "threads":
        parser = argparse.ArgumentParser(description="short fits at 1, 2 and auto threads")
        parser.add_argument("--rounds", type=int, default=3)
        parser.add_argument("--steps", type=int, default=100, help="generator updates per fit")
        args = parser.parse_args(sys.argv[2:])
        bench_threads(args.rounds, args.steps)
        return
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "sample":
        parser = argparse.ArgumentParser(description="peak memory and rows/s of GANAugmenter.sample")
        parser.add_argument("--n", type=int, default=1_000_000)
        parser.add_argument("--threads", default="1")
        parser.add_argument("--all-columns", action="store_true", help="all 14 Adult columns, not 4")
        args = parser.parse_args(sys.argv[2:])
        bench_sampling(args.n, args.threads, args.all_columns)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--variants", default="baseline," + ",".join("+" + lever for lever in LEVERS) + ",all,trainer")
    parser.add_argument("--all", default="batched_gumbel,cheap_dropout,joint_d,batched_fakes,fused_adam",
                        help="levers of the 'all' variant")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    encoder, X, y, n_classes = load(args.rows)
    model, cfg = TabularModelConfig(), TrainingConfig()
    G = TabularGenerator(model.noise_dim, n_classes, encoder.output_spans, hidden_dims=model.generator_dims,
                         gumbel_tau=model.gumbel_tau)
    D = TabularDiscriminator(encoder.output_dim, n_classes, hidden_dims=model.discriminator_dims, pac=model.pac,
                             dropout=model.discriminator_dropout)
    variants = []
    for name in args.variants.split(","):
        if name == "baseline":
            lever = {}
        elif name == "all" or name.startswith("trainer"):
            lever = {k: True for k in args.all.split(",")}
        else:
            lever = {name.lstrip("+"): True}
        variants.append(Variant(name, lever, G, D, X, y, n_classes, cfg))
    print(f"Adult subsample {args.rows} rows, encoded width {X.shape[1]}, {len(encoder.output_spans)} blocks, "
          f"batch {variants[0].batch}, threads {args.threads}, torch {torch.__version__}", flush=True)
    for i in range(args.warmup + args.steps):
        order = variants if i % 2 == 0 else variants[::-1]  # alternate the order too
        for v in order:
            torch.manual_seed(i)
            c0, w0 = time.process_time(), time.perf_counter()
            v.step()
            c1, w1 = time.process_time(), time.perf_counter()
            if i >= args.warmup:
                v.cpu.append(c1 - c0)
                v.wall.append(w1 - w0)
    base = variants[0]
    print(f"{'variant':<20} {'CPU ms/step':>12} {'wall ms':>9} {'ratio vs ' + base.name:>18}")
    for v in variants:
        # Ratio of medians of the per-step CPU times, and the median of the step-paired ratios.
        paired = statistics.median(b / s for b, s in zip(base.cpu, v.cpu) if s > 0)
        print(f"{v.name:<20} {1e3 * statistics.median(v.cpu):>12.2f} {1e3 * statistics.median(v.wall):>9.2f} "
              f"{statistics.median(base.cpu) / statistics.median(v.cpu):>10.3f}x (paired {paired:.3f}x)", flush=True)


if __name__ == "__main__":
    main()
