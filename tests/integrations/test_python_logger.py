"""Python logging records reach a string series."""

import logging

from processes import python

import despina
from despina.integrations.python_logger import DespinaHandler, NeptuneHandler

OFF = dict(capture_stdout=False, capture_stderr=False, capture_hardware_metrics=False)


def test_records_go_to_the_monitoring_namespace_by_default(data_dir):
    run = despina.init_run(project="logs/py", **OFF)
    logger = logging.getLogger("test.train")
    logger.setLevel(logging.DEBUG)
    handler = DespinaHandler(run=run, level=logging.INFO)
    logger.addHandler(handler)
    try:
        logger.debug("too quiet")
        logger.info("epoch %d done", 1)
        logger.warning("lr too high")
        logging.getLogger("despina").warning("despina's own message")  # never fed back
    finally:
        logger.removeHandler(handler)
    assert handler.path == f"{run.monitoring_namespace}/python_logger"
    run.wait()
    lines = list(run[handler.path].fetch_values()["value"])
    assert len(lines) == 2
    assert lines[0].endswith("test.train INFO: epoch 1 done")
    assert lines[1].endswith("test.train WARNING: lr too high")
    assert run["source_code/integrations/despina-python-logger"].fetch() == despina.__version__
    run.stop()


def test_custom_path_formatter_and_neptune_alias(data_dir):
    assert NeptuneHandler is DespinaHandler
    run = despina.init_run(project="logs/py", **OFF)
    handler = NeptuneHandler(run=run, path="logs/app")
    handler.setFormatter(logging.Formatter("%(levelname)s|%(message)s"))
    logger = logging.getLogger("test.alias")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.error("bad")
    finally:
        logger.removeHandler(handler)
    run.stop()
    handler.emit(logging.makeLogRecord({"msg": "after stop"}))  # dropped, no error
    again = despina.init_run(with_id=_id(run), mode="read-only")
    assert list(again["logs/app"].fetch_values()["value"]) == ["ERROR|bad"]
    again.stop()


def _id(run):
    return run._info.sys_id


def test_a_script_logging_through_the_root_logger(tmp_path):
    script = tmp_path / "s.py"
    script.write_text(
        "import logging, despina\n"
        "from despina.integrations.python_logger import NeptuneHandler\n"
        "run = despina.init_run(project='logs/py')\n"
        "logging.basicConfig(level=logging.INFO)\n"
        "logging.getLogger().addHandler(NeptuneHandler(run=run, path='logs/root'))\n"
        "logging.info('hello %s', 'there')\n"
        "print('RUN_ID', run['sys/id'].fetch())\n"
    )
    proc = python([str(script)], cwd=tmp_path)
    run_id = proc.stdout.split("RUN_ID ")[1].split()[0]
    run = despina.init_run(with_id=run_id, mode="read-only")
    assert run["logs/root"].fetch_last().endswith("root INFO: hello there")
    # basicConfig's stream handler wrote to stderr, which is captured too
    stderr = list(run[f"{_namespace(run)}/stderr"].fetch_values()["value"])
    assert "INFO:root:hello there" in stderr
    run.stop()


def _namespace(run):
    (name,) = run.fetch()["monitoring"].keys()
    return f"monitoring/{name}"
