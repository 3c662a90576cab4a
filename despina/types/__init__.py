"""Value types users pass in: ``from despina.types import File, StringSet, FloatSeries``.

The same names as Neptune 1.x's ``neptune.types``. Importing this package imports no numpy,
pandas, PIL, matplotlib, plotly, altair, bokeh or boto3: they are loaded by the functions
that need them.

For the client, not users: ``convert_value`` / ``convert_point`` (what kind of field a value
makes; contract in ``despina.types.convert``) and ``artifact_entries`` (the files an artifact
tracks; ``despina.types.artifact``).
"""

from despina.types.artifact import Artifact, artifact_entries, artifact_hash
from despina.types.atoms import Boolean, Datetime, Float, Integer, String
from despina.types.convert import NAMESPACE, convert_point, convert_value, value_kind
from despina.types.file import File
from despina.types.file_set import FileSet
from despina.types.git_ref import GitRef
from despina.types.histogram import Histogram
from despina.types.namespace import Namespace
from despina.types.series import FileSeries, FloatSeries, StringSeries
from despina.types.string_set import StringSet
from despina.types.stringified import StringifiedValue
from despina.types.value import Value

__all__ = [
    "Artifact",
    "Boolean",
    "Datetime",
    "File",
    "FileSeries",
    "FileSet",
    "Float",
    "FloatSeries",
    "GitRef",
    "Histogram",
    "Integer",
    "NAMESPACE",
    "Namespace",
    "String",
    "StringSeries",
    "StringSet",
    "StringifiedValue",
    "Value",
    "artifact_entries",
    "artifact_hash",
    "convert_point",
    "convert_value",
    "value_kind",
]
