"""Log a Keras ``fit()`` to a despina run, at the field paths of Neptune's
``neptune-tensorflow-keras``.

>>> from despina.integrations.keras import DespinaCallback
>>> run = despina.init_run(project="team/keras")
>>> model.fit(x, y, validation_split=0.2, epochs=10, callbacks=[DespinaCallback(run=run)])

Under ``base_namespace`` (``training``): ``train/epoch/<metric>`` and
``validation/epoch/<metric>`` series (one point per epoch), ``train/batch/<metric>`` and
``validation/batch/<metric>`` with ``log_on_batch=True``, ``fit_params/*`` (what ``fit()``
was given: epochs, steps, verbose), ``model/optimizer_config/*``, ``model/learning_rate`` (a
point per epoch), ``model/summary`` (the text of ``model.summary()``) and, if asked,
``model/visualization`` (a PNG of the layers). The Keras version goes to
``source_code/integrations/keras``. Keras 3 on any backend (TensorFlow, JAX, PyTorch).
``NeptuneCallback`` is the same class under Neptune's name.
"""

from __future__ import annotations

import io
import warnings

from despina.integrations.utils import (
    Target,
    attach,
    check_init_run_kwargs,
    join_paths,
    reopen,
    require_installed,
)

require_installed("keras")

import keras  # noqa: E402

__all__ = ["DespinaCallback", "NeptuneCallback"]

SKIPPED = ("batch", "size")  # entries of the logs that are counters, not metrics


