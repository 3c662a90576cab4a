"""``Histogram``: one histogram of a histogram series (Neptune 3.x's ``log_histograms``).

despina has no histogram field type: ``Run.log_histograms`` stores each histogram as one
point of a string series, the JSON text ``{"type": "COUNTS", "edges": [...], "values": [...]}``
(``"DENSITIES"`` for densities), the same text the Neptune importer writes for an exported
``histogram_series`` (``despina.io.nex_rows``). ``Histogram.from_json`` reads it back.
"""

from __future__ import annotations

import json
import math

from despina.errors import InvalidValueError

MAX_BINS = 512


def _numbers(name: str, values) -> list:
    if hasattr(values, "tolist"):  # numpy arrays and tensors, without importing numpy
        values = values.tolist()
    try:
        items = list(values)
    except TypeError:
        raise InvalidValueError(
            f"Histogram {name} must be a list or array of numbers, got {type(values).__name__}"
        ) from None
    for v in items:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise InvalidValueError(f"Histogram {name} must hold numbers, got {v!r}")
    return items


class Histogram:
    """A histogram with explicit bin edges, and either ``counts`` or ``densities`` per bin.

    ``n`` bins have ``n + 1`` edges; at most 512 bins (Neptune 3.x's limit).

    >>> from despina.types import Histogram
    >>> h = Histogram(bin_edges=[0, 1, 40, 89, 1000], counts=[5, 82, 44, 1])
    >>> run.log_histograms(histograms={"layers/1/activations": h}, step=1)
    """

    __slots__ = ("bin_edges", "counts", "densities")

    def __init__(self, bin_edges, counts=None, densities=None):
        if (counts is None) == (densities is None):
            raise InvalidValueError("Histogram takes counts= or densities=, exactly one of them")
        edges = [float(e) for e in _numbers("bin_edges", bin_edges)]
        given = counts if counts is not None else densities
        values = _numbers("counts" if counts is not None else "densities", given)
        if len(values) > MAX_BINS:
            raise InvalidValueError(
                f"a Histogram has at most {MAX_BINS} bins ({MAX_BINS + 1} edges); this one "
                f"has {len(values)}: merge bins, for example with numpy.histogram(..., "
                f"bins={MAX_BINS})"
            )
        if len(edges) != len(values) + 1:
            raise InvalidValueError(
                f"a Histogram of {len(values)} bins needs {len(values) + 1} bin_edges, got "
                f"{len(edges)}"
            )
        if not all(math.isfinite(e) for e in edges):
            raise InvalidValueError("Histogram bin_edges must be finite (no inf or NaN)")
        if any(b <= a for a, b in zip(edges[:-1], edges[1:], strict=True)):
            raise InvalidValueError("Histogram bin_edges must increase")
        self.bin_edges = edges
        if counts is not None:
            if any(isinstance(v, float) and not v.is_integer() for v in values):
                raise InvalidValueError("Histogram counts must be whole numbers")
            self.counts, self.densities = [int(v) for v in values], None
        else:
            self.counts, self.densities = None, [float(v) for v in values]

    @property
    def type(self) -> str:
        """``"COUNTS"`` or ``"DENSITIES"``, as in a neptune-exporter export."""
        return "COUNTS" if self.counts is not None else "DENSITIES"

    @property
    def values(self) -> list:
        """The counts or the densities."""
        return self.counts if self.counts is not None else self.densities

    def to_json(self) -> str:
        """The text stored as one point of the string series."""
        return json.dumps(
            {"type": self.type, "edges": self.bin_edges, "values": self.values},
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> Histogram:
        """A histogram read back from a string series point (``to_json``'s text)."""
        data = json.loads(text)
        key = "densities" if str(data.get("type", "")).upper() == "DENSITIES" else "counts"
        return cls(data["edges"], **{key: data["values"]})

    def __eq__(self, other) -> bool:
        return isinstance(other, Histogram) and (
            self.bin_edges,
            self.counts,
            self.densities,
        ) == (other.bin_edges, other.counts, other.densities)

    def __repr__(self) -> str:
        return f"Histogram(bin_edges={self.bin_edges!r}, {self.type.lower()}={self.values!r})"
