"""Prometheus metrics of one server process, in the text exposition format 0.0.4, written here
(no dependency): ``GET /metrics`` (see routes_ops.py) answers them.

- ``despina_http_requests_total{route,method,status}``: answers by route template
  (``/api/v1/containers/{uuid}``; ``other`` for a path no route matches, ``web`` for the app);
- ``despina_http_request_duration_seconds{route}``: a histogram of the time to the answer;
- ``despina_ingest_batches_total``, ``despina_ingest_operations_total`` (operations applied),
  ``despina_ingest_points_total`` (series points among them, one per other operation);
- ``despina_upload_bytes_total``: request body bytes received by blob and upload routes;
- ``despina_db_pool_connections`` / ``despina_db_pool_in_use``: open database connections of
  this process, and those borrowed now (PostgreSQL; SQLite has one per thread, none pooled);
- ``process_start_time_seconds``.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
API = "/api/v1"
UPLOAD_PREFIXES = ("/api/v1/blobs", "/api/v1/uploads")


class Metrics:
    """The counters of one application; thread-safe."""

    def __init__(self):
        self.started = time.time()
        self._lock = threading.Lock()
        self.requests: dict[tuple[str, str, int], int] = defaultdict(int)
        self.latency: dict[str, list] = {}  # route -> [bucket counts..., sum, count]
        self.batches = self.operations = self.points = self.upload_bytes = 0

    def request(self, route: str, method: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(route, method, status)] += 1
            h = self.latency.get(route)
            if h is None:
                h = self.latency[route] = [0] * len(BUCKETS) + [0.0, 0]
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    h[i] += 1
            h[-2] += seconds
            h[-1] += 1

    def ingested(self, batch, result) -> None:
        """A batch applied: its operations less the refused ones, and their points."""
        refused = {e.seq for e in result.errors} if result.errors else set()
        operations = points = 0
        for i, op in enumerate(batch.operations):
            if batch.first_seq + i in refused:
                continue
            operations += 1
            steps = getattr(op, "steps", None)
            points += len(steps) if steps is not None else 1
        with self._lock:
            self.batches += 1
            self.operations += operations
            self.points += points

    def uploaded(self, n: int) -> None:
        with self._lock:
            self.upload_bytes += n

    def render(self, db) -> str:
        with self._lock:
            requests = dict(self.requests)
            latency = {k: list(v) for k, v in self.latency.items()}
            counters = (self.batches, self.operations, self.points, self.upload_bytes)
        out: list[str] = []

        def family(name: str, kind: str, help_: str) -> None:
            out.append(f"# HELP {name} {help_}")
            out.append(f"# TYPE {name} {kind}")

        family("despina_http_requests_total", "counter", "HTTP answers by route template.")
        for (route, method, status), n in sorted(requests.items()):
            labels = f'route="{_esc(route)}",method="{method}",status="{status}"'
            out.append(f"despina_http_requests_total{{{labels}}} {n}")
        name = "despina_http_request_duration_seconds"
        family(name, "histogram", "Time from the request to its answer, by route template.")
        for route, h in sorted(latency.items()):
            r = _esc(route)
            for bound, n in zip(BUCKETS, h, strict=False):
                out.append(f'{name}_bucket{{route="{r}",le="{bound}"}} {n}')
            out.append(f'{name}_bucket{{route="{r}",le="+Inf"}} {h[-1]}')
            out.append(f'{name}_sum{{route="{r}"}} {h[-2]}')
            out.append(f'{name}_count{{route="{r}"}} {h[-1]}')
        for (name, help_), value in zip(
            (
                ("despina_ingest_batches_total", "Batches applied."),
                ("despina_ingest_operations_total", "Operations applied (refused ones not)."),
                ("despina_ingest_points_total", "Series points applied (1 per other operation)."),
                ("despina_upload_bytes_total", "Body bytes received by blob and upload routes."),
            ),
            counters,
            strict=True,
        ):
            family(name, "counter", help_)
            out.append(f"{name} {value}")
        size, in_use = pool_figures(db)
        family("despina_db_pool_connections", "gauge", "Open database connections.")
        out.append(f"despina_db_pool_connections {size}")
        family("despina_db_pool_in_use", "gauge", "Database connections borrowed now.")
        out.append(f"despina_db_pool_in_use {in_use}")
        family("process_start_time_seconds", "gauge", "Start time of the process (Unix time).")
        out.append(f"process_start_time_seconds {self.started}")
        return "\n".join(out) + "\n"


def pool_figures(db) -> tuple[int, int]:
    """(open connections, borrowed ones) of a PostgresDatabase or a SQLite Database."""
    if hasattr(db, "_idle"):  # PostgreSQL's pool
        with db._lock:
            return len(db._all), len(db._all) - len(db._idle)
    with db._connections_lock:
        return len(db._connections), 0


def _esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def metrics_of(app_state) -> Metrics:
    """The Metrics of an application (``app.state``), made on first use."""
    m = getattr(app_state, "despina_metrics", None)
    if m is None:
        m = app_state.despina_metrics = Metrics()
    return m


class MetricsMiddleware:
    """ASGI middleware counting every HTTP answer by route template, with its duration, and the
    body bytes of uploads. ``fast`` paths (answered without routing) are their own template."""

    def __init__(self, app, metrics: Metrics, fast: tuple[str, ...] = ()):
        self.app = app
        self.metrics = metrics
        self.fast = set(fast)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        status = 500
        path = scope["path"]
        upload = scope["method"] in ("POST", "PUT") and path.startswith(UPLOAD_PREFIXES)

        async def counting_receive():
            message = await receive()
            if upload and message["type"] == "http.request":
                self.metrics.uploaded(len(message.get("body", b"")))
            return message

        async def tracking_send(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None)
            if path in self.fast:
                template = path
            elif template is None:
                template = "other"
            elif template == "" or getattr(route, "name", None) == "web":
                template = "web"
            elif path.startswith(API) and not template.startswith(API):
                template = API + template  # a route of a router included under the prefix
            self.metrics.request(template, scope["method"], status, time.perf_counter() - start)
