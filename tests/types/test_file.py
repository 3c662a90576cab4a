import io
import os
import pickle
import warnings

import numpy as np
import pytest
from PIL import Image

from despina.errors import UnsupportedValueError, UsageError
from despina.types import File

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _pixels(png: bytes) -> np.ndarray:
    assert png.startswith(PNG_MAGIC)
    return np.asarray(Image.open(io.BytesIO(png)))


# ---- paths, content, streams ------------------------------------------------------------------


def test_file_from_path_reads_lazily_and_keeps_the_extension(tmp_path):
    path = tmp_path / "weights.tar.gz"
    path.write_bytes(b"abc")
    file = File(str(path))
    assert file.path == str(path)
    assert file.content is None
    assert file.extension == "gz"
    assert file.file_type == "local"
    assert file.read_bytes() == b"abc"
    with file.open_bytes() as f:
        assert f.read() == b"abc"
    assert file.sha256() == ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 3)


def test_file_path_without_suffix_has_empty_extension_and_extension_can_be_given(tmp_path):
    (tmp_path / "Makefile").write_text("all:")
    assert File(str(tmp_path / "Makefile")).extension == ""
    assert File.from_path(str(tmp_path / "Makefile"), extension=".mk").extension == "mk"
    assert File(tmp_path / "Makefile").path == str(tmp_path / "Makefile")  # PathLike


def test_file_path_is_fixed_when_made_so_chdir_does_not_change_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("first")
    file = File("a.txt")
    other = tmp_path / "elsewhere"
    other.mkdir()
    monkeypatch.chdir(other)
    assert file.read_bytes() == b"first"


def test_missing_file_is_a_clear_usage_error(tmp_path):
    file = File(str(tmp_path / "nope.csv"))  # no error until read, as in Neptune
    with pytest.raises(UsageError, match="no such file"):
        file.read_bytes()
    with pytest.raises(UsageError, match="folder"):
        File(str(tmp_path)).read_bytes()


def test_file_needs_a_path():
    with pytest.raises(UsageError, match="from_content"):
        File()
    with pytest.raises(UnsupportedValueError):
        File(42)


def test_from_content_text_and_binary():
    text = File.from_content("zażółć")
    assert (text.content, text.extension, text.path) == ("zażółć".encode(), "txt", None)
    assert text.file_type == "in_memory"
    binary = File.from_content(b"\x00\x01")
    assert (binary.content, binary.extension) == (b"\x00\x01", "bin")
    assert File.from_content(b"{}", extension="json").extension == "json"
    assert File.from_content("x", extension=".csv").extension == "csv"
    assert File.from_content(bytearray(b"ab")).read_bytes() == b"ab"
    with pytest.raises(UnsupportedValueError):
        File.from_content(123)


def test_from_stream_text_binary_seek_and_files(tmp_path):
    text = File.from_stream(io.StringIO("hello"))
    assert (text.content, text.extension) == (b"hello", "txt")
    binary = File.from_stream(io.BytesIO(b"\x01\x02\x03"), seek=1)
    assert (binary.content, binary.extension) == (b"\x02\x03", "bin")
    stream = io.BytesIO(b"abcdef")
    stream.read(2)
    assert File.from_stream(stream, seek=None).content == b"cdef"
    assert File.from_stream(io.BytesIO(b"x"), extension="dat").extension == "dat"
    path = tmp_path / "log.txt"
    path.write_text("line\n")
    with open(path) as f:
        assert File.from_stream(f).content == b"line\n"
    with open(path, "rb") as f:
        assert File.from_stream(f).extension == "bin"
    with pytest.raises(UnsupportedValueError):
        File.from_stream("not a stream")


def test_save_writes_content(tmp_path):
    File.from_content("abc").save(tmp_path / "out.txt")
    assert (tmp_path / "out.txt").read_text() == "abc"
    File(str(tmp_path / "out.txt")).save(tmp_path / "copy.txt")
    assert (tmp_path / "copy.txt").read_text() == "abc"


def test_as_pickle_loads_back():
    obj = {"a": [1, 2, (3, "x")], "b": {1.5}}
    file = File.as_pickle(obj)
    assert file.extension == "pkl"
    assert pickle.loads(file.read_bytes()) == obj


def test_equality_and_repr(tmp_path):
    assert File.from_content("a") == File.from_content("a")
    assert File.from_content("a") != File.from_content("a", extension="md")
    assert File("x.txt") == File(os.path.abspath("x.txt"))
    assert "x.txt" in repr(File("x.txt"))
    assert "bytes" in repr(File.from_content("abc"))


# ---- images -----------------------------------------------------------------------------------


def test_pil_image_round_trips_through_png():
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(7, 5, 3), dtype=np.uint8)
    file = File.as_image(Image.fromarray(pixels))
    assert file.extension == "png"
    assert np.array_equal(_pixels(file.content), pixels)


def test_pil_modes_png_cannot_hold_are_converted():
    cmyk = Image.new("CMYK", (3, 2), (0, 255, 0, 0))
    out = _pixels(File.as_image(cmyk).content)
    assert out.shape == (2, 3, 3)


def test_numpy_float_image_in_unit_range_is_scaled_to_255():
    array = np.array([[0.0, 0.5], [1.0, 0.25]])
    out = _pixels(File.as_image(array).content)
    assert out.dtype == np.uint8
    assert out.tolist() == [[0, 128], [255, 64]]


