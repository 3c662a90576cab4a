"""`import_files`: idempotency, resuming, appended lines, errors that name the place."""

from __future__ import annotations

import json

from despina.io.importer import container_uuid, import_files
from despina.store import Store


def write_lines(path, *objs, newline=True):
    with open(path, "a") as f:
        for i, obj in enumerate(objs):
            text = obj if isinstance(obj, str) else json.dumps(obj)
            f.write(text + ("\n" if newline or i < len(objs) - 1 else ""))


HEADER = {"kind": "run", "id": "r1", "project": "ws/p"}


def point(step, value):
    return {"op": "append", "path": "loss", "step": step, "value": value, "timestamp": 100 + step}


def test_importing_twice_doubles_nothing(tmp_path):
    doc = tmp_path / "runs.json"
    doc.write_text(
        json.dumps(
            {
                "project": "ws/p",
                "objects": [
                    {
                        "id": "a",
                        "name": "A",
                        "tags": ["x"],
                        "fields": {
                            "loss": {"type": "float_series", "points": [[0, 1.0, 5], [1, 2.0, 6]]},
                            "note": {"type": "string_series", "points": [{"value": "hi"}]},
                        },
                        "operations": [{"op": "add_strings", "path": "sys/tags", "values": ["y"]}],
                    },
                    {"id": "b", "kind": "model", "key": "m1"},
                ],
            }
        )
    )
    with Store.open_local(tmp_path / "store") as store:
        first = import_files([doc], store)
        second = import_files([doc], store)
        assert first.problems == second.problems == []
        assert first.applied == 5 and second.applied == 0
        uuid = container_uuid("ws/p", "run", "a")
        assert len(store.fetch_float_points(uuid, "loss").steps) == 2
        assert len(store.fetch_object_points(uuid, "note").values) == 1
        assert store.get_field(uuid, "sys/tags").value == {"x", "y"}
        assert len(store.fetch_table("ws/p", "run").rows) == 1


def test_appended_lines_are_added_and_a_torn_line_waits(tmp_path):
    log = tmp_path / "run.jsonl"
    write_lines(log, HEADER, point(0, 1.0), point(1, 0.5))
    write_lines(log, '{"op": "append", "path": "lo', newline=False)  # being written
    with Store.open_local(tmp_path / "store") as store:
        report = import_files([log], store)
        [problem] = report.problems
        assert problem.pending and problem.where.endswith("run.jsonl:4")
        uuid = container_uuid("ws/p", "run", "r1")
        assert store.fetch_float_points(uuid, "loss").steps.tolist() == [0, 1]

        with open(log, "a") as f:  # the writer finishes its line and goes on
            f.write('ss", "step": 2, "value": 0.25}\n')
        write_lines(log, point(3, 0.125))
        report = import_files([log], store)
        assert report.problems == []
        [obj] = report.objects.values()
        assert (obj.already, obj.applied) == (2, 2)
        assert store.fetch_float_points(uuid, "loss").steps.tolist() == [0, 1, 2, 3]


def test_interrupted_import_resumes(tmp_path, monkeypatch):
    log = tmp_path / "run.jsonl"
    write_lines(log, HEADER, *(point(i, float(i)) for i in range(30)))
    import despina.io.importer as importer

    monkeypatch.setattr(importer, "MAX_BATCH_OPERATIONS", 10)
    with Store.open_local(tmp_path / "store") as store:
        calls = []
        real = store.apply_batch

        def failing(batch):
            calls.append(batch)
            if len(calls) == 3:  # the probe, one batch, then the connection drops
                raise ConnectionError("network gone")
            return real(batch)

        store.apply_batch = failing
        try:
            import_files([log], store)
        except ConnectionError:
            pass
        uuid = container_uuid("ws/p", "run", "r1")
        assert len(store.fetch_float_points(uuid, "loss").steps) == 10
        store.apply_batch = real
        report = import_files([log], store)
        [obj] = report.objects.values()
        assert (obj.already, obj.applied) == (10, 20)
        assert store.fetch_float_points(uuid, "loss").steps.tolist() == list(range(30))


