"""Deleting containers and projects for good (Neptune's delete_objects_from_trash, clear_trash
and delete_project), listing a project's containers, and a workspace's size."""

from __future__ import annotations

import pytest

from despina import operations as ops
from despina.errors import ContainerNotFoundError, ProjectNotFoundError

from store_helpers import T0, Writer, floats, new_uuid, strings


def make(store, kind, project="ws/proj", **kw):
    return store.create_container(
        project=project, kind=kind, uuid=new_uuid(), owner="o", created=T0, **kw
    )


def _fill(store, uuid):
    ref = store.blobs.put_bytes(b"shared bytes")
    entry = ops.FileEntry("a.txt", ref.hash, ref.size)
    Writer(store, uuid).send(
        ops.AssignFloat("p/x", 1.0),
        floats("m", [1.0, 2.0, 3.0]),
        strings("log", ["a", "b"]),
        ops.AddStrings("sys/tags", ["t"]),
        ops.AssignFile("f", ops.FileRef(ref.hash, ref.size, "txt")),
        ops.UploadFileSetFiles("set", [entry]),
    )
    return ref


def test_delete_containers_removes_them_and_what_they_hold(store):
    keep, gone = make(store, "run"), make(store, "run")
    ref = _fill(store, keep.uuid)
    _fill(store, gone.uuid)
    assert store.delete_containers([gone.uuid, gone.uuid, new_uuid()]) == [gone.uuid]
    with pytest.raises(ContainerNotFoundError):
        store.get_container_by_uuid(gone.uuid)
    with pytest.raises(ContainerNotFoundError):
        store.get_container(gone.sys_id, project="ws/proj")
    # the other run is untouched, and so is the blob both referenced
    assert store.get_field(keep.uuid, "p/x").value == 1.0
    assert list(store.fetch_float_points(keep.uuid, "m").values) == [1.0, 2.0, 3.0]
    assert [e.path for e in store.list_files(keep.uuid, "set")] == ["a.txt"]
    assert store.blobs.exists(ref.hash)
    assert store.fetch_table("ws/proj", "run", trashed=None).total == 1
    assert store.delete_containers([gone.uuid]) == []
    # the tag index forgot the deleted run's tags
    table = store.fetch_table("ws/proj", "run", filter='`sys/tags`:stringSet CONTAINS "t"')
    assert [r["sys/id"] for r in table.rows] == [keep.sys_id]


def test_deleting_a_model_deletes_its_versions(store):
    model = make(store, "model", model_key="FOREST")
    v1 = make(store, "model_version", model_id=model.sys_id)
    Writer(store, v1.uuid).send(ops.SetAlias("sys/aliases", "champion"))
    assert store.delete_containers([model.uuid]) == [model.uuid]
    with pytest.raises(ContainerNotFoundError):
        store.get_container_by_uuid(v1.uuid)
    # the key is free again
    assert make(store, "model", model_key="FOREST").sys_id == model.sys_id


def test_list_containers(store):
    r1, r2 = make(store, "run"), make(store, "run")
    model = make(store, "model", model_key="M")
    v1 = make(store, "model_version", model_id=model.sys_id)
    make(store, "run", project="ws/other")
    store.set_trashed([r2.uuid, v1.uuid])
    uuids = [c.uuid for c in store.list_containers("ws/proj")]
    assert uuids == [r1.uuid, r2.uuid, model.uuid, v1.uuid]
    assert [c.uuid for c in store.list_containers("ws/proj", trashed=True)] == [r2.uuid, v1.uuid]
    assert [c.uuid for c in store.list_containers("ws/proj", trashed=False)] == [
        r1.uuid,
        model.uuid,
    ]
    assert [c.uuid for c in store.list_containers("ws/proj", model_id=model.sys_id)] == [v1.uuid]
    assert store.list_containers("ws/nothing") == []


def test_delete_project(store):
    run = make(store, "run")
    _fill(store, run.uuid)
    make(store, "project")
    other = make(store, "run", project="ws/other")
    store.delete_project("ws/proj")
    with pytest.raises(ProjectNotFoundError):
        store.get_project("ws/proj")
    with pytest.raises(ContainerNotFoundError):
        store.get_container_by_uuid(run.uuid)
    assert [p.qualified_name for p in store.list_projects()] == ["ws/other"]
    assert store.get_container_by_uuid(other.uuid).sys_id == other.sys_id
    with pytest.raises(ProjectNotFoundError):
        store.delete_project("ws/proj")
    # a project of the same name starts afresh
    again = make(store, "run")
    assert again.sys_id.endswith("-1") and store.list_containers("ws/proj") == [again]


def test_workspace_size(store):
    assert store.workspace_size("ws") == 0
    run = make(store, "run")
    _fill(store, run.uuid)
    make(store, "run", project="other/p")
    size = store.get_field(run.uuid, "sys/size").value
    assert size > 0 and store.workspace_size("ws") == size