def test_numpy_rgb_rgba_and_single_channel_images():
    rgb = np.zeros((4, 6, 3))
    rgb[..., 0] = 1.0
    out = _pixels(File.as_image(rgb).content)
    assert out.shape == (4, 6, 3) and (out[..., 0] == 255).all() and (out[..., 1] == 0).all()
    rgba = np.full((2, 2, 4), 255, dtype=np.uint8)
    assert _pixels(File.as_image(rgba).content).shape == (2, 2, 4)
    single = np.full((3, 3, 1), 10, dtype=np.uint8)
    assert _pixels(File.as_image(single).content).tolist() == [[10] * 3] * 3


def test_integer_arrays_are_used_as_0_to_255():
    array = np.array([[0, 17], [200, 255]], dtype=np.uint8)
    assert _pixels(File.as_image(array).content).tolist() == array.tolist()
    wide = np.array([[0, 17], [200, 255]], dtype=np.int64)
    assert _pixels(File.as_image(wide).content).tolist() == wide.tolist()


def test_channels_first_arrays_are_transposed():
    chw = np.zeros((3, 5, 7), dtype=np.uint8)
    chw[2] = 255
    out = _pixels(File.as_image(chw).content)
    assert out.shape == (5, 7, 3) and (out[..., 2] == 255).all()


def test_out_of_range_values_warn_and_clip():
    array = np.array([[-1.0, 2.0]])
    with pytest.warns(UserWarning, match="clipped"):
        out = _pixels(File.as_image(array).content)
    assert out.tolist() == [[0, 255]]


def test_bad_shapes_and_objects_are_refused():
    with pytest.raises(UnsupportedValueError, match="shape"):
        File.as_image(np.zeros((2, 2, 2, 2)))
    with pytest.raises(UnsupportedValueError, match="as_image"):
        File.as_image(object())


def test_tensors_are_recognised_by_duck_typing():
    class Tensor:  # shaped like torch.Tensor, without torch
        __module__ = "torch"

        def __init__(self, array):
            self.array = array
            self.calls = []

        def detach(self):
            self.calls.append("detach")
            return self

        def cpu(self):
            self.calls.append("cpu")
            return self

        def numpy(self):
            return self.array

    tensor = Tensor(np.ones((2, 3)))
    assert _pixels(File.as_image(tensor).content).tolist() == [[255] * 3] * 2
    assert tensor.calls == ["detach", "cpu"]


def test_matplotlib_figure_gives_a_valid_png():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 2), dpi=50)
    ax.plot([1, 2, 3], [3, 1, 2])
    file = File.as_image(fig)
    image = Image.open(io.BytesIO(file.content))
    image.load()
    assert image.format == "PNG" and image.size[0] > 10
    assert File.as_image(plt).content.startswith(PNG_MAGIC)  # the pyplot module: current figure
    plt.close(fig)


# ---- HTML -------------------------------------------------------------------------------------


def test_dataframe_html_contains_the_table():
    import pandas as pd

    df = pd.DataFrame({"epoch": [1, 2], "loss": [0.25, 0.125]})
    file = File.as_html(df)
    html = file.read_bytes().decode()
    assert file.extension == "html"
    assert "<table" in html and "loss" in html and "0.125" in html
    assert "<table" in File.as_html(df["loss"]).read_bytes().decode()


def test_plotly_figure_html_uses_the_cdn_unless_self_contained():
    import plotly.graph_objects as go

    fig = go.Figure(go.Scatter(x=[1, 2, 3], y=[4, 5, 6], name="series-xyz"))
    html = File.as_html(fig).read_bytes().decode()
    assert "series-xyz" in html and "cdn.plot.ly" in html
    assert len(html) < 100_000
    inline = File.as_html(fig, self_contained=True).read_bytes().decode()
    assert "series-xyz" in inline and len(inline) > 1_000_000


def test_altair_chart_html():
    import altair as alt
    import pandas as pd

    chart = alt.Chart(pd.DataFrame({"a": [1, 2], "b": [3, 4]})).mark_line().encode(x="a", y="b")
    html = File.as_html(chart).read_bytes().decode()
    assert "vega" in html and '"mark"' in html and "line" in html


def test_bokeh_figure_html():
    from bokeh.plotting import figure

    plot = figure(title="bokeh-title-xyz")
    plot.line([1, 2, 3], [3, 2, 1])
    html = File.as_html(plot).read_bytes().decode()
    assert "bokeh-title-xyz" in html and "<html" in html.lower()


def test_matplotlib_figure_html_embeds_a_png():
    import base64

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(1, 1), dpi=40)
    html = File.as_html(fig).read_bytes().decode()
    data = html.split("base64,")[1].split("'")[0]
    assert base64.b64decode(data).startswith(PNG_MAGIC)
    plt.close(fig)


def test_as_html_refuses_other_objects():
    with pytest.raises(UnsupportedValueError, match="as_html"):
        File.as_html([1, 2])


def test_create_from():
    image = Image.new("RGB", (2, 2))
    assert File.create_from(image).extension == "png"
    assert File.create_from("a.csv").extension == "csv"
    file = File.from_content("x")
    assert File.create_from(file) is file
    with pytest.raises(UnsupportedValueError, match="as_image"):
        File.create_from(np.zeros((2, 2)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert File.is_convertable_to_image(image) and not File.is_convertable_to_html(image)
