"""Dashboards and reports in the accounts' tables, on SQLite and PostgreSQL: the migration from
version 2 (saved views kept), every refusal of a layout, and the store's operations."""

from __future__ import annotations

import contextlib
import re

import pytest
from dashboard_samples import (
    HOSTILE,
    IMAGES,
    LINE,
    MARKDOWN,
    PARALLEL,
    SCATTER,
    TABLE,
    VALUE,
    every_widget,
    layout,
)
from databases import fresh_database

from despina.errors import ConflictError, NotFoundError, UsageError
from despina.server import accounts_schema
from despina.server.accounts import Accounts
from despina.server.dashboard_layout import LayoutError
from despina.server.dashboards import TooLargeError
from despina.store import Store

PROJECT = "team/dash"


@contextlib.contextmanager
def _store(backend: str, tmp_path):
    with contextlib.ExitStack() as cleanup:
        if backend == "sqlite":
            store = Store.open_local(tmp_path / "store")
        else:
            store = Store.open(cleanup.enter_context(fresh_database("despina_dash")), "memory://")
        cleanup.callback(store.close)
        yield store


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request):
    return request.param


@pytest.fixture
def accounts(backend, tmp_path):
    with _store(backend, tmp_path) as store:
        yield Accounts(store._db, clock=lambda: 1000.0)


# ---- migration -------------------------------------------------------------------------------


def test_version_2_is_migrated_to_3_keeping_saved_views(backend, tmp_path):
    with _store(backend, tmp_path) as store:
        db = store._db
        with db.transaction(lock="schema") as conn:  # the tables as despina 2 made them
            for statement in accounts_schema.MIGRATIONS[0] + accounts_schema.MIGRATIONS[1]:
                conn.execute(db.dialect.ddl(statement))
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, '2')", (accounts_schema.META_KEY,)
            )
            conn.execute(
                "INSERT INTO acct_views (project, name, state, updated, updated_by) "
                "VALUES (?, 'mine', '{\"columns\": [\"params/lr\"]}', 5.0, 'ann')",
                (PROJECT,),
            )
        with db.reading() as conn:
            assert accounts_schema.read_version(conn) == 2
            assert not db.dialect.has_table(conn, "acct_dashboards")
        accounts = Accounts(db)
        with db.reading() as conn:
            assert accounts_schema.read_version(conn) == 3 == accounts_schema.SCHEMA_VERSION
            assert db.dialect.has_table(conn, "acct_dashboards")
            assert db.dialect.has_table(conn, "acct_reports")
        assert accounts.views.list(PROJECT) == [
            {
                "name": "mine",
                "state": {"columns": ["params/lr"]},
                "updated": 5.0,
                "updated_by": "ann",
            }
        ]
        assert accounts_schema.migrate(db) == 3  # once is enough
        with db.transaction() as conn:  # ids count up on both databases
            ids = [
                conn.execute(
                    "INSERT INTO acct_reports (project, title, layout, data, runs, created, "
                    "created_by) VALUES (?, 't', '{}', '{}', '[]', 0, 'ann') RETURNING id",
                    (PROJECT,),
                ).fetchone()[0]
                for _ in range(3)
            ]
        assert ids == sorted(ids) and len(set(ids)) == 3


# ---- layouts ---------------------------------------------------------------------------------


def _changed(index: int, **changes) -> dict:
    widgets = every_widget()
    for key, value in changes.items():
        if value is DROP:
            del widgets[index][key]
        else:
            widgets[index][key] = value
    return {"columns": 12, "widgets": widgets}


DROP = object()

