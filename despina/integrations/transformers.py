"""Log a Hugging Face ``Trainer`` to a despina run, at the field paths Neptune's callback used.

>>> from despina.integrations.transformers import DespinaCallback
>>> trainer = Trainer(model=model, args=args, train_dataset=train, eval_dataset=evaluation,
...                   callbacks=[DespinaCallback(project="team/finetuning")])
>>> trainer.train()

Under ``base_namespace`` (``finetuning``): ``trainer_parameters/*`` (the ``TrainingArguments``),
``model_parameters/*`` (the model's config), ``train/<name>``, ``eval/<name>`` and
``test/<name>`` series of every log entry at the trainer's global step (``train/epoch`` is a
single value), ``trial`` and ``trial_params/*`` in a hyper-parameter search, and checkpoints
when asked (``checkpoints``, ``checkpoints/last`` or ``checkpoints/best``). The version of
transformers goes to ``source_code/integrations/transformers``. Neptune's transformers
integration wrote the same fields, so runs imported from Neptune and new runs line up.

transformers has no way for another package to add a name to ``report_to``: its names are a
fixed table inside transformers. Pass the callback in ``callbacks=[...]`` (and keep
``report_to="none"``, the default). ``NeptuneCallback`` is the same class under Neptune's name.
"""

from __future__ import annotations

import glob
import os
import warnings

from despina.integrations.utils import (
    Target,
    attach,
    check_init_run_kwargs,
    join_paths,
    reopen,
    require_installed,
)

require_installed("transformers")

import transformers  # noqa: E402
from transformers import TrainerCallback  # noqa: E402

__all__ = ["DespinaCallback", "NeptuneCallback"]

CHECKPOINT_CHOICES = (None, "same", "last", "best")
# Log entries whose key starts with one of these go to their own namespace; the rest is "train".
PREFIXES = {"eval_": "eval", "test_": "test"}
FLAT = {"train/epoch"}  # one value that each entry overwrites, as Neptune kept it


def _log_name(key: str) -> str:
    """Where a key of a log entry goes below the base namespace: eval_loss -> eval/loss."""
    for prefix, namespace in PREFIXES.items():
        if key.startswith(prefix):
            return f"{namespace}/{key[len(prefix) :]}"
    return f"train/{key}"


