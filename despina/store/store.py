"""The store: applies batches of operations and answers reads.

This class is the one public face of the package and states the contract every caller relies
on (the client's local backend today, the server tomorrow). The work is done by the helper
modules: db (connections, transactions), schema (tables, migrations), projects (projects and
containers), apply (batches), series (points), reads, query (filters to SQL), tables, blobs.
"""

from __future__ import annotations

import time
from pathlib import Path

from despina.errors import StoreError, UsageError
from despina.operations import Batch, BatchResult
from despina.store import apply, grouping, notebooks, projects, reads, schema, search, tables
from despina.store import buckets as bucketed
from despina.store.blobs import LocalBlobStore, MemoryBlobStore, open_blob_store
from despina.store.db import DEFAULT_QUERY_TIMEOUT, Database, QueryGuard, open_database
from despina.store.filters import Filter
from despina.store.model import (
    ContainerInfo,
    FieldValue,
    FileEntry,
    FloatBuckets,
    FloatPoints,
    ObjectPoints,
    ProjectInfo,
    Table,
)
from despina.store.search import PointMatches


class Store:
    """Metadata in a SQL database (SQLite or PostgreSQL) plus a content-addressed blob store
    (a folder or S3). Safe to use from several threads and several processes at once (SQLite
    in WAL mode with writes in short IMMEDIATE transactions; PostgreSQL with advisory locks
    per container and project, see docs/store.md).

    ``clock`` (seconds since the epoch) decides sys/state: a container is running when it is
    not stopped and its last ping is within HEARTBEAT_WINDOW of ``clock()``. Tests replace it.

    ``query_timeout`` (seconds, None: no limit; settable) bounds each statement of a table or
    search read that is not given a ``QueryGuard`` of its own: past it the read raises
    QueryTimeoutError (``despina.store.db``).
    """

    def __init__(
        self,
        db: Database,
        blobs,
        folder: Path | None = None,
        *,
        query_timeout: float | None = DEFAULT_QUERY_TIMEOUT,
    ):
        self._db = db
        self._blobs = blobs
        self.folder = folder
        self.clock = time.time
        self.query_timeout = query_timeout
        schema.migrate(db)

    def __repr__(self) -> str:
        if self.folder:
            return f"Store({self.folder})"
        return f"Store({self._db.path or 'in memory'}, {self._blobs!r})"

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- opening ------------------------------------------------------------------------

    @classmethod
    def open_local(cls, folder: str | Path) -> Store:
        """Open (creating if needed) the embedded store in ``folder``: ``store.db`` (SQLite,
        WAL) and ``blobs/``. Migrates an older schema in place; refuses a newer one with
        StoreVersionError."""
        import sqlite3

        folder = Path(folder)
        db = None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            db = Database(str(folder / "store.db"))
            return cls(db, LocalBlobStore(folder / "blobs"), folder)
        except (OSError, sqlite3.OperationalError) as e:
            if db is not None:
                db.close()
            raise StoreError(_unopenable(folder, e)) from e
        except BaseException:
            if db is not None:
                db.close()
            raise

    @classmethod
    def open(cls, database_url: str, blob_url: str | Path | None = None) -> Store:
        """Open (creating and migrating its tables if needed) the store of ``database_url``
        with the blobs of ``blob_url``.

        - ``sqlite:///relative/store.db``, ``sqlite:////absolute/store.db`` (a folder means
          ``<folder>/store.db``), ``sqlite://`` (in memory);
        - ``postgresql://user:password@host:5432/dbname`` (``pip install 'despina[postgres]'``);
        - blobs: ``s3://bucket/prefix`` (endpoint from ``?endpoint_url=``, ``S3_ENDPOINT_URL``
          or ``AWS_ENDPOINT_URL``), ``file:///folder`` or a folder path. Left None: the
          ``blobs`` folder beside a SQLite file, memory for SQLite in memory; PostgreSQL
          needs one.

        >>> store = Store.open("postgresql://despina@db:5432/despina",
        ...                    "s3://team-bucket/despina?endpoint_url=http://minio:9000")  # doctest: +SKIP
        """
        db = open_database(database_url)
        try:
            folder = Path(db.path).parent if db.dialect.name == "sqlite" and db.path else None
            if blob_url is not None:
                blobs = open_blob_store(blob_url)
            elif folder is not None:
                blobs = LocalBlobStore(folder / "blobs")
            elif db.memory:
                blobs = MemoryBlobStore()
            else:
                raise UsageError(
                    "a PostgreSQL store needs a blob URL: s3://bucket/prefix (any S3-compatible "
                    "service) or file:///folder shared by every server"
                )
            return cls(db, blobs, folder)
        except BaseException:
            db.close()
            raise

    @classmethod
    def in_memory(cls) -> Store:
        """A store that lives only in this process (debug mode): SQLite in memory and blobs in
        a dict. Shared by every thread of the process that holds this object."""
        return cls(Database(None), MemoryBlobStore())

    def close(self) -> None:
        self._db.close()

    # ---- projects -----------------------------------------------------------------------

    def get_or_create_project(self, qualified_name: str) -> ProjectInfo:
        """``"workspace/name"`` (a bare ``"name"`` means workspace ``local``). Creates it on
        first use with a key derived from the name (see docs/store.md)."""
        return projects.get_or_create_project(self._db, qualified_name, time.time())

    def get_project(self, qualified_name: str) -> ProjectInfo:
        """Raises ProjectNotFoundError."""
        return projects.get_project(self._db, qualified_name)

    def list_projects(self) -> list[ProjectInfo]:
        return projects.list_projects(self._db)

    # ---- containers ---------------------------------------------------------------------

    def create_container(
        self,
        *,
        project: str,
        kind: str,
        uuid: str,
        owner: str,
        created: float,
        custom_run_id: str | None = None,
        model_key: str | None = None,
        model_id: str | None = None,
        sys_id: str | None = None,
        project_key: str | None = None,
    ) -> ContainerInfo:
        """Create a run / model / model version; idempotent by ``uuid``.

        - run: next number in the project (``KEY-1``, ``KEY-2``...). With ``custom_run_id``,
          an existing run of the project with that custom id is returned instead (even when
          several processes race to create it).
        - model: ``model_key`` required (upper-cased; letters and digits), id ``KEY-MODELKEY``;
          a duplicate key in the project raises ConflictError.
        - model_version: ``model_id`` (the model's sys_id) required, must exist; id
          ``KEY-MODELKEY-N`` with N counting from 1 per model.
        - project: the project's own container (one per project, id = the project key);
          returns the existing one if present.
        - ``sys_id`` (importers) asks for the id the object had in another tracker: kept when
          it fits the project's key (and model) and is free, later objects continuing after
          the highest number; otherwise the next free id. ``project_key``: the key a project
          created now should get.
        Creation also stores the default sys fields (sys/name "Untitled", sys/description "",
        sys/tags empty, sys/failed false, sys/custom_run_id, sys/stage "none" and sys/model_id
        for versions). The project is created on first use.
        """
        return projects.create_container(
            self._db,
            project=project,
            kind=kind,
            uuid=uuid,
            owner=owner,
            created=created,
            custom_run_id=custom_run_id,
            model_key=model_key,
            model_id=model_id,
            sys_id=sys_id,
            project_key=project_key,
        )

    def fetch_project_fields(self, project: str, kind: str) -> list[tuple[str, str]]:
        """Sorted (path, type) pairs of every field the ``kind`` containers of ``project``
        hold (the app's column chooser and NQL completion); none for an unknown project."""
        from despina.store.project_fields import project_fields

        return project_fields(self._db, project, kind)

    def get_container(
        self, sys_id: str, *, project: str | None = None, kind: str | None = None
    ) -> ContainerInfo:
        """Find by sys_id (in ``project``, or in any project when None). Raises
        ContainerNotFoundError naming the id and project."""
        return projects.get_container(self._db, sys_id, project, kind)

    def get_container_by_uuid(self, uuid: str) -> ContainerInfo:
        return projects.get_container_by_uuid(self._db, uuid)

    def set_trashed(self, uuids: list[str], trashed: bool = True) -> None:
        projects.set_trashed(self._db, uuids, trashed)

    def list_containers(
        self, project: str, *, trashed: bool | None = None, model_id: str | None = None
    ) -> list[ContainerInfo]:
        """The containers of ``project`` (every kind, its project container too) in creation
        order: the trashed ones (``trashed`` True), the live ones (False) or all (None); with
        ``model_id`` (a model's sys_id), that model's versions only."""
        return projects.list_containers(self._db, project, trashed, model_id)

    def delete_containers(self, uuids: list[str]) -> list[str]:
        """Delete containers for good: their fields, points, file entries and aliases, and the
        versions of a model. Blobs stay (content-addressed, maybe shared). A run number freed
        at the end of a project is given again to the next run. Returns the uuids that
        existed."""
        return projects.delete_containers(self._db, uuids)

    def delete_project(self, qualified_name: str) -> None:
        """Delete a project for good, with every container of it (as ``delete_containers``)
        and its artifact versions. Raises ProjectNotFoundError."""
        projects.delete_project(self._db, qualified_name)

    def workspace_size(self, workspace: str) -> int:
        """Bytes the workspace's containers hold (the sum of their sys/size)."""
        return projects.workspace_size(self._db, workspace)

    # ---- writes -------------------------------------------------------------------------

    def apply_batch(self, batch: Batch) -> BatchResult:
        """Apply in one transaction, skipping operations with seq <= the highest seq already
        applied for (container, writer). Operations that cannot be applied (a type conflict,
        a step that goes backwards, a protected path) are reported in ``errors`` and the rest
        are applied. An empty batch is a heartbeat: it only moves sys/ping_time."""
        return apply.apply_batch(self._db, batch)

    def save_artifact_version(self, project: str, version) -> None:
        """Keep an ``artifact_versions.ArtifactVersion`` (a file list under a hash) in
        ``project``; a hash kept before stays as it was."""
        from despina.store import artifact_versions

        artifact_versions.save(self._db, project, version)

    def find_artifact_version(
        self, project: str, *, hash: str | None = None, content_hash: str | None = None
    ):
        """The ``ArtifactVersion`` of ``project`` kept under ``hash`` (or with despina's
        ``content_hash``), or None."""
        from despina.store import artifact_versions

        return artifact_versions.find(self._db, project, hash=hash, content_hash=content_hash)

    # ---- notebooks ------------------------------------------------------------------------

    def get_or_create_notebook(
        self, project: str, path: str, *, name: str | None = None, created_by: str = ""
    ):
        """The ``notebooks.NotebookInfo`` at ``path`` in ``project`` (both created on first
        use; a ``name`` renames an existing one)."""
        return notebooks.get_or_create_notebook(
            self._db, project, path, name=name, created_by=created_by
        )

    def find_notebook(self, project: str, path: str):
        """The notebook at ``path`` in ``project``, or None."""
        return notebooks.find_notebook(self._db, project, path)

    def get_notebook(self, project: str, notebook_id: int):
        """Raises NotebookNotFoundError (also for a notebook of another project)."""
        return notebooks.get_notebook(self._db, project, notebook_id)

    def list_notebooks(self, project: str) -> list:
        """The project's notebooks, last updated first, each with its number of checkpoints
        and its latest one (none for an unknown project)."""
        return notebooks.list_notebooks(self._db, project)

    def add_notebook_checkpoint(
        self,
        project: str,
        path: str,
        *,
        sha256: str,
        size: int | None = None,
        name: str = "",
        description: str = "",
        kernel: str | None = None,
        created_by: str = "",
        notebook_name: str | None = None,
    ):
        """(``CheckpointInfo``, created) for the blob ``sha256`` (put in ``blobs`` first; it
        must be an .ipynb file) as a checkpoint of the notebook at ``path``. When the
        notebook's latest checkpoint has this content and this name, that one is answered
        with created False.

        >>> ref = store.blobs.put_bytes(Path("train.ipynb").read_bytes())
        >>> cp, _ = store.add_notebook_checkpoint("team/cls", "train.ipynb", sha256=ref.hash)
        """
        return notebooks.add_checkpoint(
            self._db,
            self._blobs,
            project,
            path,
            sha256=sha256,
            size=size,
            name=name,
            description=description,
            kernel=kernel,
            created_by=created_by,
            notebook_name=notebook_name,
        )

    def list_notebook_checkpoints(self, project: str, notebook_id: int) -> list:
        """The notebook's checkpoints, newest first."""
        return notebooks.list_checkpoints(self._db, project, notebook_id)

    def get_notebook_checkpoint(
        self, project: str, checkpoint_id: int, notebook_id: int | None = None
    ):
        """Checkpoint ``checkpoint_id`` of ``project`` (of notebook ``notebook_id`` when
        given); NotebookNotFoundError or CheckpointNotFoundError."""
        if notebook_id is None:
            return notebooks.find_checkpoint(self._db, project, checkpoint_id)
        return notebooks.get_checkpoint(self._db, project, notebook_id, checkpoint_id)

    def notebook_checkpoint_content(
        self, project: str, checkpoint_id: int, notebook_id: int | None = None
    ) -> bytes:
        """The exact .ipynb bytes of a checkpoint."""
        checkpoint = self.get_notebook_checkpoint(project, checkpoint_id, notebook_id)
        with self._blobs.open(checkpoint.sha256) as f:
            return f.read()

    def diff_notebook_checkpoints(
        self, project: str, a: int, b: int, notebook_id: int | None = None
    ) -> list[dict]:
        """The cell-by-cell diff of checkpoints ``a`` and ``b`` (``notebook_diff``)."""
        from despina.store.notebook_diff import diff_notebooks

        return diff_notebooks(
            self.notebook_checkpoint_content(project, a, notebook_id),
            self.notebook_checkpoint_content(project, b, notebook_id),
        )

    @property
    def blobs(self):
        """The BlobStore: put_bytes(data) / put_file(path) / put_stream(f) -> FileRef-like
        (hash, size); exists(hash); open(hash) -> binary file; size(hash)."""
        return self._blobs

    # ---- reads --------------------------------------------------------------------------

    def get_structure(self, uuid: str) -> dict[str, str]:
        """Every field path -> type, including the computed sys fields."""
        return reads.get_structure(self._db, uuid)

    def get_field(self, uuid: str, path: str) -> FieldValue | None:
        return reads.get_field(self._db, uuid, path, self.clock())

    def get_fields(self, uuid: str, prefix: str = "") -> list[FieldValue]:
        """Every field at or under ``prefix`` (a namespace path, '' for all), computed sys
        fields included."""
        return reads.get_fields(self._db, uuid, prefix, self.clock())

    def fetch_float_points(
        self,
        uuid: str,
        path: str,
        *,
        offset: int = 0,
        limit: int | None = None,
        step_min: float | None = None,
        step_max: float | None = None,
    ) -> FloatPoints:
        return reads.fetch_float_points(self._db, uuid, path, offset, limit, step_min, step_max)

    def fetch_float_buckets(
        self,
        uuids: list[str],
        path: str,
        *,
        x: str = "step",
        x_min: float | None = None,
        x_max: float | None = None,
        buckets: int = 1000,
        log_x: bool = False,
    ) -> list[FloatBuckets]:
        """The float series ``path`` of each container in ``uuids``, cut into ``buckets``
        along ``x`` ("step", or "time" in seconds since the epoch), one FloatBuckets per uuid
        in that order. The range is ``x_min``..``x_max`` (points outside are left out); a
        bound left None is taken from the data of all the series together, so the buckets of
        every run line up. ``log_x``: edges in equal ratios (a range starting at or below 0
        starts its ratios at 1, or at hi/1000 when hi <= 1, and puts the points below in the
        first bucket). A container without the series gets empty buckets; an unknown uuid
        raises ContainerNotFoundError, a field of another type FieldTypeError.

        >>> [b] = store.fetch_float_buckets([run_uuid], "train/loss", buckets=500)
        >>> mean = b.sum / (b.count - b.nan_count - b.pos_inf_count - b.neg_inf_count)
        """
        return bucketed.fetch_float_buckets(
            self._db, list(uuids), path, x, x_min, x_max, buckets, log_x
        )

    def fetch_object_points(
        self,
        uuid: str,
        path: str,
        *,
        offset: int = 0,
        limit: int | None = None,
        step_min: float | None = None,
        step_max: float | None = None,
    ) -> ObjectPoints:
        """String series (values: str) and file series (values: SeriesFile)."""
        return reads.fetch_object_points(self._db, uuid, path, offset, limit, step_min, step_max)

    def search_object_points(
        self,
        uuid: str,
        path: str,
        text: str,
        *,
        offset: int = 0,
        limit: int | None = None,
        guard: QueryGuard | None = None,
    ) -> PointMatches:
        """The points of the string series ``path`` whose value contains ``text``, in series
        order: their indexes in the series, steps, timestamps and values, ``offset``/``limit``
        counted in matches, and ``total`` matches in all. Case-insensitive for A-Z only (other
        characters match exactly, on SQLite and PostgreSQL alike); ``%``, ``_`` and quotes
        are plain text (see despina/store/search.py). FieldNotFoundError when the series is
        absent, FieldTypeError for a field of another type. ``guard``: as in fetch_table.

        >>> page = store.search_object_points(run_uuid, "monitoring/stdout", "error", limit=100)
        >>> page.total, page.indexes[:3]  # doctest: +SKIP
        """
        guard = guard or QueryGuard(self.query_timeout)
        return search.search_object_points(self._db, uuid, path, text, offset, limit, guard)

    def list_files(self, uuid: str, path: str) -> list[FileEntry]:
        """The files of a file set or artifact, sorted by path."""
        return reads.list_files(self._db, uuid, path)

    def fetch_table(
        self,
        project: str,
        kind: str,
        *,
        model_id: str | None = None,
        filter: Filter | str | None = None,
        columns: list | None = None,
        sort_by: str = "sys/creation_time",
        ascending: bool = False,
        limit: int | None = None,
        trashed: bool | None = False,
        offset: int = 0,
        guard: QueryGuard | None = None,
    ) -> Table:
        """Rows of one kind of container in a project (model versions of ``model_id`` only,
        when given). ``filter`` is a filter tree or NQL text (parsed with ``clock()`` as the
        "now" of relative datetimes; NQLSyntaxError when it does not parse). ``columns`` None
        means every field; items are paths or compiled regular expressions
        (``re.compile("^metrics/")``: every path it finds with ``re.search``, sorted); sys/id
        is always included.
        ``trashed`` False: only live ones, True: only trashed ones, None: both. Rows whose
        sort field is missing come last. ``offset`` skips that many rows of the sorted
        answer (paging); ``Table.total`` counts the rows matching, ignoring limit and
        offset. ``guard`` (a ``despina.store.db.QueryGuard``) bounds each statement's time
        and can cancel the read from another thread; without one, ``query_timeout`` applies.
        MATCHES patterns are RE2's; a filter past ``filters.MAX_CLAUSES`` clauses or nested
        too deep raises UsageError."""
        guard = guard or QueryGuard(self.query_timeout)
        return tables.fetch_table(
            self._db,
            project=project,
            kind=kind,
            model_id=model_id,
            filter=filter,
            columns=columns,
            sort_by=sort_by,
            ascending=ascending,
            limit=limit,
            offset=offset,
            trashed=trashed,
            now=self.clock(),
            guard=guard,
        )

    def fetch_groups(
        self,
        project: str,
        kind: str,
        *,
        group_by: list[str],
        columns: list[str] | None = None,
        filter: Filter | str | None = None,
        sort_by="key",
        ascending: bool = True,
        limit: int | None = 1000,
        offset: int = 0,
        trashed: bool | None = False,
        guard: QueryGuard | None = None,
    ) -> grouping.Groups:
        """The containers matching ``filter`` grouped by the fields ``group_by``: each
        group's key, count, aggregates (count, mean, min, max, std) of the number
        ``columns`` and filter (NQL); ``sort_by`` 'key', 'count' or (column, function);
        ``limit``/``offset`` page the groups, ``total`` counts them. See
        ``despina.store.grouping``.

        >>> store.fetch_groups("ws/proj", "run", group_by=["params/lr"], columns=["acc"])
        ... # doctest: +SKIP
        """
        guard = guard or QueryGuard(self.query_timeout)
        return grouping.fetch_groups(
            self._db,
            project=project,
            kind=kind,
            group_by=group_by,
            columns=columns,
            filter=filter,
            sort_by=sort_by,
            ascending=ascending,
            limit=limit,
            offset=offset,
            trashed=trashed,
            now=self.clock(),
            guard=guard,
        )


def _unopenable(folder: Path, e: Exception) -> str:
    """What to tell the user when the embedded store in ``folder`` cannot be opened."""
    import errno
    import os

    cause = getattr(e, "strerror", None) or str(e)
    if getattr(e, "errno", None) in (errno.EROFS, errno.EACCES, errno.EPERM) or (
        folder.exists() and not os.access(folder, os.W_OK)
    ):
        hint = "the folder is read-only for this process"
    elif getattr(e, "errno", None) in (errno.ENOSPC, errno.EDQUOT):
        hint = "the disk is full"
    else:
        hint = "check that the folder exists and that this user can write to it"
    return (
        f"cannot open the embedded store in {folder}: {cause} ({hint}). The store needs to "
        "write there, even to read (SQLite keeps its journal beside store.db); point "
        "DESPINA_DATA_DIRECTORY at a writable folder, or make this one writable. Nothing "
        "stored there was changed."
    )
