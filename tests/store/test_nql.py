"""The NQL parser: the trees it builds, its errors and their positions, and a round trip."""

from __future__ import annotations

import pickle
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from despina.errors import NQLSyntaxError, UsageError
from despina.store import And, Clause, Not, Or
from despina.store.filters import AGGREGATES, TYPE_OPERATORS
from despina.store.nql import parse_nql, to_nql, tokenize

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
A = Clause("a", "float", "=", 1)
B = Clause("b", "float", "=", 2)
C = Clause("c", "float", "=", 3)


def p(query: str):
    return parse_nql(query, now=NOW)


@pytest.mark.parametrize(
    "query,tree",
    [
        ("`params/lr`:float < 0.01", Clause("params/lr", "float", "<", 0.01)),
        ("params/lr:float<=1e-3", Clause("params/lr", "float", "<=", 0.001)),
        ("`a`:int = -3", Clause("a", "int", "=", -3)),
        ("`a`:INT != +3", Clause("a", "int", "!=", 3)),
        ('`s`:string = "x \\" \\\\ \\n \\u00e9"', Clause("s", "string", "=", 'x " \\ \n é')),
        ("`s`:string = bare", Clause("s", "string", "=", "bare")),
        ('`s`:string CONTAINS "ab"', Clause("s", "string", "CONTAINS", "ab")),
        ('`s`:string matches "^a.*$"', Clause("s", "string", "MATCHES", "^a.*$")),
        ('`s`:string NOT MATCHES "x"', Clause("s", "string", "NOT_MATCHES", "x")),
        ('`s`:string = "\\ud83d\\ude00"', Clause("s", "string", "=", "\U0001f600")),
        ("`s`:string EXISTS", Clause("s", "string", "EXISTS")),
        ("`f`:bool = true", Clause("f", "bool", "=", True)),
        ('`f`:bool != "False"', Clause("f", "bool", "!=", False)),
        (
            '`w`:datetime > "2024-01-02T03:04:05Z"',
            Clause("w", "datetime", ">", datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)),
        ),
        (
            '`w`:datetime >= "2024-01-02"',
            Clause("w", "datetime", ">=", datetime(2024, 1, 2, tzinfo=timezone.utc)),
        ),
        (
            '`w`:datetime < "2024-01-02T05:00:00+02:00"',
            Clause("w", "datetime", "<", datetime(2024, 1, 2, 3, tzinfo=timezone.utc)),
        ),
        ('`w`:datetime > "-2h"', Clause("w", "datetime", ">", NOW - timedelta(hours=2))),
        ('`w`:datetime > "-30m"', Clause("w", "datetime", ">", NOW - timedelta(minutes=30))),
        ('`w`:datetime > "-5d"', Clause("w", "datetime", ">", NOW - timedelta(days=5))),
        ('`w`:datetime > "-1w"', Clause("w", "datetime", ">", NOW - timedelta(weeks=1))),
        ('`w`:datetime <= "now"', Clause("w", "datetime", "<=", NOW)),
        ("`m`:floatSeries > 0.5", Clause("m", "floatSeries", ">", 0.5, "last")),
        ("last(`m`:floatSeries) > 0.5", Clause("m", "floatSeries", ">", 0.5, "last")),
        ("variance(`m`:floatSeries) < 2", Clause("m", "floatSeries", "<", 2, "variance")),
        ("AVERAGE(m) >= 2", Clause("m", "floatSeries", ">=", 2, "average")),
        ("m:max > 0.9", Clause("m", "floatSeries", ">", 0.9, "max")),
        ("`m`:floatSeries EXISTS", Clause("m", "floatSeries", "EXISTS")),
        (
            '`sys/tags`:stringSet CONTAINS "best"',
            Clause("sys/tags", "stringSet", "CONTAINS", "best"),
        ),
        ('sys/tags CONTAINS "best"', Clause("sys/tags", "stringSet", "CONTAINS", "best")),
        ('sys/tags MATCHES "^b"', Clause("sys/tags", "stringSet", "MATCHES", "^b")),
        (
            "sys/state:experimentState = active",
            Clause("sys/state", "experimentState", "=", "running"),
        ),
        ('sys/state = "Inactive"', Clause("sys/state", "experimentState", "=", "idle")),
        ("sys/state != running", Clause("sys/state", "experimentState", "!=", "running")),
        (
            'sys/creation_time > "-1d"',
            Clause("sys/creation_time", "datetime", ">", NOW - timedelta(days=1)),
        ),
        ("sys/failed = false", Clause("sys/failed", "bool", "=", False)),
        ("x = 2", Clause("x", "float", "=", 2)),
        ('x = "2"', Clause("x", "string", "=", "2")),
        ("x = TRUE", Clause("x", "bool", "=", True)),
        ("`a/b c`:float = 1", Clause("a/b c", "float", "=", 1)),
        ("`last`:float = 1", Clause("last", "float", "=", 1)),
        ("last:float = 1", Clause("last", "float", "=", 1)),
        ("a:float = 1 AND b:float = 2", And((A, B))),
        ("a:float = 1 and b:float = 2 and c:float = 3", And((A, B, C))),
        ("a:float = 1 OR b:float = 2 AND c:float = 3", Or((A, And((B, C))))),
        ("(a:float = 1 OR b:float = 2) AND c:float = 3", And((Or((A, B)), C))),
        ("NOT a:float = 1 AND b:float = 2", And((Not(A), B))),
        ("NOT (a:float = 1 AND b:float = 2)", Not(And((A, B)))),
        ("NOT NOT a:float = 1", Not(Not(A))),
        ("((a:float = 1))", A),
        ("NOT a:float = 1 OR NOT b:float = 2 AND c:float = 3", Or((Not(A), And((Not(B), C))))),
        ("", And(())),
        ("   ", And(())),
    ],
)
def test_parses_into_the_filter_tree(query, tree):
    assert p(query) == tree


