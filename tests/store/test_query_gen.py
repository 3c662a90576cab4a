"""The benchmark's bulk generator (bench/query_gen.py) leaves exactly the rows that logging the
same runs through apply_batch leaves, on every store backend: every table compared row by row,
with surrogate ids replaced by what they name."""

from __future__ import annotations

import sys

from processes import REPO

from despina.store import Store

sys.path.insert(0, str(REPO / "bench"))
import query_gen  # noqa: E402


def _dump(store: Store) -> dict:
    """Every row of the tables the generator writes, keyed by natural keys, not ids."""
    with store._db.reading() as conn:
        containers = {
            r[0]: r[1:]
            for r in conn.execute(
                "SELECT c.id, c.uuid, p.workspace, p.name, p.key, c.kind, c.sys_id, c.number, "
                "c.model_key, c.model_container_id, c.custom_run_id, c.owner, c.created, "
                "c.modified, c.ping, c.running_time, c.stopped, c.trashed "
                "FROM containers c JOIN projects p ON p.id = c.project_id"
            )
        }
        uuid = {cid: row[0] for cid, row in containers.items()}
        fields = {}
        names = {}
        for r in conn.execute("SELECT * FROM fields"):
            names[r[0]] = (uuid[r[1]], r[2])
            fields[names[r[0]]] = tuple(r[3:])
        chunks = {
            (names[r[1]], r[2]): tuple(bytes(x) if isinstance(x, memoryview) else x for x in r[3:])
            for r in conn.execute("SELECT * FROM float_chunks")
        }
        members = sorted(
            (names[r[0]], r[1]) for r in conn.execute("SELECT * FROM string_set_members")
        )
        applied = sorted((uuid[r[0]], r[1], r[2]) for r in conn.execute("SELECT * FROM applied"))
        projects = sorted(tuple(r[1:]) for r in conn.execute("SELECT * FROM projects"))
    return {
        "containers": sorted(containers.values()),
        "fields": fields,
        "chunks": chunks,
        "members": members,
        "applied": applied,
        "projects": projects,
    }


def test_bulk_rows_equal_logged_rows(store, tmp_path):
    reference = Store.open_local(tmp_path / "reference")
    query_gen.generate_logged(reference, 23, seed=5)
    query_gen.generate_bulk(store, 23, seed=5, block=10, log=lambda *a: None)
    want, got = _dump(reference), _dump(store)
    reference.close()
    assert len(want["fields"]) == 23 * 76 and len(want["chunks"]) == 23 * 20
    assert len(want["members"]) == 23 * 5
    for table in want:
        assert got[table] == want[table], table
    page = store.fetch_table(query_gen.PROJECT, "run", sort_by="sys/id", limit=3)
    assert page.total == 23 and page.rows[0]["sys/id"].endswith("-23")
