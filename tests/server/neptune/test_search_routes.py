"""Neptune's table search (searchLeaderboardEntries, searchLeaderboardAttributes) over runs,
models and model versions made through the store: every NQL form neptune 1.14's
fetch_*_table sends, compared with what the test made; columns, sorting, paging, counts and
errors. ``ROUTES`` is checked by test_neptune_routes.py's permission test too."""

from __future__ import annotations

import json
import math
import time
import uuid as uuid_module
from array import array

import pytest

from despina import operations as ops

from neptune_world import check_route, neptune_call

SEARCH = "/api/leaderboard/v1/leaderboard"
ENTRIES = SEARCH + "/entries/search"
ATTRIBUTES = SEARCH + "/attributes/search"
BODY = {
    "sorting": {
        "dir": "descending",
        "aggregationMode": "none",
        "sortBy": {"name": "sys/creation_time", "type": "datetime"},
    },
    "query": {"query": "(`sys/trashed`:bool = false)"},
    "pagination": {"limit": 100, "offset": 0},
}

# (method, url, kwargs, who may, what the viewer gets, what another project's member gets)
ROUTES = [
    ("POST", ENTRIES + "?projectIdentifier=wa/proj&type=run", {"json": BODY}, "viewer", 200, 404),
    ("POST", ENTRIES + "?projectIdentifier={project}&type=run", {"json": BODY}, "viewer", 200, 404),
    (
        "POST",
        ATTRIBUTES + "?projectIdentifier={project}&search=sys/creation_time&type=run",
        {"json": {}},
        "viewer",
        200,
        404,
    ),
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
def test_route_permissions(world, route):
    check_route(world, route)


# ---- a project of runs, a model and its versions, and what the test knows of them ----------


@pytest.fixture
def made(world):
    """Seven runs besides the world's own, a model and three versions; ``made`` describes each
    run as the reference the answers are compared with."""
    store = world.state.store
    key = store.get_project("wa/proj").key
    base = time.time() - 100
    runs = [
        {
            "sys/id": world.run_id,
            "uuid": world.run_uuid,
            "owner": "owner",
            "tags": set(),
            "x": None,
            "stopped": False,
            "trashed": False,
            "created": store.get_container_by_uuid(world.run_uuid).created,
        }
    ]
    specs = [
        # x, tags, owner, stopped, trashed
        (0.5, {"a"}, "owner", False, False),
        (2.0, {"a", "b"}, "contrib", True, False),
        (1.5, {"b"}, "owner", True, False),
        (-1.0, set(), "contrib", False, False),
        (3.0, {"a", "b"}, "owner", False, True),
        (float("nan"), {"a"}, "contrib", True, False),
        (1.0, {"c"}, "owner", True, False),
    ]
    for i, (x, tags, owner, stopped, trashed) in enumerate(specs):
        uuid = uuid_module.uuid4().hex
        info = store.create_container(
            project="wa/proj", kind="run", uuid=uuid, owner=owner, created=base + i
        )
        now = time.time()
        batch = [
            ops.AssignFloat("params/x", x),
            ops.AssignInt("params/n", i),
            ops.AssignString("params/name", f"run {i}"),
            ops.AppendFloats(
                "metrics/acc", array("d", [0, 1]), array("d", [0.1, i / 10]), array("d", [now] * 2)
            ),
        ]
        if tags:
            batch.append(ops.AddStrings("sys/tags", sorted(tags)))
        if i == 0:
            batch.append(
                ops.AssignGitRef("source_code/git", {"commit_id": "c0ffee", "dirty": False})
            )
        if stopped:
            batch.append(ops.MarkStopped("sys/state", now))
        result = store.apply_batch(ops.Batch(uuid, "made", 1, batch, now))
        assert not result.errors, result.errors
        if trashed:
            store.set_trashed([uuid])
        runs.append(
            {
                "sys/id": info.sys_id,
                "uuid": uuid,
                "owner": owner,
                "tags": tags,
                "x": x,
                "n": i,
                "stopped": stopped,
                "trashed": trashed,
                "created": base + i,
            }
        )
    model = store.create_container(
        project="wa/proj", kind="model", uuid=uuid_module.uuid4().hex, owner="owner",
        created=base, model_key="MOD",
    )  # fmt: skip
    other = store.create_container(
        project="wa/proj", kind="model", uuid=uuid_module.uuid4().hex, owner="owner",
        created=base, model_key="OTHER",
    )  # fmt: skip
    versions = []
    for parent, n in ((model, 2), (other, 1)):
        for j in range(n):
            v = store.create_container(
                project="wa/proj",
                kind="model_version",
                uuid=uuid_module.uuid4().hex,
                owner="owner",
                created=base + j,
                model_id=parent.sys_id,
            )
            versions.append(v)
    stage = ops.Batch(versions[1].uuid, "s", 1, [ops.ChangeStage("sys/stage", "staging")], base)
    assert not store.apply_batch(stage).errors
    return {"key": key, "runs": runs, "model": model, "other": other, "versions": versions}


def search(world, body=None, types=("run",), user="viewer", project="wa/proj", **params):
    query = [("projectIdentifier", project), *(("type", t) for t in types)]
    query += list(params.items())
    return neptune_call(world, "POST", ENTRIES, user, params=query, json=body or {})


def entries(world, query="", **kwargs) -> dict:
    body = {**BODY, "query": {"query": query}}
    body.update(kwargs.pop("body", {}))
    r = search(world, body, **kwargs)
    assert r.status_code == 200, r.text
    return r.json()


def value(attribute: dict):
    """A table cell as neptune's client reads it (neptune/integrations/pandas)."""
    kind = attribute["type"]
    props = attribute[f"{kind}Properties"]
    if kind in ("float", "int", "bool", "string", "datetime", "experimentState"):
        return props["value"]
    if kind in ("floatSeries", "stringSeries"):
        return props["last"]
    if kind == "stringSet":
        return set(props["values"])
    if kind == "gitRef":
        return props["commit"]["commitId"]
    return props


def rows(answer: dict) -> list[dict]:
    return [{a["name"]: value(a) for a in e["attributes"]} for e in answer["entries"]]


def ids(answer: dict) -> list[str]:
    return [r["sys/id"] for r in rows(answer)]


def live(made) -> list[dict]:
    return [r for r in made["runs"] if not r["trashed"]]


def newest_first(runs: list[dict]) -> list[str]:
    return [r["sys/id"] for r in sorted(runs, key=lambda r: r["created"], reverse=True)]


T = "(`sys/trashed`:bool = false)"

# (the query as fetch_runs_table writes it, which of made's runs it keeps)
FORMS = [
    (T, lambda r: not r["trashed"]),
    ("(`sys/trashed`:bool = true)", lambda r: r["trashed"]),
    ("", lambda r: True),
    (
        '(((`sys/id`:string = "{key}-2") OR (`sys/id`:string = "{key}-4")) AND ' + T + ")",
        lambda r: r["sys/id"].split("-")[-1] in ("2", "4") and not r["trashed"],
    ),
    (
        '((`sys/state`:experimentState = "idle") AND ' + T + ")",
        lambda r: r["stopped"] and not r["trashed"],
    ),
    (
        '((`sys/state`:experimentState = "running") AND ' + T + ")",
        lambda r: not r["stopped"] and not r["trashed"],
    ),
    (
        '((`sys/owner`:string = "contrib") AND ' + T + ")",
        lambda r: r["owner"] == "contrib" and not r["trashed"],
    ),
    (
        '((`sys/tags`:stringSet CONTAINS "a") AND ' + T + ")",
        lambda r: "a" in r["tags"] and not r["trashed"],
    ),
    (
        '(((`sys/tags`:stringSet CONTAINS "a") AND (`sys/tags`:stringSet CONTAINS "b")) AND '
        + T
        + ")",
        lambda r: {"a", "b"} <= r["tags"] and not r["trashed"],
    ),
    (
        '(((`sys/owner`:string = "owner") OR (`sys/owner`:string = "contrib")) AND '
        '(`sys/tags`:stringSet CONTAINS "b") AND ' + T + ")",
        lambda r: "b" in r["tags"] and not r["trashed"],
    ),
    # a user's query, passed through and ANDed with the trashed filter
    (
        "((`params/x`:float > 0.9) AND " + T + ")",
        lambda r: r["x"] is not None and r["x"] > 0.9 and not r["trashed"],
    ),
    (
        "((params/x > 0.9 AND params/n:int < 6) AND " + T + ")",
        lambda r: r["x"] is not None and r["x"] > 0.9 and r.get("n", 9) < 6 and not r["trashed"],
    ),
    # the client's filter past 10,000 rows: the sort column's last value in quotes
    (
        '(((`sys/tags`:stringSet CONTAINS "a")) AND (`params/x`:float > "0.5"))',
        lambda r: "a" in r["tags"] and r["x"] is not None and r["x"] > 0.5,
    ),
    (
        '(`params/n`:integer > "2")',
        lambda r: r.get("n") is not None and r["n"] > 2,
    ),
]


@pytest.mark.parametrize("query,keep", FORMS, ids=[f[0] or "empty" for f in FORMS])
def test_every_nql_form_of_the_client(world, made, query, keep):
    got = entries(world, query.format(key=made["key"]))
    want = newest_first([r for r in made["runs"] if keep(r)])
    assert ids(got) == want
    assert got["matchingItemCount"] == len(want)
    uuids = {r["sys/id"]: r["uuid"] for r in made["runs"]}
    assert [e["experimentId"] for e in got["entries"]] == [uuids[i] for i in want]
    assert all(e["type"] == "run" for e in got["entries"])


def test_trashed_none_is_both(world, made):
    got = entries(world, "")
    assert sorted(ids(got)) == sorted(r["sys/id"] for r in made["runs"])


def test_model_versions_of_a_model(world, made):
    model = made["model"]
    query = f'((`sys/trashed`:bool = false) AND (`sys/model_id`:string = "{model.sys_id}"))'
    got = entries(world, query, types=("modelVersion",))
    mine = [v for v in made["versions"] if v.model_id == model.sys_id]
    assert sorted(ids(got)) == sorted(v.sys_id for v in mine) and len(mine) == 2
    assert got["matchingItemCount"] == 2
    assert {e["type"] for e in got["entries"]} == {"modelVersion"}
    by_id = {r["sys/id"]: r for r in rows(got)}
    assert by_id[mine[0].sys_id]["sys/stage"] == "none"
    assert by_id[mine[1].sys_id]["sys/stage"] == "staging"
    assert all(r["sys/model_id"] == model.sys_id for r in by_id.values())
    models = entries(world, T, types=("model",))
    assert sorted(ids(models)) == sorted([model.sys_id, made["other"].sys_id])


def test_several_types_in_one_search(world, made):
    got = entries(world, T, types=("run", "model"))
    runs = [r for r in made["runs"] if not r["trashed"]]
    assert got["matchingItemCount"] == len(runs) + 2
    kinds = {r["sys/id"]: e["type"] for r, e in zip(rows(got), got["entries"], strict=True)}
    assert kinds[made["model"].sys_id] == "model" and kinds[runs[0]["sys/id"]] == "run"
    paged = []
    for offset in range(0, len(runs) + 2, 3):
        body = {"pagination": {"limit": 3, "offset": offset}}
        paged += ids(entries(world, T, types=("run", "model"), body=body))
    assert paged == ids(got)
    # the sort column is read to merge the kinds, and answered only when asked for
    narrow = entries(
        world, T, types=("run", "model"), body={"attributeFilters": [{"path": "sys/id"}]}
    )
    assert ids(narrow) == ids(got)
    assert {a["name"] for e in narrow["entries"] for a in e["attributes"]} == {"sys/id"}


def test_columns(world, made):
    columns = ["params/x", "sys/tags", "sys/state", "metrics/acc", "missing/path", "sys/id"]
    body = {"attributeFilters": [{"path": c} for c in columns]}
    got = entries(world, T, body=body)
    run = next(r for r in made["runs"] if r["x"] == 2.0)
    for entry, row in zip(got["entries"], rows(got), strict=True):
        names = [a["name"] for a in entry["attributes"]]
        assert set(names) <= set(columns) and "sys/id" in names and "missing/path" not in names
        for a in entry["attributes"]:
            props = a[f"{a['type']}Properties"]
            assert props["attributeName"] == a["name"] and props["attributeType"] == a["type"]
        if row["sys/id"] == run["sys/id"]:
            assert row["params/x"] == 2.0 and row["sys/tags"] == {"a", "b"}
            assert row["sys/state"] == "idle" and row["metrics/acc"] == pytest.approx(0.1)
            types = {a["name"]: a["type"] for a in entry["attributes"]}
            assert types == {
                "params/x": "float",
                "sys/tags": "stringSet",
                "sys/state": "experimentState",
                "metrics/acc": "floatSeries",
                "sys/id": "string",
            }
        if row["sys/id"] == made["runs"][0]["sys/id"]:  # the world's run: no params/x
            assert "params/x" not in row and row["sys/state"] == "running"
    nan_run = next(r for r in rows(got) if r["sys/id"] == made["runs"][6]["sys/id"])
    assert nan_run["params/x"] == "NaN"  # as Neptune writes NaN in JSON


def test_every_attribute_without_attribute_filters(world, made):
    got = entries(world, T)
    first = made["runs"][1]
    entry = next(e for e in got["entries"] if e["experimentId"] == first["uuid"])
    attributes = {a["name"]: a for a in entry["attributes"]}
    for a in entry["attributes"]:
        assert f"{a['type']}Properties" in a
    assert value(attributes["params/x"]) == 0.5 and attributes["params/n"]["type"] == "int"
    assert value(attributes["params/name"]) == "run 0"
    assert value(attributes["source_code/git"]) == "c0ffee"
    assert attributes["sys/creation_time"]["type"] == "datetime"
    assert value(attributes["sys/creation_time"]).endswith("Z")
    assert value(attributes["sys/owner"]) == "owner" and value(attributes["sys/tags"]) == {"a"}
    assert value(attributes["sys/trashed"]) is False
    # the world's run has a file and a file set: read from its container
    world_entry = next(e for e in got["entries"] if e["experimentId"] == world.run_uuid)
    kinds = {a["name"]: a["type"] for a in world_entry["attributes"]}
    assert (
        kinds["model"] == "file" and kinds["set"] == "fileSet" and kinds["text"] == "stringSeries"
    )
    assert "source_code/git" not in kinds  # only the run that has one


def _order(runs, ascending, key):
    have = [r for r in runs if key(r) is not None]
    missing = [r for r in runs if key(r) is None]
    nan = [r for r in have if isinstance(key(r), float) and math.isnan(key(r))]
    numbers = sorted((r for r in have if r not in nan), key=key)
    ordered = nan + numbers if ascending else numbers[::-1] + nan
    return [r["sys/id"] for r in ordered + missing]


@pytest.mark.parametrize("ascending", [True, False])
def test_sorting_by_a_float(world, made, ascending):
    sorting = {
        "dir": "ascending" if ascending else "descending",
        "aggregationMode": "none",
        "sortBy": {"name": "params/x", "type": "float"},
    }
    got = entries(world, T, body={"sorting": sorting})
    assert ids(got) == _order(live(made), ascending, lambda r: r["x"])


@pytest.mark.parametrize("ascending", [True, False])
def test_sorting_by_creation_time(world, made, ascending):
    sorting = {
        "dir": "ascending" if ascending else "descending",
        "sortBy": {"name": "sys/creation_time", "type": "datetime"},
    }
    got = entries(world, T, body={"sorting": sorting})
    want = newest_first(live(made))
    assert ids(got) == (want[::-1] if ascending else want)


def test_sorting_by_id_and_a_series(world, made):
    sorting = {"dir": "ascending", "sortBy": {"name": "sys/id", "type": "string"}}
    got = entries(world, T, body={"sorting": sorting})
    number = [
        r["sys/id"] for r in sorted(live(made), key=lambda r: int(r["sys/id"].split("-")[-1]))
    ]
    assert ids(got) == number
    sorting = {"dir": "descending", "sortBy": {"name": "metrics/acc", "type": "floatSeries"}}
    got = entries(world, T, body={"sorting": sorting})
    last = lambda r: r["n"] / 10 if "n" in r else None  # noqa: E731
    assert ids(got) == _order(live(made), False, last)


def test_paging_and_the_count(world, made):
    want = newest_first(live(made))
    count = entries(world, T, body={"pagination": {"limit": 0, "offset": 0}})
    assert count == {"matchingItemCount": len(want), "entries": []}
    pages = []
    for offset in range(0, len(want) + 3, 3):
        got = entries(world, T, body={"pagination": {"limit": 3, "offset": offset}})
        assert got["matchingItemCount"] == len(want)
        pages.append(ids(got))
    assert [i for page in pages for i in page] == want
    assert pages[-1] == []  # past the end: no entries, the same count
    # no pagination: the first 100
    body = {k: v for k, v in BODY.items() if k != "pagination"}
    assert ids(search(world, body).json()) == want


def test_a_syntax_error_is_neptunes_400(world, made):
    r = search(world, {**BODY, "query": {"query": "(`params/x`:float > )"}})
    assert r.status_code == 400 and r.json()["title"] == "Syntax error"
    assert "expected a number" in r.json()["detail"]
    r = search(world, {**BODY, "query": {"query": '(`sys/tags`:stringSet = "x")'}})
    assert r.status_code == 400 and r.json()["title"] == "Syntax error"


@pytest.mark.parametrize(
    "body",
    [
        {"pagination": {"limit": 10_001, "offset": 0}},
        {"pagination": {"limit": 10, "offset": 10_001}},
        {"pagination": {"limit": -1}},
        {"pagination": {"limit": "10"}},
        {"pagination": {"limit": True}},
        {"pagination": []},
        {"sorting": {"dir": "sideways"}},
        {"sorting": {"sortBy": "params/x"}},
        {"sorting": {"sortBy": {"name": 3, "type": "float"}}},
        {"sorting": {"aggregationMode": "max", "sortBy": {"name": "params/x", "type": "float"}}},
        {"sorting": "sys/id"},
        {"attributeFilters": "params/x"},
        {"attributeFilters": ["params/x"]},
        {"attributeFilters": [{"path": 1}]},
        {"attributeFilters": [{"path": "\ud800"}]},
        {"query": {"query": 3}},
        {"query": "sys/id = 1"},
    ],
)
def test_malformed_bodies_are_refused(world, made, body):
    r = neptune_call(
        world,
        "POST",
        ENTRIES,
        "viewer",
        params={"projectIdentifier": "wa/proj", "type": "run"},
        content=json.dumps({**BODY, **body}),  # a lone surrogate as a \\ud800 escape
    )
    assert r.status_code == 400, r.text


def test_malformed_requests_are_refused(world, made):
    r = neptune_call(
        world,
        "POST",
        ENTRIES,
        "viewer",
        params={"projectIdentifier": "wa/proj", "type": "run"},
        content=b"{not json",
    )
    assert r.status_code == 400
    r = neptune_call(
        world, "POST", ENTRIES, "viewer", params={"projectIdentifier": "wa/proj"}, json=[1]
    )
    assert r.status_code == 400
    assert search(world, BODY, types=("experiment",)).status_code == 400
    assert neptune_call(world, "POST", ENTRIES, "viewer", json=BODY).status_code == 400
    assert search(world, BODY, project="wa/nope").status_code == 404
    assert search(world, BODY, project=str(uuid_module.uuid4())).status_code == 404
    assert search(world, BODY, project=made["runs"][1]["uuid"]).status_code == 404
    assert search(world, BODY, user="other").status_code == 404


def attributes(world, search_text, types=("run",), **params):
    query = [("projectIdentifier", "wa/proj"), ("search", search_text)]
    query += [("type", t) for t in types] + list(params.items())
    r = neptune_call(world, "POST", ATTRIBUTES, "viewer", params=query, json={})
    assert r.status_code == 200, r.text
    return r.json()["entries"]


def test_attribute_search(world, made):
    # the client's sort-column probe: one entry of that name gives its type
    assert attributes(world, "params/x") == [{"name": "params/x", "type": "float"}]
    assert attributes(world, "sys/creation_time") == [
        {"name": "sys/creation_time", "type": "datetime"}
    ]
    assert attributes(world, "sys/state") == [{"name": "sys/state", "type": "experimentState"}]
    assert attributes(world, "sys/id") == [{"name": "sys/id", "type": "string"}]
    assert attributes(world, "sys/tags") == [{"name": "sys/tags", "type": "stringSet"}]
    assert attributes(world, "metrics/acc") == [{"name": "metrics/acc", "type": "floatSeries"}]
    assert attributes(world, "nothing/here") == []
    # a part of names: every field whose name holds it
    assert attributes(world, "PARAMS/") == [
        {"name": "params/lr", "type": "float"},
        {"name": "params/n", "type": "int"},
        {"name": "params/name", "type": "string"},
        {"name": "params/x", "type": "float"},
    ]
    assert attributes(world, "params/", attributeType="int") == [
        {"name": "params/n", "type": "int"}
    ]
    assert len(attributes(world, "params/", limit=2)) == 2
    every = attributes(world, "")
    assert {"name": "sys/trashed", "type": "bool"} in every
    assert {"name": "source_code/git", "type": "gitRef"} in every
    versions = attributes(world, "sys/", types=("modelVersion",))
    assert {"name": "sys/stage", "type": "string"} in versions
    assert {"name": "sys/model_id", "type": "string"} in versions
    assert {"name": "sys/aliases", "type": "stringSet"} in versions


def test_a_path_of_two_types_answers_both(world, made):
    store = world.state.store
    store.apply_batch(
        ops.Batch(world.run_uuid, "t", 1, [ops.AssignInt("params/x", 7)], time.time())
    )
    assert attributes(world, "params/x") == [
        {"name": "params/x", "type": "float"},
        {"name": "params/x", "type": "int"},
    ]
    got = entries(world, T, body={"attributeFilters": [{"path": "params/x"}]})
    mine = next(e for e in got["entries"] if e["experimentId"] == world.run_uuid)
    assert [(a["type"], value(a)) for a in mine["attributes"] if a["name"] == "params/x"] == [
        ("int", 7)
    ]