# (layout, what the message says)
BAD_LAYOUTS = [
    ([], "layout must be a JSON object"),
    ({"columns": 12}, "widgets must be a list"),
    ({"columns": 12, "widgets": [], "theme": "dark"}, "unknown key 'theme'"),
    ({"columns": 24, "widgets": []}, "columns must be 12"),
    ({"columns": 12.0, "widgets": []}, "columns must be 12"),
    ({"columns": True, "widgets": []}, "columns must be 12"),
    ({"widgets": []}, "columns must be 12"),
    (
        {"columns": 12, "widgets": [{**every_widget()[6], "id": f"m{i}"} for i in range(61)]},
        "at most 60 widgets",
    ),
    ({"columns": 12, "widgets": ["text"]}, "widgets[0]: a widget must be a JSON object"),
    (_changed(LINE, id=""), "widgets[0]: id must be 1 to 40"),
    (_changed(LINE, id="a" * 41), "widgets[0]: id must be 1 to 40"),
    (_changed(LINE, id="a b"), "widgets[0]: id must be 1 to 40"),
    (_changed(LINE, id="<script>"), "widgets[0]: id must be 1 to 40"),
    (_changed(LINE, id=7), "widgets[0]: id must be 1 to 40"),
    (_changed(SCATTER, id="loss"), "widgets[1]: the id 'loss' is used by another widget"),
    (_changed(LINE, type="pie"), "widget 'loss': type must be one of"),
    (_changed(LINE, type=None), "widget 'loss': type must be one of"),
    (_changed(LINE, colour="red"), "widget 'loss' (line): unknown key 'colour'"),
    (_changed(MARKDOWN, query=""), "widget 'notes_1' (markdown): unknown key 'query'"),
    (_changed(LINE, title=DROP), "widget 'loss' (line): the key 'title' is missing"),
    (_changed(LINE, group=DROP), "widget 'loss' (line): the key 'group' is missing"),
    (_changed(TABLE, sort=DROP), "widget 'tbl' (table): the key 'sort' is missing"),
    (_changed(LINE, title="t" * 201), "'loss' (line): title must be a string of at most 200"),
    (_changed(LINE, title=None), "'loss' (line): title must be a string"),
    (_changed(LINE, x=-1), "'loss' (line): x must be an integer of at least 0, not -1"),
    (_changed(LINE, x=1.5), "'loss' (line): x must be an integer"),
    (_changed(LINE, y=-2), "'loss' (line): y must be an integer of at least 0"),
    (_changed(LINE, y="0"), "'loss' (line): y must be an integer"),
    (_changed(LINE, w=0), "'loss' (line): w must be an integer from 1 to 12, not 0"),
    (_changed(LINE, w=13), "'loss' (line): w must be an integer from 1 to 12"),
    (_changed(LINE, w=True), "'loss' (line): w must be an integer from 1 to 12, not True"),
    (_changed(LINE, h=0), "'loss' (line): h must be an integer from 1 to 40"),
    (_changed(LINE, h=41), "'loss' (line): h must be an integer from 1 to 40"),
    (_changed(LINE, x=7, w=6), "'loss' (line): x + w must be at most 12, not 7 + 6"),
    (_changed(LINE, query="x" * 10_001), "'loss' (line): query must be a string of at most"),
    (_changed(LINE, query=None), "'loss' (line): query must be a string"),
    (_changed(LINE, group=""), "'loss' (line): group must be a field path of 1 to 500"),
    (_changed(LINE, group="a\nb"), "'loss' (line): group must be a field path"),
    (_changed(LINE, group=["a"]), "'loss' (line): group must be a field path"),
    (_changed(LINE, series=[]), "'loss' (line): series must be a list of 1 to 20 field paths"),
    (_changed(LINE, series=[f"s{i}" for i in range(21)]), "series must be a list of 1 to 20"),
    (_changed(LINE, series="train/loss"), "'loss' (line): series must be a list of 1 to 20"),
    (_changed(LINE, series=["ok", "p" * 501]), "'loss' (line): series[1] must be a field path"),
    (_changed(LINE, series=["ok", "a\x00b"]), "'loss' (line): series[1] must be a field path"),
    (_changed(LINE, series=["ok", 3]), "'loss' (line): series[1] must be a field path"),
    (_changed(LINE, xaxis="epoch"), "'loss' (line): xaxis must be one of 'step', 'time', "),
    (_changed(SCATTER, x_field=""), "'lr-acc' (scatter): x_field must be a field path"),
    (_changed(SCATTER, y_field=None), "'lr-acc' (scatter): y_field must be a field path"),
    (_changed(SCATTER, y_field=DROP), "'lr-acc' (scatter): the key 'y_field' is missing"),
    (_changed(PARALLEL, fields=["one"]), "'par' (parallel): fields must be a list of 2 to 30"),
    (_changed(PARALLEL, fields=[f"f{i}" for i in range(31)]), "fields must be a list of 2 to 30"),
    (_changed(PARALLEL, fields=["a", "\x7f"]), "'par' (parallel): fields[1] must be a field path"),
    (_changed(IMAGES, field="x\ty"), "'img' (images): field must be a field path"),
    (_changed(IMAGES, step=1.5), "'img' (images): step must be an integer or null"),
    (_changed(IMAGES, step="last"), "'img' (images): step must be an integer or null"),
    (_changed(IMAGES, step=False), "'img' (images): step must be an integer or null"),
    (_changed(TABLE, columns=[]), "'tbl' (table): columns must be a list of 1 to 50"),
    (_changed(TABLE, columns=[f"c{i}" for i in range(51)]), "columns must be a list of 1 to 50"),
    (_changed(TABLE, sort={"path": "a"}), "'tbl' (table): sort must be null or"),
    (_changed(TABLE, sort="a"), "'tbl' (table): sort must be null or"),
    (_changed(TABLE, sort={"path": "a", "dir": "up"}), "'tbl' (table): sort.dir must be 'asc'"),
    (_changed(TABLE, sort={"path": "", "dir": "asc"}), "'tbl' (table): sort.path must be a"),
    (
        _changed(TABLE, sort={"path": "a", "dir": "asc", "nulls": "last"}),
        "'tbl' (table): sort must be null or",
    ),
    (_changed(TABLE, limit=0), "'tbl' (table): limit must be an integer from 1 to 1000"),
    (_changed(TABLE, limit=1001), "'tbl' (table): limit must be an integer from 1 to 1000"),
    (_changed(TABLE, limit=None), "'tbl' (table): limit must be an integer from 1 to 1000"),
    (_changed(VALUE, aggregate="median"), "'best' (value): aggregate must be one of 'last'"),
    (_changed(VALUE, field="a" * 501), "'best' (value): field must be a field path"),
    (_changed(MARKDOWN, text="m" * 20_001), "(markdown): text must be a string of at most 20000"),
    (_changed(MARKDOWN, text=None), "'notes_1' (markdown): text must be a string"),
    (_changed(MARKDOWN, text=DROP), "'notes_1' (markdown): the key 'text' is missing"),
]


