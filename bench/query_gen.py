"""The generated project of the query benchmark, written fast, and cached under bench/out/.

Every run ``i`` gets the operations of ``run_operations(i, rng)``: 50 params (45 floats,
3 ints, 2 strings), 20 float series of 10 points (the table shows their last value), 5 tags
from a pool of 50, and the experiment name ``sys/experiment/name`` = ``exp-{i // 4}`` (Neptune
3.x: four runs an experiment, created one after the other, so run ``4k + 3`` is the head of
``exp-k``), as one batch of writer ``gen`` at time ``T0 + i``.

- ``generate_logged`` applies those batches through ``Store.apply_batch``, as logging does
  (about 5 ms a run on SQLite, far more on PostgreSQL: ~200 statements a run).
- ``generate_bulk`` writes the rows those batches leave, for thousands of runs at once: one
  ``executemany`` per table on SQLite, ``COPY`` on PostgreSQL. The rows are computed as the
  store computes them (the same chunk packing and summaries, the same field sizes).
  tests/store/test_query_gen.py checks that both give identical tables, row by row.
- ``generate_series`` writes the series of the bucketed-read targets through ``apply_batch``
  (10 batches of 1,000,000 points, and 100 runs of 100,000 points: a few seconds); each of
  the 100 runs is its own experiment, ``hundred-<r>`` (``sys/experiment/name``).

``cached_store(db, runs, seed)`` opens the store for those parameters, generating it the first
time: a folder ``bench/out/query-<runs>-<key>/`` for SQLite, a database
``despina_bench_q<runs>_<key>`` for PostgreSQL (``--postgres URL`` of the server), where key
hashes the parameters and this generator's version. A cached store written by an older
despina is migrated when opened, as a user's store would be.
"""

from __future__ import annotations

import functools
import hashlib
import math
import sys
import time
import urllib.parse
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from despina import operations as ops  # noqa: E402
from despina.store import Store  # noqa: E402
from despina.store.fields import FLOAT_POINT_SIZE  # noqa: E402
from despina.store.projects import get_or_create_project  # noqa: E402
from despina.store.schema import SCHEMA_VERSION  # noqa: E402
from despina.store.series import step_delta  # noqa: E402

PROJECT = "bench/query"
SERIES_PROJECT = "bench/series"
T0 = 1_700_000_000.0
WRITER = "gen"
GENERATOR_VERSION = 2  # change when the generated data changes (2: experiment names)
POINTS = 10
N_SERIES = 20
TAG_POOL = [f"tag{k}" for k in range(50)]
EXPERIMENT_NAME = "sys/experiment/name"
RUNS_PER_EXPERIMENT = 4
OUT = ROOT / "bench" / "out"


def run_operations(i: int, rng) -> list:
    """The operations of run ``i`` (consumes ``rng`` the same way for both generators)."""
    p = rng.random(45)
    operations: list = [ops.AssignFloat(f"params/p{j}", float(p[j])) for j in range(45)]
    operations += [ops.AssignInt(f"params/i{j}", int(i % (j + 5))) for j in range(3)]
    operations += [
        ops.AssignString("params/s0", f"model-{i % 13}"),
        ops.AssignString("params/s1", "adam" if i % 2 else "sgd"),
        ops.AssignString(EXPERIMENT_NAME, experiment(i)),  # no random draw: rng as before
    ]
    values = rng.random((N_SERIES, POINTS))
    steps = np.arange(POINTS, dtype=np.float64)
    stamps = np.full(POINTS, T0)
    operations += [
        ops.AppendFloats(f"metrics/m{j}", steps, values[j], stamps) for j in range(N_SERIES)
    ]
    tags = rng.choice(len(TAG_POOL), 5, replace=False)
    operations.append(ops.AddStrings("sys/tags", [TAG_POOL[t] for t in tags]))
    return operations


def experiment(i: int) -> str:
    """The experiment run ``i`` belongs to; its head is its last run (the latest created)."""
    return f"exp-{i // RUNS_PER_EXPERIMENT}"


def owner(i: int) -> str:
    return f"user{i % 7}"


def uuid(i: int) -> str:
    return f"run-{i}"


def generate_logged(store: Store, runs: int, seed: int = 0) -> None:
    """Through create_container and apply_batch, as logging writes (the reference)."""
    rng = np.random.default_rng(seed)
    for i in range(runs):
        store.create_container(
            project=PROJECT, kind="run", uuid=uuid(i), owner=owner(i), created=T0 + i
        )
        store.apply_batch(ops.Batch(uuid(i), WRITER, 1, run_operations(i, rng), T0 + i))


# ---- bulk ------------------------------------------------------------------------------------

_FIELD_COLUMNS = (
    "container_id, path, type, float_value, int_value, text_value, count, last_step, "
    "last_timestamp, min_value, max_value, sum_value, sum_sq, size"
)
_CHUNK_COLUMNS = (
    'field_id, first_index, n, first_step, last_step, min_value, max_value, steps, "values", '
    "timestamps, first_value, last_value, sum_value, nan_count, pos_inf_count, neg_inf_count, "
    "min_timestamp, max_timestamp, step_delta"
)


