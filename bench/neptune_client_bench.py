"""The real Neptune client logging into despina's server: a million float points from the
unmodified ``neptune==1.14.0.post2`` client (async mode) into a ``despina server`` process
over loopback, side by side in one run with the same client in ``mode="offline"`` (no server)
and, for reference, despina's own client logging the same points into the same kind of server.

    .venv/bin/python bench/neptune_client_bench.py                  # a table
    .venv/bin/python bench/neptune_client_bench.py --write          # and bench/RESULTS.md
    .venv/bin/python bench/neptune_client_bench.py --n 20000        # a smoke run

The Neptune client runs with the Python of ``--neptune-python`` (default
``.venv-neptune/bin/python``, which scripts/test_neptune_client.sh makes); despina's client and
the server with this interpreter (``.venv``), despina from the working tree. Each client is a
fresh process in a fresh temporary folder (its current directory: Neptune 1.14 always writes
``./.neptune``); each server variant gets a fresh ``despina server --port P --data-dir D`` (one
worker, SQLite) on a free 127.0.0.1 port, so its peak memory is that of one client's million.
The variants take turns in every repeat, so all see the same machine; with ``--repeats`` above
1 each figure is the median.

The client loop is ``run["train/loss"].append(1.0 / (i + 1), step=i)`` for i in range(N), with
every capture off (hardware, stdout, stderr, traceback), ``source_files=[]``, ``git_ref=False``.
Timed in the client: the loop (wall, and the thread's CPU time), ``run.stop()`` until it returns
(Neptune async: every operation synchronised with the server; Neptune offline: written to its
disk queue; despina async: drained to the server), and their sum; points per second = N over
that sum (from the first append until ``stop()`` returned). Peak RSS is ``VmHWM``: the
client's read after ``stop()`` returned, the server's before it is stopped. The server's CPU
time is that spent while the client ran; its batches are the rows of its ``applied`` table
(read-only, beside it).

Checked afterwards, outside every timed part: the server holds exactly N points of
``train/loss`` for the run, with steps 0..N-1 and every value as sent (despina's own client,
read-only, with the admin's token); for offline, the points in Neptune's disk queue are
counted and compared the same way. Lines the Neptune client logged that name an error, a
warning or a failure are reported, and so are errors in the server's log.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))

from neptune_client_report import LABELS, VARIANTS, machine, median, report  # noqa: E402
from results_md import replace_section  # noqa: E402

PROJECT = "ws/bench"
SERIES = "train/loss"
CHILD_TIMEOUT_S = 3600

# One script for both clients: ``<tracker> <mode> <n> <project>``; prints one JSON line.
CHILD = r"""
import json, resource, sys, time
tracker, mode, n, project = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
t = time.perf_counter()
if tracker == "despina":
    import despina as neptune
else:
    import neptune
res = {"import_s": time.perf_counter() - t, "version": getattr(neptune, "__version__", None)}
t = time.perf_counter()
run = neptune.init_run(
    project=project,
    mode=mode,
    capture_hardware_metrics=False,
    capture_stdout=False,
    capture_stderr=False,
    capture_traceback=False,
    source_files=[],
    git_ref=False,
)
res["init_s"] = time.perf_counter() - t
res["sys_id"] = run["sys/id"].fetch() if mode != "offline" else None
pc, tc, t = time.process_time(), time.thread_time(), time.perf_counter()
for i in range(n):
    run["train/loss"].append(1.0 / (i + 1), step=i)
t1 = time.perf_counter()
res["loop_cpu_s"] = time.thread_time() - tc
run.stop()
t2 = time.perf_counter()
res["run_cpu_s"] = time.process_time() - pc
res["loop_s"], res["stop_s"], res["total_s"] = t1 - t, t2 - t1, t2 - t
usage = resource.getrusage(resource.RUSAGE_SELF)
res["cpu_s"] = usage.ru_utime + usage.ru_stime
# VmHWM: ru_maxrss would carry the parent's high-water mark over fork and exec
res["peak_rss_mb"] = usage.ru_maxrss / 1024.0
try:
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            res["peak_rss_mb"] = int(line.split()[1]) / 1024.0
except OSError:
    pass
