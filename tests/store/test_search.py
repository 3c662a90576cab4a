"""Searching a string series (Store.search_object_points): matches in series order with their
indexes, paging and totals, ASCII-only case folding, and query text that is literal whatever
characters it holds -- the same answer on every backend as the Python rule ``search.matches``."""

from __future__ import annotations

import math
import random

import pytest

from despina import operations as ops
from despina.errors import FieldNotFoundError, FieldTypeError
from despina.store import search

from store_helpers import T0, floats, strings

LINES = [
    "epoch 1 loss 0.5",
    "WARNING: disk 95% full",
    "Error: file_name not found",
    "epoch 2 loss 0.4",
    "it's 100% done",
    'path C:\\temp\\new "quoted"',
    "error again",
    "x_y and x%y and x\\y",
    "café CAFÉ Straße ΣΊΣΥΦΟΣ σίσυφος",
]

# queries that would mean something else in LIKE, SQL text or regular expressions
LITERAL = ["%", "_", "x_y", "x%y", "95%", "%%", "'", "it's", '"', '"quoted"', "\\", "\\t", "C:\\"]
LITERAL += ["'; DROP TABLE series_points; --", ".*", "[a-z]", "?", "%s", "$1", "\\_", "\\%"]


def write(w, lines, path="log"):
    steps = [10.0 * i for i in range(len(lines))]
    w.send(strings(path, lines, steps=steps), time=T0 + 5)


def test_matches_in_series_order_with_index_step_and_time(store, run):
    info, w = run
    write(w, LINES)
    m = store.search_object_points(info.uuid, "log", "error")
    assert m.indexes == [2, 6]
    assert m.values == ["Error: file_name not found", "error again"]
    assert m.steps.tolist() == [20.0, 60.0]
    assert m.timestamps.tolist() == [T0 + 5, T0 + 5]
    assert m.total == 2
    assert store.search_object_points(info.uuid, "log", "EPOCH").indexes == [0, 3]
    assert store.search_object_points(info.uuid, "log", "no such text").total == 0


def test_pages_count_matches_and_total_ignores_the_page(store, run):
    info, w = run
    lines = [f"line {i} {'even' if i % 2 == 0 else 'odd'}" for i in range(25)]
    write(w, lines)
    evens = [i for i in range(25) if i % 2 == 0]
    got = []
    for offset in range(0, 13, 5):
        page = store.search_object_points(info.uuid, "log", "EVEN", offset=offset, limit=5)
        assert page.total == 13
        got += page.indexes
    assert got == evens
    last = store.search_object_points(info.uuid, "log", "even", offset=10, limit=5)
    assert last.indexes == evens[10:] and last.total == 13
    past = store.search_object_points(info.uuid, "log", "even", offset=40, limit=5)
    assert past.indexes == [] and past.values == [] and past.total == 13
    none = store.search_object_points(info.uuid, "log", "even", limit=0)
    assert none.indexes == [] and none.total == 13
    assert store.search_object_points(info.uuid, "log", "even", offset=3).indexes == evens[3:]
    for limit in (12, 13, 14):  # a page that ends exactly at the last match, or just before
        page = store.search_object_points(info.uuid, "log", "even", limit=limit)
        assert page.indexes == evens[:limit] and page.total == 13
    odd = store.search_object_points(info.uuid, "log", "odd", offset=10, limit=2)
    assert odd.indexes == [21, 23] and odd.total == 12


@pytest.mark.parametrize("text", LITERAL)
def test_query_characters_are_literal_text(store, run, text):
    info, w = run
    write(w, LINES)
    m = store.search_object_points(info.uuid, "log", text)
    assert m.indexes == [i for i, line in enumerate(LINES) if text.lower() in line.lower()]
    assert m.total == len(m.indexes)


def test_only_ascii_letters_fold(store, run):
    """SQLite's lower() folds A-Z only and PostgreSQL's does too under "C": both give the
    answer of ``search.matches``, which lowers A-Z and compares every other character exactly."""
    info, w = run
    write(w, ["café", "CAFÉ", "Straße", "STRASSE", "ΣΊΣΥΦΟΣ", "σίσυφος", "İstanbul", "ǅ"])

    def found(text):
        return store.search_object_points(info.uuid, "log", text).values

    assert found("CAF") == ["café", "CAFÉ"]
    assert found("cafÉ") == ["CAFÉ"]  # É is not lowered: it matches only itself
    assert found("CAFé") == ["café"]
    assert found("straße") == ["Straße"]  # no ß -> ss
    assert found("σίσυφος") == ["σίσυφος"]
    assert found("istanbul") == []
    assert found("İSTANBUL") == ["İstanbul"]
    assert found("ǆ") == []


def test_random_texts_agree_with_the_python_rule(store, run):
    info, w = run
    rnd = random.Random(7)
    alphabet = "aAbBzZ%_\\'\" éÉßσΣ"
    lines = ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 12))) for _ in range(300)]
    write(w, lines)
    for _ in range(40):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 3)))
        m = store.search_object_points(info.uuid, "log", text, limit=50)
        want = [i for i, line in enumerate(lines) if search.matches(line, text)]
        assert (m.indexes, m.total) == (want[:50], len(want)), text
        assert m.values == [lines[i] for i in m.indexes]


def test_empty_text_matches_every_point(store, run):
    info, w = run
    write(w, LINES)
    m = store.search_object_points(info.uuid, "log", "", limit=3)
    assert m.indexes == [0, 1, 2] and m.total == len(LINES)


def test_other_series_and_containers_are_not_searched(store, run):
    info, w = run
    write(w, ["error in log"])
    write(w, ["error in other"], path="other")
    assert store.search_object_points(info.uuid, "log", "error").values == ["error in log"]


def test_refuses_absent_fields_and_other_types(store, run):
    info, w = run
    w.send(floats("loss", [1.0]))
    img = ops.SeriesFile(ops.FileRef("a" * 64, 10, "png"), "error", "error")
    w.send(ops.AppendFiles("imgs", ops.array("d", [math.nan]), [img], ops.array("d")))
    with pytest.raises(FieldNotFoundError):
        store.search_object_points(info.uuid, "missing", "x")
    with pytest.raises(FieldTypeError):
        store.search_object_points(info.uuid, "loss", "x")
    with pytest.raises(FieldTypeError):
        store.search_object_points(info.uuid, "imgs", "error")


def test_fold_lowers_ascii_letters_only():
    assert search.fold("ABC xyz ÉΣİ _%") == "abc xyz ÉΣİ _%"
    assert search.matches("Disk 95% FULL", "95% full")
    assert not search.matches("café", "CAFÉ")
