"""`despina import tensorboard`: real event files written with tensorboard's own writer, in the
TF1 / PyTorch format (simple_value, image, histo) and the TF2 one (tensors whose plugin is named
only on a tag's first value), imported through the command line and read back with despina,
every value, step and timestamp compared with what was written."""

from __future__ import annotations

import io
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("tensorboard")
np = pytest.importorskip("numpy")
Image = pytest.importorskip("PIL.Image")

from processes import REPO  # noqa: E402
from tensorboard.compat.proto import event_pb2, summary_pb2  # noqa: E402
from tensorboard.plugins.histogram import summary_v2 as histogram_v2  # noqa: E402
from tensorboard.plugins.hparams import summary_v2 as hparams_v2  # noqa: E402
from tensorboard.plugins.image import metadata as image_metadata  # noqa: E402
from tensorboard.plugins.scalar import metadata as scalar_metadata  # noqa: E402
from tensorboard.plugins.scalar import summary_v2 as scalar_v2  # noqa: E402
from tensorboard.plugins.text import summary_v2 as text_v2  # noqa: E402
from tensorboard.summary.writer.event_file_writer import EventFileWriter  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402

import despina  # noqa: E402
from despina.cli.main import main  # noqa: E402
from despina.errors import MissingPackageError  # noqa: E402
from despina.io.tensorboard_import import import_tensorboard  # noqa: E402
from despina.store import Store  # noqa: E402
from despina.types import Histogram  # noqa: E402

T0 = 1714564800.0
DBL_MAX = sys.float_info.max
PROJECT = "tensorboard/tblogs"


