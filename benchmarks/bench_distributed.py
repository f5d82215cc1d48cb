"""Data-parallel training on CPU: 1 process against 2 (gloo), the same global batch (issue 14).

    python benchmarks/bench_distributed.py                    # Adult, 5,000 rows, 12 epochs, rounds of 1 and 2
    python benchmarks/bench_distributed.py --rows 2000 --epochs 4 --rounds 1 --out quick.json --markdown quick.md

Each run starts fresh processes the way ``torchrun`` does (RANK, WORLD_SIZE, MASTER_ADDR/PORT in the
environment), one torch thread each, and fits ``GANAugmenter(epochs=..., random_state=0)`` on the
same Adult subsample. Rank 0 records the fit's wall time, its CPU time, the per-epoch step times
the trainer logs, and a fingerprint of what it learned (the mean of 2,000 samples of the rare class);
world sizes alternate round by round so that both see the same load. On 2 cores, 2 processes cannot
be faster than 1 in CPU terms: the point is that the engine is correct and what the communication
costs; on a machine with more cores the step time per process falls with the per-process batch.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ADULT = HERE.parent.parent / "shared" / "data" / "tabular" / "adult.csv"


def worker(args) -> None:
    import pandas as pd
    import torch

    sys.path.insert(0, str(HERE.parent))
    from gan_augment import GANAugmenter

    torch.set_num_threads(1)
    frame = pd.read_csv(ADULT, skipinitialspace=True, na_values="?").sample(n=args.rows, random_state=0)
    y = frame.pop("income").to_numpy()
    rare = pd.Series(y).value_counts().idxmin()
    started, cpu_started = time.perf_counter(), time.process_time()
    augmenter = GANAugmenter(epochs=args.epochs, random_state=0, verbose=0).fit(frame, y)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if int(os.environ.get("RANK", "0")) == 0:
        sample = augmenter.sample(2000, rare, random_state=1)
        numeric = sample.select_dtypes("number").mean().round(3).to_dict()
        real = frame[y == rare].select_dtypes("number").mean().round(3).to_dict()
        epoch_times = [r["time_s"] for r in augmenter.history_][1:]  # the first epoch warms up
        Path(args.result).write_text(json.dumps({
            "fit_wall_s": wall, "fit_cpu_s": cpu, "epoch_s": statistics.median(epoch_times),
            "final_loss_d": augmenter.history_[-1]["loss_d"],
            "rare_sample_means": numeric, "rare_real_means": real, "rare": str(rare),
            "batch_size": augmenter.training_config_.batch_size,
        }))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def launch(world_size: int, args, result: Path) -> dict:
    port = _free_port()
    processes = []
    for rank in range(world_size):
        env = dict(os.environ, OMP_NUM_THREADS="1", RANK=str(rank), LOCAL_RANK=str(rank),
                   WORLD_SIZE=str(world_size), MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
        if world_size == 1:
            for name in ("RANK", "LOCAL_RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
                env.pop(name)
        processes.append(subprocess.Popen([sys.executable, __file__, "--worker", "--result", str(result),
                                           "--rows", str(args.rows), "--epochs", str(args.epochs)], env=env))
    codes = [process.wait() for process in processes]
    if any(codes):
        raise SystemExit(f"a process of the {world_size}-process run failed: exit codes {codes}")
    return json.loads(result.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", default=str(HERE / "distributed_results.json"))
    parser.add_argument("--markdown", default=str(HERE / "DISTRIBUTED.md"))
    parser.add_argument("--note", default=None, help="a paragraph on the run's conditions, kept in the JSON")
    parser.add_argument("--report-only", action="store_true", help="only rewrite --markdown from --out")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    if args.report_only:
        data = json.loads(Path(args.out).read_text())
        data["note"] = args.note or data.get("note")
        Path(args.out).write_text(json.dumps(data, indent=1))
        write_markdown(data, Path(args.markdown))
        return
    command = "python benchmarks/bench_distributed.py " + " ".join(sys.argv[1:])
    runs = []
    work = HERE / "_work"
    work.mkdir(exist_ok=True)
    for round_ in range(args.rounds):
        for world_size in ((1, 2) if round_ % 2 == 0 else (2, 1)):
            record = launch(world_size, args, work / f"distributed_{world_size}.json")
            record.update(world_size=world_size, round=round_)
            runs.append(record)
            print(f"round {round_}, {world_size} process(es): fit {record['fit_wall_s']:.1f} s wall, "
                  f"{record['fit_cpu_s']:.1f} s CPU (rank 0), epoch {record['epoch_s']:.2f} s", flush=True)
    import torch

    data = {"command": command, "started": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": platform.processor() or platform.machine(), "cores": os.cpu_count(),
            "load_before": os.getloadavg()[0], "torch": torch.__version__, "rows": args.rows, "epochs": args.epochs,
            "runs": runs, "note": args.note}
    Path(args.out).write_text(json.dumps(data, indent=1))
    write_markdown(data, Path(args.markdown))


def write_markdown(data: dict, path: Path) -> None:
    by_world: dict[int, list] = {}
    for run in data["runs"]:
        by_world.setdefault(run["world_size"], []).append(run)
    lines = ["# Data-parallel training on CPU (issue 14)", "",
             f"Command: `{data['command']}`, {data['started']}; torch {data['torch']}, {data['cores']} cores "
             f"({data['machine']}), 1-minute load {data['load_before']:.1f} at the end. Adult, {data['rows']:,} rows "
             f"sampled with seed 0, `GANAugmenter(epochs={data['epochs']}, random_state=0)`: the global batch is the "
             "same for 1 and 2 processes (each of 2 processes draws half of it). One torch thread per process. "
             "Medians over the rounds; CPU time is rank 0's own.", "",
             "| processes | fit wall (s) | fit CPU, rank 0 (s) | epoch (s) | final D loss | rare class: mean age, "
             "hours-per-week of 2,000 samples (real rows) |", "|---|---|---|---|---|---|"]
    for world, runs in sorted(by_world.items()):
        means, real = runs[0]["rare_sample_means"], runs[0].get("rare_real_means", {})
        lines.append(f"| {world} | {statistics.median(r['fit_wall_s'] for r in runs):.1f} | "
                     f"{statistics.median(r['fit_cpu_s'] for r in runs):.1f} | "
                     f"{statistics.median(r['epoch_s'] for r in runs):.2f} | "
                     f"{statistics.median(r['final_loss_d'] for r in runs):+.3f} | "
                     f"{means.get('age', float('nan')):.1f}, {means.get('hours-per-week', float('nan')):.1f} "
                     f"({real.get('age', float('nan')):.1f}, {real.get('hours-per-week', float('nan')):.1f}) |")
    if data.get("note"):
        lines += ["", "Conditions and reading: " + data["note"]]
    lines += ["", "Both runs see the same batches (the 2-process run splits each global batch in two), so the "
              "losses and the samples' statistics agree up to the per-process draws inside a step (dropout, "
              "Gumbel noise, penalty interpolates), which differ by design. The wall-time ratio says what two "
              "processes cost or gain on this machine: with as many cores as processes each one does half the "
              "arithmetic of a step, plus one all-reduce of G's and one of D's gradients per update.", ""]
    path.write_text("\n".join(lines))


if __name__ == "__main__":
    main()
