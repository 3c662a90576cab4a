"""Projects, keys, runs, models, versions, stages, aliases, custom run ids (across processes)."""

from __future__ import annotations

import multiprocessing as mp

import pytest

from despina import operations as ops
from despina.errors import (
    ConflictError,
    ContainerNotFoundError,
    ProjectNotFoundError,
    UsageError,
)
from despina.store import Store
from despina.store.projects import base_project_key

from store_helpers import T0, Writer, floats, new_uuid


@pytest.mark.parametrize(
    "name,key",
    [("classify", "CLA"), ("ab", "AB"), ("a-b_c d", "ABC"), ("---", "PRJ"), ("x9y", "X9Y")],
)
def test_base_project_key(name, key):
    assert base_project_key(name) == key


def test_projects_keys_unique_and_bare_names(store):
    a = store.get_or_create_project("ws/classify")
    b = store.get_or_create_project("other/classic")
    c = store.get_or_create_project("clarity")
    assert (a.key, b.key, c.key) == ("CLA", "CLA2", "CLA3")
    assert c.workspace == "local" and c.qualified_name == "local/clarity"
    assert store.get_or_create_project("ws/classify").id == a.id
    assert store.get_project("local/clarity").key == "CLA3"
    assert [p.key for p in store.list_projects()] == ["CLA", "CLA2", "CLA3"]
    with pytest.raises(ProjectNotFoundError):
        store.get_project("ws/none")
    with pytest.raises(UsageError):
        store.get_or_create_project("ws/")


def make(store, kind, **kw):
    return store.create_container(
        project=kw.pop("project", "ws/proj"),
        kind=kind,
        uuid=new_uuid(),
        owner="o",
        created=T0,
        **kw,
    )


def test_runs_are_numbered_and_idempotent_by_uuid(store):
    r1, r2 = make(store, "run"), make(store, "run")
    assert (r1.sys_id, r2.sys_id) == ("PRO-1", "PRO-2")
    again = store.create_container(
        project="ws/proj", kind="run", uuid=r1.uuid, owner="o", created=T0
    )
    assert again == r1
    assert store.get_container("PRO-2") == r2
    assert store.get_container("PRO-2", project="ws/proj", kind="run") == r2
    assert store.get_container_by_uuid(r1.uuid) == r1
    with pytest.raises(ContainerNotFoundError, match="PRO-9"):
        store.get_container("PRO-9", project="ws/proj")
    with pytest.raises(ContainerNotFoundError):
        store.get_container("PRO-1", project="ws/other")


def test_custom_run_id_returns_the_same_run(store):
    r1 = make(store, "run", custom_run_id="job-7")
    r2 = make(store, "run", custom_run_id="job-7")
    assert r1 == r2 and r1.custom_run_id == "job-7"
    assert store.get_field(r1.uuid, "sys/custom_run_id").value == "job-7"
    assert make(store, "run", custom_run_id="job-8").sys_id == "PRO-2"
    assert make(store, "run", project="ws/other", custom_run_id="job-7").sys_id == "OTH-1"


def test_models_versions_and_stages(store):
    model = make(store, "model", model_key="forest")
    assert model.sys_id == "PRO-FOREST"
    with pytest.raises(ConflictError, match='init_model\\(with_id="PRO-FOREST"\\)'):
        make(store, "model", model_key="FOREST")
    with pytest.raises(UsageError):
        make(store, "model", model_key="bad-key")
    with pytest.raises(UsageError):
        make(store, "model", model_key="123")
    v1 = make(store, "model_version", model_id="PRO-FOREST")
    v2 = make(store, "model_version", model_id="PRO-FOREST")
    assert (v1.sys_id, v2.sys_id, v1.model_id) == ("PRO-FOREST-1", "PRO-FOREST-2", "PRO-FOREST")
    assert (
        make(store, "model_version", model_id=make(store, "model", model_key="B").sys_id).sys_id
        == "PRO-B-1"
    )
    with pytest.raises(ContainerNotFoundError):
        make(store, "model_version", model_id="PRO-NONE")
    assert store.get_field(v1.uuid, "sys/stage").value == "none"
    assert store.get_field(v1.uuid, "sys/model_id").value == "PRO-FOREST"
    w = Writer(store, v1.uuid)
    result = w.send(
        ops.ChangeStage("sys/stage", "production"), ops.ChangeStage("sys/stage", "gold")
    )
    assert len(result.errors) == 1 and "gold" in result.errors[0].message
    assert store.get_field(v1.uuid, "sys/stage").value == "production"
    run = make(store, "run")
    result = Writer(store, run.uuid).send(ops.ChangeStage("sys/stage", "staging"))
    assert "model versions" in result.errors[0].message


