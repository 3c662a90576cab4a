"""Models of the registry, and their versions."""

from __future__ import annotations

import re

from despina import operations as ops
from despina.client import items as it
from despina.errors import UsageError
from despina.objects.container import Container
from despina.objects.run import reject_unknown
from despina.objects.tables import Table, fetch_table
from despina.store.model import MODEL, MODEL_VERSION

_KEY = re.compile(r"^[A-Z0-9]{1,32}$")


def _common(kwargs: dict) -> dict:
    return {
        "async_lag_callback": kwargs.pop("async_lag_callback", None),
        "async_lag_threshold": kwargs.pop("async_lag_threshold", 1800.0),
        "async_no_progress_callback": kwargs.pop("async_no_progress_callback", None),
        "async_no_progress_threshold": kwargs.pop("async_no_progress_threshold", 300.0),
    }


class Model(Container):
    """A registered model; its id is PROJECTKEY-MODELKEY.

    >>> model = despina.init_model(key="FOREST", project="team/vision")
    >>> model["signature"].upload("signature.json")
    """

    _kind = MODEL
    _what = "model"

    def _page(self, ident: str) -> list[str]:
        return ["models", ident]

    def __init__(
        self,
        with_id: str | None = None,
        *,
        name: str | None = None,
        key: str | None = None,
        project: str | None = None,
        api_token: str | None = None,
        mode: str | None = None,
        flush_period: float | None = None,
        proxies: dict | None = None,
        **kwargs,
    ):
        common = _common(kwargs)
        reject_unknown("init_model", kwargs)
        if with_id is None:
            if key is None:
                raise UsageError(
                    "init_model() needs key= (for example key='FOREST') to register a new model, "
                    "or with_id= to open an existing one"
                )
            key = str(key).upper()
            if not _KEY.match(key):
                raise UsageError(
                    f"model key {key!r} must be 1 to 32 letters or digits, such as 'FOREST'"
                )
        elif key is not None:
            raise UsageError("init_model() takes with_id= or key=, not both")
        self._open(
            api_token=api_token,
            proxies=proxies,
            with_id=with_id,
            project=project,
            mode=mode,
            flush_period=flush_period,
            create={"model_key": key},
            **common,
        )
        if name is not None and self._mode != "read-only":
            self["sys/name"].assign(str(name))

    def fetch_model_versions_table(self, **kwargs) -> Table:
        """Versions of this model, with the same filters as fetch_runs_table."""
        return fetch_table(self, MODEL_VERSION, model_id=self._info.sys_id, **kwargs)


class ModelVersion(Container):
    """One version of a model; its id is PROJECTKEY-MODELKEY-N.

    >>> version = despina.init_model_version(model="VIS-FOREST")
    >>> version["model/binary"].upload("model.pt")
    >>> version.change_stage("staging")
    """

    _kind = MODEL_VERSION
    _what = "model version"

    def _page(self, ident: str) -> list[str]:  # the model's page lists its versions
        return ["models", self._info.model_id or ident]

    def __init__(
        self,
        with_id: str | None = None,
        *,
        name: str | None = None,
        model: str | None = None,
        project: str | None = None,
        api_token: str | None = None,
        mode: str | None = None,
        flush_period: float | None = None,
        proxies: dict | None = None,
        **kwargs,
    ):
        common = _common(kwargs)
        reject_unknown("init_model_version", kwargs)
        if with_id is None and model is None:
            raise UsageError(
                "init_model_version() needs model= (the model's id, such as 'VIS-FOREST') to "
                "create a version, or with_id= to open one"
            )
        if with_id is not None and model is not None:
            raise UsageError("init_model_version() takes with_id= or model=, not both")
        self._open(
            api_token=api_token,
            proxies=proxies,
            with_id=with_id,
            project=project,
            mode=mode,
            flush_period=flush_period,
            create={"model_id": model},
            **common,
        )
        if name is not None and self._mode != "read-only":
            self["sys/name"].assign(str(name))

    def change_stage(self, stage: str) -> None:
        """Move the version to 'none', 'staging', 'production' or 'archived'; returns once
        stored."""
        stage = str(stage).lower()
        if stage not in ops.STAGES:
            raise UsageError(f"unknown stage {stage!r}; use one of: {', '.join(ops.STAGES)}")
        self._processor.sink.append((it.OPERATION, ops.ChangeStage("sys/stage", stage)))
        self.wait()

    def set_alias(self, alias: str) -> None:
        """Point an alias such as 'champion' at this version (taking it from any other
        version of the model); returns once stored. **better**: MLflow-style aliases."""
        self._processor.sink.append((it.OPERATION, ops.SetAlias("sys/aliases", _alias(alias))))
        self.wait()

    def remove_alias(self, alias: str) -> None:
        self._processor.sink.append((it.OPERATION, ops.RemoveAlias("sys/aliases", _alias(alias))))
        self.wait()


def _alias(alias: str) -> str:
    alias = str(alias).strip()
    if not re.match(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$", alias):
        raise UsageError(
            f"alias {alias!r} must start with a letter and hold only letters, digits, '_' and '-'"
        )
    return alias


def init_model(with_id: str | None = None, **kwargs) -> Model:
    return Model(with_id, **kwargs)


def init_model_version(with_id: str | None = None, **kwargs) -> ModelVersion:
    return ModelVersion(with_id, **kwargs)
