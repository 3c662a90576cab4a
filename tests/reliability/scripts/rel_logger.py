"""One training process of the reliability tests, logging through the server of DESPINA_URL
until the file STOP_FILE exists (or MAX_POINTS are logged).

Series ``a`` has no steps (the store numbers the points, so a point applied twice would be
seen twice): point i is k * 1e6 + i. Series ``b`` has explicit steps: step i, value i + 0.5.
After every chunk it waits until the store has everything and prints ``ACK <points>``: those
points are acknowledged. ``DONE <points>`` after ``run.stop()``.

Arguments: k, stop file, chunk size. With RELIABILITY_NO_RESEND=1 the client's resend is
disabled: a batch that fails is taken as sent (the fault the kill tests must catch).
"""

import logging
import os
import sys
import time
from pathlib import Path

import despina
from despina.errors import ServerUnavailableError

k, stop_file, chunk = int(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
MAX_POINTS = 200_000

if os.environ.get("RELIABILITY_NO_RESEND") == "1":
    from despina.client import sender

    def _apply_once(self, batch):
        try:
            self._backend.apply_batch(batch)
        except Exception as e:  # the fault under test: no resend
            logging.getLogger("despina").warning("NO_RESEND dropped a batch: %s", e)
        return True

    sender.Sender._apply = _apply_once

deadline = time.monotonic() + 60
while True:  # the proxy or a replica may be away right now
    try:
        run = despina.init_run(
            project="team/reliability",
            mode="async",
            flush_period=0.1,
            capture_hardware_metrics=False,
            capture_stdout=False,
            capture_stderr=False,
            source_files=[],
            git_ref=False,
        )
        sys_id = run["sys/id"].fetch()
        break
    except ServerUnavailableError:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.3)
print("ID", sys_id, flush=True)

n = 0
while n < MAX_POINTS and not stop_file.exists():
    for i in range(n, n + chunk):
        run["a"].append(k * 1_000_000.0 + i)
        run["b"].append(i + 0.5, step=i)
    n += chunk
    run.wait()
    print("ACK", n, flush=True)
    time.sleep(0.02)
run.stop()
print("DONE", n, flush=True)
