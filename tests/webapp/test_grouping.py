"""The grouped runs table in Chromium, over a sweep a real logging script sent to a real
`despina server` (its own project, team/groups): group by a param, read the counts and
aggregates against a reference computed in Python, open a group into its runs and its band
chart, reload and keep the grouping, and a hostile group value stays text."""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path

import pytest
from processes import python

from conftest import _cli

PROJECT = "team/groups"
WS, NAME = PROJECT.split("/")
SEED = Path(__file__).with_name("seed_groups.py")
HOSTILE = '<img src=x onerror="window.__xss=1">'


@pytest.fixture(scope="module")
def logged(server, seeded) -> list[dict]:
    d = ["--data-dir", str(seeded)]
    _cli(["project", *d, "create", PROJECT])
    _cli(["project", *d, "add-member", PROJECT, "contrib", "contributor"])
    env = {
        "DESPINA_URL": server.url,
        "DESPINA_API_TOKEN": server.tokens["contrib"],
        "DESPINA_PROJECT": PROJECT,
    }
    out = python([str(SEED)], env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def _reference(logged, field):
    groups: dict = {}
    for r in logged:
        groups.setdefault(r[field], []).append(r)
    return {
        k: (
            len(v),
            statistics.fmean(x["acc"] for x in v),
            min(x["acc"] for x in v),
            max(x["acc"] for x in v),
            statistics.pstdev([x["acc"] for x in v]),
        )
        for k, v in groups.items()
    }


def _rows(page) -> list[dict]:
    return page.page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=group-row]')].map((tr) => {
            const agg = tr.querySelector('[data-testid=group-agg][data-column="metrics/acc"]');
            return {
              key: [...tr.querySelectorAll('[data-testid=group-key]')].map((td) => td.textContent),
              count: Number(tr.querySelector('[data-testid=group-count]').textContent),
              mean: Number(agg.dataset.mean), min: Number(agg.dataset.min),
              max: Number(agg.dataset.max), std: Number(agg.dataset.std),
              shown: agg.textContent,
            };
          })"""
    )


def _url(query: str) -> str:
    return f"#/p/{WS}/{NAME}/runs?{query}"


COLUMNS = "c=sys/id&c=params/lr&c=params/opt&c=metrics/acc&c=train/loss"


def test_group_by_a_param_reads_the_reference(page, logged):
    page.goto(_url(COLUMNS))
    page.by_testid("group-button").click()
    page.by_testid("group-search").fill("params/lr")
    page.page.locator('[data-testid=group-option][data-path="params/lr"]').click()
    page.page.wait_for_function("() => window.location.hash.includes('g=params')")
    page.by_testid("group-row").first.wait_for()
    reference = _reference(logged, "lr")
    rows = _rows(page)
    assert [r["key"] for r in rows] == [["0.001"], ["0.01"], ["0.1"]]  # by key, ascending
    for r in rows:
        count, mean, lo, hi, std = reference[float(r["key"][0])]
        assert r["count"] == count
        assert math.isclose(r["mean"], mean, rel_tol=1e-9)
        assert (r["min"], r["max"]) == (lo, hi)
        assert math.isclose(r["std"], std, rel_tol=1e-9, abs_tol=1e-12)
    assert page.by_testid("groups-total").inner_text().startswith("3 groups")
    # another aggregate shown, then a reload keeps the grouping and the aggregate
    page.by_testid("group-aggregate").select_option("max")
    page.page.wait_for_function("() => window.location.hash.includes('ga=max')")
    page.page.reload()
    page.by_testid("group-row").first.wait_for()
    assert [r["count"] for r in _rows(page)] == [reference[k][0] for k in (0.001, 0.01, 0.1)]
    assert page.page.locator("th", has_text="max(metrics/acc)").count() == 1
    # a group opens into its runs and a chart of its mean with a band
    page.by_testid("group-toggle").first.click()
    page.by_testid("group-run").first.wait_for()
    assert page.by_testid("group-run").count() == reference[0.001][0]
    page.by_testid("group-chart-svg").wait_for()
    assert page.by_testid("group-band").count() == 1 and page.by_testid("group-mean").count() == 1
    page.by_testid("group-chart-singles").check()
    page.page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=group-single]').length === 4"
    )
    assert not page.errors


def test_hostile_group_values_stay_text(page, logged):
    page.goto(_url(COLUMNS + "&g=params/opt"))
    page.by_testid("group-row").first.wait_for()
    reference = _reference(logged, "opt")
    rows = {r["key"][0]: r["count"] for r in _rows(page)}
    assert rows == {k: v[0] for k, v in reference.items()}
    assert HOSTILE in rows
    page.page.locator("[data-testid=group-toggle]").first.click()  # "<img" sorts first
    page.by_testid("group-run").first.wait_for()
    assert page.by_testid("group-run").count() == reference[HOSTILE][0]
    page.assert_no_script_ran()
    assert page.page.locator("[data-testid=groups-table] img").count() == 0
