"""Property-based tests of decoding operations, as the server does with what it receives.

Whatever a body holds (random nested lists, maps, strings, numbers and bytes, well-formed or
nearly so), the msgpack decoder (``decode_operations``, ``decode_batch``) gives operations or
MalformedOperationError, and the server's check (``validate.check_batch``) takes the batch or
refuses it with MalformedOperationError or another UsageError: all answered 400, never 500. A
batch the check takes is applied by the store without an exception (refusals per operation
are fine), and every well-formed operation survives encoding, decoding and the check.
The JSON protocol's decoder (``to_operation``, behind ``POST /containers/{uuid}/operations``)
gives an operation or ProtocolError.
"""

from __future__ import annotations

import hashlib
import math
import os
import time
import uuid as uuid_module
from array import array

import msgpack
import pytest
from databases import fresh_database
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from despina import operations as ops
from despina.errors import MalformedOperationError, UsageError
from despina.io import json_ops
from despina.io.json_ops import to_operation
from despina.io.problems import ProtocolError
from despina.names import path_problem
from despina.server.validate import check_batch
from despina.store import Store

HASH = hashlib.sha256(b"blob").hexdigest()
CODES = sorted(ops._BY_CODE)  # every operation code there is
FUZZ = settings(
    max_examples=int(os.environ.get("DESPINA_FUZZ_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# ---- random values, the shapes msgpack can carry --------------------------------------------

# Text msgpack can pack (a lone surrogate cannot be written as UTF-8, so no body holds one).
texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
ints = st.integers(-(2**63), 2**64 - 1)  # what msgpack can carry
scalars = (
    st.none()
    | st.booleans()
    | ints
    | st.floats(allow_nan=True, allow_infinity=True)
    | texts
    | st.binary(max_size=24)
    | st.sampled_from(["train/loss", "a/../b", "a//b", "/x", "C:/x", "sys/stage", HASH])
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(texts | ints, inner),
    max_leaves=20,
)
floats8 = st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=4).map(
    lambda v: array("d", v).tobytes()
)
# Arguments close to the real ones, so that decoding gets past the first check more often.
near_args = st.lists(
    values
    | floats8
    | st.lists(texts, max_size=3)
    | st.lists(st.tuples(texts, st.just(HASH), st.integers(-1, 2**64 - 1)).map(list), max_size=2)
    | st.lists(
        st.tuples(st.just(HASH), st.integers(-2, 2**64 - 1), texts, texts, texts).map(list),
        max_size=2,
    ),
    max_size=5,
)


# ---- well-formed operations, and ones nearly so ---------------------------------------------

segments = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=8)
paths = (
    st.lists(segments, min_size=1, max_size=3)
    .map("/".join)
    .filter(lambda p: path_problem(p) is None)
)
good_texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
int64 = st.integers(-(2**63), 2**63 - 1)
point_floats = st.floats(allow_nan=True, allow_infinity=True)
steps = point_floats.filter(lambda v: v != -math.inf)  # NaN: the next step; -inf is refused
times = st.floats(0, 2e9)
refs = st.builds(ops.FileRef, st.just(HASH), st.integers(0, 2**40), good_texts)
entry_paths = paths.filter(lambda p: not (len(p) > 1 and p[1] == ":"))
entries = st.lists(
    st.builds(ops.FileEntry, entry_paths, st.just(HASH), st.integers(0, 2**40), times),
    max_size=3,
)


def _series(cls, value_strategy):
    def build(n_values):
        n, values_ = n_values
        return st.builds(
            cls,
            paths,
            st.lists(steps, min_size=n, max_size=n).map(lambda v: array("d", v)),
            st.just(values_),
            st.lists(times, min_size=n, max_size=n).map(lambda v: array("d", v)),
        )

    return st.lists(value_strategy, max_size=4).map(lambda v: (len(v), v)).flatmap(build)


good_operations = st.one_of(
    st.builds(ops.AssignFloat, paths, point_floats),
    st.builds(ops.AssignInt, paths, int64),
    st.builds(ops.AssignBool, paths, st.booleans()),
    st.builds(ops.AssignString, paths, good_texts),
    st.builds(ops.AssignDatetime, paths, int64),
    st.builds(ops.AssignStringSet, paths, st.lists(good_texts, max_size=3)),
    st.builds(ops.AddStrings, paths, st.lists(good_texts, max_size=3)),
    st.builds(ops.RemoveStrings, paths, st.lists(good_texts, max_size=3)),
    st.builds(ops.ClearStringSet, paths),
    _series(ops.AppendFloats, point_floats).map(
        lambda op: ops.AppendFloats(op.path, op.steps, array("d", op.values), op.timestamps)
    ),
    _series(ops.AppendStrings, good_texts),
    _series(ops.AppendFiles, st.builds(ops.SeriesFile, refs, good_texts, good_texts)),
    st.builds(ops.ClearSeries, paths),
    st.builds(ops.AssignFile, paths, refs),
    st.builds(ops.UploadFileSetFiles, paths, entries, st.booleans()),
    st.builds(ops.DeleteFileSetFiles, paths, st.lists(good_texts, max_size=3)),
    st.builds(ops.TrackArtifactFiles, paths, entries, st.booleans()),
    st.builds(ops.AssignGitRef, paths, st.dictionaries(good_texts, good_texts | int64)),
    st.builds(ops.DeleteField, paths),
    st.builds(ops.ChangeStage, st.just("sys/stage"), st.sampled_from(ops.STAGES)),
    st.builds(ops.SetAlias, st.just("sys/aliases"), good_texts),
    st.builds(ops.MarkStopped, st.just("sys/state"), times),
)


@st.composite
def near_operations(draw):
    """A well-formed operation's list form with a few of its parts (or their parts) replaced
    by random values: what a buggy or hostile client sends."""
    item = draw(good_operations).to_list()
    for _ in range(draw(st.integers(0, 2))):
        i = draw(st.integers(0, len(item)))
        value = draw(values | paths | floats8)
        if i == len(item):
            item.append(value)
        elif isinstance(item[i], list) and item[i] and draw(st.booleans()):
            inner = item[i]
            j = draw(st.integers(0, len(inner) - 1))
            if isinstance(inner[j], list) and inner[j]:
                inner[j][draw(st.integers(0, len(inner[j]) - 1))] = value
            else:
                inner[j] = value
        else:
            item[i] = value
    return item


operation_lists = st.one_of(
    values,
    st.tuples(st.sampled_from(CODES) | values, texts | values, near_args).map(
        lambda t: [t[0], t[1], *t[2]]
    ),
    near_operations(),
    good_operations.map(lambda op: op.to_list()),
)


def _pack(value) -> bytes:
    return msgpack.packb(value, use_bin_type=True)


# ---- decoding and the check ----------------------------------------------------------------


@FUZZ
@given(st.lists(operation_lists, max_size=6) | values)
def test_decode_operations_gives_operations_or_malformed_operation_error(items):
    try:
        decoded = ops.decode_operations(_pack(items))
    except MalformedOperationError:
        return
    assert all(isinstance(op, ops.Operation) for op in decoded)


@FUZZ
@given(st.binary(max_size=64))
def test_random_bytes_give_malformed_operation_error_or_operations(data):
    for decode in (ops.decode_operations, ops.decode_batch):
        try:
            decode(data)
        except MalformedOperationError:
            pass


@FUZZ
@given(
    container=st.just("c" * 32) | values,
    writer=st.just("w1") | values,
    first_seq=st.integers(-5, 2**64 - 1) | values,
    batch_time=st.floats(allow_nan=True) | values,
    items=st.lists(operation_lists, max_size=6) | values,
)
def test_decode_batch_and_check_refuse_with_400_errors_only(
    container, writer, first_seq, batch_time, items
):
    body = _pack([container, writer, first_seq, batch_time, items])
    try:
        batch = check_batch(ops.decode_batch(body))
    except (MalformedOperationError, UsageError):  # both are answered 400
        return
    assert isinstance(batch, ops.Batch)
    assert all(isinstance(op, ops.Operation) for op in batch.operations)


# ---- what the check takes, the store applies ------------------------------------------------


PG_URL = os.environ.get(
    "DESPINA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store(request, tmp_path_factory):
    """One store per backend for the module (every example makes its own container); the
    PostgreSQL one in a database of its own, dropped at the end."""
    folder = tmp_path_factory.mktemp("fuzz-store")
    if request.param == "sqlite":
        s = Store.open_local(folder)
        s.blobs.put_bytes(b"blob")
        yield s
        s.close()
        return
    with fresh_database("despina_fuzz") as url:
        s = Store.open(url, folder / "blobs")
        s.blobs.put_bytes(b"blob")
        yield s
        s.close()


@FUZZ
@given(items=st.lists(operation_lists, min_size=1, max_size=6))
def test_a_batch_the_check_takes_is_applied_without_an_exception(store, items):
    uuid = uuid_module.uuid4().hex
    store.create_container(project="ws/fuzz", kind="run", uuid=uuid, owner="t", created=1.0)
    try:
        batch = check_batch(ops.decode_batch(_pack([uuid, "w", 1, time.time(), items])))
    except (MalformedOperationError, UsageError):
        return
    result = store.apply_batch(batch)  # refusals are results; an exception would be a 500
    assert isinstance(result, ops.BatchResult)
    assert result.applied_up_to == batch.last_seq


# ---- well-formed operations pass ------------------------------------------------------------


def _same(a: ops.Operation, b: ops.Operation) -> bool:
    """Equal, NaN equal to NaN (an array of NaN steps compares unequal to itself)."""
    left, right = msgpack.packb(a.to_list()), msgpack.packb(b.to_list())
    return type(a) is type(b) and left == right


@FUZZ
@given(st.lists(good_operations, min_size=1, max_size=5), times)
def test_well_formed_operations_survive_encoding_decoding_and_the_check(operations, when):
    batch = ops.Batch("c" * 32, "writer-1", 1, operations, when)
    decoded = check_batch(ops.decode_batch(ops.encode_batch(batch)))
    assert len(decoded.operations) == len(operations)
    assert all(_same(a, b) for a, b in zip(operations, decoded.operations, strict=True))


@pytest.mark.parametrize(
    "item",
    [
        [[1], "a", 1.0],
        [{"a": 1}, "a", 1.0],
        [1.0, "a", 1.0],  # equal to 1, but not an operation code
        [True, "a", 1.0],
        [None, "a"],
        ["1", "a", 1.0],
    ],
)
def test_an_operation_code_that_is_not_an_int_is_malformed(item):
    with pytest.raises(MalformedOperationError, match="unknown operation code"):
        ops.decode_operations(_pack([item]))


# ---- the JSON protocol ----------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True)
    | st.text(max_size=10)
    | st.sampled_from(["train/loss", "NaN", "Infinity", "2024-01-01T00:00:00Z", HASH])
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=15,
)
json_names = st.sampled_from(sorted(json_ops._BUILDERS))
json_keys = st.sampled_from(
    ["value", "values", "points", "file", "files", "stage", "alias", "time", "reset", "type"]
)
json_items = json_values | st.builds(
    lambda name, path, args: {"op": name, "path": path, **args},
    json_names | json_values,
    st.text(max_size=10) | json_values,
    st.dictionaries(json_keys, json_values, max_size=4),
)


def _resolve(ref, extension, where) -> ops.FileRef:
    if ref != HASH:
        raise ProtocolError(f"{where}: expected the SHA-256 of an uploaded blob")
    return ops.FileRef(HASH, 4, str(extension or ""))


@FUZZ
@given(json_items)
def test_json_operations_give_an_operation_or_protocol_error(item):
    try:
        op = to_operation(item, _resolve, 1.0)
    except ProtocolError:
        return
    assert isinstance(op, ops.Operation)
    try:
        check_batch(ops.Batch("c" * 32, "web", 1, [op], 1.0))
    except (MalformedOperationError, UsageError):
        pass
