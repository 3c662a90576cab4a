"""0.x's ``Project``: creates experiments (1.x runs) and reads them back as 0.x did."""

from __future__ import annotations

import re

from despina.legacy import state as context
from despina.legacy.experiments import Experiment
from despina.legacy.readers import legacy_state

_STATES = ("running", "succeeded", "failed", "aborted")
_LEADERBOARD_COLUMNS = re.compile(r"^(sys/|parameters/|properties/|logs/)")
_PREFIXES = (("parameters/", "parameter_"), ("properties/", "property_"), ("logs/", "channel_"))


class Project:
    """A project, ``workspace/name``. ``despina.legacy.init`` returns one; so does
    ``Session().get_project(name)``."""

    def __init__(self, name: str | None = None, backend=None):
        from despina.legacy.backends import mode_of
        from despina.objects.connect import resolve_project

        self._full = resolve_project(name)
        self._backend = backend
        self._mode = mode_of(backend)
        self._created: list[Experiment] = []
        self._tables = None

    @property
    def full_id(self) -> str:
        return self._full if "/" in self._full else f"local/{self._full}"

    @property
    def name(self) -> str:
        return self.full_id.split("/", 1)[1]

    @property
    def namespace(self) -> str:
        return self.full_id.split("/", 1)[0]

    def __repr__(self) -> str:
        return f"Project({self.full_id})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Project) and other.full_id == self.full_id

    def __hash__(self) -> int:
        return hash(self.full_id)

    # ---- writing --------------------------------------------------------------------------

    def create_experiment(
        self,
        name=None,
        description=None,
        params=None,
        properties=None,
        tags=None,
        upload_source_files=None,
        abort_callback=None,
        logger=None,
        upload_stdout=True,
        upload_stderr=True,
        send_hardware_metrics=True,
        run_monitoring_thread=True,
        handle_uncaught_exceptions=True,
        git_info=None,
        hostname=None,
        notebook_id=None,
        notebook_path=None,
    ) -> Experiment:
        """Start an experiment (a 1.x run) and make it the current one for the module-level
        functions. ``abort_callback``, ``git_info``, ``notebook_id`` and ``notebook_path`` are
        accepted and ignored: git state is read from the repository around the script."""
        from despina.objects.run import Run

        def flag(on) -> bool | None:
            return None if on else False  # on: despina's default (off in notebooks)

        run = Run(
            project=self._full,
            mode=self._mode,
            name=name,
            description=description,
            tags=[tags] if isinstance(tags, str) else tags,
            source_files=upload_source_files,
            capture_stdout=flag(upload_stdout),
            capture_stderr=flag(upload_stderr),
            capture_hardware_metrics=flag(send_hardware_metrics and run_monitoring_thread),
            fail_on_exception=bool(handle_uncaught_exceptions),
        )
        experiment = Experiment(self, run)
        experiment._write_parameters(params)
        for key, value in dict(properties or {}).items():
            experiment.set_property(key, value)
        if hostname is not None:
            run["sys/hostname"] = str(hostname)
        if logger is not None:
            experiment._attach_logger(logger)
        self._created.append(experiment)
        context.push_experiment(experiment)
        return experiment

    def _open_run(self, run_id: str):
        """A run of this project opened for reading, for an Experiment from get_experiments."""
        from despina.objects.run import Run

        for experiment in self._created:
            live = experiment._run is not None and not experiment._run._stopped
            if live and experiment.id == run_id:
                return experiment._run
        if self._mode != "debug":
            return Run(run_id, project=self._full, mode="read-only")
        # The in-memory store has no read-only mode: a debug run, which must capture nothing
        # (it would hold this process's stdout and threads until the process ends).
        quiet = dict.fromkeys(
            ("capture_stdout", "capture_stderr", "capture_hardware_metrics", "capture_traceback"),
            False,
        )
        return Run(run_id, project=self._full, mode="debug", source_files=[], **quiet)

    # ---- reading --------------------------------------------------------------------------

    def _rows(self, id, state, owner, tag, min_running_time, columns) -> list[dict]:
        from despina.errors import NotFoundError
        from despina.objects.project import Project as Container

        for experiment in self._created:  # what this process wrote is stored before reading
            if experiment._run is not None and not experiment._run._stopped:
                experiment._run.wait()
        if self._tables is None:
            mode = "debug" if self._mode == "debug" else "read-only"
            try:
                self._tables = Container(self._full, mode=mode)
            except NotFoundError:
                return []
        states = _states(state)
        wanted = list(columns) + ["sys/state", "sys/failed", "sys/running_time"]
        try:
            table = self._tables.fetch_runs_table(
                id=id,
                owner=owner,
                tag=tag,
                columns=wanted,
                sort_by="sys/creation_time",
                ascending=True,
                progress_bar=False,
            )
        except NotFoundError:
            return []
        rows = []
        for row in (entry.to_dict() for entry in table.to_rows()):
            legacy = legacy_state(row.get("sys/state"), row.get("sys/failed"))
            if states is not None and legacy not in states:
                continue
            running = row.get("sys/running_time") or 0.0
            if min_running_time is not None and running < min_running_time:
                continue
            row["_state"] = legacy
            rows.append(row)
        return rows

    def get_experiments(
        self, id=None, state=None, owner=None, tag=None, min_running_time=None
    ) -> list[Experiment]:
        """Experiments matching every filter given: ``id``, ``state`` (running, succeeded,
        failed, aborted) and ``owner`` match any of a list; ``tag`` needs all of them;
        ``min_running_time`` in seconds. Oldest first."""
        rows = self._rows(id, state, owner, tag, min_running_time, ["sys/id"])
        return [Experiment(self, run_id=row["sys/id"]) for row in rows]

    def get_leaderboard(self, id=None, state=None, owner=None, tag=None, min_running_time=None):
        """One row per experiment, with 0.x's columns: id, name, created, finished, owner,
        notes, size, tags, state, running_time, then ``parameter_<name>``,
        ``property_<name>`` and ``channel_<name>`` (a channel's last value)."""
        import pandas as pd

        rows = self._rows(id, state, owner, tag, min_running_time, [_LEADERBOARD_COLUMNS])
        records = [_leaderboard_row(row) for row in rows]
        fixed = ["id", "name", "created", "finished", "owner", "notes", "size", "tags"]
        fixed += ["state", "running_time"]
        extra = sorted({k for r in records for k in r} - set(fixed))
        return pd.DataFrame(records, columns=fixed + extra)


def _states(state) -> set[str] | None:
    if state is None:
        return None
    wanted = {state} if isinstance(state, str) else set(state)
    unknown = wanted - set(_STATES)
    if unknown:
        from despina.errors import UsageError

        raise UsageError(
            f"unknown experiment state {sorted(unknown)[0]!r}; use {', '.join(_STATES)}"
        )
    if "aborted" in wanted:  # despina records an interrupted run as failed
        wanted.add("failed")
    return wanted


def _leaderboard_row(row: dict) -> dict:
    tags = row.get("sys/tags")
    if isinstance(tags, (list, set, tuple)):
        tags = ",".join(sorted(tags))
    record = {
        "id": row.get("sys/id"),
        "name": row.get("sys/name"),
        "created": row.get("sys/creation_time"),
        "finished": None if row["_state"] == "running" else row.get("sys/modification_time"),
        "owner": row.get("sys/owner"),
        "notes": row.get("sys/description"),
        "size": row.get("sys/size"),
        "tags": tags,
        "state": row["_state"],
        "running_time": row.get("sys/running_time"),
    }
    for path, value in row.items():
        for prefix, label in _PREFIXES:
            if path.startswith(prefix):
                record[label + path[len(prefix) :]] = value
    return record