def test_every_rule_of_a_layout_is_checked_with_a_clear_message(accounts):
    dashboards = accounts.dashboards
    made = dashboards.create(PROJECT, "good", layout(), "ann")
    for i, (bad, message) in enumerate(BAD_LAYOUTS):
        with pytest.raises(LayoutError) as e:
            dashboards.create(PROJECT, f"bad {i}", bad, "ann")
        assert message in str(e.value), (i, str(e.value))
        with pytest.raises(LayoutError, match=re.escape(message)):
            dashboards.update(PROJECT, made["id"], "good", bad, 1, "ann")
        with pytest.raises(LayoutError, match=re.escape(message)):
            dashboards.create_report(PROJECT, "r", None, bad, {}, [], "ann")
    # nothing bad was stored, the good one is as it was
    assert [d["name"] for d in dashboards.list(PROJECT)] == ["good"]
    assert dashboards.get(PROJECT, made["id"]) == made
    assert dashboards.list_reports(PROJECT) == []


def test_limits_at_their_edges_are_taken(accounts):
    widgets = every_widget()
    widgets[LINE].update(
        x=0, w=12, h=40, y=10**6, title="t" * 200, query="q" * 10_000, group=None, xaxis="relative"
    )
    widgets[LINE]["series"] = ["p" * 500] * 20
    widgets[PARALLEL]["fields"] = ["a", "b"]
    widgets[IMAGES]["step"] = 0
    widgets[TABLE].update(columns=[f"c{i}" for i in range(50)], sort=None, limit=1000)
    widgets[MARKDOWN]["text"] = "m" * 20_000
    many = [{**every_widget()[MARKDOWN], "id": f"m{i}"} for i in range(53)]
    made = accounts.dashboards.create(PROJECT, "edges", layout(*widgets, *many), "ann")
    assert made["layout"]["widgets"] == widgets + many and len(widgets + many) == 60
    assert accounts.dashboards.list(PROJECT)[0]["widgets"] == 60
    empty = accounts.dashboards.create(PROJECT, "empty", {"columns": 12, "widgets": []}, "ann")
    assert empty["layout"] == {"columns": 12, "widgets": []}


