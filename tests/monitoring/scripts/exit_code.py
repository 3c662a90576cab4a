"""Ends in one of several ways, chosen by argv[1]."""

import sys
import threading

import despina

how = sys.argv[1]
if how == "with":
    try:
        with despina.init_run(project="capture/exits") as run:
            print("RUN_ID", run["sys/id"].fetch(), flush=True)
            raise KeyError("inside with")
    except KeyError:
        pass
    sys.exit(0)

run = despina.init_run(project="capture/exits")
print("RUN_ID", run["sys/id"].fetch(), flush=True)
if how == "exit0":
    sys.exit(0)
elif how == "exit3":
    sys.exit(3)
elif how == "thread":
    t = threading.Thread(target=lambda: 1 / 0)
    t.start()
    t.join()
elif how == "clean":
    pass
