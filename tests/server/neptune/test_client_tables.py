"""The real `neptune` client (1.14), unmodified, makes runs, a model and its versions on a despina
server process and reads them back as tables: fetch_runs_table with a query and with each simple
filter, sorted and limited, fetch_models_table, fetch_model_versions_table, and the client's own
paging past its offset limit. The tables are compared with what the script logged, and despina's
store holds the versions' stage and model id."""

from __future__ import annotations

import json
from datetime import datetime


def ids(rows: list[dict]) -> list[str]:
    return [r["sys/id"] for r in rows]


def test_tables_through_the_real_client(neptune_server):
    state = neptune_server.state()
    try:  # the project the other user (a member, not the workspace's) writes to
        state.store.get_or_create_project("ws/proj")
    finally:
        state.close()
    other = neptune_server.result(
        "tables.py", "one-run", token=neptune_server.user("someone", "contributor")
    )["id"]
    out = neptune_server.tmp / "out"
    proc = neptune_server.run("tables.py", str(out))
    got = json.loads((out / "result.json").read_text())
    # the sort column's type came back as one entry (else: a warning, and a sort as text)
    assert "more than one simple data type" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    made, tables = got["made"], got["tables"]
    m = {i: r["id"] for i, r in enumerate(made)}
    newest_first = [m[3], m[2], m[1], m[0], other]

    every = tables["all"]
    assert ids(every) == newest_first
    by_id = {r["sys/id"]: r for r in every}
    for run in made:
        row = by_id[run["id"]]
        assert row["params/lr"] == run["lr"] and row["params/epochs"] == run["epochs"]
        assert row["metrics/acc"] == run["lr"] * 3
        assert row["info/note"] == f"note {made.index(run)}"
        assert row["sys/name"] == f"run {made.index(run)}"
        assert row["sys/state"] == ("Inactive" if run["stopped"] else "Active")
        assert row["sys/owner"] == run["owner"]
        assert sorted(filter(None, (row.get("sys/tags") or "").split(","))) == sorted(run["tags"])
        assert row["sys/trashed"] is False
    created = [datetime.fromisoformat(r["sys/creation_time"]) for r in every]
    assert created == sorted(created, reverse=True)
    assert by_id[other]["sys/owner"] == "someone" and by_id[other]["sys/tags"] == "other-user"

    query = tables["query"]
    assert ids(query) == [m[2], m[0]]
    assert set(query[0]) == {"sys/id", "sys/creation_time", "params/lr", "sys/tags", "metrics/acc"}
    assert query[0]["params/lr"] == 0.3 and query[0]["metrics/acc"] == 0.3 * 3
    assert ids(tables["tag"]) == [m[1], m[0]]
    assert ids(tables["tags"]) == [m[0]]
    assert ids(tables["inactive"]) == [m[3], m[1], m[0], other]
    assert {r["sys/state"] for r in tables["inactive"]} == {"Inactive"}
    assert ids(tables["active"]) == [m[2]] and tables["active"][0]["sys/state"] == "Active"
    assert ids(tables["owner"]) == [m[3], m[2], m[1], m[0]]
    assert ids(tables["ids"]) == [m[3], m[1]]
    by_lr = [m[1], m[3], m[0], m[2], other]  # 0.01, 0.05, 0.1, 0.3, 0.5
    assert ids(tables["lr_ascending"]) == by_lr
    assert [r["params/lr"] for r in tables["lr_ascending"]] == [0.01, 0.05, 0.1, 0.3, 0.5]
    assert ids(tables["epochs_descending_2"]) == [m[3], m[2]]
    assert ids(tables["oldest_3"]) == [other, m[0], m[1]]
    assert tables["bad_query"] == "NeptuneInvalidQueryException"
    # paging by the sort column's last value, 2 rows at a time
    assert tables["past_offset"] == by_lr

    model = got["model"]
    assert model == "PRO-MOD"  # the key of project "proj", then the model's
    [row] = tables["models"]
    assert row["sys/id"] == model and row["info/kind"] == "forest"
    assert row["sys/name"] == "the model"
    versions = tables["versions"]
    assert ids(versions) == [f"{model}-2", f"{model}-1"]
    assert [v["id"] for v in got["versions"]] == [f"{model}-1", f"{model}-2"]
    assert [r["sys/stage"] for r in versions] == ["staging", "none"]
    assert [r["params/depth"] for r in versions] == [4, 3]
    assert [r["sys/name"] for r in versions] == ["version 1", "version 0"]
    assert all(r["sys/model_id"] == model for r in versions)
    assert tables["versions_columns"] == [
        {k: r[k] for k in ("sys/id", "sys/creation_time", "sys/stage", "params/depth")}
        | {"sys/model_id": model}
        for r in versions
    ]

    # despina's store holds the same
    state = neptune_server.state()
    try:
        store = state.store
        for version, stage in zip(got["versions"], ("none", "staging"), strict=True):
            info = store.get_container(version["id"], project="ws/proj")
            assert info.kind == "model_version" and info.model_id == model
            assert store.get_field(info.uuid, "sys/stage").value == stage
            assert store.get_field(info.uuid, "sys/model_id").value == model
            assert store.get_field(info.uuid, "params/depth").value == version["depth"]
        table = store.fetch_table("ws/proj", "model_version", model_id=model, columns=["sys/stage"])
        assert sorted(r["sys/stage"] for r in table.rows) == ["none", "staging"]
    finally:
        state.close()