class DespinaCallback(keras.callbacks.Callback):
    """A Keras callback that logs metrics per epoch (and per batch if asked), the optimizer's
    configuration, the ``fit()`` parameters and the model's summary to a despina run.

    Args:
        run: a despina run, or the handler of a namespace of one (``run["keras"]``). The
            callback logs into it and never stops it. Without it, the callback makes a run
            with ``init_run_kwargs`` (``project=``, ``name=``, ...) the first time it is used
            and stops it when ``fit()`` (or an ``evaluate()`` outside ``fit()``) ends; a later
            ``fit()`` with the same callback opens that run again and continues its series.
        base_namespace: the namespace everything goes under.
        log_model_diagram: upload a PNG of the model's layers (needs pydot and Graphviz).
        log_on_batch: also log the metrics after every batch.
        log_model_summary: upload ``model.summary()`` as a text file when training ends.
    """

    def __init__(
        self,
        run=None,
        base_namespace: str = "training",
        log_model_diagram: bool = False,
        log_on_batch: bool = False,
        log_model_summary: bool = True,
        **init_run_kwargs,
    ):
        super().__init__()
        if not isinstance(base_namespace, str):
            raise TypeError(f"base_namespace must be a str (was {type(base_namespace)})")
        for name, value in (
            ("log_model_diagram", log_model_diagram),
            ("log_on_batch", log_on_batch),
            ("log_model_summary", log_model_summary),
        ):
            if not isinstance(value, bool):
                raise TypeError(f"{name} must be True or False (was {value!r})")
        if log_model_diagram:
            require_installed("pydot")  # keras draws the diagram with it
        if run is not None and init_run_kwargs:
            raise TypeError(
                f"DespinaCallback got run= and init_run arguments ({', '.join(init_run_kwargs)}):"
                " those are for a run the callback makes; give them to despina.init_run() instead"
            )
        check_init_run_kwargs(init_run_kwargs)
        self._base = base_namespace
        self._log_model_diagram = log_model_diagram
        self._log_on_batch = log_on_batch
        self._log_model_summary = log_model_summary
        self._init_run_kwargs = init_run_kwargs
        self._target: Target | None = None  # the run logged to, while it is open
        self._finished = None  # the run this callback made, once stopped
        self._fitting = False
        self._evaluating_alone = False  # an evaluate() outside fit() opened the run
        if run is not None:
            self._target = attach(run, "keras", keras.__version__)

    # ---- the run ---------------------------------------------------------------------------

    @property
    def run(self):
        """The run the callback logs to. A run the callback made and stopped is opened again
        (and left open: stop it, or let the interpreter's exit do it)."""
        target = self._open()
        return self._finished if target is None else target.root

    def _open(self) -> Target | None:
        """The open run: the one passed in, the one made before (opened again), or a new
        one. None when the run made before cannot be opened again (offline mode)."""
        if self._target is None:
            if self._finished is None:
                kwargs = self._init_run_kwargs
                self._target = attach(None, "keras", keras.__version__, **kwargs)
            else:
                self._target = reopen(self._finished)
                if self._target is None:
                    warnings.warn(
                        "DespinaCallback: a run in offline mode cannot be opened again, so "
                        "this use of the callback logs nothing; pass run= to log every use",
                        stacklevel=3,
                    )
        return self._target

    def _close(self) -> None:
        """Stop the run if the callback made it (a run passed in stays open)."""
        if self._target is not None and self._target.owned:
            self._finished = self._target.root
            self._target.stop()
            self._target = None

    def _field(self, path: str):
        return self._target.base[join_paths(self._base, path)]

    def _log_metrics(self, logs, subset: str, trigger: str) -> None:
        """Append each metric of ``logs`` to <subset>/<trigger>/<metric>. The val_ entries of
        an epoch's logs are left out: they arrive through the validation's own logs."""
        if not logs or self._target is None:
            return
        for name, value in logs.items():
            if name in SKIPPED or name.startswith("val_"):
                continue
            try:
                number = float(keras.ops.convert_to_numpy(value))
            except (TypeError, ValueError):
                continue  # not a single number
            self._field(f"{subset}/{trigger}/{name}").append(number)

    # ---- keras events ----------------------------------------------------------------------

    def on_train_begin(self, logs=None):
        self._fitting = True
        if self._open() is None:
            return
        from despina.utils import stringify_unsupported

        optimizer = self.model.optimizer
        if optimizer is not None:
            config = stringify_unsupported(optimizer.get_config())
            self._field("model/optimizer_config").assign(config)
        self._field("fit_params").assign(stringify_unsupported(self.params))

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if self._target is not None and optimizer is not None:
            rate = keras.ops.convert_to_numpy(optimizer.learning_rate)
            self._field("model/learning_rate").append(float(rate))

    def on_train_batch_end(self, batch, logs=None):
        if self._log_on_batch:
            self._log_metrics(logs, "train", "batch")

    def on_epoch_end(self, epoch, logs=None):
        self._log_metrics(logs, "train", "epoch")

    def on_test_begin(self, logs=None):
        if not self._fitting and self._target is None:
            self._evaluating_alone = self._open() is not None

    def on_test_batch_end(self, batch, logs=None):
        if self._log_on_batch:
            self._log_metrics(logs, "validation", "batch")

    def on_test_end(self, logs=None):
        self._log_metrics(logs, "validation", "epoch")
        if self._evaluating_alone:
            self._evaluating_alone = False
            self._close()

    def on_train_end(self, logs=None):
        self._fitting = False
        if self._target is None:
            return
        # At the end: the summary of a subclassed model is known once it has been built.
        if self._log_model_summary:
            self._log_summary()
        if self._log_model_diagram:
            self._log_diagram()
        self._close()

    def _log_summary(self) -> None:
        from despina.types import File

        lines = io.StringIO()
        try:
            # Keras 3 prints the whole table at once, ending in a newline; Keras 2 line by line
            self.model.summary(
                print_fn=lambda text, **kwargs: lines.write(text.rstrip("\n") + "\n")
            )
        except ValueError as e:  # a model that was never built
            warnings.warn(f"DespinaCallback: model summary not logged: {e}", stacklevel=3)
            return
        self._field("model/summary").upload(File.from_content(lines.getvalue(), extension="txt"))

    def _log_diagram(self) -> None:
        from despina.types import File

        try:
            dot = keras.utils.model_to_dot(self.model)
            png = dot.create(prog="dot", format="png")
        except Exception as e:  # no Graphviz program, a model that cannot be drawn
            warnings.warn(f"DespinaCallback: model diagram not logged: {e}", stacklevel=3)
            return
        self._field("model/visualization").upload(File.from_content(png, extension="png"))


NeptuneCallback = DespinaCallback