def test_names_titles_runs_and_data_are_checked(accounts):
    dashboards = accounts.dashboards
    for name in ("", "   ", "n" * 201, "a\nb", None, 3):
        with pytest.raises(UsageError, match="a dashboard's name"):
            dashboards.create(PROJECT, name, layout(), "ann")
    for title in ("", "t" * 201, "a\x00b", None):
        with pytest.raises(UsageError, match="a report's title"):
            dashboards.create_report(PROJECT, title, None, layout(), {}, [], "ann")
    for runs, message in (
        ("CLS-1", "runs must be a list"),
        (["CLS-1", ""], r"runs\[1\] must be a run's id"),
        (["CLS-1", "a/b"], r"runs\[1\] must be a run's id"),
        ([7], r"runs\[0\] must be a run's id"),
        (["R-1"] * 10_001, "runs must be a list of at most 10000"),
    ):
        with pytest.raises(UsageError, match=message):
            dashboards.create_report(PROJECT, "r", None, layout(), {}, runs, "ann")
    for data in ([], None, "x"):
        with pytest.raises(UsageError, match="data must be a JSON object"):
            dashboards.create_report(PROJECT, "r", None, layout(), data, [], "ann")
    with pytest.raises(UsageError, match="plain JSON"):
        dashboards.create_report(PROJECT, "r", None, layout(), {"loss": float("nan")}, [], "ann")
    for dashboard_id, message in (("1", "dashboard_id must be"), (True, "dashboard_id must be")):
        with pytest.raises(UsageError, match=message):
            dashboards.create_report(PROJECT, "r", dashboard_id, layout(), {}, [], "ann")
    with pytest.raises(UsageError, match="has no dashboard 99"):
        dashboards.create_report(PROJECT, "r", 99, layout(), {}, [], "ann")
    other = dashboards.create("other/proj", "theirs", layout(), "bob")
    with pytest.raises(UsageError, match="has no dashboard"):  # not one of another project's
        dashboards.create_report(PROJECT, "r", other["id"], layout(), {}, [], "ann")
    assert dashboards.list_reports(PROJECT) == []


def test_sizes_are_limited(accounts):
    dashboards = accounts.dashboards
    big = _changed(MARKDOWN, text="m" * 20_000)
    big["widgets"] += [{**big["widgets"][MARKDOWN], "id": f"m{i}"} for i in range(13)]
    with pytest.raises(TooLargeError, match="larger than 262144 bytes"):
        dashboards.create(PROJECT, "big", big, "ann")
    data = {"loss": "x" * (8 << 20)}
    with pytest.raises(TooLargeError, match="larger than 8388608 bytes"):
        dashboards.create_report(PROJECT, "big", None, layout(), data, [], "ann")
    assert dashboards.list(PROJECT) == [] and dashboards.list_reports(PROJECT) == []


# ---- storage ---------------------------------------------------------------------------------


def test_dashboards_are_created_listed_updated_and_deleted(accounts):
    dashboards = accounts.dashboards
    now = [1000.0]
    accounts.clock = lambda: now[0]
    first = dashboards.create(PROJECT, "zeta", layout(), "ann")
    assert first == {
        "id": first["id"],
        "name": "zeta",
        "layout": layout(),
        "version": 1,
        "updated": 1000.0,
        "updated_by": "ann",
    }
    now[0] = 1001.0
    second = dashboards.create(PROJECT, "alpha", {"columns": 12, "widgets": []}, "bob")
    assert dashboards.list(PROJECT) == [
        {"id": second["id"], "name": "alpha", "widgets": 0, "updated": 1001.0, "updated_by": "bob"},
        {"id": first["id"], "name": "zeta", "widgets": 7, "updated": 1000.0, "updated_by": "ann"},
    ]
    with pytest.raises(ConflictError, match="has a dashboard named 'zeta' already"):
        dashboards.create(PROJECT, "zeta", layout(), "bob")
    other = dashboards.create("other/proj", "zeta", layout(), "bob")  # names are per project
    assert dashboards.list("other/proj") == [{**dashboards.list("other/proj")[0], "name": "zeta"}]

    now[0] = 1002.0
    edited = layout(*every_widget()[:2])
    saved = dashboards.update(PROJECT, first["id"], "zeta 2", edited, 1, "bob")
    assert saved == {**first, "name": "zeta 2", "layout": edited, "version": 2,
                     "updated": 1002.0, "updated_by": "bob"}  # fmt: skip
    assert dashboards.get(PROJECT, first["id"]) == saved
    with pytest.raises(ConflictError, match="saved by someone else meanwhile .version 2, you edi"):
        dashboards.update(PROJECT, first["id"], "zeta 3", layout(), 1, "ann")
    with pytest.raises(ConflictError, match="has a dashboard named 'alpha' already"):
        dashboards.update(PROJECT, first["id"], "alpha", layout(), 2, "ann")
    for version in ("2", None, 2.0, True):
        with pytest.raises(UsageError, match="version must be the integer version edited"):
            dashboards.update(PROJECT, first["id"], "zeta 2", layout(), version, "ann")
    assert dashboards.get(PROJECT, first["id"]) == saved
    assert dashboards.update(PROJECT, first["id"], "zeta 2", edited, 2, "ann")["version"] == 3

    for missing in (other["id"], 0, -1, 10**30, "1", True):  # another project's, or no id
        for call, args in (
            (dashboards.get, ()),
            (dashboards.update, ("x", layout(), 1, "ann")),
            (dashboards.delete, ()),
        ):
            with pytest.raises(NotFoundError, match=f"{PROJECT} has no dashboard"):
                call(PROJECT, missing, *args)
    dashboards.delete(PROJECT, first["id"])
    with pytest.raises(NotFoundError):
        dashboards.get(PROJECT, first["id"])
    with pytest.raises(NotFoundError):
        dashboards.delete(PROJECT, first["id"])
    assert [d["name"] for d in dashboards.list(PROJECT)] == ["alpha"]
    again = dashboards.create(PROJECT, "zeta", layout(), "ann")
    assert again["id"] > max(first["id"], second["id"], other["id"])  # ids are never reused
    assert dashboards.get("other/proj", other["id"])["name"] == "zeta"


