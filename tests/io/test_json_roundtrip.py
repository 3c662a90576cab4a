"""Export to the JSON protocol and import into an empty store loses nothing."""

from __future__ import annotations

import math

import numpy as np

from despina.io.export_json import export_object
from despina.io.importer import import_files
from despina.io.selection import select_objects
from despina.store import Store

# tests/io/conftest.py's project; not imported from there, since another conftest module may
# be the one named ``conftest`` when several test folders run together.
PROJECT = "ws/full"

# Computed by the store from the history of writes, which an import does not replay: the time
# between writes, and bytes counted for default sys fields written explicitly.
NOT_COMPARED = {"sys/running_time", "sys/size"}


def export_all(store, out):
    objs = list(select_objects(store, PROJECT, ("run", "model", "model_version")))
    for info in objs:
        export_object(store, info, out)
    return objs


def same_value(a, b):
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


def assert_same_object(src: Store, a: str, dst: Store, b: str):
    fa = {f.path: f for f in src.get_fields(a)}
    fb = {f.path: f for f in dst.get_fields(b)}
    assert sorted(fa) == sorted(fb)
    for path, x in fa.items():
        y = fb[path]
        assert x.type == y.type, path
        if path in NOT_COMPARED:
            continue
        if x.type in ("float_series", "string_series", "file_series"):
            fetch = "fetch_float_points" if x.type == "float_series" else "fetch_object_points"
            pa, pb = getattr(src, fetch)(a, path), getattr(dst, fetch)(b, path)
            assert np.array_equal(pa.steps, pb.steps), path
            assert np.array_equal(pa.timestamps, pb.timestamps), path
            if x.type == "float_series":
                assert np.array_equal(pa.values, pb.values, equal_nan=True), path
            else:
                assert pa.values == pb.values, path
            if x.type == "file_series":
                for v in pa.values:
                    assert src.blobs.open(v.file.hash).read() == dst.blobs.open(v.file.hash).read()
            sa, sb = x.value, y.value
            assert (sa.count, sa.last_step, sa.nan_count) == (sb.count, sb.last_step, sb.nan_count)
            assert same_value(sa.last_value, sb.last_value), path
        elif x.type in ("file_set", "artifact"):
            assert src.list_files(a, path) == dst.list_files(b, path), path
            assert x.value.hash == y.value.hash, path
        else:
            assert same_value(x.value, y.value), (path, x.value, y.value)
        if x.type == "file":
            assert src.blobs.open(x.value.hash).read() == dst.blobs.open(y.value.hash).read()
        if x.type == "file_set":
            for e in src.list_files(a, path):
                assert src.blobs.open(e.hash).read() == dst.blobs.open(e.hash).read()


def test_round_trip_every_field_type(full_store, tmp_path):
    out = tmp_path / "export"
    objs = export_all(full_store, out)
    assert [o.kind for o in objs] == ["run", "model", "model_version"]

    with Store.open_local(tmp_path / "target") as target:
        report = import_files([out], target)
        assert report.problems == []
        assert len(report.objects) == 3
        by_id = {o.id: uuid for uuid, o in report.objects.items()}
        for info in objs:
            assert_same_object(full_store, info.uuid, target, by_id[info.uuid])
        run = target.get_container_by_uuid(by_id["run-1"])
        assert run.custom_run_id == "custom-7" and run.sys_id == "FUL-1"
        assert target.get_field(by_id["version-1"], "sys/stage").value == "production"

        # A second export of the imported store is the same, byte for byte.
        out2 = tmp_path / "export2"
        export_all(target, out2)
        first = (out / "FUL-1.jsonl").read_text().splitlines()
        second = (out2 / "FUL-1.jsonl").read_text().splitlines()
        assert first[1:] == second[1:]


def test_export_streams_series_in_chunks(full_store, tmp_path):
    path, points = export_object(full_store, full_store.get_container("FUL-1"), tmp_path)
    assert points == 25_001 + 2 + 2
    loss_lines = [line for line in path.read_text().splitlines() if '"train/loss"' in line]
    assert len(loss_lines) == 3  # 10,000 + 10,000 + 5,001 points