T = Clause("sys/trashed", "bool", "=", False)


# What neptune 1.14's fetch_*_table sends (docs/dev/neptune-client-protocol.md, section 11),
# character for character, and what it means.
@pytest.mark.parametrize(
    "query,tree",
    [
        ("(`sys/trashed`:bool = false)", T),
        ("(`sys/trashed`:bool = true)", Clause("sys/trashed", "bool", "=", True)),
        (
            '((`sys/id`:string = "PROJ-1") OR (`sys/id`:string = "PROJ-2"))',
            Or(
                (
                    Clause("sys/id", "string", "=", "PROJ-1"),
                    Clause("sys/id", "string", "=", "PROJ-2"),
                )
            ),
        ),
        (
            '(`sys/state`:experimentState = "idle")',
            Clause("sys/state", "experimentState", "=", "idle"),
        ),
        (
            '(`sys/state`:experimentState = "running")',
            Clause("sys/state", "experimentState", "=", "running"),
        ),
        ('(`sys/owner`:string = "user")', Clause("sys/owner", "string", "=", "user")),
        (
            '((`sys/tags`:stringSet CONTAINS "t1") AND (`sys/tags`:stringSet CONTAINS "t2"))',
            And(
                (
                    Clause("sys/tags", "stringSet", "CONTAINS", "t1"),
                    Clause("sys/tags", "stringSet", "CONTAINS", "t2"),
                )
            ),
        ),
        (
            '((`sys/tags`:stringSet CONTAINS "t1") AND (`sys/trashed`:bool = false))',
            And((Clause("sys/tags", "stringSet", "CONTAINS", "t1"), T)),
        ),
        (
            "((`params/lr`:float > 0.05) AND (`sys/trashed`:bool = false))",
            And((Clause("params/lr", "float", ">", 0.05), T)),
        ),
        (
            '((`sys/trashed`:bool = false) AND (`sys/model_id`:string = "PROJ-MOD"))',
            And((T, Clause("sys/model_id", "string", "=", "PROJ-MOD"))),
        ),
        ("", And(())),
        # paging past 10,000 rows: the sort column's last value, always in quotes
        (
            "((`sys/trashed`:bool = false) AND (`sys/creation_time`:datetime > "
            '"2024-01-02T03:04:05.678Z"))',
            And(
                (
                    T,
                    Clause(
                        "sys/creation_time",
                        "datetime",
                        ">",
                        datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc),
                    ),
                )
            ),
        ),
        ('(`metrics/acc`:float > "0.5")', Clause("metrics/acc", "float", ">", 0.5)),
        ('(`metrics/acc`:float > "-1e-3")', Clause("metrics/acc", "float", ">", -0.001)),
        ('(`epochs`:integer > "3")', Clause("epochs", "int", ">", 3)),
        ("(`epochs`:integer = 3)", Clause("epochs", "int", "=", 3)),
        ('(`sys/id`:string > "PROJ-7")', Clause("sys/id", "string", ">", "PROJ-7")),
    ],
)
def test_parses_what_neptunes_client_sends(query, tree):
    assert p(query) == tree


