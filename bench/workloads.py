"""One benchmark workload for one tracker, run in a fresh interpreter.

    <tracker's python> bench/workloads.py TRACKER WORKLOAD [--n N] [--sample N] [--out FILE]

TRACKER is ``despina``, ``neptune`` (1.14, mode="offline") or ``mlflow`` (SQLite store);
WORKLOAD is one of ``import``, ``million``, ``series10``, ``params``, ``files``.

The child is started by ``bench/run_all.py`` with the tracker's own virtual environment, with its
current directory and data directory set to a fresh temporary folder. It imports only the
standard library before the timed ``import`` of the tracker, so import time and peak memory are
the tracker's. It prints one JSON line (the last line on stdout) and, with ``--out``, writes the
same object to that file.

Every figure is wall time in seconds unless its name says otherwise:

- ``import_s``: the ``import`` statement (``import despina`` / ``import neptune`` / ``import
  mlflow``), measured inside the child;
- ``init_s``: ``init_run(...)`` with every capture off / ``mlflow.start_run()`` on a fresh store;
- ``append_s``: the caller's loop, wall time (``append_cpu_s``: that thread's CPU time);
- ``stop_s``: from calling ``stop()`` / ``end_run()`` until it returns, i.e. until the data is
  durable (despina async: drained into the store; neptune offline: written to its disk queue;
  mlflow is synchronous, so this is only closing the run);
- ``peak_rss_mb``: ``ru_maxrss`` of the process, read right after ``stop()`` returned and before
  any verification (verification reads the data back and would inflate it).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time

_T0 = time.perf_counter()

PROJECT = "bench/bench"
SERIES = "m/loss"


def peak_rss_mb() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def make_files(folder: str, count: int, size: int = 1024) -> list[str]:
    os.makedirs(folder, exist_ok=True)
    paths = []
    for i in range(count):
        p = os.path.join(folder, f"file_{i:03d}.bin")
        with open(p, "wb") as f:
            f.write(os.urandom(size))
        paths.append(p)
    return paths


def make_params(count: int) -> dict:
    """1,000 flat parameters of mixed simple types (floats, ints, strings, bools)."""
    params = {}
    for i in range(count):
        kind = i % 4
        if kind == 0:
            params[f"p{i:04d}"] = float(i) / 7.0
        elif kind == 1:
            params[f"p{i:04d}"] = i
        elif kind == 2:
            params[f"p{i:04d}"] = f"value-{i}"
        else:
            params[f"p{i:04d}"] = bool(i % 3)
    return params


# --------------------------------------------------------------------------------------------
# despina and neptune share one API: the workload bodies are the same code.
# --------------------------------------------------------------------------------------------

CAPTURE_OFF = dict(
    capture_stdout=False,
    capture_stderr=False,
    capture_hardware_metrics=False,
    capture_traceback=False,
    source_files=[],
    git_ref=False,
)


def neptune_like(tracker: str, workload: str, args, res: dict) -> None:
    t = time.perf_counter()
    if tracker == "despina":
        import despina as neptune
    else:
        import neptune
    res["import_s"] = time.perf_counter() - t
    res["version"] = getattr(neptune, "__version__", None)
    if res["version"] is None:
        try:
            import importlib.metadata as md

            res["version"] = md.version(tracker)
        except Exception:
            pass
    if workload == "import":
        res["peak_rss_mb"] = peak_rss_mb()
        return

    mode = "async" if tracker == "despina" else "offline"
    res["mode"] = mode
    t = time.perf_counter()
    run = neptune.init_run(project=PROJECT, mode=mode, **CAPTURE_OFF)
    res["init_s"] = time.perf_counter() - t
    run_id = None
    if tracker == "despina":
        try:
            run_id = run["sys/id"].fetch()
        except Exception as e:  # not fatal: only verification needs it
            res["run_id_error"] = repr(e)
    res["rss_after_init_mb"] = peak_rss_mb()

    if workload == "million":
        n = args.n
        res["n"] = n
        tc, t = time.thread_time(), time.perf_counter()
        for i in range(n):
            run["m/loss"].append(float(i))
        res["append_s"] = time.perf_counter() - t
        res["append_cpu_s"] = time.thread_time() - tc
        res["per_call_us"] = res["append_s"] / n * 1e6
        res["per_call_cpu_us"] = res["append_cpu_s"] / n * 1e6
        expected = {SERIES: n}
    elif workload == "series10":
        n = args.n
        res["n"] = n
        res["series"] = 10
        keys = [f"s/series_{k}" for k in range(10)]
        tc, t = time.thread_time(), time.perf_counter()
        for i in range(n):
            v = float(i)
            for key in keys:
                run[key].append(v)
        res["append_s"] = time.perf_counter() - t
        res["append_cpu_s"] = time.thread_time() - tc
        res["per_call_us"] = res["append_s"] / (10 * n) * 1e6
        expected = {k: n for k in keys}
    elif workload == "params":
        params = make_params(args.n)
        res["n"] = len(params)
        t = time.perf_counter()
        run["parameters"] = params
        res["append_s"] = time.perf_counter() - t
        expected = {}
    elif workload == "files":
        paths = make_files(os.path.join(args.tmp, "src_files"), args.n)
        res["n"] = len(paths)
        t = time.perf_counter()
        for i, p in enumerate(paths):
            run[f"files/f_{i:03d}"].upload(p)
        res["append_s"] = time.perf_counter() - t
        expected = {}
    else:
        raise SystemExit(f"unknown workload {workload}")

    t = time.perf_counter()
    run.stop()
    res["stop_s"] = time.perf_counter() - t
    res["total_s"] = res["append_s"] + res["stop_s"]
    res["peak_rss_mb"] = peak_rss_mb()

    # ---- verification, outside every timed part ----
    try:
        if tracker == "despina":
            res["verified"] = verify_despina(neptune, run_id, workload, args, expected, res)
        else:
            res["verified"] = verify_neptune_offline(args.tmp, workload, args, expected, res)
    except Exception as e:
        res["verified"] = False
        res["verify_error"] = repr(e)


def verify_despina(neptune, run_id, workload, args, expected, res) -> bool:
    """Re-open the run read-only and count what the store holds."""
    if run_id is None:
        raise RuntimeError("no run id")
    ro = neptune.init_run(with_id=run_id, project=PROJECT, mode="read-only", **CAPTURE_OFF)
    try:
        ok = True
        counts = {}
        for key, n in expected.items():
            got = len(ro[key].fetch_values())
            counts[key] = got
            ok = ok and got == n
        if workload == "params":
            got = ro["parameters"].fetch()
            counts["parameters"] = len(got)
            ok = ok and len(got) == args.n
        if workload == "files":
            present = sum(ro.exists(f"files/f_{i:03d}") for i in range(args.n))
            counts["files"] = present
            ok = ok and present == args.n
        res["verified_counts"] = counts
        return ok
    finally:
        ro.stop()


def verify_neptune_offline(tmp, workload, args, expected, res) -> bool:
    """Neptune offline cannot read back; count the operations in its disk queue instead."""
    counts: dict[str, int] = {}
    uploads = 0
    assigns = 0
    root = os.path.join(tmp, ".neptune")
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            if not (name.startswith("data-") and name.endswith(".log")):
                continue
            with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                for line in f:
                    line = line.strip()
                    if not line:
                        continue
                    try:
                        rec = json.loads(line)
                    except ValueError:
                        continue
                    op = rec.get("obj", rec)
                    kind = op.get("type", "")
                    path = "/".join(op.get("path", []))
                    if kind == "LogFloats":
                        counts[path] = counts.get(path, 0) + len(op.get("values", []))
                    elif kind.startswith("Upload") and path.startswith("files/"):
                        uploads += 1
                    elif kind.startswith("Assign") and path.startswith("parameters/"):
                        assigns += 1
    ok = all(counts.get(k, 0) == n for k, n in expected.items())
    if workload == "params":
        ok = ok and assigns == args.n
        counts["parameters"] = assigns
    if workload == "files":
        ok = ok and uploads == args.n
        counts["files"] = uploads
    res["verified_counts"] = {
        k: v for k, v in counts.items() if k in expected or k in ("parameters", "files")
    }
    res["verified_how"] = "operations counted in the offline disk queue (.neptune/offline)"
    return ok


# --------------------------------------------------------------------------------------------
# mlflow (SQLite tracking store; synchronous unless --mlflow-async)
# --------------------------------------------------------------------------------------------


def mlflow_workload(workload: str, args, res: dict) -> None:
    t = time.perf_counter()
    import mlflow

    res["import_s"] = time.perf_counter() - t
    res["version"] = mlflow.__version__
    if workload == "import":
        res["peak_rss_mb"] = peak_rss_mb()
        return

    from mlflow.entities import Metric

    db = os.path.join(args.tmp, "mlflow.db")
    art = os.path.join(args.tmp, "artifacts")
    mlflow.set_tracking_uri(f"sqlite:///{db}")
    res["mode"] = "sqlite, async logging" if args.mlflow_async else "sqlite"
    if args.mlflow_async:
        mlflow.config.enable_async_logging(True)
    # The first touch of a fresh SQLite store creates its schema (alembic migrations); time it
    # apart so that init_s is comparable with init_run on a store that exists.
    t = time.perf_counter()
    client = mlflow.MlflowClient()
    client.search_experiments(max_results=1)
    res["store_create_s"] = time.perf_counter() - t
    t = time.perf_counter()
    exp_id = mlflow.create_experiment("bench", artifact_location="file://" + art)
    run = mlflow.start_run(experiment_id=exp_id)
    res["init_s"] = time.perf_counter() - t
    run_id = run.info.run_id
    res["rss_after_init_mb"] = peak_rss_mb()

    expected: dict[str, int] = {}
    if workload == "million":
        # The per-call loop, same shape as run["m/loss"].append(float(i)).
        n = args.n
        sample = min(n, args.sample) if args.sample else n
        res["n"] = n
        res["n_timed"] = sample
        tc, t = time.thread_time(), time.perf_counter()
        for i in range(sample):
            mlflow.log_metric("loss", float(i), step=i)
        res["append_s_timed"] = time.perf_counter() - t
        res["append_cpu_s_timed"] = time.thread_time() - tc
        res["per_call_us"] = res["append_s_timed"] / sample * 1e6
        res["per_call_cpu_us"] = res["append_cpu_s_timed"] / sample * 1e6
        res["append_s"] = res["per_call_us"] * n / 1e6
        res["scaled"] = sample != n
        if sample != n:
            res["note"] = (
                f"log_metric timed on {sample:,} calls and scaled to {n:,}; "
                "stop_s is for the sampled run"
            )
        expected["loss"] = sample
        # The same million written the bulk way, log_batch with 1,000 metrics a call.
        if args.batch:
            ts = int(time.time() * 1000)
            t = time.perf_counter()
            for start in range(0, n, 1000):
                client.log_batch(
                    run_id,
                    metrics=[
                        Metric("loss_batch", float(i), ts, i)
                        for i in range(start, min(n, start + 1000))
                    ],
                    synchronous=True,
                )
            res["batch_s"] = time.perf_counter() - t
            res["batch_per_point_us"] = res["batch_s"] / n * 1e6
            expected["loss_batch"] = n
    elif workload == "series10":
        n = args.n
        sample = min(n, args.sample) if args.sample else n
        res["n"] = n
        res["series"] = 10
        res["n_timed"] = sample
        keys = [f"series_{k}" for k in range(10)]
        # Per-call shape: one log_metric per point, like the neptune loop.
        t = time.perf_counter()
        for i in range(sample):
            v = float(i)
            for key in keys:
                mlflow.log_metric(key, v, step=i)
        el = time.perf_counter() - t
        res["per_call_us"] = el / (10 * sample) * 1e6
        res["append_s"] = res["per_call_us"] * 10 * n / 1e6
        res["scaled"] = sample != n
        if sample != n:
            res["note"] = f"log_metric timed on {sample:,} steps x 10 and scaled to {n:,}"
        for k in keys:
            expected[k] = sample
        if args.batch:
            # mlflow's idiomatic bulk path: log_batch, 1,000 metrics a call, all 1,000,000.
            ts = int(time.time() * 1000)
            t = time.perf_counter()
            buf = []
            for i in range(n):
                v = float(i)
                for key in keys:
                    buf.append(Metric(key + "_b", v, ts, i))
                if len(buf) >= 1000:
                    client.log_batch(run_id, metrics=buf, synchronous=True)
                    buf = []
            if buf:
                client.log_batch(run_id, metrics=buf, synchronous=True)
            res["batch_s"] = time.perf_counter() - t
            res["batch_per_point_us"] = res["batch_s"] / (10 * n) * 1e6
            for k in keys:
                expected[k + "_b"] = n
    elif workload == "params":
        params = make_params(args.n)
        res["n"] = len(params)
        t = time.perf_counter()
        mlflow.log_params(params)
        res["append_s"] = time.perf_counter() - t
    elif workload == "files":
        paths = make_files(os.path.join(args.tmp, "src_files"), args.n)
        res["n"] = len(paths)
        t = time.perf_counter()
        for i, p in enumerate(paths):
            mlflow.log_artifact(p, artifact_path=f"files/f_{i:03d}")
        res["append_s"] = time.perf_counter() - t
    else:
        raise SystemExit(f"unknown workload {workload}")

    t = time.perf_counter()
    mlflow.end_run()
    res["stop_s"] = time.perf_counter() - t
    res["total_s"] = res["append_s"] + res["stop_s"]
    if "batch_s" in res:
        res["batch_total_s"] = res["batch_s"] + res["stop_s"]
    res["peak_rss_mb"] = peak_rss_mb()

    try:
        counts = {}
        ok = True
        for key, n in expected.items():
            got = len(client.get_metric_history(run_id, key))
            counts[key] = got
            ok = ok and got == n
        r = client.get_run(run_id)
        if workload == "params":
            counts["parameters"] = len(r.data.params)
            ok = ok and len(r.data.params) == args.n
        if workload == "files":
            got = sum(len(client.list_artifacts(run_id, f"files/f_{i:03d}")) for i in range(args.n))
            counts["files"] = got
            ok = ok and got == args.n
        res["verified_counts"] = counts
        res["verified"] = ok
    except Exception as e:
        res["verified"] = False
        res["verify_error"] = repr(e)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("tracker", choices=["despina", "neptune", "mlflow"])
    ap.add_argument("workload", choices=["import", "million", "series10", "params", "files"])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--sample", type=int, default=0, help="mlflow: time only this many calls")
    ap.add_argument("--batch", action="store_true", help="mlflow: also time log_batch")
    ap.add_argument("--mlflow-async", action="store_true", help="mlflow: async logging")
    ap.add_argument("--tmp", default=None, help="work folder (default: a new temp folder)")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    args.tmp = os.path.abspath(args.tmp or tempfile.mkdtemp(prefix="bench-"))
    # Everything a tracker writes relative to the current directory (neptune 1.14 always uses
    # ./.neptune; mlflow may create ./mlruns) lands in the work folder.
    os.makedirs(args.tmp, exist_ok=True)
    os.chdir(args.tmp)

    res: dict = {
        "tracker": args.tracker,
        "workload": args.workload,
        "python": sys.version.split()[0],
        "prelude_s": time.perf_counter() - _T0,  # argument parsing before the timed import
    }
    if args.tracker == "mlflow":
        mlflow_workload(args.workload, args, res)
    else:
        neptune_like(args.tracker, args.workload, args, res)
    line = json.dumps(res, sort_keys=True)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(line + "\n")
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
