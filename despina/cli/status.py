"""Show what async and offline runs left on disk, waiting to be sent to the store.

Lists every disk queue under <data directory>/queue with its mode, project, kind, id (or
"(not yet created)" for offline objects the store has not seen), pending operations and size.
Queues still being written by a running process are marked "in use".
"""

from __future__ import annotations

import argparse

from despina.cli import _queues

HELP = "show what is waiting to be synced"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _queues.add_path_argument(parser)


def run(args: argparse.Namespace) -> int:
    from despina.client.disk_queue import list_queues

    data_dir = _queues.data_directory(args)
    root = _queues.queue_root(data_dir)
    infos = list_queues(root)
    if not infos:
        print(f"Nothing to sync in {root}.")
        return 0
    print(f"Disk queues in {root}:\n")
    print(_queues.table(_queues.queue_rows(infos)))
    pending = sum(q.pending_operations for q in infos)
    waiting = [q for q in infos if not q.locked]
    print()
    noun = "queue" if len(infos) == 1 else "queues"
    print(f"{len(infos)} {noun}, {pending:,} operations waiting.")
    if waiting:
        path = f" --path {data_dir}" if args.path else ""
        print(f"Run `despina sync{path}` to send them to the store in {data_dir}.")
    else:
        print("Every queue is in use by a running process, which sends it itself.")
    return 0
