"""Groups of a table (``despina.store.grouping.Groups``) on the wire, both ways: the groups
route's answer and the HTTP backend's reading of it. Key values keep their kind: datetimes
travel as ISO 8601 text in JSON (a datetime in msgpack), NaN and infinities as "NaN",
"Infinity" and "-Infinity" in JSON (floats in msgpack)."""

from __future__ import annotations

from datetime import datetime

from despina.store.grouping import Aggregate, Group, Groups

_SPECIAL = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}
_STATS = ("count", "mean", "min", "max", "std")


def groups_to_wire(g: Groups) -> dict:
    return {
        "by": list(g.by),
        "columns": list(g.columns),
        "total": g.total,
        "groups": [
            {
                "key": list(x.key),
                "types": list(x.types),
                "count": x.count,
                "aggregates": {
                    c: {s: getattr(a, s) for s in _STATS} for c, a in x.aggregates.items()
                },
                "nql": x.nql,
            }
            for x in g.groups
        ],
    }


def _number(v):
    return _SPECIAL.get(v, v) if isinstance(v, str) else v


def _key(value, type_):
    if value is None:
        return None
    if type_ == "datetime" and isinstance(value, str):
        return datetime.fromisoformat(value)
    if type_ in ("float", "floatSeries"):
        return float(_number(value))
    return value


def groups_from_wire(d: dict) -> Groups:
    out = Groups(list(d["by"]), list(d["columns"]), total=d.get("total", 0))
    for x in d["groups"]:
        aggregates = {
            c: Aggregate(
                a.get("count", 0),
                *(None if a.get(s) is None else float(_number(a[s])) for s in _STATS[1:]),
            )
            for c, a in x["aggregates"].items()
        }
        key = [_key(v, t) for v, t in zip(x["key"], x["types"], strict=True)]
        out.groups.append(Group(key, list(x["types"]), x["count"], aggregates, x["nql"]))
    return out