def _is_number(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return getattr(value, "shape", None) == () and getattr(value, "dtype", None) is not None


class DespinaCallback(TrainerCallback):
    """A ``TrainerCallback`` that logs the trainer's arguments, the model's config, every log
    entry and, if asked, the checkpoints to a despina run. Only the process of world rank zero
    logs.

    Args:
        run: a despina run, or the handler of a namespace of one (``run["ft"]``). The callback
            logs into it and never stops it. Without it, the callback makes a run with
            ``init_run_kwargs`` (``project=``, ``name=``, ``tags=``, ...) when training starts
            and stops it when training ends; each ``train()`` (each trial of a
            hyper-parameter search) gets a run of its own.
        base_namespace: the namespace everything goes under.
        log_parameters: log ``TrainingArguments`` and the model's config.
        log_checkpoints: ``None`` (no upload), ``"same"`` (every checkpoint the trainer saves,
            into the file set ``checkpoints``), ``"last"`` (``checkpoints/last`` holds only the
            latest) or ``"best"`` (``checkpoints/best`` holds only the one with the best
            ``metric_for_best_model``).

    Log entries after training (``trainer.evaluate()``) go to the same run: a run the
    callback made is opened again for them, and stopped when the evaluation ends.
    """

    def __init__(
        self,
        run=None,
        base_namespace: str = "finetuning",
        log_parameters: bool = True,
        log_checkpoints: str | None = None,
        **init_run_kwargs,
    ):
        if not isinstance(base_namespace, str):
            raise TypeError(f"base_namespace must be a str (was {type(base_namespace)})")
        if not isinstance(log_parameters, bool):
            raise TypeError(f"log_parameters must be True or False (was {log_parameters!r})")
        if log_checkpoints not in CHECKPOINT_CHOICES:
            raise ValueError(
                f"log_checkpoints must be None, 'same', 'last' or 'best' (was {log_checkpoints!r})"
            )
        if run is not None and init_run_kwargs:
            raise TypeError(
                f"DespinaCallback got run= and init_run arguments ({', '.join(init_run_kwargs)}):"
                " those are for a run the callback makes; give them to despina.init_run() instead"
            )
        check_init_run_kwargs(init_run_kwargs)
        self._base = base_namespace
        self._log_parameters = log_parameters
        self._log_checkpoints = log_checkpoints
        self._checkpoints_path = (
            "checkpoints" if log_checkpoints == "same" else f"checkpoints/{log_checkpoints}"
        )
        self._init_run_kwargs = init_run_kwargs
        self._given = run is not None
        self._target: Target | None = None  # the run logged to, while it is open
        self._finished = None  # the last run this callback made, once stopped
        self._trained = False  # a training began in that run (or in the run passed in)
        self._training = False
        self._uploaded: str | None = None  # the checkpoint that "last"/"best" keeps
        self._warned_offline = False
        if run is not None:
            self._target = attach(run, "transformers", transformers.__version__)

    # ---- the run ---------------------------------------------------------------------------

    @property
    def run(self):
        """The run the callback logs to. After training, a run the callback made is opened
        again (and left open: stop it, or let the interpreter's exit do it)."""
        target = self._open()
        return self._finished if target is None else target.root

    @classmethod
    def get_run(cls, trainer):
        """The run of the trainer's DespinaCallback (Neptune's callback has this classmethod)."""
        for callback in trainer.callback_handler.callbacks:
            if isinstance(callback, cls):
                return callback.run
        raise ValueError(f"the trainer has no {cls.__name__}: pass one in callbacks=[...]")

    def _open(self) -> Target | None:
        """The open run: the one passed in, the one being trained, the last one made (opened
        again), or a new one. None when the last one cannot be opened again (offline)."""
        if self._target is None:
            if self._finished is None:
                self._new_run()
            else:
                self._target = reopen(self._finished)
        return self._target

    def _new_run(self) -> None:
        self._close()
        kwargs = self._init_run_kwargs
        self._target = attach(None, "transformers", transformers.__version__, **kwargs)
        self._finished = None
        self._trained = False
        self._uploaded = None

    def _close(self) -> None:
        """Stop the run if the callback made it (a run passed in stays open)."""
        if self._target is not None and self._target.owned:
            self._finished = self._target.root
            self._target.stop()
            self._target = None

    def _field(self, path: str):
        return self._target.base[join_paths(self._base, path)]

    # ---- trainer events --------------------------------------------------------------------

    def on_init_end(self, args, state, control, **kwargs):
        if self._log_checkpoints == "best" and args.metric_for_best_model is None:
            raise ValueError(
                "DespinaCallback(log_checkpoints='best') needs to know which checkpoint is best:"
                " set metric_for_best_model (or load_best_model_at_end=True) in TrainingArguments"
            )

    def on_train_begin(self, args, state, control, model=None, **kwargs):
        if not state.is_world_process_zero:
            return
        if self._given:
            if self._trained and state.is_hyper_param_search:
                warnings.warn(
                    "DespinaCallback: every trial of the search logs into the run passed in, "
                    "where their series clash; leave run= out to give each trial its own run",
                    stacklevel=2,
                )
        elif self._trained or self._open() is None:
            # A run already trained (a second train(), the next trial of a search) is
            # finished: start another. An evaluation before training stays in the run.
            self._new_run()
        self._trained = True
        self._training = True
        if self._log_parameters:
            self._field("trainer_parameters").assign(args.to_sanitized_dict())
            config = getattr(model, "config", None)
            if config is not None:
                from despina.utils import stringify_unsupported

                self._field("model_parameters").assign(stringify_unsupported(config.to_dict()))
        if state.is_hyper_param_search:
            if state.trial_name is not None:
                self._field("trial").assign(state.trial_name)
            if state.trial_params is not None:
                self._field("trial_params").assign(state.trial_params)

    def on_train_end(self, args, state, control, **kwargs):
        if not state.is_world_process_zero:
            return
        self._training = False
        self._close()

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not state.is_world_process_zero or not logs:
            return
        if self._open() is None:
            if not self._warned_offline:
                self._warned_offline = True
                warnings.warn(
                    "DespinaCallback: a run in offline mode cannot be opened again after its "
                    "training, so entries logged after it (trainer.evaluate()) are not kept; "
                    "pass run= to keep them",
                    stacklevel=2,
                )
            return
        for key, value in logs.items():
            if not _is_number(value):
                continue
            name = _log_name(key)
            if name in FLAT:
                self._field(name).assign(float(value))  # 0 before training, then 0.375, ...
            else:
                self._field(name).append(value, step=state.global_step)

    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        # The metrics came through on_log just before. An evaluation outside training ends
        # here, and so does the reopened run's use.
        if state.is_world_process_zero and not self._training:
            self._close()

    def on_save(self, args, state, control, **kwargs):
        if not state.is_world_process_zero or self._log_checkpoints is None:
            return
        if self._log_checkpoints == "best" and state.best_global_step != state.global_step:
            return  # this checkpoint is not the best so far
        folder = self._checkpoint_folder(args.output_dir, state)
        if folder is None:
            return
        name = os.path.basename(folder)
        files = self._field(self._checkpoints_path)
        # wait: the trainer may delete the folder (save_total_limit) before it is read
        files.upload_files(folder, wait=True)
        if self._log_checkpoints != "same" and self._uploaded not in (None, name):
            files.delete_files(f"{self._uploaded}/*", wait=True)
        self._uploaded = name

    @staticmethod
    def _checkpoint_folder(output_dir: str, state) -> str | None:
        """The folder the trainer just saved: output_dir/checkpoint-<step>, or in a
        hyper-parameter search output_dir/<trial's folder>/checkpoint-<step> (the newest)."""
        name = f"checkpoint-{state.global_step}"
        parts = ("*", name) if state.is_hyper_param_search else (name,)
        found = sorted(
            glob.glob(os.path.join(glob.escape(output_dir), *parts)), key=os.path.getmtime
        )
        if not found:
            warnings.warn(
                f"DespinaCallback: no checkpoint folder {name} found in {output_dir}", stacklevel=2
            )
            return None
        return found[-1]


NeptuneCallback = DespinaCallback