def test_aliases_move_between_versions(store):
    make(store, "model", model_key="M")
    v1 = make(store, "model_version", model_id="PRO-M")
    v2 = make(store, "model_version", model_id="PRO-M")
    w1, w2 = Writer(store, v1.uuid), Writer(store, v2.uuid)
    w1.send(ops.SetAlias("sys/aliases", "champion"), ops.SetAlias("sys/aliases", "old"))
    assert store.get_field(v1.uuid, "sys/aliases").value == {"champion", "old"}
    assert store.get_structure(v1.uuid)["sys/aliases"] == "string_set"
    w2.send(ops.SetAlias("sys/aliases", "champion"))
    assert store.get_field(v1.uuid, "sys/aliases").value == {"old"}
    assert store.get_field(v2.uuid, "sys/aliases").value == {"champion"}
    w1.send(ops.RemoveAlias("sys/aliases", "old"), ops.RemoveAlias("sys/aliases", "champion"))
    assert store.get_field(v1.uuid, "sys/aliases").value == set()
    assert store.get_field(v2.uuid, "sys/aliases").value == {"champion"}
    assert "invalid alias" in w1.send(ops.SetAlias("sys/aliases", " ")).errors[0].message
    assert "cannot be written" in w1.send(ops.AddStrings("sys/aliases", ["x"])).errors[0].message


def test_project_container(store):
    p1 = make(store, "project")
    p2 = make(store, "project")
    assert p1 == p2 and p1.sys_id == "PRO"
    assert store.get_field(p1.uuid, "sys/name").value == "proj"


def test_trash(store):
    r = make(store, "run")
    store.set_trashed([r.uuid])
    assert store.get_field(r.uuid, "sys/trashed").value is True
    store.set_trashed([r.uuid], False)
    assert store.get_field(r.uuid, "sys/trashed").value is False


def _race(folder, barrier, results):
    store = Store.open_local(folder)
    barrier.wait()
    info = store.create_container(
        project="ws/dist",
        kind="run",
        uuid=new_uuid(),
        owner="o",
        created=T0,
        custom_run_id="shared",
    )
    w = Writer(store, info.uuid, name=f"proc-{mp.current_process().pid}")
    for i in range(20):
        w.send(floats("m", [float(i)]), ops.AddStrings("sys/tags", [w.name]))
    results.put(info.sys_id)
    store.close()


def test_custom_run_id_race_across_processes(tmp_path):
    folder = tmp_path / "store"
    Store.open_local(folder).close()
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(4), ctx.Queue()
    procs = [ctx.Process(target=_race, args=(folder, barrier, results)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    ids = {results.get(timeout=5) for _ in procs}
    assert ids == {"DIS-1"}
    store = Store.open_local(folder)
    info = store.get_container("DIS-1")
    assert store.get_field(info.uuid, "m").value.count == 4 * 20
    assert len(store.get_field(info.uuid, "sys/tags").value) == 4
    assert store.fetch_table("ws/dist", "run").rows[0]["sys/id"] == "DIS-1"
    assert len(store.fetch_table("ws/dist", "run").rows) == 1
    store.close()
