"""A Neptune 3.x analysis script, written the way neptune-query's documentation writes one, run
as is: it reads back what neptune3_log.py logged (project from NEPTUNE_PROJECT) and prints
one line of JSON with what each call answered, for tests/frameworks/test_neptune3_scripts.py.
Files are downloaded under ./downloads. Usage: python neptune3_read.py
"""

import json
import math
import sys
from datetime import datetime
from pathlib import Path

import neptune_query as nq
import neptune_query.runs as nq_runs
from neptune_query.filters import AttributeFilter, Filter
from neptune_query.types import File, Histogram


def plain(value):
    """A cell of a data frame as JSON: files and histograms as dicts, sets as sorted lists,
    missing values as None."""
    if isinstance(value, Histogram):
        return {"type": value.type, "edges": list(value.edges), "values": list(value.values)}
    if isinstance(value, File):
        return {
            "file": value.attribute_path,
            "experiment_name": value.experiment_name,
            "run_id": value.run_id,
            "step": value.step,
            "size_bytes": value.size_bytes,
            "mime_type": value.mime_type,
        }
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def frame(df) -> dict:
    """A data frame as its index names, its column names and its rows (index values first)."""
    return {
        "index": list(df.index.names),
        "columns": [str(c) for c in df.columns],
        "rows": [
            [plain(i) for i in (key if isinstance(key, tuple) else (key,))]
            + [plain(v) for v in row]
            for key, row in zip(df.index, df.itertuples(index=False, name=None), strict=True)
        ],
    }


def downloaded(df) -> list:
    """download_files()' answer: for each cell, its index, its column, where the file went
    (under ./downloads) and the file's bytes (hex)."""
    out = []
    for key, row in df.iterrows():
        for attribute, path in row.items():
            if isinstance(path, str):
                out.append(
                    {
                        "index": [plain(i) for i in (key if isinstance(key, tuple) else (key,))],
                        "attribute": attribute,
                        "path": Path(path)
                        .resolve()
                        .relative_to(Path.cwd() / "downloads")
                        .as_posix(),
                        "content": Path(path).read_bytes().hex(),
                    }
                )
    return out


def main() -> None:
    summary = {}

    summary["experiments"] = nq.list_experiments(experiments=r"^seabird-")
    adam_with_big_batches = Filter.eq("config/optimizer", "Adam") & Filter.gt(
        "config/batch_size", 32
    )
    summary["filtered"] = nq.list_experiments(experiments=adam_with_big_batches)
    summary["tagged"] = nq.list_experiments(experiments=Filter.contains_all("sys/tags", "forked"))
    summary["attributes"] = nq.list_attributes(
        experiments=["seabird-week1"], attributes=r"^config/"
    )

    summary["table"] = frame(
        nq.fetch_experiments_table(
            experiments=r"^seabird-",
            attributes=r"^config/ | ^data/ | metrics/loss",
            sort_by="sys/creation_time",
            sort_direction="asc",
        )
    )

    losses = AttributeFilter(name=r"^metrics/", type="float_series")
    summary["metrics"] = frame(nq.fetch_metrics(experiments=["seabird-week2"], attributes=losses))
    summary["metrics_own"] = frame(
        nq.fetch_metrics(
            experiments=["seabird-week2"], attributes=losses, lineage_to_the_root=False
        )
    )
    summary["metrics_tail"] = frame(
        nq.fetch_metrics(
            experiments=["seabird-week1"],
            attributes=["metrics/loss"],
            step_range=(2.0, 8.0),
            tail_limit=3,
        )
    )

    summary["journal"] = frame(
        nq.fetch_series(experiments=["seabird-week2"], attributes=["journal"])
    )
    summary["histograms"] = frame(
        nq.fetch_series(experiments=["seabird-week1"], attributes=["activations"], tail_limit=4)
    )

    summary["runs"] = nq_runs.list_runs(runs=Filter.eq("sys/experiment/name", "seabird-week1"))
    summary["runs_table"] = frame(
        nq_runs.fetch_runs_table(
            runs=["seabird-week1-run", "seabird-week2-run"],
            attributes=["sys/tags", "sys/group_tags", "sys/experiment/name", "config/batch_size"],
            sort_by="sys/creation_time",
            sort_direction="asc",
        )
    )

    files = nq.fetch_experiments_table(experiments=["seabird-week1"], attributes=r"^dataset/")
    summary["files"] = frame(files)
    summary["downloads"] = downloaded(nq.download_files(files=files, destination="downloads"))
    predictions = nq_runs.fetch_series(runs=["seabird-week1-run"], attributes=r"^predictions/")
    summary["predictions"] = frame(predictions)
    summary["prediction_downloads"] = downloaded(
        nq_runs.download_files(files=predictions, destination="downloads")
    )

    json.dump(summary, sys.stdout, default=str)
    print()


if __name__ == "__main__":
    main()
