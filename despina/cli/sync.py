"""Send what offline runs and interrupted async runs left on disk to the store.

Every disk queue under <data directory>/queue that no running process holds is sent, to the
store in the data directory, or to the despina server the run logged to (with the token of
DESPINA_API_TOKEN): the run, model or model version is created if it does not exist yet, staged files are
uploaded, and the operations are applied in batches. A queue that was sent completely is
removed. Sending again after an interruption is safe: nothing is stored twice.

Exit code 0 when everything selected was synced; 1 when something could not be (the store
refused operations, a queue could not be read, or the store failed).
"""

from __future__ import annotations

import argparse
import sys

from despina.cli import _queues

HELP = "send offline and interrupted runs to the store"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _queues.add_path_argument(parser)
    parser.add_argument("--project", metavar="P", help="only queues of project P (workspace/name)")
    parser.add_argument(
        "--offline-only", action="store_true", help="only offline queues, not async leftovers"
    )
    parser.add_argument(
        "queue_ids",
        nargs="*",
        metavar="QUEUE_IDS",
        help="only these queues: a sys id (CLS-12), a container uuid or its first characters "
        "(the QUEUE column of `despina status`)",
    )


def run(args: argparse.Namespace) -> int:
    from despina.client.disk_queue import DiskQueue, QueueLockedError, list_queues
    from despina.progress import ProgressBar

    data_dir = _queues.data_directory(args)
    root = _queues.queue_root(data_dir)
    infos = list_queues(root)
    if args.offline_only:
        infos = [q for q in infos if q.mode == "offline"]
    if args.project:
        infos = [q for q in infos if _project_matches(q.meta.get("project"), args.project)]
    failed = False
    if args.queue_ids:
        infos, bad = _queues.select(infos, args.queue_ids)
        for ident in bad:
            print(f"Cannot sync {ident}.", file=sys.stderr)
            failed = True
    if not infos:
        print(f"Nothing to sync in {root}.")
        return 1 if failed else 0

    todo = []
    for q in _queues.sorted_for_sync(infos):
        if q.error:
            print(f"Cannot read {q.folder}: {q.error}", file=sys.stderr)
            failed = True
        elif q.locked:
            owner = f" ({q.lock_owner})" if q.lock_owner else ""
            print(f"Skipped {_queues.describe(q)}: in use by a running process{owner}.")
            failed = failed or bool(args.queue_ids)
        else:
            todo.append(q)
    if not todo:
        return 1 if failed else 0

    backends: dict[str, object] = {}
    total = sum(q.pending_operations for q in todo)
    try:
        with ProgressBar(total, description="Syncing", unit="ops") as bar:
            for info in todo:
                target = _target(info, data_dir)
                if target not in backends:
                    backends[target] = _open_backend(target)
                try:
                    queue = DiskQueue.open(info.folder)
                except QueueLockedError:
                    bar.write(
                        f"Skipped {_queues.describe(info)}: it was just opened by another process."
                    )
                    continue
                ok = _sync_one(queue, info, backends[target], bar)
                failed = failed or not ok
    finally:
        for backend in backends.values():
            backend.close()
    return 1 if failed else 0


def _target(info, data_dir) -> str:
    """Where a queue goes: the server its run logged to (meta "store"), else the local store."""
    return str(info.meta["store"]).rstrip("/") if _queues.is_remote(info) else str(data_dir)


def _open_backend(target: str):
    if target.startswith(("http://", "https://")):
        from despina import settings
        from despina.client.http_backend import HttpBackend

        return HttpBackend(target, settings.setting("api_token"))
    from despina.store import Store

    return Store.open_local(target)


def _sync_one(queue, info, store, bar) -> bool:
    from despina.client.replay import replay_queue

    label = f"{info.mode} {_queues.kind_name(info.meta.get('kind'))}"
    try:
        report = replay_queue(queue, store, progress=bar.update)
    except Exception as e:  # the store or the queue failed: keep the queue for a later try
        queue.close()
        bar.write(
            f"Could not sync {_queues.describe(info)}: {e}. It stays on disk; run `despina "
            "sync` again."
        )
        return False
    bar.write(
        f"{label} → {report.sys_id} ({report.project}): {report.operations_sent:,} operations"
        + (f", {report.blobs_uploaded} files" if report.blobs_uploaded else "")
    )
    for err in report.errors:
        bar.write(f"  refused: {err.path} (operation {err.seq}): {err.message}")
    if report.missing_blobs:
        bar.write(
            f"  {len(report.missing_blobs)} file(s) were found neither in the queue nor in the "
            "store; the fields referring to them cannot be downloaded"
        )
    if report.complete:
        queue.remove()
    else:
        queue.close()
        bar.write(
            f"  {report.pending_after:,} operations are still waiting; run `despina sync` again"
        )
    return report.complete and not report.errors


def _project_matches(project: str | None, wanted: str) -> bool:
    if not project:
        return False
    if "/" not in wanted:
        return project.split("/", 1)[-1] == wanted
    return project == wanted
