"""Delete what async and offline runs left on disk without sending it.

Removes every disk queue under <data directory>/queue that no running process holds. What was
not synced is lost: run `despina sync` first to keep it. Asks for confirmation unless --yes.
"""

from __future__ import annotations

import argparse

from despina.cli import _queues

HELP = "delete unsent operations left on disk"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _queues.add_path_argument(parser)
    parser.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")


def run(args: argparse.Namespace) -> int:
    import shutil

    from despina.client.disk_queue import DiskQueue, QueueLockedError, list_queues

    root = _queues.queue_root(_queues.data_directory(args))
    infos = list_queues(root)
    if not infos:
        print(f"Nothing to clear in {root}.")
        return 0
    for q in infos:
        if q.locked:
            print(f"Keeping {_queues.describe(q)}: in use by a running process.")
    doomed = [q for q in infos if not q.locked]
    if not doomed:
        return 0
    print(f"To delete from {root}:\n")
    print(_queues.table(_queues.queue_rows(doomed)))
    pending = sum(q.pending_operations for q in doomed)
    if not args.yes:
        noun = "queue" if len(doomed) == 1 else "queues"
        prompt = f"\nDelete {len(doomed)} {noun} with {pending:,} unsent operations? [y/N] "
        try:
            answer = input(prompt)
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing deleted.")
            return 1
    removed = 0
    for info in doomed:
        try:
            queue = DiskQueue.open(info.folder)
        except QueueLockedError:
            print(f"Keeping {_queues.describe(info)}: it was just opened by another process.")
            continue
        except Exception:  # an unreadable queue is removed as it is
            shutil.rmtree(info.folder, ignore_errors=True)
            removed += 1
            continue
        queue.remove()
        removed += 1
    print(f"Deleted {removed} {'queue' if removed == 1 else 'queues'}.")
    return 0
