"""Turning images, charts and tables into PNG or HTML bytes. Every library is imported inside
the function that needs it.

Images (``image_to_png``):
    PIL image           saved as PNG (modes PNG cannot hold are converted to RGB/RGBA)
    matplotlib figure   ``savefig(format="png", bbox_inches="tight")``; also seaborn grids and
                        the ``matplotlib.pyplot`` module (its current figure)
    numpy array         2-D (grayscale), HxWx1, HxWx3 (RGB), HxWx4 (RGBA); channels-first
                        1/3/4xHxW is transposed. Floats are taken as [0, 1] and scaled to 0..255
                        (as Neptune did); integers and booleans as 0..255. Values outside the
                        range are clipped, with a warning (Neptune let them wrap around).
    torch / tensorflow / jax tensors: converted to numpy first, then as above.

HTML (``chart_to_html``):
    pandas DataFrame / Series / Styler   ``to_html()``
    plotly figure      ``write_html``. plotly.js comes from its CDN by default (a few kB per
                       chart, but the viewer's browser needs the internet); pass
                       ``self_contained=True`` to inline it (about 4.5 MB per chart) for
                       air-gapped installations. Neptune 1.x inlined it.
    altair chart       ``to_html()`` (vega scripts from the CDN)
    bokeh figure/layout  ``bokeh.embed.file_html`` with CDN resources (INLINE when
                       ``self_contained``)
    matplotlib figure  an ``<img>`` of its PNG, embedded as base64 (Neptune tried plotly's
                       ``mpl_to_plotly``, which fails on current matplotlib)
"""

from __future__ import annotations

import base64
import io
import pickle
import warnings
from typing import Any

from despina.errors import UnsupportedValueError
from despina.types import detect


def image_to_png(obj: Any) -> bytes:
    """PNG bytes of an image-like object (see the module docstring for what is accepted)."""
    if detect.is_pil_image(obj):
        return _pil_to_png(obj)
    if detect.is_matplotlib_figure(obj):
        return _figure_to_png(obj)
    if detect.is_pyplot_module(obj):
        return _figure_to_png(obj.gcf())
    if detect.is_seaborn_grid(obj):
        return _figure_to_png(obj.figure)
    if detect.is_numpy_array(obj):
        return _array_to_png(obj)
    if detect.is_tensor(obj):
        return _array_to_png(_tensor_to_numpy(obj))
    if hasattr(obj, "__array_interface__") or hasattr(obj, "__array__"):
        import numpy as np

        return _array_to_png(np.asarray(obj))
    raise UnsupportedValueError(
        f"File.as_image cannot convert a {type(obj).__module__}.{type(obj).__name__}; it takes "
        "a PIL image, a matplotlib figure, a numpy array (HxW, HxWx3 or HxWx4) or a tensor."
    )


def chart_to_html(obj: Any, self_contained: bool = False) -> str:
    """An HTML document (or fragment, for tables) showing a chart or a table."""
    if detect.is_pandas_table_like(obj):
        if hasattr(obj, "to_frame") and not hasattr(obj, "columns"):  # a Series
            obj = obj.to_frame()
        return obj.to_html()
    if detect.is_plotly_figure(obj):
        buffer = io.StringIO()
        obj.write_html(buffer, include_plotlyjs=True if self_contained else "cdn")
        return buffer.getvalue()
    if detect.is_altair_chart(obj):
        if hasattr(obj, "to_html"):
            return obj.to_html()
        buffer = io.StringIO()
        obj.save(buffer, format="html")
        return buffer.getvalue()
    if detect.is_bokeh_figure(obj):
        from bokeh.embed import file_html
        from bokeh.resources import CDN, INLINE

        return file_html(obj, INLINE if self_contained else CDN, title="chart")
    if detect.is_pyplot_module(obj):
        obj = obj.gcf()
    if detect.is_matplotlib_figure(obj) or detect.is_seaborn_grid(obj):
        png = _figure_to_png(obj.figure if detect.is_seaborn_grid(obj) else obj)
        return png_to_html(png)
    raise UnsupportedValueError(
        f"File.as_html cannot convert a {type(obj).__module__}.{type(obj).__name__}; it takes a "
        "pandas DataFrame, or a plotly, altair, bokeh or matplotlib figure."
    )


def png_to_html(png: bytes) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'></head><body>"
        f"<img src='data:image/png;base64,{data}'/></body></html>\n"
    )


def to_pickle(obj: Any) -> bytes:
    return pickle.dumps(obj, protocol=pickle.DEFAULT_PROTOCOL)


# ---------------------------------------------------------------------------------------------


def _pil_to_png(image: Any) -> bytes:
    buffer = io.BytesIO()
    try:
        image.save(buffer, format="PNG")
    except (OSError, KeyError, ValueError):
        # PNG cannot hold this mode (CMYK, YCbCr, F, ...): convert to the nearest it can.
        buffer = io.BytesIO()
        target = "RGBA" if "A" in image.getbands() else "RGB"
        if image.mode in ("F", "I", "I;16"):
            target = "L"
        image.convert(target).save(buffer, format="PNG")
    return buffer.getvalue()


def _figure_to_png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def _tensor_to_numpy(tensor: Any) -> Any:
    if hasattr(tensor, "detach"):  # torch: leave the autograd graph and the GPU first
        tensor = tensor.detach()
        if hasattr(tensor, "cpu"):
            tensor = tensor.cpu()
    if hasattr(tensor, "numpy"):
        return tensor.numpy()
    import numpy as np

    return np.asarray(tensor)


def _array_to_png(array: Any) -> bytes:
    import numpy as np
    from PIL import Image

    array = np.asarray(array)
    if array.ndim == 3 and array.shape[-1] not in (1, 3, 4) and array.shape[0] in (1, 3, 4):
        array = np.moveaxis(array, 0, -1)  # channels-first (torch) to channels-last
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[-1] in (3, 4))):
        raise UnsupportedValueError(
            f"File.as_image takes a 2-D array (grayscale) or a 3-D array with 1, 3 or 4 channels "
            f"(HxWxC); got an array of shape {array.shape}."
        )
    if array.dtype == np.bool_:
        scaled = array.astype(np.uint8) * 255
    elif np.issubdtype(array.dtype, np.floating):
        _warn_out_of_range(array, 0.0, 1.0, "[0, 1] (floats are scaled by 255)")
        scaled = np.rint(np.nan_to_num(array.astype(np.float64)) * 255.0)
        scaled = np.clip(scaled, 0, 255).astype(np.uint8)
    elif np.issubdtype(array.dtype, np.integer):
        if array.dtype != np.uint8:
            _warn_out_of_range(array, 0, 255, "0..255 (integers are used as they are)")
            array = np.clip(array, 0, 255)
        scaled = array.astype(np.uint8)
    else:
        raise UnsupportedValueError(f"File.as_image cannot use an array of dtype {array.dtype}")
    # uint8 HxW, HxWx3 and HxWx4 map to L, RGB and RGBA.
    return _pil_to_png(Image.fromarray(np.ascontiguousarray(scaled)))


def _warn_out_of_range(array: Any, low: float, high: float, expected: str) -> None:
    if array.size == 0:
        return
    smallest, largest = array.min(), array.max()
    if smallest < low or largest > high:
        warnings.warn(
            f"File.as_image: the array's values run from {smallest} to {largest}; "
            f"image values should be in {expected}. Values outside were clipped.",
            UserWarning,
            stacklevel=4,
        )
