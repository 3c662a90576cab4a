"""``sys/experiment/is_head``: the latest live run of each experiment (string field
``sys/experiment/name``) in a project, as a filter, against a reference computed in Python."""

from __future__ import annotations

import random

import pytest

from despina import operations as ops
from despina.errors import UsageError
from despina.store.filters import And, Clause, Not, Or
from despina.store.nql import parse_nql

from store_helpers import T0, Writer, new_uuid

HEAD = Clause("sys/experiment/is_head", "bool", "=", True)
NAME = "sys/experiment/name"


class Project:
    """Containers written to the store, and what the reference needs of them."""

    def __init__(self, store, name: str):
        self.store, self.name, self.rows = store, name, []

    def add(self, created: float, experiment=None, kind="run", lr=0.0, tags=(), name_type="str"):
        uuid = new_uuid()
        info = self.store.create_container(
            project=self.name,
            kind=kind,
            uuid=uuid,
            owner="o",
            created=created,
            model_key=f"M{len(self.rows)}" if kind == "model" else None,
        )
        operations = [ops.AssignFloat("params/lr", lr)]
        if experiment is not None:
            if name_type == "str":
                operations.append(ops.AssignString(NAME, experiment))
            else:  # a name of another type: not an experiment name
                operations.append(ops.AssignFloat(NAME, 1.0))
        if tags:
            operations.append(ops.AddStrings("sys/tags", list(tags)))
        Writer(self.store, uuid).send(*operations)
        row = dict(
            uuid=uuid,
            sys_id=info.sys_id,
            kind=kind,
            created=created,
            experiment=experiment if name_type == "str" else None,
            lr=lr,
            tags=set(tags),
            trashed=False,
            id=self._id(uuid),
        )
        self.rows.append(row)
        return row

    def _id(self, uuid: str) -> int:
        with self.store._db.reading() as conn:
            return conn.execute("SELECT id FROM containers WHERE uuid = ?", (uuid,)).fetchone()[0]

    def trash(self, *rows) -> None:
        self.store.set_trashed([r["uuid"] for r in rows], True)
        for r in rows:
            r["trashed"] = True

    def heads(self, kind="run") -> set[str]:
        """The reference: per experiment name, the live container of ``kind`` with the
        largest (created, id)."""
        best: dict[str, dict] = {}
        for r in self.rows:
            if r["kind"] != kind or r["trashed"] or r["experiment"] is None:
                continue
            b = best.get(r["experiment"])
            if b is None or (r["created"], r["id"]) > (b["created"], b["id"]):
                best[r["experiment"]] = r
        return {r["sys_id"] for r in best.values()}

    def ids(self, filter, kind="run", trashed=False) -> set[str]:
        table = self.store.fetch_table(
            self.name, kind, filter=filter, columns=["params/lr"], trashed=trashed
        )
        got = [r["sys/id"] for r in table.rows]
        assert len(got) == len(set(got)) == table.total
        return set(got)

    def expected(self, keep, kind="run", trashed=False) -> set[str]:
        heads = self.heads(kind)
        return {
            r["sys_id"]
            for r in self.rows
            if r["kind"] == kind
            and (trashed is None or r["trashed"] == trashed)
            and keep(r, r["sys_id"] in heads)
        }


def _world(store):
    """Two projects sharing experiment names; runs created out of id order, equal creation
    times, runs without an experiment, a name of another type, models with experiments."""
    rng = random.Random(3)
    p, q = Project(store, "ws/heads"), Project(store, "ws/other")
    times = list(range(60))
    rng.shuffle(times)  # creation times in another order than the ids
    for i, t in enumerate(times):
        experiment = rng.choice(["alpha", "beta", "gamma", "delta", None])
        p.add(T0 + t, experiment, lr=i / 60, tags=["even"] if i % 2 == 0 else ["odd"])
    p.add(T0 + 30, "tie")  # equal creation times: the larger id is the head
    p.add(T0 + 30, "tie")
    p.add(T0 + 5, "tie")
    p.add(T0 + 1000, "alpha", name_type="float")  # not a string: not an experiment
    p.add(T0 + 2000, "alpha", kind="model")  # another kind: not in the runs' experiments
    p.add(T0 + 10, "solo", kind="model")
    q.add(T0 + 5000, "alpha")  # another project, same name, latest of all
    q.add(T0 + 1, "beta")
    return p, q


