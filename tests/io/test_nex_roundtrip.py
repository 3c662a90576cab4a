"""`despina export neptune-exporter` then `despina import neptune-exporter` into an empty store:
every field comes back, within what neptune-exporter's schema can hold (milliseconds, steps
with 6 decimals, no git or notebook references); ids are kept."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("pyarrow")

from despina.cli.main import main  # noqa: E402
from despina.io.nex_import import import_neptune_export  # noqa: E402
from despina.store import Store  # noqa: E402

# No such types in the format; a series without points has no rows to carry it.
NOT_CARRIED = {"source_code/git", "source_code/notebook", "train/empty"}
COMPUTED = {"sys/running_time", "sys/size"}


def test_round_trip_through_the_neptune_exporter_layout(full_store, tmp_path, capsys):
    [project] = [p.qualified_name for p in full_store.list_projects()]
    full_store.close()
    src = tmp_path / "source"
    code = main(
        [
            "export",
            "neptune-exporter",
            str(tmp_path / "out"),
            "--project",
            project,
            "--path",
            str(src),
            "--quiet",
        ]
    )
    assert code == 0
    assert "2 git or notebook reference field(s)" in capsys.readouterr().err
    again = [
        "export",
        "neptune-exporter",
        str(tmp_path / "out"),
        "--project",
        project,
        "--path",
        str(src),
        "--quiet",
    ]
    assert main(again) == 0  # an interrupted export run again continues; here all is there
    assert "3 object(s) were in" in capsys.readouterr().err
    with Store.open_local(src) as a, Store.open_local(tmp_path / "target") as b:
        report = import_neptune_export(tmp_path / "out", b)
        assert report.problems == [], report.problems
        assert {o.sys_id for o in report.objects.values()} == {
            "FUL-1",
            "FUL-FOREST",
            "FUL-FOREST-1",
        }
        for sys_id in ("FUL-1", "FUL-FOREST", "FUL-FOREST-1"):
            x, y = a.get_container(sys_id), b.get_container(sys_id)
            assert x.created == pytest.approx(y.created, abs=1e-3)  # milliseconds
            assert x.custom_run_id == y.custom_run_id
            _same_fields(a, x.uuid, b, y.uuid)


def _same_fields(a, ua, b, ub):
    fa = {f.path: f for f in a.get_fields(ua)}
    fb = {f.path: f for f in b.get_fields(ub)}
    assert sorted(set(fa) - NOT_CARRIED) == sorted(fb)
    for path, x in fa.items():
        if path in NOT_CARRIED or path in COMPUTED:
            continue
        y = fb[path]
        assert x.type == y.type, path
        if x.type == "float_series":
            pa, pb = a.fetch_float_points(ua, path), b.fetch_float_points(ub, path)
            assert np.array_equal(pa.steps, pb.steps), path
            assert np.array_equal(pa.values, pb.values, equal_nan=True), path
            assert np.allclose(pa.timestamps, pb.timestamps, atol=1e-3, rtol=0), path
        elif x.type in ("string_series", "file_series"):
            pa, pb = a.fetch_object_points(ua, path), b.fetch_object_points(ub, path)
            assert pa.steps.tolist() == pb.steps.tolist(), path
            if x.type == "string_series":
                assert pa.values == pb.values, path
            else:
                assert [v.file.hash for v in pa.values] == [v.file.hash for v in pb.values]
        elif x.type in ("file_set", "artifact"):
            ea, eb = a.list_files(ua, path), b.list_files(ub, path)
            assert [(e.path, e.hash, e.size, e.location) for e in ea] == [
                (e.path, e.hash, e.size, e.location) for e in eb
            ], path
        elif x.type == "file":
            assert (x.value.hash, x.value.extension) == (y.value.hash, y.value.extension), path
        elif x.type == "datetime":
            assert abs((x.value - y.value).total_seconds()) < 1e-3, path
        elif x.type == "float" and math.isnan(x.value):
            assert math.isnan(y.value), path
        else:
            assert x.value == y.value, (path, x.value, y.value)