@functools.lru_cache(maxsize=8)
def _step_delta(steps_bytes: bytes):
    return step_delta(np.frombuffer(steps_bytes, dtype="<f8"))


def _insert(conn, table: str, columns: str, rows: list) -> None:
    """Many rows at once: COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    raw = getattr(conn, "raw", None)
    if raw is None:
        marks = ", ".join("?" * (columns.count(",") + 1))
        conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
        return
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _field(cid, path, type_, fv=None, iv=None, tv=None, size=0):
    return (cid, path, type_, fv, iv, tv, 0, None, None, None, None, 0.0, 0.0, size)


def _run_rows(cid: int, operations: list, steps_bytes: bytes, ts_bytes: bytes):
    """(field rows, series points by path, tag members) that the batch leaves in container
    ``cid``, computed as apply.py and series.py compute them for a fresh container."""
    fields = [
        _field(cid, "sys/name", ops.STRING, tv="Untitled", size=8),
        _field(cid, "sys/description", ops.STRING, tv="", size=0),
        _field(cid, "sys/group_tags", ops.STRING_SET),
        _field(cid, "sys/failed", ops.BOOL, iv=0),
    ]
    series = {}
    members: list[str] = []
    for op in operations:
        if isinstance(op, ops.AssignFloat):
            v = float(op.value)
            fields.append(_field(cid, op.path, ops.FLOAT, fv=None if math.isnan(v) else v, size=8))
        elif isinstance(op, ops.AssignInt):
            fields.append(_field(cid, op.path, ops.INT, iv=int(op.value), size=8))
        elif isinstance(op, ops.AssignString):
            text = str(op.value)
            fields.append(_field(cid, op.path, ops.STRING, tv=text, size=len(text)))
        elif isinstance(op, ops.AppendFloats):
            values = np.asarray(op.values, dtype=np.float64)
            if not np.isfinite(values).all() or len(values) != POINTS:
                raise ValueError("the bulk generator writes finite series of POINTS points")
            n = len(values)
            first, last = values.tolist()[0], values.tolist()[-1]
            lo, hi = float(values.min()), float(values.max())
            total = float(values.sum())
            fields.append(
                (
                    cid,
                    op.path,
                    ops.FLOAT_SERIES,
                    last,
                    None,
                    None,
                    n,
                    float(op.steps[-1]),
                    float(op.timestamps[-1]),
                    lo,
                    hi,
                    0.0 + total,
                    0.0 + float(np.einsum("i,i->", values, values)),
                    n * FLOAT_POINT_SIZE,
                )
            )
            series[op.path] = (
                0,
                n,
                float(op.steps[0]),
                float(op.steps[-1]),
                lo,
                hi,
                steps_bytes,
                values.astype("<f8", copy=False).tobytes(),
                ts_bytes,
                first,
                last,
                total,
                0,
                0,
                0,
                T0,
                T0,
                _step_delta(steps_bytes),
            )
        elif isinstance(op, ops.AddStrings):
            members = sorted({str(v) for v in op.values})
        else:
            raise ValueError(f"the bulk generator does not write {type(op).__name__}")
    size = sum(len(m) for m in members)
    fields.insert(2, _field(cid, "sys/tags", ops.STRING_SET, size=size))
    return fields, series, members


def generate_bulk(store: Store, runs: int, seed: int = 0, block: int = 5000, log=print) -> None:
    """The rows ``generate_logged`` leaves, written ``block`` runs per transaction."""
    rng = np.random.default_rng(seed)
    db = store._db
    project = get_or_create_project(db, PROJECT, T0)
    steps_bytes = np.arange(POINTS, dtype="<f8").tobytes()
    ts_bytes = np.full(POINTS, T0, dtype="<f8").tobytes()
    started = time.perf_counter()
    for start in range(0, runs, block):
        end = min(runs, start + block)
        with db.transaction(lock=f"project:{project.id}") as conn:
            first_number = (
                conn.execute(
                    "SELECT COALESCE(MAX(number), 0) FROM containers WHERE project_id = ? "
                    "AND kind = 'run'",
                    (project.id,),
                ).fetchone()[0]
                + 1
            )
            _insert(
                conn,
                "containers",
                "uuid, project_id, kind, sys_id, number, owner, created, modified, ping",
                [
                    (
                        uuid(i),
                        project.id,
                        "run",
                        f"{project.key}-{first_number + i - start}",
                        first_number + i - start,
                        owner(i),
                        T0 + i,
                        T0 + i,
                        T0 + i,
                    )
                    for i in range(start, end)
                ],
            )
            ids = dict(
                conn.execute(
                    "SELECT number, id FROM containers WHERE project_id = ? AND kind = 'run' "
                    "AND number >= ?",
                    (project.id, first_number),
                ).fetchall()
            )
            fields, series, tags, applied = [], {}, {}, []
            for i in range(start, end):
                operations = run_operations(i, rng)
                cid = ids[first_number + i - start]
                f, s, m = _run_rows(cid, operations, steps_bytes, ts_bytes)
                fields += f
                series[cid], tags[cid] = s, m
                applied.append((cid, WRITER, len(operations)))
            _insert(conn, "fields", _FIELD_COLUMNS, fields)
            lo, hi = min(series), max(series)
            chunks, members = [], []
            for fid, cid, path in conn.execute(
                "SELECT id, container_id, path FROM fields WHERE container_id >= ? AND "
                "container_id <= ? AND type IN (?, ?)",
                (lo, hi, ops.FLOAT_SERIES, ops.STRING_SET),
            ):
                if path == "sys/tags":
                    members += [(fid, v, cid, path) for v in tags[cid]]
                elif path in series[cid]:
                    chunks.append((fid, *series[cid][path]))
            _insert(conn, "float_chunks", _CHUNK_COLUMNS, chunks)
            _insert(conn, "string_set_members", "field_id, value, container_id, path", members)
            _insert(conn, "applied", "container_id, writer, seq", applied)
        log(f"  {end:,} runs ({time.perf_counter() - started:.0f} s)")


def generate_series(store: Store, seed: int = 1) -> None:
    """One run with a 10,000,000-point series, 100 runs with 100,000 points each."""
    rng = np.random.default_rng(seed)

    def floats(values, first: float = 0.0):
        n = len(values)
        steps = np.arange(first, first + n, dtype=np.float64)
        return ops.AppendFloats("loss", steps, np.asarray(values), np.full(n, T0))

    store.create_container(project=SERIES_PROJECT, kind="run", uuid="big", owner="b", created=T0)
    for k in range(10):  # 10 batches of 1,000,000
        values = rng.normal(size=1_000_000)
        store.apply_batch(ops.Batch("big", WRITER, k + 1, [floats(values, k * 1e6)], T0))
    for r in range(100):
        u = f"hundred-{r}"
        store.create_container(project=SERIES_PROJECT, kind="run", uuid=u, owner="b", created=T0)
        name = ops.AssignString(EXPERIMENT_NAME, u)
        store.apply_batch(ops.Batch(u, WRITER, 1, [name, floats(rng.normal(size=100_000))], T0))


# ---- the cache -------------------------------------------------------------------------------


def cache_key(runs: int, seed: int) -> str:
    text = f"{runs}/{seed}/{GENERATOR_VERSION}/{POINTS}/{N_SERIES}"
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def _pg_version(url: str) -> int:
    """The schema version of the store in that database (0 when it has none)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT value FROM meta WHERE key = 'schema_version'"
            if conn.execute("SELECT to_regclass('meta')").fetchone()[0]
            else "SELECT NULL"
        ).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _with_database(url: str, database: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + database))