print(json.dumps(res), flush=True)
"""

# Lines of the client's output worth reporting (its normal output is "[neptune] [info   ] ...").
NOTEWORTHY = ("error", "warning", "fail", "exception", "traceback", "lost", "retry")


# --------------------------------------------------------------------------------------------
# processes
# --------------------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_pid(proc: subprocess.Popen, sig_first: str = "terminate") -> None:
    """Stop a process this benchmark started (by its Popen, i.e. its pid), killing it if it
    does not go within 10 s."""
    if proc.poll() is not None:
        return
    getattr(proc, sig_first)()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


class Server:
    """``python -m despina server`` with a fresh data dir on a free loopback port."""

    def __init__(self, folder: Path):
        self.data_dir = folder / "server-data"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / "server.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DESPINA_", "NEPTUNE_"))}
        env["PYTHONPATH"] = str(REPO)
        self.log = open(self.log_path, "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "despina", "server", "--port", str(self.port)]
            + ["--data-dir", str(self.data_dir)],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"the server exited: {self.output()[-2000:]}")
                try:
                    if httpx.get(self.url + "/api/v1/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not start within 60 s")
                time.sleep(0.05)
            self.admin_token = (self.data_dir / "admin-token").read_text().strip()
            self.ps = psutil.Process(self.proc.pid)
        except BaseException:
            self.stop()
            raise

    def client_token(self) -> str:
        from despina.client.http_backend import make_api_token

        return make_api_token(self.url, self.admin_token)

    def cpu_s(self) -> float:
        t = self.ps.cpu_times()
        return t.user + t.system

    def peak_rss_mb(self) -> float | None:
        """VmHWM of the server process (Linux); None elsewhere."""
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
        except OSError:
            pass
        return None

    def batches(self) -> int | None:
        """Batches the server applied (read-only, beside it): a Neptune body that appends
        points is one writer of seq 1 in ``applied``; despina's client one writer whose seq
        counts its batches."""
        import sqlite3

        path = self.data_dir / "store.db"
        if not path.exists():
            return None
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return con.execute("SELECT COALESCE(SUM(seq), 0) FROM applied").fetchone()[0]
        finally:
            con.close()

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        stop_pid(self.proc)
        self.log.close()


def client_env(tmp: Path, extra: dict) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NEPTUNE_", "DESPINA_", "PYTHONPATH"))
    }
    env["PYTHONUNBUFFERED"] = "1"
    env["DESPINA_DATA_DIRECTORY"] = str(tmp / "despina-data")
    env.update(extra)
    return env


def run_client(python: Path, tracker: str, mode: str, n: int, tmp: Path, env: dict) -> dict:
    """One client process; its JSON, with its noteworthy output lines."""
    proc = subprocess.Popen(
        [str(python), "-c", CHILD, tracker, mode, str(n), PROJECT],
        cwd=tmp,
        env=client_env(tmp, env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = proc.communicate(timeout=CHILD_TIMEOUT_S)
    finally:
        stop_pid(proc, "kill")
    lines = [ln.rstrip() for ln in (out + "\n" + err).splitlines() if ln.strip()]
    res = None
    for line in reversed(out.splitlines()):
        try:
            res = json.loads(line)
            break
        except ValueError:
            continue
    if proc.returncode != 0 or not isinstance(res, dict):
        tail = "\n".join(lines[-30:])
        raise RuntimeError(f"{tracker} {mode} client failed ({proc.returncode}):\n{tail}")
    res["noteworthy"] = [
        ln for ln in lines if not ln.startswith("{") and any(w in ln.lower() for w in NOTEWORTHY)
    ]
    res["output_lines"] = len(lines) - 1
    return res


# --------------------------------------------------------------------------------------------
# checks
# --------------------------------------------------------------------------------------------


def expected_values(n: int):
    import numpy as np

    return np.arange(n, dtype=np.float64), 1.0 / np.arange(1, n + 1, dtype=np.float64)


def check_points(steps, values, n: int) -> dict:
    """Exactly n points, steps 0..n-1 in order, every value 1/(step+1) as sent."""
    import numpy as np

    want_steps, want_values = expected_values(n)
    steps = np.asarray(steps, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    order = np.argsort(steps, kind="stable")
    steps, values = steps[order], values[order]
    ok = (
        len(steps) == n
        and np.array_equal(steps, want_steps)
        and np.array_equal(values, want_values)
    )
    return {
        "ok": bool(ok),
        "points": len(steps),
        "last_step": float(steps[-1]) if len(steps) else None,
        "last_value": float(values[-1]) if len(values) else None,
        "wrong_values": int(np.sum(values != want_values)) if len(values) == n else None,
    }


def verify_server(server: Server, sys_id: str, n: int) -> dict:
    """despina's own client, read-only, with the admin's token: what the server holds."""
    import despina

    run = despina.init_run(
        project=PROJECT, with_id=sys_id, mode="read-only", api_token=server.client_token()
    )
    try:
        df = run[SERIES].fetch_values(include_timestamp=False)
        got = check_points(df["step"].to_numpy(), df["value"].to_numpy(), n)
        last = run[SERIES].fetch_last()
        got["fetch_last"] = last
        got["ok"] = got["ok"] and last == 1.0 / n
    finally:
        run.stop()
    got["how"] = "despina client, read-only, fetch_values"
    return got


def verify_offline(tmp: Path, n: int) -> dict:
    """Neptune offline cannot read back: count the points in its disk queue (.neptune)."""
    steps: list[float] = []
    values: list[float] = []
    for dirpath, _dirs, files in os.walk(tmp / ".neptune"):
        for name in sorted(files):
            if not (name.startswith("data-") and name.endswith(".log")):
                continue
            with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                for line in f:
                    try:
                        rec = json.loads(line)
                    except ValueError:
                        continue
                    op = rec.get("obj", rec)
                    if op.get("type") == "LogFloats" and "/".join(op.get("path", [])) == SERIES:
                        for v in op.get("values", []):
                            steps.append(v.get("step"))
                            values.append(v.get("value"))
    got = check_points(steps, values, n)
    got["how"] = "LogFloats values counted in the offline disk queue"
    return got


# --------------------------------------------------------------------------------------------
# one repeat
# --------------------------------------------------------------------------------------------


def with_server(python: Path, tracker: str, n: int, log) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix=f"bench-nepclient-{tracker}-"))
    server = None
    try:
        server = Server(tmp)
        token = server.client_token()
        if tracker == "neptune":
            env = {
                "NEPTUNE_API_TOKEN": token,
                "NEPTUNE_PROJECT": PROJECT,
                "OAUTHLIB_INSECURE_TRANSPORT": "1",
            }
        else:
            env = {"DESPINA_API_TOKEN": token, "PYTHONPATH": str(REPO)}
        work = tmp / "work"
        work.mkdir()
        cpu0 = server.cpu_s()
        res = run_client(python, tracker, "async", n, work, env)
        res["server_cpu_s"] = server.cpu_s() - cpu0
        res["server_peak_rss_mb"] = server.peak_rss_mb()
        res["server_batches"] = server.batches()
        if res["server_batches"]:
            res["points_per_batch"] = n / res["server_batches"]
        res["verified"] = verify_server(server, res["sys_id"], n)
        text = server.output()
        res["server_errors"] = [
            ln
            for ln in text.splitlines()
            if any(w in ln.lower() for w in ("error", "traceback", "exception"))
        ][:20]
        return res
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def offline(python: Path, n: int, log) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench-nepclient-offline-"))
    try:
        res = run_client(python, "neptune", "offline", n, tmp, {"NEPTUNE_PROJECT": PROJECT})
        res["verified"] = verify_offline(tmp, n)
        return res
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def one(variant: str, neptune_python: Path, n: int, log) -> dict:
    if variant == "neptune-server":
        return with_server(neptune_python, "neptune", n, log)
    if variant == "neptune-offline":
        return offline(neptune_python, n, log)
    return with_server(Path(sys.executable), "despina", n, log)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000, help="points per run (1,000,000)")
    ap.add_argument("--repeats", type=int, default=1, help="runs of each variant (median)")
    ap.add_argument(
        "--neptune-python",
        type=Path,
        default=REPO / ".venv-neptune" / "bin" / "python",
        help="the Python with neptune==1.14.0.post2 (.venv-neptune/bin/python)",
    )
    ap.add_argument("--write", action="store_true", help="write the table to bench/RESULTS.md")
    args = ap.parse_args()
    if not args.neptune_python.exists():
        sys.exit(
            f"no Neptune client Python at {args.neptune_python}: run "
            "`bash scripts/test_neptune_client.sh` once (it makes .venv-neptune with "
            "neptune==1.14.0.post2), or pass --neptune-python"
        )
    check = subprocess.run(
        [str(args.neptune_python), "-c", "import neptune; print(neptune.__version__)"],
        capture_output=True,
        text=True,
    )
    if check.returncode != 0:
        sys.exit(
            f"{args.neptune_python} cannot import neptune (run scripts/test_neptune_client.sh):"
            f"\n{check.stderr[-2000:]}"
        )
    import despina

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    meta = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "load_start": os.getloadavg()[0],
        "neptune": check.stdout.strip(),
        "despina": getattr(despina, "__version__", "?"),
    }
    results: dict[str, list[dict]] = {v: [] for v in VARIANTS}
    for k in range(args.repeats):
        for variant in VARIANTS:  # taking turns, so all see the same machine
            log(f"[{k + 1}/{args.repeats}] {LABELS[variant]}: {args.n:,} points ...")
            res = one(variant, args.neptune_python, args.n, log)
            res["per_call_us"] = res["loop_s"] / args.n * 1e6
            res["points_per_s"] = args.n / res["total_s"]
            if res.get("server_batches"):
                res["server_cpu_per_batch_ms"] = res["server_cpu_s"] / res["server_batches"] * 1e3
            results[variant].append(res)
            shown = {
                key: (round(val, 4) if isinstance(val, float) else val)
                for key, val in res.items()
                if key not in ("noteworthy", "server_errors")
            }
            log(f"    {json.dumps(shown)}")
            for ln in res.get("noteworthy", [])[:10]:
                log(f"    client said: {ln}")
            for ln in res.get("server_errors", [])[:10]:
                log(f"    server log: {ln}")
    meta["load_end"] = os.getloadavg()[0]
    keys = [
        "init_s", "loop_s", "per_call_us", "loop_cpu_s", "stop_s", "total_s", "points_per_s",
        "run_cpu_s", "cpu_s", "peak_rss_mb", "server_cpu_s", "server_peak_rss_mb", "server_batches",
        "points_per_batch", "server_cpu_per_batch_ms",
    ]  # fmt: skip
    med = {v: {key: median(rows, key) for key in keys} for v, rows in results.items()}
    text = report(med, results, args, meta)
    print(text)
    failed = [v for v in VARIANTS if not all(r["verified"]["ok"] for r in results[v])]
    if args.write:
        replace_section("neptune_client_bench", text)
    if failed:
        sys.exit(f"verification FAILED for: {', '.join(failed)}")


if __name__ == "__main__":
    main()