@pytest.mark.parametrize(
    "query,position,words",
    [
        ("a:float >", 9, "expected a value"),
        ("a:float = 1 b", 12, "expected AND, OR"),
        ("(a:float = 1", 12, "')' to close"),
        ("a:float = 1)", 11, "expected AND, OR"),
        ("`a:float = 1", 0, "unterminated back-quoted path"),
        ('a:string = "abc', 11, "unterminated string"),
        ('a:string = "a\\qb"', 13, "unknown escape"),
        ("a EXISTS", 2, "EXISTS needs a typed field"),
        ("a:floot = 1", 2, "expected a type"),
        ("a:float LIKE 1", 8, "expected an operator"),
        ("a:float = abc", 10, "expected a number"),
        ('a:float = "1x"', 10, "expected a number"),
        ('a:int = "one"', 8, "expected a number"),
        ("a:integr = 1", 2, "expected a type"),
        ("a:float CONTAINS 1", 8, "do not take CONTAINS"),
        ("a:bool > true", 7, "do not take >"),
        ("a:bool = yes", 9, "expected true or false"),
        ('sys/tags = "x"', 9, "do not take ="),
        ("sys/state = running2", 12, "unknown state"),
        ('a:datetime > "yesterday"', 13, "invalid datetime"),
        ('a:datetime > "-2y"', 13, "invalid datetime"),
        ('a:string MATCHES "("', 17, "invalid regular expression"),
        ('a:string MATCHES "(a)\\\\1"', 17, "backreferences"),
        ('a:string MATCHES "(?<=a)b"', 17, "RE2 syntax"),
        ('a:string = "\\ud800"', 12, "half of a surrogate pair"),
        ('a:string = "\\ud83dx"', 12, "half of a surrogate pair"),
        ("(" * 101 + "a:float = 1" + ")" * 101, 100, "nest more than 100 deep"),
        ("NOT " * 101 + "a:float = 1", 400, "nest more than 100 deep"),
        (" OR ".join(["a:float = 1"] * 1001), 15000, "more than 1000 clauses"),
        ("last(a:float) > 1", 7, "takes a floatSeries"),
        ("last(a:max) > 1", 7, "write last("),
        ("median(a) > 1", 6, "expected an operator"),
        ("a:float = 12abc", 12, "number runs into a word"),
        ("a:float = 1 AND", 15, "expected a field path"),
        ("AND a:float = 1", 0, "expected a field path"),
        ("a:float = 1 OR OR b:float = 2", 15, "expected a field path"),
        ("NOT", 3, "expected a field path"),
        ("()", 1, "expected a field path"),
        ("a:string = 'x' OR 1=1 --", 11, "unexpected character"),
        ("a:float = 1; DROP TABLE fields", 11, "unexpected character"),
        ("``:float = 1", 0, "empty field path"),
        ("a:float ! 1", 8, "unexpected character"),
    ],
)
def test_syntax_errors_point_at_the_problem(query, position, words):
    with pytest.raises(NQLSyntaxError) as info:
        p(query)
    e = info.value
    assert e.position == position, str(e)
    assert words in str(e)
    lines = str(e).split("\n")
    assert lines[1] == "  " + query and lines[2] == "  " + " " * position + "^"
    assert isinstance(e, UsageError) and isinstance(e, ValueError)
    assert pickle.loads(pickle.dumps(e)).position == position


