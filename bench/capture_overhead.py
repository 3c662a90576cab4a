"""What automatic capture costs: a tight logging loop with all capture on against all off.

The slowdown is measured on loops that take turns: pairs of processes, one whose run captures
everything and one whose run captures nothing, each holding its run open, time a loop of
``--points`` float appends (printing one line every ``--print-every``) in alternation, so both
see the same machine from moment to moment. On a shared virtual machine the speed of identical
work drifts by ±10% over seconds and differs between processes by a few per cent (memory
layout); alternating loops, one CPU for both loop threads, no address space randomisation and
many pairs take most of that out, and ``--control`` runs the same pairs with capture off in
both to show what is left. ``init_run`` and ``stop()`` are timed apart, in fresh processes.

    python bench/capture_overhead.py --control           # prints a table
    python bench/capture_overhead.py --control --append  # and writes it to bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MARK = "<!-- capture_overhead.py -->"

THREAD_CPU = r"""
import os, threading

def thread_cpu():
    # CPU seconds of each despina thread, by name, from /proc (Linux); {} elsewhere.
    names = {t.native_id: t.name for t in threading.enumerate()}
    out = {}
    tick = os.sysconf("SC_CLK_TCK")
    for tid, name in names.items():
        try:
            with open(f"/proc/self/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return out

def capture_cpu(before, after):
    # CPU of the threads capture adds (stdout, stderr, hardware, source), not the sender's.
    return sum(v - before.get(k, 0.0) for k, v in after.items()
               if k.startswith("despina-") and not k.startswith("despina-sender"))
"""

CHILD = (
    THREAD_CPU
    + r"""
import json, sys, time
points, print_every, capture = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "on"
t0 = time.perf_counter()
import despina
t_import = time.perf_counter() - t0
off = dict(capture_stdout=False, capture_stderr=False, capture_hardware_metrics=False,
           capture_traceback=False, fail_on_exception=False, git_ref=False, source_files=[])
t0 = time.perf_counter()
run = despina.init_run(project="bench/capture", **({} if capture else off))
t_init = time.perf_counter() - t0
handler = run["train/loss"]
t0 = time.perf_counter()
c0 = time.thread_time()
threads0 = thread_cpu()
for i in range(points):
    handler.append(float(i))
    if print_every and i % print_every == 0:
        print(f"step {i} loss {1.0 / (i + 1):.5f}")
t_loop = time.perf_counter() - t0
c_loop = time.thread_time() - c0
c_capture = capture_cpu(threads0, thread_cpu())
t0 = time.perf_counter()
run.stop()
t_stop = time.perf_counter() - t0
sys.stderr.write("RESULT " + json.dumps({"import": t_import, "init": t_init, "loop": t_loop, "loop_cpu": c_loop, "capture_cpu": c_capture, "stop": t_stop}) + "\n")
"""
)


TRIALS = (
    THREAD_CPU
    + r"""
import json, os, sys, time
import despina
capture, points, print_every = sys.argv[1] == "on", int(sys.argv[2]), int(sys.argv[3])
commands, answers = os.fdopen(int(sys.argv[4]), "r"), os.fdopen(int(sys.argv[5]), "w")
off = dict(capture_stdout=False, capture_stderr=False, capture_hardware_metrics=False,
           capture_traceback=False, fail_on_exception=False, git_ref=False, source_files=[])
on = {**off, **json.loads(os.environ.get("CAPTURE_PARTS", "{}"))} if os.environ.get("CAPTURE_PARTS") else {}
run = despina.init_run(project="bench/interleaved", **(on if capture else off))
handler = run["train/loss"]
if hasattr(os, "sched_setaffinity"):
    # This thread only (Linux: pid 0 is the calling thread), after every despina thread has
    # started: the loops of both processes run on one CPU; the other threads go anywhere.
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
answers.write("ready\n")
answers.flush()
i = 0
threads0 = None
for command in commands:
    if command.strip() != "go":
        break
    if threads0 is None:  # from the first loop on: capture's start-up work is not counted
        threads0 = thread_cpu()
    c0 = time.thread_time()
    t0 = time.perf_counter()
    for _ in range(points):
        handler.append(float(i))
        if print_every and i % print_every == 0:
            print(f"step {i} loss {1.0 / (i + 1):.5f}")
        i += 1
    elapsed, cpu = time.perf_counter() - t0, time.thread_time() - c0
    run.wait()  # every trial starts with nothing left to send
    answers.write(json.dumps([elapsed, cpu]) + "\n")
    answers.flush()
after = thread_cpu()
sender = sum(v - threads0.get(k, 0.0) for k, v in after.items() if k.startswith("despina-sender"))
answers.write(json.dumps({"capture_cpu": capture_cpu(threads0, after), "sender_cpu": sender}) + "\n")
answers.flush()
run.stop()
"""
)


PARTS = {  # --parts names: init_run's arguments
    "stdout": "capture_stdout",
    "stderr": "capture_stderr",
    "hardware": "capture_hardware_metrics",
    "traceback": "capture_traceback",
}


class _Trials:
    """A process holding one run open (capture on or off) that times a loop on each "go"."""

    def __init__(self, mode: str, points: int, print_every: int, env: dict, cwd: str):
        command_r, command_w = os.pipe()
        answer_r, answer_w = os.pipe()
        prefix = []
        if sys.platform.startswith("linux") and shutil.which("setarch"):
            # No address space randomisation: one process's layout is the other's, so two
            # processes doing the same work take the same time (with it they differ by ±5%).
            prefix = ["setarch", platform.machine(), "-R"]
        argv = [sys.executable, "-c", TRIALS, mode, str(points), str(print_every)]
        self.proc = subprocess.Popen(
            [*prefix, *argv, str(command_r), str(answer_w)],
            pass_fds=(command_r, answer_w),
            env=env,
            cwd=cwd,
            stdout=subprocess.DEVNULL,
        )
        os.close(command_r)
        os.close(answer_w)
        self.commands = os.fdopen(command_w, "w")
        self.answers = os.fdopen(answer_r, "r")
        if self.answers.readline().strip() != "ready":
            raise RuntimeError(f"the {mode} process did not start")

    def trial(self) -> tuple[float, float]:
        self.commands.write("go\n")
        self.commands.flush()
        return tuple(json.loads(self.answers.readline()))

    def finish(self) -> dict:
        self.commands.write("stop\n")
        self.commands.flush()
        totals = json.loads(self.answers.readline())
        self.proc.wait()
        return totals


def interleaved(args, data_dir: str, cwd: str, control: bool = False) -> dict:
    """Pairs of processes, one with capture on and one off (both off for ``control``), each
    holding its run open; their loops take turns, ``args.trials`` each, so both see the same
    machine. Per pair: the on process's loop time over the off process's."""
    env = dict(os.environ, PYTHONPATH=str(REPO), DESPINA_DATA_DIRECTORY=data_dir)
    env["PYTHONHASHSEED"] = "0"
    env.pop("DESPINA_MODE", None)
    if args.parts != "all":
        env["CAPTURE_PARTS"] = json.dumps({PARTS[p]: True for p in args.parts.split(",")})
    ratios, cpu_ratios, capture_share, sender_extra = [], [], [], []
    for k in range(args.pairs):
        on = k % 2  # which process starts first alternates
        modes = ["off", "off"]
        if not control:
            modes[on] = "on"
        procs = [_Trials(m, args.points, args.print_every, env, cwd) for m in modes]
        time.sleep(args.settle)  # capture's one-time start-up work (git, first probes)
        times: list[list] = [[], []]
        for t in range(args.trials):
            for j in (0, 1) if t % 2 == 0 else (1, 0):
                times[j].append(procs[j].trial())
        totals = [p.finish() for p in procs]
        off = 1 - on
        wall = [sum(x[0] for x in times[j]) for j in (0, 1)]
        cpu = [sum(x[1] for x in times[j]) for j in (0, 1)]
        ratios.append(wall[on] / wall[off])
        cpu_ratios.append(cpu[on] / cpu[off])
        capture_share.append(totals[on]["capture_cpu"] / wall[on])
        sender_extra.append((totals[on]["sender_cpu"] - totals[off]["sender_cpu"]) / wall[on])
    rng = random.Random(0)
    samples = [rng.choices(ratios, k=len(ratios)) for _ in range(10_000)]
    means = sorted(statistics.fmean(x) for x in samples)
    medians = sorted(statistics.median(x) for x in samples)
    return {
        "ratios": ratios,
        "mean": statistics.fmean(ratios),
        "low": means[249],
        "high": means[9749],
        "median": statistics.median(ratios),
        "median_low": medians[249],
        "median_high": medians[9749],
        "cpu": statistics.fmean(cpu_ratios),
        "capture_share": statistics.fmean(capture_share),
        "sender_extra": statistics.fmean(sender_extra),
    }


def measure(capture: bool, points: int, print_every: int, data_dir: str, cwd: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO), DESPINA_DATA_DIRECTORY=data_dir)
    env.pop("DESPINA_MODE", None)
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(points), str(print_every), "on" if capture else "off"],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    )
    line = next(li for li in proc.stderr.splitlines() if li.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000, help="appends per loop")
    parser.add_argument("--print-every", type=int, default=1000)
    parser.add_argument("--pairs", type=int, default=16, help="on/off process pairs")
    parser.add_argument("--trials", type=int, default=6, help="loops of each process of a pair")
    parser.add_argument("--settle", type=float, default=1.5, help="seconds before the first loop")
    parser.add_argument("--repeat", type=int, default=5, help="fresh processes for init/stop")
    parser.add_argument(
        "--control", action="store_true", help="also run pairs with capture off in both (A/A)"
    )
    parser.add_argument(
        "--parts",
        default="all",
        help=f"capture on means only these (comma-separated: {', '.join(PARTS)}); default all",
    )
    parser.add_argument("--append", action="store_true", help="write to bench/RESULTS.md")
    args = parser.parse_args()

    fresh: dict[str, list[dict]] = {"off": [], "on": []}
    with tempfile.TemporaryDirectory() as tmp:
        control = interleaved(args, tmp + "/control", tmp, control=True) if args.control else None
        result = interleaved(args, tmp + "/pairs", tmp)
        for i in range(args.repeat):
            for label in ("off", "on") if i % 2 == 0 else ("on", "off"):
                fresh[label].append(
                    measure(label == "on", args.points, args.print_every, tmp + "/data", tmp)
                )

    def med(label, key):
        return statistics.median(r[key] for r in fresh[label])

    def pct(ratio):
        return f"{(ratio - 1) * 100:+.1f}%"

    command = (
        f"python bench/capture_overhead.py --points {args.points} --print-every "
        f"{args.print_every} --pairs {args.pairs} --trials {args.trials} --settle {args.settle} "
        f"--repeat {args.repeat}"
        + (" --control" if args.control else "")
        + (f" --parts {args.parts}" if args.parts != "all" else "")
    )
    lines = [
        "",
        MARK,
        "## Capture overhead (bench/capture_overhead.py)",
        "",
        f"`{command}` on {platform.system()} {platform.machine()}, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs (load average "
        f"{os.getloadavg()[0]:.1f} when done). Loop: {args.points:,} `append(float)` calls"
        + (f" and a `print` every {args.print_every:,}" if args.print_every else "")
        + ". Capture on = stdout, stderr, traceback hooks, hardware thread (10 s), git and "
        "source files; off = every capture argument off.",
        "",
        f"Method: {args.pairs} pairs of processes, one with capture on and one with it off, each "
        f"holding its run open; after {args.settle} s (capture's one-time start-up work done) "
        f"their loops take turns, {args.trials} each, so both see the same machine; the loop "
        "threads of both run on the same CPU (the other threads anywhere), address space "
        "randomisation off, one hash seed. Per pair, the on process's loop time over the off "
        "process's; the mean over the pairs, with a 95% bootstrap interval.",
        "",
        "| | mean on / off (95% interval) | median (95% interval) | per pair |",
        "|---|---|---|---|",
    ]
    for name, r in (("capture on vs off", result), ("control: off vs off", control)):
        if r is not None:
            lines.append(
                f"| {name}, loop wall time | **{pct(r['mean'])}** ({pct(r['low'])} to "
                f"{pct(r['high'])}) | {pct(r['median'])} ({pct(r['median_low'])} to "
                f"{pct(r['median_high'])}) | {', '.join(pct(x) for x in r['ratios'])} |"
            )
    lines += [
        f"| capture on vs off, loop thread's CPU time | {pct(result['cpu'])} | | |",
        "",
        "CPU of capture's own threads (stdout, stderr, hardware) while the loops ran, as a "
        f"share of the loops' wall time: **{result['capture_share'] * 100:.2f}%**; the sender's "
        "extra CPU in the capture-on process (the recorded lines it stores), same measure: "
        f"{result['sender_extra'] * 100:+.2f}%.",
        "",
        "One-time costs, fresh processes (median of "
        f"{args.repeat}): init_run {med('off', 'init') * 1000:.1f} ms off, "
        f"{med('on', 'init') * 1000:.1f} ms on; stop() {med('off', 'stop') * 1000:.1f} ms off, "
        f"{med('on', 'stop') * 1000:.1f} ms on.",
        "",
        f"Slowdown of the logging loop with capture on: **{pct(result['mean'])}** (95% "
        f"{pct(result['low'])} to {pct(result['high'])}), median of the pairs "
        f"{pct(result['median'])}; target < 2%.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.append:
        from results_md import replace_section

        replace_section("capture_overhead", text.replace(MARK, "").strip())


if __name__ == "__main__":
    main()
