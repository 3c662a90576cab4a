"""Artifacts tracked by the real `neptune` client (1.14): hashes, file lists, download, a new
version, the same files from another run; despina's API reads the same files."""

from __future__ import annotations

import despina


def test_artifacts_round_trip(neptune_server, monkeypatch):
    got = neptune_server.result("artifacts.py")
    assert got["files"] == [["sub/y.txt", 3, "Local"], ["x.txt", 2, "Local"]]
    assert got["downloaded"] == ["sub/y.txt", "x.txt"]
    assert got["second"] != got["first"]  # x.txt changed: a new version
    assert got["second_files"] == [["sub/y.txt", 3], ["x.txt", 10]]
    assert got["third"] == got["second"]  # the same files from another run: the same hash
    back = neptune_server.tmp / "out" / "back"
    assert (back / "sub" / "y.txt").read_text() == "why"

    monkeypatch.setenv("DESPINA_API_TOKEN", neptune_server.admin_token)
    run = despina.init_run(project="ws/proj", with_id=got["sys_id"], mode="read-only")
    try:
        files = run["datasets/train"].fetch_files_list()
        assert sorted((f.file_path, f.size) for f in files) == [("sub/y.txt", 3), ("x.txt", 10)]
        data = neptune_server.tmp / "out" / "data"
        assert {f.metadata["location"] for f in files} == {
            str(data / "x.txt"),
            str(data / "sub" / "y.txt"),
        }
    finally:
        run.stop()
