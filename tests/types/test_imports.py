import subprocess
import sys
from pathlib import Path

import despina.types
import despina.utils

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("numpy", "pandas", "PIL", "matplotlib", "plotly", "altair", "bokeh", "boto3", "botocore")


def test_importing_types_loads_no_heavy_library():
    code = (
        "import sys, despina.types, despina.utils;"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "", f"imported on `import despina.types`: {out.stdout}"


def test_all_is_sorted_and_matches_the_exports():
    names = despina.types.__all__
    assert names == sorted(names)
    for name in names:
        assert hasattr(despina.types, name), name
    neptune_names = {
        "Artifact",
        "Boolean",
        "Datetime",
        "File",
        "FileSeries",
        "FileSet",
        "Float",
        "FloatSeries",
        "GitRef",
        "Integer",
        "String",
        "StringSeries",
        "StringSet",
    }
    assert neptune_names <= set(names)
    public = {n for n in vars(despina.types) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(despina.types, n)).__name__ == "module"}
    assert public - modules == set(names)
    assert set(despina.utils.__all__) <= set(vars(despina.utils))