def test_non_string_query_is_a_usage_error():
    with pytest.raises(UsageError):
        parse_nql(42)  # type: ignore[arg-type]


def test_tokens_carry_positions():
    kinds = [(t.kind, t.pos) for t in tokenize('last(`a b`:floatSeries)>=-1.5e3 AND x = "y"')]
    assert kinds == [
        ("word", 0),
        ("(", 4),
        ("path", 5),
        (":", 10),
        ("word", 11),
        (")", 22),
        ("op", 23),
        ("number", 25),
        ("word", 32),
        ("word", 36),
        ("op", 38),
        ("string", 40),
        ("eof", 43),
    ]


def test_relative_times_default_to_the_current_time():
    before = datetime.now(timezone.utc)
    value = parse_nql('w:datetime > "-1h"').value
    assert before - timedelta(hours=1, seconds=1) <= value <= datetime.now(timezone.utc)
    assert parse_nql('w:datetime > "-1h"', now=0).value == datetime(
        1969, 12, 31, 23, tzinfo=timezone.utc
    )


# ---- round trip: to_nql(tree) parses back into the tree --------------------------------------

_paths = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)
_strings = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_numbers = st.one_of(
    st.integers(-(10**6), 10**6), st.floats(allow_nan=False, allow_infinity=False, width=64)
)
_times = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(timezone.utc)
)


@st.composite
def clauses(draw):
    type_ = draw(st.sampled_from(sorted(TYPE_OPERATORS)))
    op = draw(st.sampled_from(TYPE_OPERATORS[type_]))
    path = "sys/state" if type_ == "experimentState" else draw(_paths)
    aggregate = None
    if op == "EXISTS":
        return Clause(path, type_, op)
    if op in ("MATCHES", "NOT_MATCHES"):
        value = draw(st.sampled_from(["^a", "b$", "a|b", r"\d+", "[x-z]", ""]))
    elif type_ in ("float", "int"):
        value = draw(_numbers)
    elif type_ == "floatSeries":
        value = draw(_numbers)
        aggregate = draw(st.sampled_from(AGGREGATES))
    elif type_ == "bool":
        value = draw(st.booleans())
    elif type_ == "datetime":
        value = draw(_times)
    elif type_ == "experimentState":
        value = draw(st.sampled_from(["running", "idle"]))
    else:
        value = draw(_strings)
    return Clause(path, type_, op, value, aggregate)


trees = st.recursive(
    clauses(),
    lambda children: st.one_of(
        st.lists(children, min_size=2, max_size=3).map(lambda c: And(tuple(c))),
        st.lists(children, min_size=2, max_size=3).map(lambda c: Or(tuple(c))),
        children.map(Not),
    ),
    max_leaves=8,
)


@given(trees)
def test_to_nql_round_trips(tree):
    assert parse_nql(to_nql(tree)) == tree


@pytest.mark.parametrize("value", [1e300, -1e20, float("inf")])
def test_a_datetime_number_out_of_range_is_a_usage_error(value):
    from despina.errors import UsageError
    from despina.store.query import to_datetime

    with pytest.raises(UsageError, match="between the years 1 and 9999"):
        to_datetime(value)
