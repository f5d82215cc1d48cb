"""Adult benchmark: gan-augment against CTGAN and cheap baselines, same machine, same run.

Speed (full Adult, 32,561 rows): fit wall time at each tool's defaults and at equal epochs / batch
size, peak memory (ru_maxrss of a fresh subprocess per measured fit), sampling throughput (rows/s
decoded to a DataFrame) and the time to sample 10,000 rows of the rarest vs the commonest class.

Utility (cut Adult): per seed a stratified 80/20 split; in the training split the >50K class is cut
to 5% of its rows; none / class weights (``class_weight="balanced"``, no resampling) / random
oversampling / SMOTE-NC / CTGAN top-up / gan-augment top-up; LR and HGB scored on the untouched
test split (balanced accuracy, macro-F1, rare-class recall).

    .venv/bin/python benchmarks/bench_adult.py            # full run, ~60 min on 2 cores
    .venv/bin/python benchmarks/bench_adult.py --quick    # smoke run: 1 seed, CTGAN 5 epochs

Writes benchmarks/RESULTS.md and benchmarks/results.json (``--quick`` writes RESULTS_quick.md /
results_quick.json instead, so a smoke run never overwrites the real results).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shlex
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _adult as A  # noqa: E402

HERE = Path(__file__).resolve().parent
REPEATS = 3  # timing repeats for sampling; the median is reported


# =================================================================================== worker
def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _median_time(fn, repeats=REPEATS):
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def worker(spec: dict) -> dict:
    """One measured fit (and optionally sampling) in a fresh process; returns a JSON-able dict."""
    import torch

    torch.set_num_threads(spec["threads"])
    A.limit_threads(spec["threads"])
    X, y = A.load_adult(spec["data"])
    seed, tool = spec["seed"], spec["tool"]
    counts = pd.Series(y).value_counts()
    rare, common = counts.index[-1], counts.index[0]
    out = {"tool": tool, "label": spec["label"], "n_rows": len(X), "rss_before_fit_mib": _maxrss_mib()}

    if tool == "ours":
        from gan_augment import GANAugmenter

        params = {"random_state": seed}
        if spec["epochs"] != "default":
            params.update(epochs=int(spec["epochs"]), batch_size=int(spec["batch_size"]))
        model = GANAugmenter(**params)
        t = time.perf_counter()
        model.fit(X, y)
        out["fit_s"] = time.perf_counter() - t
        epochs = len(model.history_)
        # The batch the fit ran with: "auto" resolved, rounded down to a multiple of pac.
        batch = model.training_config_.batch_size - model.training_config_.batch_size % model.pac
        out.update(epochs=epochs, batch_size=batch, generator_steps=epochs * math.ceil(len(X) / batch),
                   params={k: str(v) for k, v in model.get_params().items() if k != "callbacks"})
    else:
        epochs = 300 if spec["epochs"] == "default" else int(spec["epochs"])
        batch = 500 if spec["epochs"] == "default" else int(spec["batch_size"])
        frame = A.ctgan_frame(X, y)
        model = A.make_ctgan(epochs, batch, seed)
        t = time.perf_counter()
        model.fit(frame, discrete_columns=A.ctgan_discrete(frame))
        out["fit_s"] = time.perf_counter() - t
        out.update(epochs=epochs, batch_size=batch, generator_steps=epochs * max(len(X) // batch, 1))
    out["peak_rss_fit_mib"] = _maxrss_mib()

    if spec.get("sampling"):
        n, k = spec["sample_rows"], spec["class_rows"]
        if tool == "ours":
            shares = {c: int(round(n * counts[c] / len(y))) for c in counts.index}
            shares[common] += n - sum(shares.values())
            model.sample(1000, common)  # warm-up

            def draw_all():
                return pd.concat([model.sample(m, c) for c, m in shares.items()], ignore_index=True)

            out["sample_s"], rows = _median_time(draw_all)
            out["sample_rows"] = len(rows)
            out["sample_what"] = "per class in training proportions (two label-exact calls)"
            for name, cls in (("rare", rare), ("common", common)):
                sec, rows = _median_time(lambda: model.sample(k, cls))
                out[f"class_{name}"] = {"label": str(cls), "seconds": sec, "rows": len(rows), "label_share": 1.0}
        else:
            model.sample(1000)  # warm-up
            out["sample_s"], rows = _median_time(lambda: model.sample(n))
            out["sample_rows"] = len(rows)
            out["sample_what"] = "unconditional model.sample(n)"
            for name, cls in (("rare", rare), ("common", common)):
                sec, rows = _median_time(lambda: model.sample(k, condition_column=A.TARGET, condition_value=cls))
                share = float((rows[A.TARGET].astype(str) == str(cls)).mean())
                # Label-exact: keep drawing (conditioned) and discard rows of the wrong label.
                t = time.perf_counter()
                kept, drawn = _ctgan_exact(model, k, cls)
                exact_s = time.perf_counter() - t
                out[f"class_{name}"] = {"label": str(cls), "seconds": sec, "rows": len(rows), "label_share": share,
                                        "exact_seconds": exact_s, "exact_rows": kept, "exact_drawn": drawn}
        out["sample_rows_per_s"] = out["sample_rows"] / out["sample_s"]
        out["peak_rss_total_mib"] = _maxrss_mib()
    return out


def _ctgan_exact(model, k, cls, max_factor=50):
    kept, drawn = 0, 0
    while kept < k and drawn < max_factor * k:
        rows = model.sample(k, condition_column=A.TARGET, condition_value=cls)
        drawn += len(rows)
        kept += int((rows[A.TARGET].astype(str) == str(cls)).sum())
    return min(kept, k), drawn


def run_worker(spec: dict) -> dict:
    """Run :func:`worker` in a fresh interpreter so that ru_maxrss belongs to this fit alone."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(spec)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"worker {spec['label']} failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    line = next(line for line in reversed(proc.stdout.splitlines()) if line.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


# =================================================================================== utility
def utility_seed(X_all, y_all, seed, args) -> list[dict]:
    X_tr, y_tr, X_te, y_te = A.cut_task(X_all, y_all, seed)
    rows = []

    def add(arm, X_r, y_r, fit_s, extra=None, *, balanced=False):
        t = time.perf_counter()
        metrics = A.evaluate_arm(X_r, y_r, X_te, y_te, seed, balanced=balanced)
        eval_s = time.perf_counter() - t
        row = {"seed": seed, "arm": arm, "resample_s": fit_s, "eval_s": eval_s, "n_train": len(y_r),
               **(extra or {}), **A.flat_metrics(metrics)}
        rows.append(row)
        print(f"  seed {seed} {arm:<22} resample {fit_s:6.1f}s  macro-F1 LR {row['LR_macro_f1']:.3f} "
              f"HGB {row['HGB_macro_f1']:.3f}  rare recall LR {row['LR_rare_recall']:.3f} "
              f"HGB {row['HGB_rare_recall']:.3f}", flush=True)

    add("none", X_tr, y_tr, 0.0)
    add("class weights", X_tr, y_tr, 0.0, balanced=True)
    for arm, fn in (("random oversampling", A.resample_ros), ("SMOTE-NC", A.resample_smotenc)):
        t = time.perf_counter()
        X_r, y_r = fn(X_tr, y_tr, seed)
        add(arm, X_r, y_r, time.perf_counter() - t)
    if not args.skip_ctgan:
        t = time.perf_counter()
        X_r, y_r, info = A.resample_ctgan(X_tr, y_tr, seed, args.ctgan_utility_epochs, args.batch_size)
        add(f"CTGAN ({args.ctgan_utility_epochs} ep)", X_r, y_r, time.perf_counter() - t, {"ctgan": info})
    t = time.perf_counter()
    X_r, y_r, augmenter = A.resample_gan(X_tr, y_tr, seed)
    gate = augmenter.label_gate_
    acceptance = None if gate is None else dict(zip(map(str, augmenter.classes_), gate.acceptance))
    add("gan-augment", X_r, y_r, time.perf_counter() - t, {"epochs": len(augmenter.history_),
                                                            "gate_acceptance": acceptance})
    return rows


# =================================================================================== main
def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None,
                        help=f"folder holding tabular/adult.csv (default: ../shared/data from the repo root, "
                             f"{A.DEFAULT_DATA_DIR})")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 1 seed, CTGAN at 5 epochs everywhere, equal-epochs comparison at 5")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    parser.add_argument("--batch-size", type=int, default=500, help="batch size of the equal-settings comparison")
    parser.add_argument("--equal-epochs", type=int, default=30, help="epochs of the equal-settings comparison")
    parser.add_argument("--ctgan-epochs", type=int, default=300,
                        help="CTGAN epochs for the 'defaults' speed row (its default is 300)")
    parser.add_argument("--ctgan-utility-epochs", type=int, default=100,
                        help="CTGAN epochs in the utility arm (default 100: 5 seeds at 300 do not fit the budget)")
    parser.add_argument("--sample-rows", type=int, default=100_000)
    parser.add_argument("--class-rows", type=int, default=10_000)
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-utility", action="store_true")
    parser.add_argument("--skip-ctgan", action="store_true", help="leave CTGAN out (e.g. when it is not installed)")
    parser.add_argument("--out", default=None, help="markdown report (default benchmarks/RESULTS.md)")
    parser.add_argument("--json", default=None, help="raw results (default benchmarks/results.json)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.seeds = args.seeds[:1]
        args.ctgan_epochs = args.ctgan_utility_epochs = args.equal_epochs = 5
    suffix = "_quick" if args.quick else ""
    args.out = Path(args.out or HERE / f"RESULTS{suffix}.md")
    args.json = Path(args.json or HERE / f"results{suffix}.json")
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        print("RESULT " + json.dumps(worker(json.loads(args.worker)), default=float), flush=True)
        return
    data = A.adult_path(args.data_dir)  # exits with a clear message when missing
    if not args.skip_ctgan:
        try:
            import ctgan  # noqa: F401
        except ImportError:
            sys.exit("error: the CTGAN peer is not installed. Install it (benchmark-only) with\n"
                     "  .venv/bin/pip install -c benchmarks/constraints.txt ctgan   (see benchmarks/README.md)\n"
                     "or run with --skip-ctgan.")
    import torch

    torch.set_num_threads(args.threads)
    A.limit_threads(args.threads)
    results = {
        "command": shlex.join([".venv/bin/python", "benchmarks/bench_adult.py",
                               *(sys.argv[1:] if argv is None else argv)]),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": A.machine_info(),
        "load_average_start": A.load_average(),
        "quick": args.quick,
        "settings": {k: (os.path.relpath(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if k != "worker"},
        "speed": [],
        "utility": [],
    }
    started = time.perf_counter()

    def save():
        results["total_s"] = time.perf_counter() - started
        results["load_average_end"] = A.load_average()
        args.json.write_text(json.dumps(results, indent=1, default=float))
        args.out.write_text(render(results))

    if not args.skip_speed:
        print("== speed (full Adult; each fit in a fresh subprocess)", flush=True)
        base = {"data": str(data), "threads": args.threads, "seed": 0, "batch_size": args.batch_size,
                "sample_rows": args.sample_rows, "class_rows": args.class_rows}
        ctgan_default = "default" if args.ctgan_epochs == 300 else args.ctgan_epochs
        specs = [
            dict(base, tool="ours", label="defaults", epochs="default", sampling=True),
            dict(base, tool="ours", label="equal", epochs=args.equal_epochs),
        ]
        if not args.skip_ctgan:
            specs += [dict(base, tool="ctgan", label="defaults", epochs=ctgan_default, sampling=True)]
            if args.equal_epochs != args.ctgan_epochs or args.batch_size != 500:
                specs += [dict(base, tool="ctgan", label="equal", epochs=args.equal_epochs)]
        for spec in specs:
            t = time.perf_counter()
            result = run_worker(spec)
            result["load_average"] = A.load_average()
            results["speed"].append(result)
            print(f"  {spec['tool']:<6} {spec['label']:<9} epochs {result['epochs']:>4} fit {result['fit_s']:7.1f}s "
                  f"peak RSS {result['peak_rss_fit_mib']:7.0f} MiB  (subprocess {time.perf_counter() - t:.0f}s)",
                  flush=True)
            if "sample_rows_per_s" in result:
                print(f"         sampling {result['sample_rows_per_s']:,.0f} rows/s; 10k rare "
                      f"{result['class_rare']['seconds']:.3f}s vs common {result['class_common']['seconds']:.3f}s",
                      flush=True)
            save()

    if not args.skip_utility:
        print("== utility (cut Adult)", flush=True)
        X_all, y_all = A.load_adult(data)
        for seed in args.seeds:
            results["utility"].extend(utility_seed(X_all, y_all, seed, args))
            save()
    save()
    print(f"wrote {args.out} and {args.json} in {results['total_s'] / 60:.1f} min", flush=True)


# =================================================================================== report
def _fmt_s(x):
    return "n/a" if x is None else f"{x:.1f}"


def _targets(results) -> list[tuple[str, str, str]]:
    rows = []
    speed = {(r["tool"], r["label"]): r for r in results["speed"]}
    ours, theirs = speed.get(("ours", "defaults")), speed.get(("ctgan", "defaults"))
    if ours and theirs:
        ratio = ours["fit_s"] / theirs["fit_s"]
        note = "" if theirs["epochs"] == 300 else f" (CTGAN at {theirs['epochs']} epochs, not its defaults: not a valid check)"
        rows.append(("fit at defaults <= 0.2 x CTGAN's at its defaults", f"{ratio:.3f} x{note}",
                     _met(ratio <= 0.2 and theirs["epochs"] == 300, valid=theirs["epochs"] == 300)))
    if ours:
        rows.append(("stretch: fit at defaults under 60 s", f"{ours['fit_s']:.1f} s", _met(ours["fit_s"] < 60)))
        for floor in (200_000, 300_000):
            rows.append((f"sampling >= {floor:,} rows/s", f"{ours['sample_rows_per_s']:,.0f} rows/s",
                         _met(ours["sample_rows_per_s"] >= floor)))
        ratio = ours["class_rare"]["seconds"] / ours["class_common"]["seconds"]
        rows.append(("rare/common sampling time ratio <= 1.5", f"{ratio:.2f}", _met(ratio <= 1.5)))
    util = pd.DataFrame(results["utility"])
    if not util.empty and {"gan-augment", "SMOTE-NC", "random oversampling"} <= set(util["arm"]):
        means = util.groupby("arm").mean(numeric_only=True)
        references = [("SMOTE-NC", ""), ("random oversampling", "stretch: ")]
        if "class weights" in set(util["arm"]):
            references.append(("class weights", "stretch: "))
        for ref, prefix in references:
            for clf in ("LR", "HGB"):
                for metric, name in (("macro_f1", "macro-F1"), ("rare_recall", "rare recall")):
                    ours_v, ref_v = means.loc["gan-augment", f"{clf}_{metric}"], means.loc[ref, f"{clf}_{metric}"]
                    rows.append((f"{prefix}{name} ({clf}) >= {ref}", f"{ours_v:.3f} vs {ref_v:.3f}",
                                 _met(ours_v >= ref_v)))
    return rows


def _met(ok, valid=True):
    if not valid:
        return "n/a"
    return "met" if ok else "**not met**"


def render(results) -> str:
    m = results["machine"]
    s = results["settings"]
    lines = ["# Adult benchmark: gan-augment vs CTGAN and baselines", ""]
    if results["quick"]:
        lines += ["> **Smoke run (`--quick`)**: 1 seed, CTGAN at 5 epochs everywhere. Not the benchmark; "
                  "the numbers only show that the script runs end to end.", ""]
    lines += [
        f"Command: `{results['command']}`  ",
        f"Date (UTC): {results['date']}; the whole run took {results.get('total_s', 0) / 60:.1f} min  ",
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gib']} GiB RAM; Python {m['python']}; torch {m['torch']} "
        f"(threads={s['threads']}); scikit-learn {m['scikit-learn']}; imbalanced-learn {m['imbalanced-learn']}; "
        f"numpy {m['numpy']}; pandas {m['pandas']}; ctgan {m['ctgan']}; gan-augment {m['gan_augment']} @ "
        f"{m['git_commit']}  ",
        f"Load average (1/5/15 min) at start: {results['load_average_start']}; at end: "
        f"{results.get('load_average_end', '?')}. Wall times are only comparable within one run on an otherwise idle machine.",
        "",
    ]
    if results["speed"]:
        lines += [
            "## Speed (full Adult, 32,561 rows x 14 features + income)",
            "",
            "Each fit runs in a fresh subprocess; peak RSS is that process's `ru_maxrss` right after `fit` "
            "(it includes the interpreter, torch and the data: the baseline before fit is shown).",
            "",
            "| tool | setting | epochs | batch | generator steps | fit wall s | peak RSS MiB (before fit) |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in results["speed"]:
            setting = "its defaults" if r["label"] == "defaults" else "equal epochs / batch"
            if r["tool"] == "ours" and r["label"] == "defaults":
                setting = "GANAugmenter() defaults (epochs='auto')"
            if r["tool"] == "ctgan" and r["label"] == "defaults" and r["epochs"] != 300:
                setting = f"defaults but {r['epochs']} epochs (quick)"
            lines.append(f"| {'gan-augment' if r['tool'] == 'ours' else 'CTGAN'} | {setting} | {r['epochs']} | "
                         f"{r['batch_size']} | {r['generator_steps']:,} | {r['fit_s']:.1f} | "
                         f"{r['peak_rss_fit_mib']:.0f} ({r['rss_before_fit_mib']:.0f}) |")
        lines += ["", "gan-augment's batch 500 becomes 496 (a multiple of pac=8); CTGAN's steps per epoch are "
                  "floor(n/batch), gan-augment's ceil(n/batch).", ""]
        sampled = [r for r in results["speed"] if "sample_rows_per_s" in r]
        if sampled:
            lines += [
                "### Sampling (models from the 'defaults' fits)",
                "",
                f"Throughput: {s['sample_rows']:,} rows decoded to a DataFrame, median of {REPEATS}. "
                f"Per class: {s['class_rows']:,} rows asked for with the class as the condition, median of {REPEATS}; "
                "'label share' is the share of returned rows that carry the asked label. For CTGAN the "
                "label-exact column keeps drawing conditioned rows and discards wrong labels until "
                f"{s['class_rows']:,} rows of the class are in hand.",
                "",
                "| tool | rows/s | how | 10k rarest class s (label share) | 10k commonest class s (label share) | "
                "rare/common time | label-exact 10k rarest s (rows drawn) |",
                "|---|---|---|---|---|---|---|",
            ]
            for r in sampled:
                rare, common = r["class_rare"], r["class_common"]
                exact = (f"{rare['exact_seconds']:.2f} ({rare['exact_drawn']:,})" if "exact_seconds" in rare
                         else f"{rare['seconds']:.2f} (10,000: exact by construction)")
                lines.append(
                    f"| {'gan-augment' if r['tool'] == 'ours' else 'CTGAN'} | {r['sample_rows_per_s']:,.0f} | "
                    f"{r['sample_what']} | {rare['seconds']:.3f} ({rare['label_share']:.1%}, `{rare['label']}`) | "
                    f"{common['seconds']:.3f} ({common['label_share']:.1%}, `{common['label']}`) | "
                    f"{rare['seconds'] / common['seconds']:.2f} | {exact} |")
            lines += [""]
    util = pd.DataFrame(results["utility"])
    if not util.empty:
        seeds = sorted(util["seed"].unique().tolist())
        lines += [
            "## Utility (cut Adult)",
            "",
            f"Per seed ({', '.join(map(str, seeds))}): stratified 80/20 split; in the training split the `>50K` "
            "class is cut to 5% of its rows; each augmenting arm tops `>50K` up to the majority count using "
            "training data only; classifiers are scored on the untouched test split. Mean ± std (ddof=1) over seeds.",
            "",
            "- LR: median-impute + StandardScaler on numerics, constant-impute + OneHotEncoder(handle_unknown='ignore') "
            "on categoricals, LogisticRegression(max_iter=2000).",
            "- HGB: OrdinalEncoder (unknown/missing -> NaN) + HistGradientBoostingClassifier with native categorical support.",
            "- class weights: the same classifiers with `class_weight=\"balanced\"` on the cut training data, "
            "no resampling.",
            "- SMOTE-NC: missing values imputed first (median / 'missing').",
            f"- CTGAN: fitted on the cut training data with `income` as a discrete column, **{s['ctgan_utility_epochs']} "
            "epochs** (not its default 300: 5 seeds at 300 epochs do not fit the ~60-minute budget on 2 cores), "
            "batch 500; `>50K` rows drawn with `condition_column='income', condition_value='>50K'`, rows of the "
            "wrong label discarded (see the draws table).",
            "- gan-augment: `GANAugmenter(classes=['>50K'], random_state=seed).fit_resample(X, y)`, all else default "
            "(the label gate on, as for every table by default).",
            "",
        ]
        arms = list(dict.fromkeys(util["arm"]))
        for clf in ("LR", "HGB"):
            lines += [f"### {clf}", "", "| arm | balanced accuracy | macro-F1 | rare-class recall | resample s |",
                      "|---|---|---|---|---|"]
            for arm in arms:
                sub = util[util["arm"] == arm]
                lines.append(f"| {arm} | {A.mean_std(sub[f'{clf}_balanced_accuracy'])} | "
                             f"{A.mean_std(sub[f'{clf}_macro_f1'])} | {A.mean_std(sub[f'{clf}_rare_recall'])} | "
                             f"{sub['resample_s'].mean():.1f} |")
            lines += [""]
        if "ctgan" in util.columns:
            draws = util.dropna(subset=["ctgan"])
            if not draws.empty:
                lines += ["### CTGAN conditional draws", "",
                          "| seed | `>50K` rows needed | kept | rows drawn | kept share |", "|---|---|---|---|---|"]
                for _, row in draws.iterrows():
                    info = row["ctgan"]
                    lines.append(f"| {row['seed']} | {info['n_needed']:,} | {info['n_kept']:,} | {info['n_drawn']:,} | "
                                 f"{info['n_kept'] / max(info['n_drawn'], 1):.1%} |")
                lines += [""]
    targets = _targets(results)
    if targets:
        lines += ["## Targets", "", "| target | measured | status |", "|---|---|---|"]
        lines += [f"| {t} | {v} | {ok} |" for t, v, ok in targets]
        lines += [""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
