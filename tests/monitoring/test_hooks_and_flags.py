"""Exception hooks chain to the ones before them; capture flags and their defaults."""

import sys
import threading

from processes import python

import despina
from despina.monitoring import traceback as tb_hooks
from despina.monitoring.capture import monitoring_hash

OFF = dict(capture_stdout=False, capture_stderr=False, capture_hardware_metrics=False)


def test_hooks_record_and_chain_to_the_previous_hooks(monkeypatch):
    seen_sys, seen_thread, recorded = [], [], []
    monkeypatch.setattr(tb_hooks, "_installed", False)
    monkeypatch.setattr(sys, "excepthook", lambda *exc: seen_sys.append(exc[0]))
    monkeypatch.setattr(threading, "excepthook", lambda args: seen_thread.append(args.exc_type))
    tb_hooks.subscribe(1, recorded.append)
    try:
        assert sys.excepthook is tb_hooks._sys_hook
        try:
            raise ValueError("bad")
        except ValueError:
            sys.excepthook(*sys.exc_info())
        t = threading.Thread(target=lambda: {}["missing"])
        t.start()
        t.join()
        sys.excepthook(SystemExit, SystemExit(0), None)  # never a failure
    finally:
        tb_hooks.unsubscribe(1)
    assert seen_sys == [ValueError, SystemExit] and seen_thread == [KeyError]
    assert len(recorded) == 2
    assert recorded[0][0] == "Traceback (most recent call last):"
    assert recorded[0][-1] == "ValueError: bad" and recorded[1][-1] == "KeyError: 'missing'"


def test_with_block_records_the_traceback_and_failed(data_dir):
    try:
        with despina.init_run(project="capture/with", mode="sync", **OFF) as run:
            run_id = run["sys/id"].fetch()
            namespace = run.monitoring_namespace
            raise ZeroDivisionError("inside")
    except ZeroDivisionError:
        pass
    again = despina.init_run(with_id=run_id, mode="read-only")
    assert again["sys/failed"].fetch() is True
    lines = list(again[f"{namespace}/traceback"].fetch_values()["value"])
    assert lines[-1] == "ZeroDivisionError: inside"
    again.stop()


def test_fail_on_exception_false_keeps_the_traceback_only(data_dir):
    try:
        with despina.init_run(project="capture/with", fail_on_exception=False, **OFF) as run:
            run_id, namespace = run["sys/id"].fetch(), run.monitoring_namespace
            raise RuntimeError("x")
    except RuntimeError:
        pass
    again = despina.init_run(with_id=run_id, mode="read-only")
    assert again["sys/failed"].fetch() is False
    assert again[f"{namespace}/traceback"].fetch_last() == "RuntimeError: x"
    again.stop()


def test_monitoring_fields_and_namespace(data_dir):
    import os
    import socket

    run = despina.init_run(project="capture/ns", **OFF)
    expected = monitoring_hash(socket.gethostname(), os.getpid(), threading.get_ident())
    assert run.monitoring_namespace == f"monitoring/{expected}" and len(expected) == 8
    run.wait()
    values = run.fetch()
    assert values["monitoring"][expected] == {
        "hostname": socket.gethostname(),
        "pid": str(os.getpid()),
        "tid": str(threading.get_ident()),
    }
    assert values["sys"]["hostname"] == socket.gethostname()
    run.stop()
    run = despina.init_run(project="capture/ns", monitoring_namespace="mine/here", **OFF)
    run.wait()
    assert run["mine/here/pid"].fetch() == str(os.getpid())
    run.stop()


def test_read_only_captures_nothing(data_dir):
    run = despina.init_run(project="capture/ro", **OFF)
    run_id = run["sys/id"].fetch()
    run.stop()
    before = sys.excepthook, threading.excepthook
    again = despina.init_run(with_id=run_id, mode="read-only")
    assert again._capturing is None
    assert (sys.excepthook, threading.excepthook) == before or tb_hooks._installed
    again.stop()


def _child(code, tmp_path, *args):
    script = tmp_path / "s.py"
    script.write_text(code)
    return python([*args, str(script)], cwd=tmp_path)


def test_interactive_sessions_default_to_no_capture(tmp_path):
    code = (
        "import sys, despina\n"
        "run = despina.init_run(project='capture/flags')\n"
        "c = run._capturing\n"
        "print('STDIO', sorted(c._stdio), 'HW', c._hardware is not None)\n"
        "run.stop()\n"
    )
    script = _child(code, tmp_path)
    assert "STDIO [1, 2] HW True" in script.stdout
    interactive = _child(code, tmp_path, "-i")  # python -i: an interactive session
    assert "STDIO [] HW False" in interactive.stdout
    forced = _child(code.replace("init_run(", "init_run(capture_stdout=True, "), tmp_path, "-i")
    assert "STDIO [1] HW False" in forced.stdout


def test_import_is_light_and_starts_nothing():
    code = (
        "import sys, threading, despina\n"
        "heavy = [m for m in ('psutil', 'pynvml', 'despina.monitoring.hardware', "
        "'despina.monitoring.stdio', 'despina.integrations.python_logger') if m in sys.modules]\n"
        "print(heavy, threading.active_count(), sys.excepthook is sys.__excepthook__)\n"
    )
    out = python(["-c", code]).stdout
    assert out.strip() == "[] 1 True"


def test_monitoring_namespace_from_the_environment(data_dir, monkeypatch):
    import os

    for variable, namespace in (
        ("NEPTUNE_MONITORING_NAMESPACE", "from/neptune"),
        ("DESPINA_MONITORING_NAMESPACE", "from/despina"),  # wins over the Neptune name
    ):
        monkeypatch.setenv(variable, namespace)
        run = despina.init_run(project="capture/env", **OFF)
        run.wait()
        assert run.monitoring_namespace == namespace
        assert run[f"{namespace}/pid"].fetch() == str(os.getpid())
        run.stop()
    run = despina.init_run(project="capture/env", monitoring_namespace="arg/wins", **OFF)
    assert run.monitoring_namespace == "arg/wins"
    run.stop()


def test_capture_traceback_false_records_the_failure_only(data_dir):
    try:
        with despina.init_run(project="capture/notb", capture_traceback=False, **OFF) as run:
            run_id, namespace = run["sys/id"].fetch(), run.monitoring_namespace
            raise KeyError("k")
    except KeyError:
        pass
    again = despina.init_run(with_id=run_id, mode="read-only")
    assert again["sys/failed"].fetch() is True
    assert not again.exists(f"{namespace}/traceback")
    again.stop()
