"""Reads of the 0.x Experiment, built on the 1.x handler reads; DataFrames in 0.x's shapes."""

from __future__ import annotations

from despina.errors import FieldNotFoundError

# monitoring/<hash>/<series> -> the 0.x name of that hardware channel
_HARDWARE = {"cpu": "cpu", "memory": "ram"}
_GPU = {"gpu": "gpu_util", "gpu_memory": "gpu_mem", "gpu_power": "gpu_power"}


def _flatten(node, prefix: str = "") -> dict:
    out: dict = {}
    for key, value in node.items():
        name = f"{prefix}/{key}" if prefix else str(key)
        if isinstance(value, dict):
            out.update(_flatten(value, name))
        else:
            out[name] = value
    return out


def flat_namespace(run, namespace: str) -> dict:
    """The simple values under ``namespace`` as one flat dict (nested names joined by '/')."""
    try:
        value = run[namespace].fetch()
    except FieldNotFoundError:
        return {}
    return _flatten(value) if isinstance(value, dict) else {}


def _handlers(run, namespace: str) -> dict:
    node = run.get_structure()
    for part in namespace.split("/"):
        node = node.get(part, {}) if isinstance(node, dict) else {}
    return _flatten(node) if isinstance(node, dict) else {}


def last_values(run, namespace: str) -> dict:
    """Each series under ``namespace`` and its last value (numbers and text; images None)."""
    out = {}
    for name, handler in _handlers(run, namespace).items():
        try:
            value = handler.fetch_last()
        except Exception:  # not a series, or empty
            value = None
        out[name] = value if isinstance(value, (int, float, str)) else None
    return out


def channels_frame(run, namespace: str, names):
    import pandas as pd

    if len(names) == 1 and not isinstance(names[0], str):  # a list, as some scripts pass
        names = tuple(names[0])
    if len(names) == 1 and "," in names[0]:  # 0.x also took "a,b"
        names = tuple(n.strip() for n in names[0].split(","))
    frame = None
    for name in names:
        values = run[f"{namespace}/{name}"].fetch_values(include_timestamp=False)
        part = values.rename(columns={"step": "x", "value": name})
        frame = part if frame is None else frame.merge(part, on="x", how="outer")
    if frame is None:
        return pd.DataFrame({"x": []})
    return frame.sort_values("x").reset_index(drop=True)


def _created(run):
    return run["sys/creation_time"].fetch()


def hardware_frame(run):
    import pandas as pd

    monitoring = run.get_structure().get("monitoring", {})
    created = _created(run)
    columns: dict = {}
    for ns in sorted(monitoring):
        fields = monitoring[ns]
        if not isinstance(fields, dict):
            continue
        for series in sorted(fields):
            name = _hardware_name(series)
            if name is None or f"y_{name}" in columns:
                continue
            handler = fields[series]
            try:
                values = handler.fetch_values(include_timestamp=True)
            except Exception:  # not a float series
                continue
            columns[f"x_{name}"] = (values["timestamp"] - created).dt.total_seconds()
            columns[f"y_{name}"] = values["value"]
    return pd.concat(columns, axis=1) if columns else pd.DataFrame()


def _hardware_name(series: str) -> str | None:
    if series in _HARDWARE:
        return _HARDWARE[series]
    base, _, index = series.rpartition("_")
    if base in _GPU and index.isdigit():
        return f"{_GPU[base]}_{index}"
    if series in _GPU:
        return f"{_GPU[series]}_0"
    return None


def legacy_state(state, failed) -> str:
    """0.x's state from 1.x's: running, or succeeded / failed once stopped."""
    if str(state) == "running":
        return "running"
    return "failed" if failed else "succeeded"


def system_properties(run) -> dict:
    sys = flat_namespace(run, "sys")
    state = legacy_state(sys.get("state"), sys.get("failed"))
    return {
        "id": sys.get("id"),
        "name": sys.get("name"),
        "created": sys.get("creation_time"),
        "finished": None if state == "running" else sys.get("modification_time"),
        "running_time": sys.get("running_time"),
        "owner": sys.get("owner"),
        "size": sys.get("size"),
        "tags": sorted(sys.get("tags") or ()),
        "notes": sys.get("description"),
        "state": state,
        "hostname": sys.get("hostname"),
    }