def test_heads_match_the_reference(store):
    p, q = _world(store)
    assert p.ids(HEAD) == p.heads() and len(p.heads()) == 5
    assert q.ids(HEAD) == q.heads() == {q.rows[0]["sys_id"], q.rows[1]["sys_id"]}
    tie = [r for r in p.rows if r["experiment"] == "tie"]
    assert tie[1]["sys_id"] in p.ids(HEAD) and tie[0]["sys_id"] not in p.ids(HEAD)
    assert p.ids(HEAD, kind="model") == p.heads("model") and len(p.heads("model")) == 2
    not_head = lambda r, head: not head  # noqa: E731
    for other in (
        Clause(HEAD.path, "bool", "=", False),
        Clause(HEAD.path, "bool", "!=", True),
        Not(HEAD),
        Clause(HEAD.path, "bool", "=", "false"),
    ):
        assert p.ids(other) == p.expected(not_head), other
    assert p.ids(Clause(HEAD.path, "bool", "!=", False)) == p.heads()
    named = p.ids(Clause(HEAD.path, "bool", "EXISTS"))
    assert named == p.expected(lambda r, head: r["experiment"] is not None)
    assert p.ids(parse_nql("sys/experiment/is_head = true")) == p.heads()
    assert p.ids("sys/experiment/is_head = false") == p.expected(not_head)
    assert p.ids('sys/experiment/name = "alpha"') == p.expected(
        lambda r, head: r["experiment"] == "alpha"
    )


def test_trashed_heads_hand_over_to_the_previous_run(store):
    p, q = _world(store)
    before = p.heads()
    alpha = max(
        (r for r in p.rows if r["experiment"] == "alpha" and r["kind"] == "run"),
        key=lambda r: (r["created"], r["id"]),
    )
    assert alpha["sys_id"] in before
    p.trash(alpha)
    after = p.heads()
    assert alpha["sys_id"] not in after and len(after) == len(before)
    assert p.ids(HEAD) == after
    # a trashed run is never a head, also when the table shows the trashed ones
    assert p.ids(HEAD, trashed=None) == after
    assert p.ids(HEAD, trashed=True) == set()
    assert p.ids(Not(HEAD), trashed=True) == {alpha["sys_id"]}
    assert p.ids(Not(HEAD), trashed=None) == p.expected(lambda r, head: not head, trashed=None)
    # every run of an experiment trashed: no head left for it
    gamma = [r for r in p.rows if r["experiment"] == "gamma" and r["kind"] == "run"]
    p.trash(*gamma)
    assert p.ids(HEAD) == p.heads() and len(p.heads()) == len(before) - 1
    store.set_trashed([alpha["uuid"]], False)
    alpha["trashed"] = False
    assert p.ids(HEAD) == p.heads() and alpha["sys_id"] in p.heads()
    assert q.ids(HEAD) == q.heads()


def test_heads_combined_with_other_clauses(store):
    p, _ = _world(store)
    lr = Clause("params/lr", "float", ">", 0.4)
    even = Clause("sys/tags", "stringSet", "CONTAINS", "even")
    cases = [
        (And((HEAD, lr)), lambda r, h: h and r["lr"] > 0.4),
        (And((lr, HEAD, even)), lambda r, h: h and r["lr"] > 0.4 and "even" in r["tags"]),
        (Or((HEAD, even)), lambda r, h: h or "even" in r["tags"]),
        (Or((Not(HEAD), lr)), lambda r, h: not h or r["lr"] > 0.4),
        (And((Not(HEAD), even)), lambda r, h: not h and "even" in r["tags"]),
        (Not(And((HEAD, lr))), lambda r, h: not (h and r["lr"] > 0.4)),
        (Not(Or((HEAD, even))), lambda r, h: not (h or "even" in r["tags"])),
        (
            And((Clause(HEAD.path, "bool", "EXISTS"), Not(HEAD), lr)),
            lambda r, h: r["experiment"] is not None and not h and r["lr"] > 0.4,
        ),
        (
            And((HEAD, Clause(NAME, "string", "MATCHES", "^(alpha|beta)$"))),
            lambda r, h: h and r["experiment"] in ("alpha", "beta"),
        ),
    ]
    for tree, keep in cases:
        assert p.ids(tree) == p.expected(keep), tree
    text = 'sys/experiment/is_head = true AND (`params/lr`:float > 0.4 OR sys/tags CONTAINS "even")'
    assert p.ids(text) == p.expected(lambda r, h: h and (r["lr"] > 0.4 or "even" in r["tags"]))


