"""Several writers on one run, their batches delivered in a random interleaving, with the
resends a real client makes (a whole batch again, or one that overlaps what was applied), and
compared after each delivery with a model of the store in Python (issue 19, on sqlite, memory
and postgresql). The model: per (container, writer) only sequence numbers above the highest
applied count; an operation on a field of another type is refused alone; a float series keeps
every point once, in step order; a delete removes a field or a namespace."""

from __future__ import annotations

import math
import time
import uuid as uuid_module
from array import array

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from despina import operations as ops

PATHS = ["a", "b", "s", "n/x", "n/y"]
WRITERS = 3


def _op(kind: str, path: str, value, step: float):
    if kind == "float":
        return ops.AssignFloat(path, value)
    if kind == "string":
        return ops.AssignString(path, f"v{value}")
    if kind == "add":
        return ops.AddStrings(path, [f"t{int(value) % 4}"])
    if kind == "remove":
        return ops.RemoveStrings(path, [f"t{int(value) % 4}"])
    if kind == "append":
        t = time.time()
        return ops.AppendFloats(path, array("d", [step]), array("d", [value]), array("d", [t]))
    if kind == "delete":
        return ops.DeleteField("n" if path.startswith("n/") and value > 0 else path)
    raise ValueError(kind)


TYPE = {"float": "float", "string": "string", "add": "string_set", "append": "float_series"}


class Model:
    def __init__(self):
        self.fields: dict[str, tuple[str, object]] = {}  # path -> (type, value)
        self.applied = [0] * WRITERS

    def apply(self, op) -> None:
        if isinstance(op, ops.DeleteField):
            for path in [p for p in self.fields if p == op.path or p.startswith(op.path + "/")]:
                del self.fields[path]
            return
        kind = {
            ops.AssignFloat: "float",
            ops.AssignString: "string",
            ops.AddStrings: "add",
            ops.RemoveStrings: "remove",
            ops.AppendFloats: "append",
        }[type(op)]
        held = self.fields.get(op.path)
        if kind == "remove":
            if held is not None and held[0] == "string_set":
                held[1].difference_update(op.values)
            return
        if held is not None and held[0] != TYPE[kind]:
            return  # refused: another type is there
        if kind == "float":
            self.fields[op.path] = ("float", op.value)
        elif kind == "string":
            self.fields[op.path] = ("string", op.value)
        elif kind == "add":
            self.fields.setdefault(op.path, ("string_set", set()))[1].update(op.values)
        else:
            self.fields.setdefault(op.path, ("float_series", []))[1].append(
                (op.steps[0], op.values[0])
            )


def _stored(store, uuid: str) -> dict[str, tuple[str, object]]:
    out = {}
    for f in store.get_fields(uuid):
        if f.path.startswith("sys/"):
            continue
        if f.type == "float_series":
            points = store.fetch_float_points(uuid, f.path)
            out[f.path] = (f.type, list(zip(points.steps, points.values, strict=True)))
        else:
            out[f.path] = (f.type, f.value)
    return out


deliveries = st.lists(
    st.tuples(
        st.integers(0, WRITERS - 1),  # the writer
        st.lists(  # its new operations
            st.tuples(
                st.sampled_from(["float", "string", "add", "remove", "append", "delete"]),
                st.sampled_from(PATHS),
                st.floats(-1e6, 1e6, allow_nan=False, width=32),
            ),
            min_size=0,
            max_size=5,
        ),
        st.integers(0, 6),  # how many already-applied operations the batch repeats
        st.booleans(),  # then the same batch is delivered once more (a lost acknowledgement)
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(deliveries)
def test_random_interleavings_of_writers_match_the_model(store, plan):
    uuid = uuid_module.uuid4().hex
    store.create_container(project="ws/proj", kind="run", uuid=uuid, owner="x", created=0.0)
    writers = [uuid_module.uuid4().hex for _ in range(WRITERS)]
    history: list[list] = [[] for _ in range(WRITERS)]  # every operation each writer made
    model = Model()
    step = 0.0  # a series' steps only go forward, whichever writer appends
    for w, new, back, again in plan:
        made = []
        for kind, path, value in new:
            step += 1
            made.append(_op(kind, path, value, step))
        history[w].extend(made)
        first = max(1, model.applied[w] + 1 - back)  # a resend starts before what was applied
        batch = ops.Batch(uuid, writers[w], first, history[w][first - 1 :], time.time())
        for _ in range(2 if again else 1):
            store.apply_batch(batch)
        for op in history[w][model.applied[w] :]:
            model.apply(op)
        model.applied[w] = len(history[w])
        stored = _stored(store, uuid)
        assert stored.keys() == model.fields.keys(), (stored, model.fields)
        for path, (type_, value) in model.fields.items():
            assert stored[path][0] == type_, path
            if type_ == "float":
                assert math.isclose(stored[path][1], value, rel_tol=0, abs_tol=0), path
            else:
                assert stored[path][1] == value, (path, stored[path][1], value)


def test_concurrent_writers_with_resends_store_each_point_once(store):
    """Four threads at once on one run, each resending every batch and overlapping the next:
    every writer's series has each point once and the shared tags are the union."""
    import threading

    uuid = uuid_module.uuid4().hex
    store.create_container(project="ws/proj", kind="run", uuid=uuid, owner="x", created=0.0)
    n_batches, per_batch = 30, 20
    failures = []

    def write(w: int):
        writer = uuid_module.uuid4().hex
        made = []
        try:
            for b in range(n_batches):
                for i in range(per_batch):
                    k = b * per_batch + i
                    t = time.time()
                    made.append(
                        ops.AppendFloats(
                            f"w{w}/m", array("d", [k]), array("d", [k * 0.5]), array("d", [t])
                        )
                    )
                made.append(ops.AddStrings("sys/tags", [f"writer {w}", f"batch {b}"]))
                first = max(1, len(made) - 2 * (per_batch + 1) + 1)  # the last two batches
                batch = ops.Batch(uuid, writer, first, made[first - 1 :], time.time())
                store.apply_batch(batch)
                store.apply_batch(batch)
        except Exception as e:  # noqa: BLE001  (reported below, with the writer)
            failures.append((w, e))

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not failures
    want = [float(k) for k in range(n_batches * per_batch)]
    for w in range(4):
        points = store.fetch_float_points(uuid, f"w{w}/m")
        assert list(points.steps) == want
        assert list(points.values) == [k * 0.5 for k in want]
    tags = {f.path: f.value for f in store.get_fields(uuid, "sys")}["sys/tags"]
    assert tags == {f"writer {w}" for w in range(4)} | {f"batch {b}" for b in range(n_batches)}
