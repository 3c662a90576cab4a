"""Where despina.query reads from, and which containers a call selects.

The backend is the one ``despina.init_run`` would log to (``DESPINA_URL`` or a server in the API
token, else the embedded store in the data directory), read-only; ``set_api_token`` sets the
token for later calls. Experiments are the runs of Neptune 3.x: a run whose
``sys/experiment/name`` is N belongs to experiment N, and the experiment is its latest run in
the project (``sys/experiment/is_head``, computed by the store); a run is labelled by its
``sys/custom_run_id`` (the 3.x ``run_id``), or by its ``sys/id`` when it has none.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field

from despina import operations as ops
from despina.query import filters as qf
from despina.query.exceptions import NeptuneUserError
from despina.store import filters as tree

EXPERIMENT = "experiment"
RUN = "run"
EXPERIMENT_NAME = "sys/experiment/name"
CUSTOM_RUN_ID = "sys/custom_run_id"
HEAD = tree.Clause("sys/experiment/is_head", "bool", "=", True)

# despina's field type -> Neptune's attribute type (None: not a Neptune type, left out)
NEPTUNE_TYPES = {
    ops.FLOAT: "float",
    ops.INT: "int",
    ops.BOOL: "bool",
    ops.STRING: "string",
    ops.DATETIME: "datetime",
    ops.STRING_SET: "string_set",
    ops.FLOAT_SERIES: "float_series",
    ops.STRING_SERIES: "string_series",
    ops.FILE: "file",
    ops.FILE_SERIES: "file_series",
    "run_state": "string",
}
_HISTOGRAM_PREFIXES = ('{"type":"COUNTS",', '{"type":"DENSITIES",')
# The sys fields of Neptune 3.x that a run may lack (typed without looking at the project).
SYS_TYPES = {
    "sys/custom_run_id": "string",
    "sys/experiment/name": "string",
    "sys/experiment/is_head": "bool",
    "sys/forking/parent": "string",
    "sys/forking/step": "float",
    "sys/group_tags": "string_set",
    "sys/failed": "bool",
    "sys/name": "string",
    "sys/description": "string",
    "sys/tags": "string_set",
}

_token: str | None = None
_override: contextvars.ContextVar = contextvars.ContextVar("despina_query_backend", default=None)


def set_api_token(api_token: str) -> None:
    """Use ``api_token`` for the calls that follow (instead of NEPTUNE_API_TOKEN)."""
    global _token
    if not isinstance(api_token, str) or not api_token:
        raise NeptuneUserError("set_api_token() takes the API token, a non-empty string")
    _token = api_token


class use_backend:
    """``with use_backend(store):`` every call inside reads from ``store`` (any object with
    the Store's read methods: a Store, an HTTP backend)."""

    def __init__(self, backend) -> None:
        self.backend = backend

    def __enter__(self):
        self._reset = _override.set(self.backend)
        return self.backend

    def __exit__(self, *exc) -> None:
        _override.reset(self._reset)


def backend():
    found = _override.get()
    if found is not None:
        return found
    from despina.objects.connect import backend_for

    return backend_for("read-only", _token)[0]


def is_histogram(text) -> bool:
    return isinstance(text, str) and text.startswith(_HISTOGRAM_PREFIXES)


@dataclass
class Context:
    """One call's project and backend, with the project's field types read once."""

    project: str
    backend: object = field(default_factory=backend)
    _types: dict | None = None

    @classmethod
    def open(cls, project: str | None) -> Context:
        from despina.objects.connect import resolve_project

        if project is not None and not isinstance(project, str):
            raise NeptuneUserError(f"project is 'workspace/name', not {project!r}")
        return cls(resolve_project(project))

    def types(self) -> dict[str, set[str]]:
        """path -> the Neptune types its runs hold it with (across the project)."""
        if self._types is None:
            found: dict[str, set[str]] = {}
            for path, type_ in self.backend.fetch_project_fields(self.project, "run"):
                kind = NEPTUNE_TYPES.get(type_)
                if kind is not None:
                    found.setdefault(path, set()).add(kind)
            self._types = found
        return self._types

    def type_of(self, attribute: qf.Attribute) -> str:
        """An attribute's type when the filter names none: the sys fields' own, else the one
        its runs hold (an int and a float path compares as a number)."""
        if attribute.name in SYS_TYPES:
            return SYS_TYPES[attribute.name]
        found = self.types().get(attribute.name, set())
        if found == {"float", "int"}:
            return "float"
        if len(found) == 1:
            return next(iter(found))
        raise qf.inference_error(attribute, found)

    def compile(self, selection):
        """``selection`` (a Filter or None) as the store's tree."""
        if selection is None:
            return None
        if not isinstance(selection, qf.Filter):
            raise NeptuneUserError(f"expected a Filter, got {type(selection).__name__}")
        return qf.compile_filter(selection._node, self.type_of)


# ---- which containers ------------------------------------------------------------------------


def resolve_experiments(experiments) -> qf.Filter | None:
    """``experiments=``: a regular expression or a list of exact experiment names, or a
    Filter."""
    return _by_label(experiments, [EXPERIMENT_NAME], "experiments", "experiment names")


def resolve_runs(runs) -> qf.Filter | None:
    """``runs=``: a regular expression or list matching run ids (``sys/custom_run_id``, or
    ``sys/id`` for a run without one), or a Filter."""
    return _by_label(runs, [CUSTOM_RUN_ID, "sys/id"], "runs", "run ids")


def _by_label(value, paths: list[str], what: str, names: str) -> qf.Filter | None:
    if value is None or isinstance(value, qf.Filter):
        return value
    if isinstance(value, str):
        parts = [qf.Filter.matches(qf.Attribute(p, type="string"), value) for p in paths]
    elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        parts = [qf.Filter.eq(qf.Attribute(p, type="string"), v) for v in value for p in paths]
    else:
        raise NeptuneUserError(
            f"{what} is a regular expression (str), a non-empty list of exact {names} or a "
            f"Filter, not {value!r}"
        )
    # one flat OR: a chain of `|` would nest one level per name (the store's limit is 100)
    return parts[0] if len(parts) == 1 else qf.Filter(tree.Or(tuple(p._node for p in parts)))


@dataclass
class Selected:
    """The containers a call selected, in table order: labels, sys ids, and the store table
    (its rows hold the columns asked for)."""

    labels: list[str]
    sys_ids: list[str]
    table: object
    _infos: dict = field(default_factory=dict)
    _columns: dict = field(default_factory=dict)

    def column(self, path: str) -> list:
        """The values of ``path`` in table order (None where a container has none)."""
        if path not in self._columns:
            self._columns[path] = column(self.table, path)
        return self._columns[path]

    def info(self, ctx: Context, i: int):
        """The ContainerInfo of the i-th container (looked up once)."""
        if i not in self._infos:
            self._infos[i] = ctx.backend.get_container(
                self.sys_ids[i], project=ctx.project, kind="run"
            )
        return self._infos[i]


def select(
    ctx: Context,
    container: str,
    selection,
    columns: list[str] = (),
    sort_by: str = "sys/creation_time",
    ascending: bool = False,
    limit: int | None = None,
) -> Selected:
    node = ctx.compile(selection)
    if container == EXPERIMENT:
        node = HEAD if node is None else tree.And((node, HEAD))
        label_columns = [EXPERIMENT_NAME]
    else:
        label_columns = [CUSTOM_RUN_ID]
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise NeptuneUserError(f"limit is a non-negative integer or None, not {limit!r}")
    wanted = list(dict.fromkeys([*label_columns, *columns]))
    table = ctx.backend.fetch_table(
        ctx.project,
        "run",
        filter=node,
        columns=wanted,
        sort_by=sort_by,
        ascending=ascending,
        limit=limit,
    )
    sys_ids = column(table, "sys/id")
    if container == EXPERIMENT:
        labels = column(table, EXPERIMENT_NAME)
    else:
        custom = column(table, CUSTOM_RUN_ID)
        labels = [c or i for c, i in zip(custom, sys_ids, strict=True)]
    return Selected(labels, sys_ids, table)


def column(table, path: str) -> list:
    """A column of a store table as a list, from its column values when it has them (a
    100,000-row table builds no dict per row)."""
    by_column = table.column_values
    if by_column is not None and path in by_column:
        return list(by_column[path])
    return [r.get(path) for r in table.rows]


def sort_path(sort_by) -> str:
    if isinstance(sort_by, qf.Attribute):
        return sort_by.name
    if isinstance(sort_by, str) and sort_by:
        return sort_by
    raise NeptuneUserError(f"sort_by is an attribute name or an Attribute, not {sort_by!r}")


def direction(sort_direction) -> bool:
    if sort_direction not in ("asc", "desc"):
        raise NeptuneUserError(f'sort_direction is "asc" or "desc", not {sort_direction!r}')
    return sort_direction == "asc"


def definitions(ctx: Context, attributes: qf.BaseAttributeFilter, only=None) -> list[tuple]:
    """(path, Neptune type) pairs of the project that ``attributes`` may select, before the
    string series are told from histogram series (both candidates), sorted. ``only``: the
    Neptune types to consider."""
    out = []
    for path, kinds in ctx.types().items():
        for kind in sorted(kinds):
            options = ["string_series", "histogram_series"] if kind == "string_series" else [kind]
            for option in options:
                if only is not None and option not in only:
                    continue
                if attributes.matches(path, option):
                    out.append((path, option))
    return sorted(out)