def _complete(store: Store, runs: int) -> bool:
    with store._db.reading() as conn:
        row = conn.execute(
            "SELECT COUNT(*) FROM containers c JOIN projects p ON p.id = c.project_id "
            "WHERE p.workspace = ? AND p.name = ? AND c.kind = 'run'",
            tuple(SERIES_PROJECT.split("/")),
        ).fetchone()
        done = conn.execute(
            "SELECT COUNT(*) FROM containers c JOIN projects p ON p.id = c.project_id "
            "WHERE p.workspace = ? AND p.name = ? AND c.kind = 'run'",
            tuple(PROJECT.split("/")),
        ).fetchone()
    return row[0] == 101 and done[0] == runs


def cached_store(
    database: str, runs: int, seed: int = 0, *, postgres_url: str | None = None, log=print
) -> tuple[Store, str]:
    """(store, how it was obtained) for ``database`` "sqlite" or "postgresql"."""
    key = cache_key(runs, seed)
    if database == "sqlite":
        folder = OUT / f"query-{runs}-{key}"
        if (folder / "complete").exists():
            return Store.open_local(folder), f"reused {folder.relative_to(ROOT)}"
        if folder.exists():
            import shutil

            shutil.rmtree(folder)
        store = Store.open_local(folder)
        how = _generate(store, runs, seed, log)
        (folder / "complete").write_text(how + "\n")
        return store, how
    import psycopg

    name = f"despina_bench_q{runs}_{key}"
    url = _with_database(postgres_url, name)
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists:
            before = _pg_version(url)
            store = Store.open(url, "memory://")  # migrates an older schema
            if _complete(store, runs):
                if before < SCHEMA_VERSION:
                    # What autovacuum does after the migration's back-fill rewrote rows: the
                    # visibility map index-only scans need, and fresh statistics.
                    with psycopg.connect(url, autocommit=True) as conn:
                        conn.execute("VACUUM (ANALYZE)")
                    return store, f"reused database {name}, migrated from version {before}"
                return store, f"reused database {name}"
            store.close()
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    store = Store.open(url, "memory://")
    how = _generate(store, runs, seed, log)
    # What autovacuum does to a table after many inserts, at once: planner statistics, and
    # the visibility map that lets index-only scans skip the heap.
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return store, how


def _generate(store: Store, runs: int, seed: int, log) -> str:
    started = time.perf_counter()
    generate_bulk(store, runs, seed, log=log)
    middle = time.perf_counter()
    generate_series(store)
    end = time.perf_counter()
    how = f"generated: {runs:,} runs in {middle - started:.0f} s, series in {end - middle:.0f} s"
    log(how)
    return how
