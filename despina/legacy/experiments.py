"""0.x's ``Experiment``: a 1.x ``Run`` underneath, with the 0.x methods mapped onto fields.

=====================================  ===============================================
0.x                                    field of the run
=====================================  ===============================================
params                                 ``parameters/<name>`` (numbers, bools, strings)
properties, ``set_property``           ``properties/<name>`` (always strings)
``log_metric`` / ``log_text`` / image  ``logs/<name>`` (float / string / file series)
``log_artifact(path, destination)``    ``artifacts/<destination>`` (a File field)
tags, name, description                ``sys/tags``, ``sys/name``, ``sys/description``
=====================================  ===============================================
"""

from __future__ import annotations

import logging
import numbers

from despina.legacy import artifacts, readers
from despina.legacy.state import remove_experiment

PARAMETERS = "parameters"
PROPERTIES = "properties"
LOGS = "logs"


class Experiment:
    """One experiment. Made by ``Project.create_experiment`` (writable) or
    ``Project.get_experiments`` (read-only: the run is opened when first read)."""

    def __init__(self, project, run=None, *, run_id: str | None = None):
        self._project = project
        self._run = run
        if run is not None:
            run_id = run._info.sys_id or run["sys/id"].fetch()
        self._run_id = run_id
        self._logger_handler: tuple[logging.Logger, logging.Handler] | None = None

    # ---- identity -------------------------------------------------------------------------

    @property
    def id(self) -> str:
        return self._run_id

    @property
    def name(self) -> str:
        return self.run["sys/name"].fetch()

    @property
    def project(self):
        return self._project

    @property
    def run(self):
        """The 1.x ``Run`` underneath (for ``run["..."]`` access beside the 0.x methods).
        Once stopped, the run is opened again read-only, so reads keep working."""
        if self._run is None or self._run._stopped:
            self._run = self._project._open_run(self._run_id)
        return self._run

    def __repr__(self) -> str:
        return f"Experiment({self._run_id})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Experiment) and other._run_id == self._run_id

    def __hash__(self) -> int:
        return hash(self._run_id)

    # ---- channels -------------------------------------------------------------------------

    def log_metric(self, log_name: str, x, y=None, timestamp=None) -> None:
        """Append to the numeric channel ``log_name``: ``log_metric("loss", 0.3)`` or, with a
        step, ``log_metric("loss", 5, 0.3)``."""
        step, value = _step_and_value(x, y)
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            try:
                value = float(value)
            except (TypeError, ValueError):
                from despina.errors import UsageError

                raise UsageError(
                    f"log_metric('{log_name}', ...) takes a number, got {type(value).__name__}; "
                    "use log_text for text"
                ) from None
        self.run[f"{LOGS}/{log_name}"].append(float(value), step=step, timestamp=timestamp)

    send_metric = log_metric

    def log_text(self, log_name: str, x, y=None, timestamp=None) -> None:
        """Append to the text channel ``log_name`` (x is the step when y is given)."""
        step, value = _step_and_value(x, y)
        self.run[f"{LOGS}/{log_name}"].append(str(value), step=step, timestamp=timestamp)

    send_text = log_text

    def log_image(
        self, log_name: str, x, y=None, image_name=None, description=None, timestamp=None
    ) -> None:
        """Append to the image channel ``log_name``. The image is a path, a PIL image, a
        matplotlib figure or a numpy array (x is the step when y is given)."""
        step, image = _step_and_value(x, y)
        self.run[f"{LOGS}/{log_name}"].append(
            _as_image(image),
            step=step,
            timestamp=timestamp,
            name=image_name,
            description=description,
        )

    send_image = log_image

    def reset_log(self, log_name: str) -> None:
        """Remove every value of a channel (the channel stays)."""
        self.run[f"{LOGS}/{log_name}"].clear()

    def get_logs(self) -> dict:
        """Every channel's name and its last value (images: None)."""
        return readers.last_values(self.run, LOGS)

    def get_numeric_channels_values(self, *channel_names: str):
        """A DataFrame with column ``x`` and one column per channel, joined on x."""
        return readers.channels_frame(self.run, LOGS, channel_names)

    # ---- parameters, properties, tags -----------------------------------------------------

    def _write_parameters(self, params) -> None:
        for key, value in dict(params or {}).items():
            self.run[f"{PARAMETERS}/{key}"] = _parameter(value)

    def get_parameters(self) -> dict:
        return readers.flat_namespace(self.run, PARAMETERS)

    def set_property(self, key: str, value) -> None:
        """Set a property; 0.x properties are strings, so the value is stored as ``str(value)``."""
        self.run[f"{PROPERTIES}/{key}"] = str(value)

    def remove_property(self, key: str) -> None:
        path = f"{PROPERTIES}/{key}"
        if self.run.exists(path):
            del self.run[path]

    def get_properties(self) -> dict:
        return {k: str(v) for k, v in readers.flat_namespace(self.run, PROPERTIES).items()}

    def append_tag(self, tag, *tags) -> None:
        """Add tags: ``append_tag("a")``, ``append_tag("a", "b")`` or ``append_tag(["a", "b"])``."""
        values = [tag] if isinstance(tag, str) else list(tag)
        values += list(tags)
        if values:
            self.run["sys/tags"].add([str(t) for t in values])

    append_tags = append_tag

    def remove_tag(self, tag: str) -> None:
        self.run["sys/tags"].remove(str(tag))

    def get_tags(self) -> list[str]:
        return sorted(self.run["sys/tags"].fetch())

    def get_system_properties(self) -> dict:
        """id, name, created, finished, running_time, owner, size, tags, notes, state, hostname."""
        return readers.system_properties(self.run)

    def get_hardware_utilization(self):
        """CPU, RAM and GPU series of the run's monitoring, as columns ``x_<name>`` (seconds
        since the experiment was created) and ``y_<name>``."""
        return readers.hardware_frame(self.run)

    # ---- artifacts ------------------------------------------------------------------------

    def log_artifact(self, artifact, destination: str | None = None) -> None:
        """Upload a file, a folder or an open file object to ``artifacts/<destination>``."""
        artifacts.upload(self.run, artifact, destination)

    send_artifact = log_artifact

    def delete_artifacts(self, path) -> None:
        """Delete an artifact, or every artifact under a folder (a list deletes each)."""
        for one in [path] if isinstance(path, str) else list(path):
            artifacts.delete(self.run, one, self._run_id)

    def download_artifact(self, path: str, destination_dir: str | None = None) -> None:
        """Save one artifact as ``<destination_dir>/<its file name>`` (default: current folder)."""
        artifacts.download_one(self.run, path, destination_dir, self._run_id)

    def download_artifacts(self, path: str | None = None, destination_dir: str | None = None):
        """Save the artifacts under ``path`` (default all) as one zip: ``output.zip``, or
        ``<folder name>.zip`` for a folder. Returns the zip's path."""
        return artifacts.download_zip(self.run, path, destination_dir, self._run_id)

    def download_sources(self, path: str | None = None, destination_dir: str | None = None):
        """Save the uploaded source files (``source_code/files``) as a zip."""
        import os

        destination_dir = destination_dir or os.getcwd()
        self.run["source_code/files"].download(os.path.join(destination_dir, "source.zip"))

    # ---- lifecycle ------------------------------------------------------------------------

    def _attach_logger(self, logger: logging.Logger) -> None:
        handler = _ChannelHandler(self)
        logger.addHandler(handler)
        self._logger_handler = (logger, handler)

    def stop(self, exc_tb: str | None = None) -> None:
        """Finish the experiment; a non-empty ``exc_tb`` (traceback text) marks it failed."""
        if self._logger_handler is not None:
            logger, handler = self._logger_handler
            logger.removeHandler(handler)
            self._logger_handler = None
        run = self._run
        if run is not None and not run._stopped:
            if exc_tb and run._mode != "read-only":
                _record_failure(run, exc_tb)
            run.stop()
        remove_experiment(self)

    def __enter__(self) -> Experiment:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None or issubclass(exc_type, SystemExit):
            self.stop()
        else:
            import traceback

            self.stop("".join(traceback.format_exception(exc_type, exc, tb)))


class _ChannelHandler(logging.Handler):
    """create_experiment(logger=...): each record becomes a line of the text channel
    ``logger``, as in 0.x."""

    def __init__(self, experiment: Experiment):
        super().__init__()
        self._experiment = experiment

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._experiment.log_text("logger", self.format(record))
        except Exception:
            self.handleError(record)


def _step_and_value(x, y):
    """0.x's (x, y): one argument is the value; two are the step and the value."""
    return (None, x) if y is None else (x, y)


def _parameter(value):
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, numbers.Real):
        return float(value)
    return str(value)  # 0.x sent other parameter values as text


def _as_image(image):
    import os

    from despina.types import File

    if isinstance(image, File):
        return image
    if isinstance(image, (str, os.PathLike)):
        return File(image)
    return File.as_image(image)


def _record_failure(run, exc_tb: str) -> None:
    """sys/failed and the traceback, as an uncaught exception records them."""
    capturing = getattr(run, "_capturing", None)
    if capturing is not None:
        capturing.record_failure(str(exc_tb).splitlines())
        if not capturing._fail_on_exception:
            run["sys/failed"] = True
        return
    run["sys/failed"] = True
    run["monitoring/traceback"].extend([line for line in str(exc_tb).splitlines() if line])
