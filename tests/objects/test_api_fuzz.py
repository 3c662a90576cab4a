"""Random writes through the client API, in async and sync mode (issue 13): whatever the path,
value or type, a write either raises a DespinaError or is taken (perhaps with a DespinaWarning),
never a bare exception or a hang; a write that was taken is stored exactly as the model below
expects once ``wait()`` returns, and one that was refused (or warned "not logged") stores
nothing, not even part of a dict.

The model is deliberately simple: it learns what despina did from what the call did (raised,
warned, returned) and predicts only what must then be stored.
"""

from __future__ import annotations

import math
import unicodedata
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import despina
from despina.errors import DespinaError
from despina.objects.values import DespinaWarning

GOOD = ["a", "b", "loss", "é", "e\u0301", "x y", "Ünï", "ok_1"]
BAD = ["", ".", "..", "\x00", "\udcff", "a\\b", "%2e%2e", "\n"]
segments = st.one_of(st.sampled_from(GOOD), st.sampled_from(BAD))
paths = st.lists(segments, min_size=1, max_size=3).map("/".join)
texts = st.text(
    st.one_of(st.characters(), st.sampled_from(["\udcff", "\ud800", "\x00", "é"])), max_size=12
)
atoms = st.one_of(
    st.floats(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.booleans(),
    texts,
    st.none(),
    st.lists(st.integers(), max_size=2),
    st.binary(max_size=3),
)
dicts = st.dictionaries(st.sampled_from(GOOD + BAD + ["a/b"]), atoms, min_size=1, max_size=3)
actions = st.one_of(
    st.tuples(st.just("assign"), paths, atoms),
    st.tuples(st.just("assign"), paths, dicts),
    st.tuples(st.just("append"), paths, atoms),
    st.tuples(st.just("add"), paths, st.lists(texts, max_size=3)),
)

NOT_LOGGED = ("not logged", "not supported")


def _nfc(path: str) -> str:
    return unicodedata.normalize("NFC", path)


def _clean(text: str) -> str:
    """What despina stores for a text: lone surrogates as U+FFFD."""
    return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)


def _atom(value):
    if isinstance(value, str):
        return _clean(value)
    return value


def _unsupported(value) -> bool:
    """Not logged, with a warning the first time for a field."""
    return value is None or isinstance(value, (list, bytes))


def _leaves(prefix: str, value: dict):
    for key, sub in value.items():
        path = f"{prefix}/{key}"
        if isinstance(sub, dict):
            yield from _leaves(path, sub)
        else:
            yield _nfc(path), sub


def _apply(run, model: dict, action) -> None:
    kind, path, value = action
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if kind == "assign":
                run[path] = value
            elif kind == "append":
                run[path].append(value)
            else:
                run[path].add(value)
        except DespinaError:
            return  # refused: the model is unchanged (checked at the end: nothing extra stored)
    others = [w for w in caught if not issubclass(w.category, DespinaWarning)]
    assert not others, [str(w.message) for w in others]
    said = " ".join(str(w.message) for w in caught)
    if kind == "assign" and isinstance(value, dict):
        for leaf, sub in _leaves(path, value):
            if not _unsupported(sub):  # those warn once per field: checked at the end
                model[leaf] = ("atom", _atom(sub))
        return
    if any(s in said for s in NOT_LOGGED) or (kind != "add" and _unsupported(value)):
        return
    path = _nfc(path)
    if kind == "assign":
        model[path] = ("atom", _atom(value))
    elif kind == "append":
        stored = float(value) if isinstance(value, (int, float)) else _atom(value)
        model.setdefault(path, ("series", []))[1].append(stored)
    else:
        model.setdefault(path, ("set", set()))[1].update(_clean(t) for t in value)


def _same(stored, expected) -> bool:
    if isinstance(expected, float) and math.isnan(expected):
        return isinstance(stored, float) and math.isnan(stored)
    return stored == expected and type(stored) is type(expected)


def _check(run, model: dict) -> None:
    run.wait()
    backend, uuid = run._reader()
    stored = {
        p
        for p in backend.get_structure(uuid)
        if not p.startswith(("sys/", "monitoring", "source_code/"))
    }
    assert stored == set(model), "stored fields differ from the accepted writes"
    for path, (shape, expected) in model.items():
        if shape == "atom":
            got = run[path].fetch()
            assert _same(got, expected), (path, got, expected)
        elif shape == "series":
            got = run[path].fetch_values()["value"].tolist()
            assert len(got) == len(expected), (path, got, expected)
            assert all(_same(a, b) for a, b in zip(got, expected, strict=True)), (path, got)
        else:
            assert run[path].fetch() == expected, path


@pytest.mark.parametrize("mode", ["async", "sync"])
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(actions, min_size=1, max_size=12))
def test_random_writes_raise_or_arrive(mode, data_dir, steps):
    run = despina.init_run(project="fuzz/api", mode=mode)
    try:
        model: dict = {}
        for action in steps:
            _apply(run, model, action)
        run["after"] = 1  # the queue is not stalled by anything before it
        model["after"] = ("atom", 1)
        _check(run, model)
    finally:
        run.stop()
