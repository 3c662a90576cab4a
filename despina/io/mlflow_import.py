"""Importing an MLflow tracking store (``sqlite:///mlflow.db``, ``http://host:5000``, a
``./mlruns`` folder) through the mlflow client.

Mapping (docs/import.md):

- an experiment -> a project ``mlflow/<experiment name>`` (``/`` in the name becomes ``-``),
  or every run into ``--project``; the experiment's name is kept in ``mlflow/experiment``;
- a run -> a run: ``sys/name`` from its run name, ``sys/owner`` from its user, creation time
  from its start, stopped at its end, ``sys/failed`` when it FAILED, ``sys/trashed`` when
  deleted; ``params/<key>`` (strings, as MLflow keeps them); each metric ``<key>`` a float
  series with MLflow's steps and timestamps; each tag ``tags/<key>`` (user tags also in
  ``sys/tags`` as ``key=value``, or ``key`` when empty); ``mlflow/run_id``,
  ``mlflow/parent_run_id``; the run's artifacts a file set ``artifacts`` (bytes stored);
- a registered model -> a model (key: its name in capitals, letters and digits) in the
  project of its versions' runs (or ``--project``, or ``mlflow/registry``); each version ->
  a model version keeping its number, with its stage, aliases, description, tags,
  ``mlflow/source``, ``mlflow/run_id`` and ``mlflow/run`` (the imported run's id), and its
  files as the file set ``model``.

Idempotent and resumable: every object's uuid is derived from its MLflow id; a metric's
points are numbered by their position (the store keeps how many it has and the rest follows
on the next import), and the other writes of an object form one writer named by a hash of
their content, so an unchanged run stores nothing again and a changed one is updated.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from array import array
from collections.abc import Callable
from pathlib import Path

from despina import operations as ops
from despina.errors import DespinaError
from despina.io.importer import ImportReport, ObjectReport, container_uuid
from despina.io.kept_ids import create_keeping_id
from despina.io.problems import Problem, SourceError

PAGE = 1000
_STAGES = {"none": "none", "staging": "staging", "production": "production", "archived": "archived"}


def import_mlflow(
    uri: str,
    backend,
    *,
    registry_uri: str | None = None,
    project: str | None = None,
    experiments: list[str] | None = None,
    artifacts: bool = True,
    progress: Callable[[int], object] | None = None,
    total: Callable[[int], object] | None = None,
) -> ImportReport:
    """Import the MLflow store at ``uri`` into ``backend``; ``progress(1)`` per object."""
    from mlflow.entities import ViewType
    from mlflow.tracking import MlflowClient

    report = ImportReport()
    step = progress or (lambda n: None)
    try:
        client = MlflowClient(tracking_uri=uri, registry_uri=registry_uri or uri)
        found = list(
            _pages(
                lambda token: client.search_experiments(
                    view_type=ViewType.ALL, max_results=PAGE, page_token=token
                )
            )
        )
    except Exception as e:  # mlflow raises many kinds; all mean "cannot read it"
        raise SourceError(
            f"cannot read the MLflow tracking store at {uri}: {e}. Check the URI "
            "(sqlite:///path/to/mlflow.db, http://host:5000 or a ./mlruns folder)"
        ) from e
    chosen = []
    for exp in found:
        if experiments and exp.name not in experiments:
            continue
        if exp.lifecycle_stage == "deleted":
            report.notes.append(Problem(f"experiment {exp.name!r}", "deleted in MLflow; skipped"))
            continue
        chosen.append(exp)
    runs = []
    for exp in chosen:
        for run in _pages(
            lambda token, e=exp: client.search_runs(
                [e.experiment_id],
                run_view_type=ViewType.ALL,
                max_results=PAGE,
                page_token=token,
                order_by=["attributes.start_time ASC"],
            )
        ):
            runs.append((exp, run))
    models = (
        list(
            _pages(
                lambda token: client.search_registered_models(max_results=PAGE, page_token=token)
            )
        )
        if not experiments
        else []
    )
    if total is not None:
        total(len(runs) + len(models))
    imported: dict[str, tuple[str, str]] = {}  # MLflow run id -> (project, despina id)
    with tempfile.TemporaryDirectory(prefix="despina-mlflow-") as scratch:
        runner = _Runs(client, backend, report, project, artifacts, Path(scratch))
        runner.uris = (uri, registry_uri or uri)
        for exp, run in runs:
            try:
                imported[run.info.run_id] = runner.run(exp, run)
            except (DespinaError, OSError, ValueError) as e:
                report.problems.append(Problem(f"run {run.info.run_id}", f"not imported: {e}"))
            step(1)
        for model in models:
            try:
                runner.model(model, imported)
            except (DespinaError, OSError, ValueError) as e:
                report.problems.append(Problem(f"model {model.name!r}", f"not imported: {e}"))
            step(1)
    return report


def _pages(fetch):
    token = None
    while True:
        page = fetch(token)
        yield from page
        token = getattr(page, "token", None)
        if not token:
            return


def project_for(experiment_name: str) -> str:
    name = re.sub(r"/+", "-", experiment_name.strip().strip("/")) or "Default"
    return f"mlflow/{name}"


def field_path(*parts: str) -> str:
    """Join into a field path with no empty segments (MLflow keys may hold '//' or end in /)."""
    return "/".join(s for p in parts for s in str(p).split("/") if s)


class _Runs:
    uris = (None, None)  # tracking and registry URIs, for mlflow's module-level helpers

    def __init__(self, client, backend, report, project, artifacts, scratch: Path):
        self.client = client
        self.backend = backend
        self.report = report
        self.project = project
        self.artifacts = artifacts
        self.scratch = scratch

    # ---- runs -------------------------------------------------------------------------

    def run(self, exp, run) -> tuple[str, str]:
        info, data = run.info, run.data
        project = self.project or project_for(exp.name)
        uuid = container_uuid(project, "run", "mlflow:" + info.run_id)
        tags = dict(data.tags)
        created = (info.start_time or 0) / 1000.0
        made = create_keeping_id(
            self.backend,
            sys_id=None,
            project_key=None,
            project=project,
            kind="run",
            uuid=uuid,
            owner=tags.get("mlflow.user") or info.user_id or "mlflow",
            created=created,
        )
        obj = self.report.objects[uuid] = ObjectReport("run", info.run_id, project, made.sys_id)
        ended = (info.end_time or 0) / 1000.0 or None
        when = ended or created
        attrs: list[ops.Operation] = [
            ops.AssignString("sys/name", info.run_name or tags.get("mlflow.runName") or "Untitled"),
            ops.AssignString("mlflow/run_id", info.run_id),
            ops.AssignString("mlflow/experiment", exp.name),
            ops.AssignBool("sys/failed", info.status == "FAILED"),
        ]
        if tags.get("mlflow.note.content"):
            attrs.append(ops.AssignString("sys/description", tags["mlflow.note.content"]))
        if tags.get("mlflow.parentRunId"):
            attrs.append(ops.AssignString("mlflow/parent_run_id", tags["mlflow.parentRunId"]))
        for key, value in sorted(data.params.items()):
            attrs.append(ops.AssignString(field_path("params", key), str(value)))
        user_tags = []
        for key, value in sorted(tags.items()):
            attrs.append(ops.AssignString(field_path("tags", key), str(value)))
            if not key.startswith("mlflow."):
                user_tags.append(f"{key}={value}" if value else key)
        attrs.append(ops.AssignStringSet("sys/tags", sorted(user_tags)))
        if self.artifacts:
            attrs.extend(self._artifacts(info.run_id, obj))
        self._send_once(uuid, "mlflow-attrs", attrs, when, obj)
        for key in sorted(data.metrics):
            self._metric(uuid, info.run_id, key, when, obj)
        if ended:
            self._send_once(uuid, "mlflow-end", [ops.MarkStopped("sys/state", ended)], ended, obj)
        if info.lifecycle_stage == "deleted" and hasattr(self.backend, "set_trashed"):
            self.backend.set_trashed([uuid], True)
        return project, made.sys_id

    def _metric(self, uuid: str, run_id: str, key: str, when: float, obj) -> None:
        history = self.client.get_metric_history(run_id, key)
        points = sorted((m.step, m.timestamp, m.value) for m in history)
        steps = [float(p[0]) for p in points]
        path = field_path(key)
        if any(b <= a for a, b in zip(steps, steps[1:], strict=False)):
            self.report.notes.append(
                Problem(
                    f"run {run_id}: metric {key!r}",
                    "several points share a step (MLflow "
                    "allows it); stored with steps 0, 1, 2... in (step, time) order",
                )
            )
            steps = [float(i) for i in range(len(points))]
        writer = "mlflow-metric-" + hashlib.sha256(f"{uuid}\n{key}".encode()).hexdigest()[:20]
        done = self.backend.apply_batch(ops.Batch(uuid, writer, 1, [], when)).applied_up_to
        if done >= len(points):  # the seq of a batch is the number of points up to its end
            obj.already += 1
            return
        new = slice(done, len(points))
        op = ops.AppendFloats(
            path,
            array("d", steps[new]),
            array("d", (p[2] for p in points[new])),
            array("d", (p[1] / 1000.0 for p in points[new])),
        )
        self._apply(uuid, writer, len(points), [op], when, obj, f"run {run_id}: metric {key!r}")

    def _artifacts(self, run_id: str, obj) -> list[ops.Operation]:
        listing = self._list(run_id, "")
        if not listing:
            return []
        folder = self.scratch / hashlib.sha256(run_id.encode()).hexdigest()[:16]
        try:
            local = Path(self.client.download_artifacts(run_id, "", str(folder)))
        except Exception as e:  # the artifact store may be gone or unreachable
            self.report.problems.append(
                Problem(f"run {run_id}: artifacts", f"cannot be downloaded: {e}")
            )
            return []
        entries = self._store_folder(local)
        return [ops.UploadFileSetFiles("artifacts", entries, reset=True)]

    def _list(self, run_id: str, path: str) -> list:
        out = []
        for item in self.client.list_artifacts(run_id, path or None):
            out.extend(self._list(run_id, item.path) if item.is_dir else [item])
        return out

    def _store_folder(self, local: Path) -> list[ops.FileEntry]:
        entries = []
        for path in sorted(p for p in local.rglob("*") if p.is_file()):
            stored = self.backend.blobs.put_file(path)
            entries.append(
                ops.FileEntry(
                    path.relative_to(local).as_posix(),
                    stored.hash,
                    stored.size,
                    path.stat().st_mtime,
                )
            )
        return entries

    # ---- writing ----------------------------------------------------------------------

    def _send_once(self, uuid: str, name: str, operations: list, when: float, obj) -> None:
        """Send ``operations`` as a writer named by their content: the same content again is
        skipped by the store; changed content is a new writer and is applied."""
        digest = hashlib.sha256(repr([o.to_list() for o in operations]).encode()).hexdigest()
        writer = f"{name}-{digest[:20]}"
        self._apply(uuid, writer, len(operations), operations, when, obj, name)

    def _apply(self, uuid, writer, last_seq, operations, when, obj, where) -> None:
        first = last_seq - len(operations) + 1
        done = self.backend.apply_batch(ops.Batch(uuid, writer, 1, [], when)).applied_up_to
        if done >= last_seq:
            obj.already += len(operations)
            return
        result = self.backend.apply_batch(ops.Batch(uuid, writer, first, operations, when))
        for error in result.errors:
            self.report.problems.append(
                Problem(
                    f"{obj.kind} {obj.id}: {where}",
                    f"{error.path}: refused by the store: {error.message}",
                )
            )
            obj.refused += 1
        obj.applied += len(operations) - len(result.errors)

    # ---- registry ---------------------------------------------------------------------

    def model(self, model, imported: dict) -> None:
        versions = list(
            _pages(
                lambda token: self.client.search_model_versions(
                    f"name='{_quote(model.name)}'", max_results=PAGE, page_token=token
                )
            )
        )
        versions.sort(key=lambda v: int(v.version))
        projects = [imported[v.run_id][0] for v in versions if v.run_id in imported]
        project = self.project or (projects[-1] if projects else "mlflow/registry")
        key = re.sub(r"[^A-Z0-9]", "", model.name.upper())
        key = key if re.search(r"[A-Z]", key) else "M" + key
        uuid = container_uuid(project, "model", "mlflow:" + model.name)
        created = (model.creation_timestamp or 0) / 1000.0
        made = create_keeping_id(
            self.backend,
            sys_id=None,
            project_key=None,
            project=project,
            kind="model",
            uuid=uuid,
            owner="mlflow",
            created=created,
            model_key=key,
        )
        obj = self.report.objects[uuid] = ObjectReport("model", model.name, project, made.sys_id)
        when = (model.last_updated_timestamp or 0) / 1000.0 or created
        attrs = [
            ops.AssignString("sys/name", model.name),
            ops.AssignString("sys/description", model.description or ""),
            *(
                ops.AssignString(field_path("tags", k), str(v))
                for k, v in sorted(model.tags.items())
            ),
        ]
        self._send_once(uuid, "mlflow-model", attrs, when, obj)
        aliases = _aliases(model)
        for version in versions:
            self._version(project, made.sys_id, version, aliases, imported)

    def _version(self, project, model_sys_id, version, aliases: dict, imported: dict) -> None:
        number = int(version.version)
        uuid = container_uuid(project, "model_version", f"mlflow:{version.name}:{number}")
        created = (version.creation_timestamp or 0) / 1000.0
        made = create_keeping_id(
            self.backend,
            sys_id=f"{model_sys_id}-{number}",
            project_key=None,
            project=project,
            kind="model_version",
            uuid=uuid,
            owner=version.user_id or "mlflow",
            created=created,
            model_id=model_sys_id,
        )
        obj = self.report.objects[uuid] = ObjectReport(
            "model_version", f"{version.name} v{number}", project, made.sys_id
        )
        when = (version.last_updated_timestamp or 0) / 1000.0 or created
        attrs: list[ops.Operation] = [
            ops.AssignString("sys/description", version.description or ""),
            ops.AssignString("mlflow/source", version.source or ""),
            ops.AssignString("mlflow/version", str(number)),
            ops.ChangeStage("sys/stage", _STAGES.get(str(version.current_stage).lower(), "none")),
        ]
        if version.run_id:
            attrs.append(ops.AssignString("mlflow/run_id", version.run_id))
            if version.run_id in imported:
                attrs.append(ops.AssignString("mlflow/run", imported[version.run_id][1]))
        attrs += [
            ops.AssignString(field_path("tags", k), str(v)) for k, v in sorted(version.tags.items())
        ]
        attrs += [
            ops.SetAlias("sys/aliases", a)
            for a, v in sorted(aliases.items())
            if str(v) == str(number)
        ]
        if self.artifacts:
            attrs.extend(self._version_files(version, obj))
        self._send_once(uuid, "mlflow-version", attrs, when, obj)

    def _version_files(self, version, obj) -> list[ops.Operation]:
        import mlflow.artifacts

        folder = self.scratch / f"v-{hashlib.sha256(obj.id.encode()).hexdigest()[:16]}"
        try:
            uri = self.client.get_model_version_download_uri(version.name, version.version)
            local = Path(
                mlflow.artifacts.download_artifacts(
                    artifact_uri=uri,
                    dst_path=str(folder),
                    tracking_uri=self.uris[0],
                    registry_uri=self.uris[1],
                )
            )
        except Exception as e:  # a version whose files are gone still has its metadata
            self.report.problems.append(
                Problem(f"model version {obj.id}", f"files cannot be downloaded: {e}")
            )
            return []
        if local.is_file():
            local = local.parent
        return [ops.UploadFileSetFiles("model", self._store_folder(local), reset=True)]


def _aliases(model) -> dict:
    """alias -> version number, whatever shape this mlflow version gives them."""
    raw = getattr(model, "aliases", None) or {}
    if isinstance(raw, dict):
        return dict(raw)
    out = {}
    for item in raw:
        alias = getattr(item, "alias", None)
        if alias is not None:
            out[alias] = getattr(item, "version", None)
    return out


def _quote(name: str) -> str:
    return name.replace("'", "\\'")
