"""The real `neptune` client (1.14), unmodified, logs every field type to a despina server
process and reads it back; despina's own API reads the same values, steps, timestamps and bytes."""

from __future__ import annotations

import zipfile
from datetime import datetime, timezone

import pytest

import despina


@pytest.fixture
def despina_reader(neptune_server, monkeypatch):
    """despina's own client, pointed at the server with the admin's token."""
    monkeypatch.setenv("DESPINA_API_TOKEN", neptune_server.admin_token)

    def open_run(sys_id: str):
        return despina.init_run(project="ws/proj", with_id=sys_id, mode="read-only")

    return open_run


def test_every_field_type_round_trips(neptune_server, despina_reader):
    got = neptune_server.result("log_everything.py")
    out = neptune_server.tmp / "out"
    loss = [1.0 / (s + 1) for s in range(50)]
    # what the client read back is what it logged
    assert got["lr"] == 0.001 and got["epochs"] == 7 and got["debug"] is True
    assert got["nested"] == {"optimizer": "adam", "betas": 0.9}
    assert got["started"] == "2024-01-02T03:04:05.678000+00:00"
    assert got["text"] == "héllo" and got["name"] == "all types"
    assert got["tags"] == ["extra", "real-client"]
    assert got["loss"]["step"] == list(map(float, range(50))) and got["loss"]["value"] == loss
    assert got["loss_last"] == loss[-1]
    assert got["acc"]["step"] == [0.0, 1.0, 2.0]  # no step given: numbered by the server
    assert got["acc"]["value"] == [0.5, 0.6, 0.7]
    assert got["messages"]["value"] == ["first", "second"] and got["messages"]["step"] == [1, 2]
    assert (out / "notes.back").read_text() == "some notes\n"
    assert (out / "blob.back").read_bytes() == b"\x00\x01binary\xff"
    with zipfile.ZipFile(out / "dataset.zip") as z:
        names = sorted(z.namelist())
        assert [n.rsplit("/", 1)[-1] for n in names] == ["a.csv", "b.txt"]
        assert z.read(names[0]) == b"x,y\n1,2\n" and z.read(names[1]) == b"bee"
    assert "gone" not in got["structure"]

    # despina's own API reads the same
    run = despina_reader(got["sys_id"])
    try:
        assert run["params/lr"].fetch() == 0.001 and run["params/epochs"].fetch() == 7
        assert run["params/nested/optimizer"].fetch() == "adam"
        assert run["flags/debug"].fetch() is True
        started = run["info/started"].fetch()
        assert started == datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc)
        assert run["info/text"].fetch() == "héllo" and run["sys/name"].fetch() == "all types"
        assert run["sys/tags"].fetch() == {"extra", "real-client"}
        assert not run.exists("gone")
        for path, key in (("train/loss", "loss"), ("train/acc", "acc")):
            df = run[path].fetch_values()
            assert list(df["step"]) == got[key]["step"]
            assert list(df["value"]) == got[key]["value"]
            stamps = [t.timestamp() for t in df["timestamp"]]
            assert stamps == pytest.approx(got[key]["timestamp"], abs=1e-3)
        texts = run["logs/messages"].fetch_values()
        assert list(texts["value"]) == ["first", "second"]
        target = neptune_server.tmp / "blob.despina"
        run["files/blob"].download(str(target))
        assert target.read_bytes() == b"\x00\x01binary\xff"
        entries = run["dataset"].list_fileset_files()
        assert [(e.name, e.file_type) for e in entries] == [("out", "directory")]
    finally:
        run.stop()