def test_reports_are_created_listed_and_deleted(accounts):
    dashboards = accounts.dashboards
    now = [50.0]
    accounts.clock = lambda: now[0]
    board = dashboards.create(PROJECT, "board", layout(), "ann")
    data = {"loss": {"series": [[0, 1.5, None]], "nested": {"deep": [True, None, "é"]}}}
    first = dashboards.create_report(
        PROJECT, "Week 1", board["id"], layout(), data, ["DASH-1", "DASH-2"], "ann"
    )
    assert first == {
        "id": first["id"],
        "title": "Week 1",
        "dashboard_id": board["id"],
        "layout": layout(),
        "data": data,
        "runs": ["DASH-1", "DASH-2"],
        "created": 50.0,
        "created_by": "ann",
    }
    now[0] = 51.0
    second = dashboards.create_report(PROJECT, "Free", None, layout(), {}, [], "bob")
    assert dashboards.list_reports(PROJECT) == [
        {"id": second["id"], "title": "Free", "dashboard_id": None, "created": 51.0,
         "created_by": "bob"},
        {"id": first["id"], "title": "Week 1", "dashboard_id": board["id"], "created": 50.0,
         "created_by": "ann"},
    ]  # fmt: skip
    dashboards.delete(PROJECT, board["id"])  # a report outlives its dashboard
    assert dashboards.get_report(PROJECT, first["id"]) == first
    for missing in (0, 10**30, first["id"] + second["id"] + 1):
        with pytest.raises(NotFoundError, match=f"{PROJECT} has no report"):
            dashboards.get_report(PROJECT, missing)
        with pytest.raises(NotFoundError, match=f"{PROJECT} has no report"):
            dashboards.delete_report(PROJECT, missing)
    with pytest.raises(NotFoundError):
        dashboards.get_report("other/proj", first["id"])
    dashboards.delete_report(PROJECT, first["id"])
    assert [r["id"] for r in dashboards.list_reports(PROJECT)] == [second["id"]]
    third = dashboards.create_report(PROJECT, "Again", None, layout(), {}, [], "bob")
    assert third["id"] > second["id"] > first["id"]


def test_hostile_strings_are_stored_verbatim(accounts):
    dashboards = accounts.dashboards
    widgets = every_widget()
    widgets[MARKDOWN]["text"] = HOSTILE + "\n<script>alert(document.cookie)</script>"
    widgets[LINE]["title"] = HOSTILE
    widgets[LINE]["query"] = HOSTILE
    widgets[TABLE]["columns"] = ["params/<b>x</b>", "'; --"]
    name = HOSTILE.replace("\x00", "")
    made = dashboards.create(PROJECT, name, layout(*widgets), "ann")
    assert dashboards.get(PROJECT, made["id"])["layout"] == layout(*widgets)
    assert dashboards.list(PROJECT)[0]["name"] == name
    report = dashboards.create_report(
        PROJECT, name, made["id"], layout(*widgets), {HOSTILE: HOSTILE}, [], "ann"
    )
    assert dashboards.get_report(PROJECT, report["id"])["data"] == {HOSTILE: HOSTILE}
    assert dashboards.get_report(PROJECT, report["id"])["title"] == name


def test_deleting_a_project_forgets_its_dashboards_and_reports(accounts):
    dashboards = accounts.dashboards
    mine = dashboards.create(PROJECT, "mine", layout(), "ann")
    dashboards.create_report(PROJECT, "r", mine["id"], layout(), {}, [], "ann")
    theirs = dashboards.create("other/proj", "theirs", layout(), "bob")
    dashboards.create_report("other/proj", "r", None, layout(), {}, [], "bob")
    dashboards.delete_project(PROJECT)
    assert dashboards.list(PROJECT) == [] and dashboards.list_reports(PROJECT) == []
    assert dashboards.list("other/proj")[0]["id"] == theirs["id"]
    assert len(dashboards.list_reports("other/proj")) == 1
