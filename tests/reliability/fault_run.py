"""The run of the fault tests' logging processes (db_, disk_ and s3_fault_client.py): nothing
captured but what the process logs, flushed every 50 ms."""

import despina


def fault_run(project: str, **kwargs):
    return despina.init_run(
        project=project,
        flush_period=0.05,
        capture_hardware_metrics=False,
        capture_stdout=False,
        capture_stderr=False,
        source_files=[],
        git_ref=False,
        **kwargs,
    )