def png(color, size=(4, 3)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def write(folder: Path, events: list[tuple[int, float, list]], suffix: str = "") -> None:
    """One event file in ``folder``: events (step, wall time, [Summary.Value...])."""
    writer = EventFileWriter(str(folder), filename_suffix=suffix)
    for step, wall, values in events:
        summary = summary_pb2.Summary(value=values)
        writer.add_event(event_pb2.Event(wall_time=wall, step=step, summary=summary))
    writer.close()


def tf2(summary, first: bool):
    """The value of a ``*_pb`` summary; TF2's writer names the plugin on a tag's first value
    only."""
    [value] = summary.value
    if not first:
        value.ClearField("metadata")
    return value


def tf2_float64(tag: str, x: float, first: bool):
    meta = scalar_metadata.create_summary_metadata(display_name=tag, description="")
    tensor = tensor_util.make_tensor_proto(np.float64(x))
    value = summary_pb2.Summary.Value(tag=tag, tensor=tensor)
    if first:
        value.metadata.CopyFrom(meta)
    return value


def tf2_images(tag: str, images: list[bytes], first: bool):
    meta = image_metadata.create_summary_metadata(display_name=tag, description="")
    tensor = tensor_util.make_tensor_proto([b"4", b"3", *images])
    value = summary_pb2.Summary.Value(tag=tag, tensor=tensor)
    if first:
        value.metadata.CopyFrom(meta)
    return value


def tf2_histogram(summary) -> Histogram:
    """What a TF2 histogram's rows [left, right, count] should come back as: the same bins,
    neighbouring empty bins made one (as TensorFlow's own writer does)."""
    rows = tensor_util.make_ndarray(summary.value[0].tensor).tolist()
    edges, counts = [rows[0][0]], []
    for _left, right, count in rows:
        if count == 0 and counts and counts[-1] == 0:
            edges[-1] = right
        else:
            edges.append(right)
            counts.append(int(count))
    return Histogram(edges, counts=counts)


def tf1_scalar(tag: str, x: float):
    return summary_pb2.Summary.Value(tag=tag, simple_value=x)


def tf1_image(tag: str, data: bytes):
    image = summary_pb2.Summary.Image(height=3, width=4, colorspace=3, encoded_image_string=data)
    return summary_pb2.Summary.Value(tag=tag, image=image)


def tf1_histo(tag: str, lo, hi, limits, counts):
    histo = summary_pb2.HistogramProto(
        min=lo, max=hi, num=sum(counts), bucket_limit=limits, bucket=counts
    )
    return summary_pb2.Summary.Value(tag=tag, histo=histo)


def f32(x: float) -> float:
    return float(np.float32(x))


def build(logdir: Path) -> dict:
    """Three runs: LOGDIR itself (TF2 format), tf1/train (TF1 format, restarted: two event
    files with overlapping steps) and tf1/eval. What each path should hold, in step order:
    {run name: {path: [(step, value, wall time)]}}."""
    expect: dict[str, dict[str, list]] = {}

    # ---- LOGDIR itself: TF2 tensors ------------------------------------------------------
    run = expect["tblogs"] = {}
    events = []
    acc, lr, text, pred, samples, hist = [], [], [], [], [], []
    for i, step in enumerate([0, 10, 20]):
        wall = T0 + 100 + i * 1.5
        first = i == 0
        img = png((10 * i, 0, 0))
        two = [png((0, 10 * i, 0)), png((0, 0, 10 * i))]
        data = np.array([0.1 * i, 0.5, 0.5, 1.0 + i, 2.0])
        h = histogram_v2.histogram_pb("weights/w1", data, buckets=4)
        events.append(
            (
                step,
                wall,
                [
                    tf2(scalar_v2.scalar_pb("eval/acc", 0.5 + i / 8), first),
                    tf2_float64("lr", 0.1 / 3**i, first),
                    tf2(text_v2.text_pb("notes", f"step {step}: **ok** é"), first),
                    tf2_images("pred", [img], first),
                    tf2_images("samples", two, first),
                    tf2(h, first),
                ],
            )
        )
        acc.append((step, f32(0.5 + i / 8), wall))
        lr.append((step, 0.1 / 3**i, wall))
        text.append((step, f"step {step}: **ok** é", wall))
        pred.append((step, img, wall))
        samples.append((step, two, wall))
        hist.append((step, tf2_histogram(h), wall))
    # a histogram of one value: TensorBoard's buckets have no width
    single = histogram_v2.histogram_pb("weights/w1", np.array([7.0, 7.0]), buckets=3)
    events.append((30, T0 + 110, [tf2(single, False)]))
    hist.append((30, Histogram([6.5, 7.5], counts=[2]), T0 + 110))
    hparams = hparams_v2.hparams_pb({"lr": 0.001, "optimizer": "adam", "bn": True, "layers": 3})
    events.append((0, T0 + 99, list(hparams.value)))
    write(logdir, events)
    run["tensorboard/scalar/eval/acc"] = acc
    run["tensorboard/scalar/lr"] = lr
    run["tensorboard/text/notes"] = text
    run["tensorboard/image/pred"] = pred
    run["tensorboard/image/samples/0"] = [(s, v[0], w) for s, v, w in samples]
    run["tensorboard/image/samples/1"] = [(s, v[1], w) for s, v, w in samples]
    run["tensorboard/histogram/weights/w1"] = hist
    run["hparams"] = {"lr": 0.001, "optimizer": "adam", "bn": True, "layers": 3.0}
    run["created"] = T0 + 99

    # ---- tf1/train: TF1 / PyTorch values, restarted at step 3 -----------------------------
    train = logdir / "tf1" / "train"
    run = expect["tf1/train"] = {}
    first_file = [
        (step, T0 + step, [tf1_scalar("train/loss", 1.0 / (step + 1))]) for step in range(6)
    ]
    first_file.append((2, T0 + 2.5, [tf1_image("inputs", png((1, 2, 3)))]))
    first_file.append(
        (
            4,
            T0 + 4.5,
            [tf1_histo("grads", -0.5, 2.5, [-1.0, 0.0, 1.0, 2.0, DBL_MAX], [0, 3, 0, 4, 2])],
        )
    )
    write(train, first_file, suffix=".a")
    restarted = [
        (step, T0 + 1000 + step, [tf1_scalar("train/loss", 10.0 + step)]) for step in range(3, 8)
    ]
    restarted.append((2, T0 + 1002.5, [tf1_image("inputs", png((4, 5, 6)))]))
    restarted.append((5, T0 + 1005.5, [tf1_image("inputs", png((7, 8, 9)))]))
    restarted.append(
        (6, T0 + 1006.5, [tf1_histo("grads", 1.0, 1.0, [-DBL_MAX, 1.0, DBL_MAX], [0, 5, 0])])
    )
    write(train, restarted, suffix=".b")
    run["tensorboard/scalar/train/loss"] = [(s, f32(1.0 / (s + 1)), T0 + s) for s in range(3)] + [
        (s, 10.0 + s, T0 + 1000 + s) for s in range(3, 8)
    ]
    run["tensorboard/image/inputs"] = [
        (2, png((4, 5, 6)), T0 + 1002.5),
        (5, png((7, 8, 9)), T0 + 1005.5),
    ]
    run["tensorboard/histogram/grads"] = [
        (4, Histogram([-0.5, 0.0, 1.0, 2.0, 2.5], counts=[3, 0, 4, 2]), T0 + 4.5),
        (6, Histogram([0.5, 1.5], counts=[5]), T0 + 1006.5),
    ]
    run["created"] = T0

    # ---- tf1/eval: a nested run of its own -----------------------------------------------
    write(logdir / "tf1" / "eval", [(7, T0 + 50.25, [tf1_scalar("acc", 0.75)])])
    expect["tf1/eval"] = {"tensorboard/scalar/acc": [(7, 0.75, T0 + 50.25)], "created": T0 + 50.25}
    return expect


@pytest.fixture
def logs(tmp_path):
    before = time.time()
    logdir = tmp_path / "tblogs"
    expect = build(logdir)
    return logdir, expect, (before, time.time())


def read_runs(project: str) -> dict[str, str]:
    table = despina.init_project(project=project, mode="read-only").fetch_runs_table()
    frame = table.to_pandas()
    return dict(zip(frame["sys/name"], frame["sys/id"], strict=True))


def check_runs(project: str, logdir: Path, expect: dict, written: tuple, tmp_path: Path) -> None:
    ids = read_runs(project)
    assert set(ids) == set(expect)
    with Store.open_local(os.environ["DESPINA_DATA_DIRECTORY"]) as store:
        for name, fields in expect.items():
            run = despina.init_run(project=project, with_id=ids[name], mode="read-only")
            folder = logdir if name == "tblogs" else logdir / name
            assert run["sys/name"].fetch() == name
            assert run["tensorboard_path"].fetch() == str(folder.resolve())
            assert run["sys/owner"].fetch() == "tensorboard"
            assert run["sys/state"].fetch() == "idle"
            assert run["sys/creation_time"].fetch().timestamp() == pytest.approx(
                fields["created"], abs=1e-6
            )
            # stopped at the last event: the newest event file's file_version record
            last = run["sys/ping_time"].fetch().timestamp()
            assert written[0] - 1e-3 <= last <= written[1] + 1e-3
            for name_, value in fields.get("hparams", {}).items():
                got = run[f"tensorboard/hparams/{name_}"].fetch()
                assert got == value and type(got) is type(value)
            uuid = store.get_container(ids[name], project=project).uuid
            paths = {f.path for f in store.get_fields(uuid) if f.path.startswith("tensorboard/")}
            series = {p for p in fields if p.startswith("tensorboard/")}
            hparams = {f"tensorboard/hparams/{n}" for n in fields.get("hparams", {})}
            assert paths == series | hparams
            for path in series:
                points = fields[path]
                steps = [float(p[0]) for p in points]
                walls = [p[2] for p in points]
                if "/image/" in path:
                    got = store.fetch_object_points(uuid, path)
                    assert got.steps.tolist() == steps
                    assert got.timestamps.tolist() == pytest.approx(walls, abs=1e-6)
                    assert all(v.file.extension == "png" for v in got.values)
                    target = tmp_path / "downloads" / name / path
                    run[path].download(destination=str(target))
                    files = [target / f"{i}.png" for i in range(len(points))]
                    assert [f.read_bytes() for f in files] == [p[1] for p in points], path
                    continue
                frame = run[path].fetch_values()
                assert frame["step"].tolist() == steps, path
                stamps = [t.timestamp() for t in frame["timestamp"]]
                assert stamps == pytest.approx(walls, abs=1e-6), path
                values = frame["value"].tolist()
                if "/histogram/" in path:
                    assert [Histogram.from_json(v) for v in values] == [p[1] for p in points]
                else:
                    assert values == [p[1] for p in points], path


def test_both_formats_every_value_step_and_timestamp(logs, tmp_path, capsys):
    logdir, expect, written = logs
    assert main(["import", "tensorboard", str(logdir), "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert "→ TBL-" in out and f"({PROJECT})" in out
    assert "shared a step" in err  # the restarted run
    check_runs(PROJECT, logdir, expect, written, tmp_path)


def test_importing_again_stores_nothing_and_a_run_that_went_on_is_updated(logs, tmp_path):
    logdir, expect, written = logs
    with Store.open_local(tmp_path / "store") as store:
        first = import_tensorboard(logdir, store)
        assert not first.problems, first.problems
        assert first.applied > 0 and first.files == 4
        again = import_tensorboard(logdir, store)
        assert again.applied == 0 and not again.problems
        assert sum(o.already for o in again.objects.values()) == first.applied
        assert {o.sys_id for o in again.objects.values()} == {
            o.sys_id for o in first.objects.values()
        }
        # the evaluation went on: a third file in its folder, one scalar more
        write(logdir / "tf1" / "eval", [(8, T0 + 60.5, [tf1_scalar("acc", 0.875)])])
        later = import_tensorboard(logdir, store)
        assert later.applied == 3  # the series cleared and written anew, stopped anew
        [run] = [o for o in later.objects.values() if o.id == "tf1/eval"]
        uuid = store.get_container(run.sys_id, project=PROJECT).uuid
        points = store.fetch_float_points(uuid, "tensorboard/scalar/acc")
        assert points.steps.tolist() == [7, 8] and points.values.tolist() == [0.75, 0.875]
        assert len(store.fetch_table(PROJECT, "run").rows) == 3


def test_as_a_user_runs_it_with_a_project(logs, tmp_path, data_dir):
    logdir, expect, written = logs
    despina_cli = Path(sys.executable).with_name("despina")
    env = {**os.environ, "PYTHONPATH": str(REPO), "DESPINA_DATA_DIRECTORY": str(data_dir)}
    command = [str(despina_cli), "import", "tensorboard", str(logdir), "--project", "team/tb"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Imported 3 object(s)" in done.stdout
    check_runs("team/tb", logdir, expect, written, tmp_path)
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and ": 0 operations." in again.stdout, again.stdout


def test_bad_tags_are_reported_and_the_rest_imported(tmp_path, capsys):
    logdir = tmp_path / "bad"
    audio = summary_pb2.Summary.Audio(sample_rate=8000, encoded_audio_string=b"RIFF")
    write(
        logdir,
        [
            (0, T0, [tf1_scalar("good", 1.0), tf1_scalar("bad//tag", 2.0)]),
            (1, T0 + 1, [tf1_scalar("bad//tag", 3.0), tf1_scalar("/lead", 4.0)]),
            (1, T0 + 1, [summary_pb2.Summary.Value(tag="voice", audio=audio)]),
            (2, T0 + 2, [tf1_histo("inf", -math.inf, 1.0, [0.0, 1.0], [1, 1])]),
        ],
    )
    assert main(["import", "tensorboard", str(logdir), "--project", "ws/bad", "--quiet"]) == 1
    err = capsys.readouterr().err
    skipped = [line for line in err.splitlines() if line.startswith("skipped: ")]
    assert len(skipped) == 4, err
    assert "tag 'bad//tag': not imported: 'tensorboard/scalar/bad//tag' is not a valid" in err
    assert "tag '/lead'" in err and "tag 'voice'" in err and "audio" in err
    assert "tag 'inf': 1 histogram point(s) not imported" in err and "finite" in err
    run = despina.init_run(project="ws/bad", with_id=read_runs("ws/bad")["bad"], mode="read-only")
    assert run["tensorboard/scalar/good"].fetch_values()["value"].tolist() == [1.0]


def test_a_logdir_without_event_files_or_missing(tmp_path, capsys):
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    (tmp_path / "empty" / "sub" / "notes.txt").write_text("no events here")
    assert main(["import", "tensorboard", str(tmp_path / "empty")]) == 1
    err = capsys.readouterr().err
    assert f"Cannot import: no TensorBoard event files under {tmp_path / 'empty'}" in err
    assert "tfevents" in err
    assert main(["import", "tensorboard", str(tmp_path / "nowhere")]) == 1
    assert "no such folder" in capsys.readouterr().err


def test_without_the_tensorboard_package_the_pip_command(logs, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboard", None)
    assert main(["import", "tensorboard", str(logs[0])]) == 1
    assert "pip install 'despina[tensorboard]'" in capsys.readouterr().err
    pip = r"pip install 'despina\[tensorboard\]'"
    with (
        Store.open_local(tmp_path / "store") as store,
        pytest.raises(MissingPackageError, match=pip),
    ):
        import_tensorboard(logs[0], store)


def test_a_histogram_of_more_than_512_bins_is_merged_with_a_note(tmp_path, capsys):
    limits = [float(i) for i in range(1, 1201)]
    histo = tf1_histo("wide", 0.0, 1200.0, limits, [1] * 1200)
    write(tmp_path / "wide", [(0, T0, [histo])])
    assert main(["import", "tensorboard", str(tmp_path / "wide"), "--quiet"]) == 0
    assert "1 histogram(s) had more than 512 bins" in capsys.readouterr().err
    ids = read_runs("tensorboard/wide")
    run = despina.init_run(project="tensorboard/wide", with_id=ids["wide"], mode="read-only")
    hist = Histogram.from_json(run["tensorboard/histogram/wide"].fetch_last())
    assert len(hist.counts) == 400 and set(hist.counts) == {3}  # groups of 3 neighbours
    assert hist.bin_edges == [float(i) for i in range(0, 1201, 3)]