def test_malformed_input_is_reported_with_its_place_and_the_rest_imported(tmp_path):
    (tmp_path / "present.bin").write_bytes(b"here")
    log = tmp_path / "bad.jsonl"
    write_lines(
        log,
        {"op": "append", "path": "early", "value": 1},  # 1: before any object line
        HEADER,  # 2
        "{not json",  # 3
        {"op": "append", "path": "loss", "step": 0, "value": "fast"},  # 4: a string -> series
        {"op": "append", "path": "acc", "step": 0, "value": {"file": "missing.png"}},  # 5
        {"op": "assign_float", "path": "lr", "value": "high"},  # 6
        {"op": "assign_file", "path": "model", "file": "present.bin"},  # 7
        {"op": "teleport", "path": "x"},  # 8
        {"op": "assign", "path": "ok", "value": 3},  # 9
        {"op": "assign", "path": "ok", "value": "three"},  # 10: refused, type is int
        {"kind": "spaceship", "id": "z"},  # 11
        {"op": "assign", "path": "lost", "value": 1},  # 12: belongs to the bad object
    )
    doc = tmp_path / "bad.json"
    doc.write_text('{"id": "d", "project": "ws/p",\n "fields": {"a": 1,, "b": 2}}')
    with Store.open_local(tmp_path / "store") as store:
        report = import_files([log, doc], store)
        messages = [str(p) for p in report.problems]
        text = "\n".join(messages)
        assert f"{log}:1: an operation before any object line" in text
        assert f"{log}:3: invalid JSON" in text
        assert f"{log}:5: points[0].value.file: file not found" in text and "missing.png" in text
        assert f"{log}:6: value: expected a number" in text
        assert f"{log}:8: op: unknown operation 'teleport'" in text
        assert f"{log}:10: refused by the store" in text
        assert f"{log}:11: kind: expected one of run, model, model_version" in text
        assert f"{doc}:2:20: invalid JSON" in text
        assert len(messages) == 8
        uuid = container_uuid("ws/p", "run", "r1")
        assert store.get_field(uuid, "ok").value == 3
        assert store.fetch_object_points(uuid, "loss").values == ["fast"]
        model = store.get_field(uuid, "model").value
        assert store.blobs.open(model.hash).read() == b"here"
        assert store.get_field(uuid, "lost") is None


def test_model_version_before_its_model_in_another_file(tmp_path):
    (tmp_path / "a_version.json").write_text(
        json.dumps(
            {
                "kind": "model_version",
                "id": "v",
                "model": "m",
                "project": "ws/p",
                "stage": "staging",
                "aliases": ["best"],
            }
        )
    )
    (tmp_path / "b_model.json").write_text(
        json.dumps({"kind": "model", "id": "m", "key": "net", "project": "ws/p"})
    )
    with Store.open_local(tmp_path / "store") as store:
        report = import_files([tmp_path], store)
        assert report.problems == []
        version = store.get_container_by_uuid(container_uuid("ws/p", "model_version", "v"))
        assert version.sys_id == "P-NET-1"
        assert store.get_field(version.uuid, "sys/stage").value == "staging"
        assert store.get_field(version.uuid, "sys/aliases").value == {"best"}


def test_schema_accepts_the_examples_and_exports(tmp_path, full_store):
    jsonschema = __import__("pytest").importorskip("jsonschema")
    from importlib.resources import files

    from despina.io.export_json import export_object

    schema = json.loads(files("despina.io").joinpath("protocol.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    path, _ = export_object(full_store, full_store.get_container("FUL-1"), tmp_path)
    for line in path.read_text().splitlines():
        validator.validate(json.loads(line))
    validator.validate({"project": "ws/p", "objects": [{"id": "a", "fields": {"x": 1}}]})
    errors = list(validator.iter_errors({"op": "append_floats", "path": "x", "points": "no"}))
    assert errors
