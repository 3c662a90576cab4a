"""`despina backup` and `despina restore` of the embedded store, as real processes: every field
type survives a backup and restore into an empty data directory (read back through the public
API, field by field); a backup made while another process logs is consistent; a damaged
backup and a non-empty target are refused; an older schema is migrated on restore."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from processes import REPO, python

from despina.store import schema

SCRIPTS = REPO / "tests" / "e2e" / "scripts"
PROJECT = "team/bkall"


def _env(data: Path) -> dict:
    return {"DESPINA_DATA_DIRECTORY": str(data)}


def _cli(*args, data: Path | None = None, check=True):
    env = _env(data) if data else None
    return python(["-m", "despina", *map(str, args)], env=env, check=check)


def _dump(data: Path, scratch: Path, project: str = PROJECT) -> dict:
    proc = python([str(SCRIPTS / "backup_dump.py"), project, str(scratch)], env=_env(data))
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _log_everything(tmp_path: Path) -> Path:
    data, work = tmp_path / "source", tmp_path / "work"
    work.mkdir()
    python([str(SCRIPTS / "backup_log_all.py"), str(work), PROJECT], env=_env(data), cwd=work)
    return data


def test_backup_restore_keeps_every_field_of_every_object(tmp_path):
    data = _log_everything(tmp_path)
    out = _cli("backup", tmp_path / "bk", "--path", data).stdout
    assert "2 run(s), 1 model(s), 2 model version(s)" in out
    manifest = json.loads((tmp_path / "bk" / "manifest.json").read_text())
    assert manifest["format"] == "despina-backup" and manifest["kind"] == "sqlite"
    assert manifest["schema_version"] == schema.SCHEMA_VERSION
    assert manifest["counts"]["runs"] == 2 and manifest["counts"]["blobs"] >= 10
    assert manifest["missing_blobs"] == []

    restored = tmp_path / "restored"
    _cli("restore", tmp_path / "bk", "--path", restored)
    before = _dump(data, tmp_path / "scratch-a")
    after = _dump(restored, tmp_path / "scratch-b")
    assert sorted(before) == ["BKA-1", "BKA-2", "BKA-BKM", "BKA-BKM-1", "BKA-BKM-2"]
    run = before["BKA-1"]
    assert [p[1] for p in run["train/loss"][1][1:5]] == ["nan", "inf", "-inf", "-0.0"]
    assert run["special/nan"] == ["float", "nan"] and run["labels"] == ["string_set", ["x", "y"]]
    assert len(run["images/series"][1]) == 2 and len(run["files/set"][1]) == 2
    for sys_id in before:  # field by field, so a difference names its field
        assert set(after[sys_id]) == set(before[sys_id]), sys_id
        for path, value in before[sys_id].items():
            assert after[sys_id][path] == value, (sys_id, path)


def test_backup_while_another_process_logs_is_a_consistent_prefix(tmp_path):
    data, stop = tmp_path / "live", tmp_path / "stop"
    env = dict(os.environ, PYTHONPATH=str(REPO), **_env(data))
    logger = subprocess.Popen(
        [sys.executable, str(SCRIPTS / "backup_log_forever.py"), str(stop)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        sys_id = logger.stdout.readline().strip()
        if not sys_id.startswith("BKL-"):
            logger.kill()
            raise AssertionError(f"the logger printed {sys_id!r}: {logger.communicate()[1]}")
        backups = []
        for k in range(3):
            for _ in range(2):  # let it log a while between backups
                assert logger.stdout.readline().strip().isdigit()
            backups.append(tmp_path / f"bk{k}.tar")
            _cli("backup", backups[-1], "--path", data)
        stop.touch()
        out, err = logger.communicate(timeout=120)
        assert logger.returncode == 0, err
        total = int(out.strip().splitlines()[-1].split()[1])
    finally:
        if logger.poll() is None:
            logger.kill()
            logger.wait(10)
    final = _dump(data, tmp_path / "scratch-final", "team/bklive")[sys_id]
    assert len(final["live/x"][1]) == total
    seen = []
    for k, bk in enumerate(backups):
        restored = tmp_path / f"restored{k}"
        _cli("restore", bk, "--path", restored)
        got = _dump(restored, tmp_path / f"scratch{k}", "team/bklive")[sys_id]
        xs, strings = got["live/x"][1], got["live/s"][1]
        assert xs == final["live/x"][1][: len(xs)]  # a prefix of what the logger ended with
        assert strings == final["live/s"][1][: len(strings)]
        files = got["live/files"][1]
        assert files == {name: final["live/files"][1][name] for name in files}
        assert len(files) <= len(strings) // 500 + 1
        seen.append(len(xs))
    assert seen == sorted(seen) and seen[-1] < total and seen[-1] > 0


def _flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_damaged_backup_and_non_empty_target_are_refused(tmp_path):
    data = _log_everything(tmp_path)
    _cli("backup", tmp_path / "bk", "--path", data)
    _cli("backup", tmp_path / "bk.tar", "--path", data)
    assert "exists" in _cli("backup", tmp_path / "bk", "--path", data, check=False).stderr

    # into the store it came from, or any store holding something: refused, nothing written
    proc = _cli("restore", tmp_path / "bk", "--path", data, check=False)
    assert proc.returncode == 1
    assert "already holds a store" in proc.stderr and "empty data directory" in proc.stderr

    manifest = json.loads((tmp_path / "bk" / "manifest.json").read_text())
    blob = next(name for name in manifest["parts"] if name.startswith("blobs/"))
    _flip_byte(tmp_path / "bk" / blob, 0)
    target = tmp_path / "target"
    proc = _cli("restore", tmp_path / "bk", "--path", target, check=False)
    assert proc.returncode == 1
    assert f"is damaged: {blob} does not match the sha256" in proc.stderr
    assert not (target / "store.db").exists()
    _flip_byte(tmp_path / "bk" / blob, 0)
    _flip_byte(tmp_path / "bk" / "database" / "store.db", 5000)
    proc = _cli("restore", tmp_path / "bk", "--path", target, check=False)
    assert "database/store.db does not match the sha256" in proc.stderr

    # one changed byte inside the .tar (in a file set's content) is refused too
    tar = tmp_path / "bk.tar"
    offset = tar.read_bytes().index(bytes(range(256)) * 2)
    _flip_byte(tar, offset + 100)
    proc = _cli("restore", tar, "--path", target, check=False)
    assert proc.returncode == 1 and "is damaged" in proc.stderr
    assert not (target / "store.db").exists()
    assert "not a despina backup" in _cli("restore", REPO / "README.md", check=False).stderr


def test_restore_migrates_a_backup_of_an_older_schema(tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    from despina.store.db import Database

    db = Database(str(old / "store.db"))
    schema.migrate(db, upto=6)
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO projects (workspace, name, key, created) VALUES ('old', 'p', 'OLD', ?)",
            (time.time(),),
        )
    db.close()
    _cli("backup", tmp_path / "bk", "--path", old)
    assert json.loads((tmp_path / "bk" / "manifest.json").read_text())["schema_version"] == 6
    _cli("restore", tmp_path / "bk", "--path", tmp_path / "new")
    conn = sqlite3.connect(tmp_path / "new" / "store.db")
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
        str(schema.SCHEMA_VERSION),
    )
    assert conn.execute("SELECT workspace, name FROM projects").fetchall() == [("old", "p")]
    assert conn.execute("SELECT count(*) FROM notebooks").fetchone() == (0,)  # version 9's
    conn.close()
