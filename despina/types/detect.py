"""Recognising third-party objects without importing their libraries.

Each test looks at the class's module and name (and its bases), so ``import despina`` never
pulls in numpy, PIL, matplotlib, pandas, plotly, altair or bokeh just to ask "is this one of
yours?". Only objects that came from those libraries can match, and by then they are loaded.
"""

from __future__ import annotations

from typing import Any


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _from(obj: Any, package: str) -> bool:
    """Whether ``obj``'s class is defined in ``package`` (pandas 3 reports just "pandas")."""
    return _in(type(obj).__module__ or "", package)


def _has_base(obj: Any, package: str, names: tuple[str, ...]) -> bool:
    for cls in type(obj).__mro__:
        if cls.__name__ in names and _in(cls.__module__ or "", package):
            return True
    return False


def _module(obj: Any) -> str:
    return type(obj).__module__ or ""


def is_pil_image(obj: Any) -> bool:
    return _from(obj, "PIL") and _has_base(obj, "PIL.Image", ("Image",))


def is_matplotlib_figure(obj: Any) -> bool:
    return _from(obj, "matplotlib") and _has_base(obj, "matplotlib", ("Figure",))


def is_pyplot_module(obj: Any) -> bool:
    """``matplotlib.pyplot`` itself, as in ``File.as_image(plt)``: its current figure."""
    return getattr(obj, "__name__", None) == "matplotlib.pyplot" and hasattr(obj, "gcf")


def is_seaborn_grid(obj: Any) -> bool:
    return _from(obj, "seaborn") and hasattr(obj, "figure") and hasattr(obj, "savefig")


def is_plotly_figure(obj: Any) -> bool:
    return _from(obj, "plotly") and hasattr(obj, "write_html")


def is_altair_chart(obj: Any) -> bool:
    return (
        _from(obj, "altair")
        and "Chart" in type(obj).__name__
        and (hasattr(obj, "to_html") or hasattr(obj, "save"))
    )


def is_bokeh_figure(obj: Any) -> bool:
    return _from(obj, "bokeh") and _has_base(obj, "bokeh", ("LayoutDOM",))


def is_pandas_dataframe(obj: Any) -> bool:
    return _from(obj, "pandas") and _has_base(obj, "pandas", ("DataFrame",))


def is_pandas_table_like(obj: Any) -> bool:
    """DataFrame, Series or Styler: anything from pandas that renders to an HTML table."""
    return _from(obj, "pandas") and (hasattr(obj, "to_html") or hasattr(obj, "to_frame"))


def is_numpy_array(obj: Any) -> bool:
    return _from(obj, "numpy") and _has_base(obj, "numpy", ("ndarray",))


def is_tensor(obj: Any) -> bool:
    """A torch, tensorflow or jax tensor (anything convertible with ``.numpy()``/``__array__``)."""
    module = _module(obj)
    if module.startswith("torch"):
        return hasattr(obj, "detach") and hasattr(obj, "numpy")
    if module.startswith("tensorflow"):
        return "Tensor" in type(obj).__name__ or hasattr(obj, "numpy")
    if module.startswith(("jax", "jaxlib")):
        return hasattr(obj, "__array__")
    return False


def is_image_like(obj: Any) -> bool:
    """Objects logged as PNG when assigned directly (Neptune: PIL images and figures).

    Arrays and tensors are images only through ``File.as_image``: assigned bare, a 2-D array
    is more likely data than a picture.
    """
    return is_pil_image(obj) or is_matplotlib_figure(obj) or is_seaborn_grid(obj)


def is_chart_like(obj: Any) -> bool:
    """Objects logged as HTML when assigned directly: plotly, altair and bokeh charts."""
    return is_plotly_figure(obj) or is_altair_chart(obj) or is_bokeh_figure(obj)


def is_argparse_namespace(obj: Any) -> bool:
    return type(obj).__module__ == "argparse" and type(obj).__name__ == "Namespace"