def test_heads_at_random(store):
    """Many experiments of a few runs each, some trashed, against the reference."""
    rng = random.Random(11)
    p = Project(store, "ws/random")
    for _ in range(150):
        p.add(T0 + rng.randrange(40), f"e{rng.randrange(25)}" if rng.random() < 0.9 else None)
    p.trash(*rng.sample(p.rows, 30))
    assert p.ids(HEAD) == p.heads()
    assert p.ids(Not(HEAD)) == p.expected(lambda r, h: not h)
    assert p.ids(HEAD, trashed=None) == p.heads()
    page = store.fetch_table(p.name, "run", filter=HEAD, columns=["params/lr"], limit=3)
    assert len(page.rows) == 3 and page.total == len(p.heads())
    assert {r["sys/id"] for r in page.rows} <= p.heads()
    # an empty counted page is counted without a second query; limit 0 and offsets still are
    none = And((HEAD, Clause("params/lr", "float", ">", 5.0)))
    for kw, total in (({"limit": 5}, 0), ({"limit": 0, "filter": HEAD}, len(p.heads()))):
        got = store.fetch_table(p.name, "run", **{"filter": none, **kw})
        assert got.rows == [] and got.total == total
    past = store.fetch_table(p.name, "run", filter=HEAD, limit=5, offset=1000)
    assert past.rows == [] and past.total == len(p.heads())


def test_bad_head_clauses(store):
    p, _ = _world(store)
    with pytest.raises(UsageError, match="does not take the operator"):
        p.ids(Clause(HEAD.path, "bool", ">", True))
    with pytest.raises(UsageError, match="invalid bool"):
        p.ids(Clause(HEAD.path, "bool", "=", "maybe"))
    with pytest.raises(UsageError):
        parse_nql('sys/experiment/is_head CONTAINS "x"')


def test_compiler_without_a_project_finds_every_projects_heads(store):
    """Compiler's only caller bounds the heads to the table's project and kind; without
    them, the heads are still per project and kind."""
    from despina.store.query import Compiler

    p, q = _world(store)
    sql, params = Compiler(store._db.dialect, T0).compile(HEAD)
    with store._db.reading() as conn:
        got = {r[0] for r in conn.execute(f"SELECT c.sys_id FROM containers c WHERE {sql}", params)}
    assert got == p.heads() | p.heads("model") | q.heads()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_to_version_8_indexes_the_names_written_before(backend, request, tmp_path):
    from test_query_indexes import _store_at_version

    from despina.store import Store
    from despina.store.schema import SCHEMA_VERSION, read_version

    url, db = _store_at_version(backend, request, tmp_path, 7)
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO projects (workspace, name, key, created) VALUES ('w', 'old', 'OLD', 0)"
        )
        for n, (created, name) in enumerate([(5, "a"), (9, "a"), (7, "b"), (3, None)], 1):
            conn.execute(
                "INSERT INTO containers (uuid, project_id, kind, sys_id, number, owner, created, "
                "modified, ping) VALUES (?, (SELECT id FROM projects), 'run', ?, ?, 'o', ?, 0, 0)",
                (f"u{n}", f"OLD-{n}", n, created),
            )
            if name is not None:
                conn.execute(
                    "INSERT INTO fields (container_id, path, type, text_value) VALUES "
                    "((SELECT id FROM containers WHERE uuid = ?), ?, 'string', ?)",
                    (f"u{n}", NAME, name),
                )
    db.close()
    store = Store.open(url, "memory://")
    with store._db.reading() as conn:
        assert read_version(conn, store._db.dialect) == SCHEMA_VERSION >= 8
        if backend == "sqlite":
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        else:
            names = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes")}
    assert "fields_experiment" in names

    def ids(tree):
        return sorted(r["sys/id"] for r in store.fetch_table("w/old", "run", filter=tree).rows)

    assert ids(HEAD) == ["OLD-2", "OLD-3"]
    assert ids(Not(HEAD)) == ["OLD-1", "OLD-4"]
    assert ids(Clause(HEAD.path, "bool", "EXISTS")) == ["OLD-1", "OLD-2", "OLD-3"]
    store.close()
