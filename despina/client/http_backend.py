"""The HTTP backend: the Store's methods answered by a despina server.

``HttpBackend(url, token)`` has the methods the client calls on a store (``create_container``,
``apply_batch``, ``get_field``, ``fetch_table``, ``blobs``, the notebook calls of
http_notebooks.py...) over the server's ``/api/v1`` (msgpack bodies, see ``despina.wire``).
httpx is imported only when a backend is made. Every request has a timeout; a server that
cannot be reached raises ``ServerUnavailableError`` (the async sender retries with backoff
while the operations wait on disk), a refused token ``ServerAuthError``, and the store's own
errors come back as the same despina exceptions (404 -> ContainerNotFoundError, ...).

Tokens: a despina token (``dsp_...``) with the address in ``DESPINA_URL``, or a Neptune-style
token, base64 of ``{"api_address": ..., "api_key": ...}``, that carries the address itself.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import tempfile
import zlib
from pathlib import Path
from urllib.parse import quote

from despina import errors, wire
from despina import operations as ops
from despina.client.http_groups import GroupCalls
from despina.client.http_notebooks import NotebookCalls
from despina.client.http_paths import project_url
from despina.errors import DespinaError, ServerAuthError, ServerUnavailableError

DEFAULT_TIMEOUT = 60.0
CONNECT_TIMEOUT = 5.0
CHUNK = 1 << 20
UPLOAD_THRESHOLD = 16 << 20  # files from this size on go up in resumable chunks
UPLOAD_CHUNK = 8 << 20  # bytes per chunk of a resumable upload
RESUME_PATIENCE = 300.0  # seconds an upload keeps resuming while the server is away
API = "/api/v1"


def parse_api_token(token: str | None) -> tuple[str | None, str | None]:
    """(server address or None, the key to send) of a token; a Neptune-style token (base64 of
    JSON with api_address and api_key) carries its address."""
    if not token:
        return None, None
    token = token.strip()
    if not token.startswith("dsp_"):
        try:
            data = json.loads(base64.b64decode(token + "=" * (-len(token) % 4)))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            data = None
        if isinstance(data, dict) and isinstance(data.get("api_key"), str):
            address = data.get("api_address") or data.get("api_url")
            return (str(address) if address else None), data["api_key"]
    return None, token


def make_api_token(address: str, key: str) -> str:
    """A token that carries the server's address (what ``parse_api_token`` reads), in the form
    Neptune's client reads too: base64 of JSON with ``api_address``, ``api_url``, ``api_key``."""
    data = json.dumps({"api_address": address, "api_url": address, "api_key": key}).encode()
    return base64.b64encode(data).decode("ascii")


_ERRORS = {
    name: getattr(errors, name)
    for name in (
        "ContainerNotFoundError",
        "ProjectNotFoundError",
        "FieldNotFoundError",
        "NotFoundError",
        "ConflictError",
        "FieldTypeError",
        "InvalidPathError",
        "UsageError",
        "MalformedOperationError",
        "StoreError",
        "StoreVersionError",
    )
}


def _proxy_mounts(httpx, proxies: dict | None, verify: bool) -> dict | None:
    """httpx transports for Neptune-style ``proxies`` (``{"http": url, "https": url}``)."""
    if not proxies:
        return None
    mounts = {}
    for scheme, proxy in proxies.items():
        scheme = str(scheme).rstrip(":/").lower()
        if scheme not in ("http", "https", "all"):
            raise errors.UsageError(
                f"proxies: unknown scheme {scheme!r}; use {{'http': url, 'https': url}}"
            )
        pattern = "all://" if scheme == "all" else f"{scheme}://"
        mounts[pattern] = httpx.HTTPTransport(proxy=str(proxy), verify=verify)
    return mounts


def _proxied_by_environment(url: str) -> bool:
    """Whether HTTP_PROXY / HTTPS_PROXY / ALL_PROXY (and NO_PROXY) send ``url`` through a
    proxy, as httpx would."""
    from urllib.parse import urlsplit
    from urllib.request import getproxies, proxy_bypass

    parts = urlsplit(url)
    found = getproxies()
    if not (found.get(parts.scheme) or found.get("all")):
        return False
    return not proxy_bypass(parts.hostname or "")


def _path(path: str) -> str:
    return quote(path, safe="/")


class HttpBackend(NotebookCalls, GroupCalls):
    """A despina server as a backend (thread-safe: one connection pool per backend)."""

    def __init__(
        self,
        url: str,
        token: str | None,
        *,
        timeout: float | None = None,
        compress: bool = False,
        transport=None,
        proxies: dict | None = None,
        verify: bool | None = None,
    ):
        """``proxies``: as Neptune's and requests' ``{"http": url, "https": url}``; also
        ``{"all": url}``. Without them, the HTTP(S)_PROXY variables apply. ``timeout`` and
        ``verify`` default to DESPINA_REQUEST_TIMEOUT and
        DESPINA_ALLOW_SELF_SIGNED_CERTIFICATE (or their NEPTUNE_* names)."""
        import httpx

        from despina import settings

        if timeout is None:
            timeout = settings.number("request_timeout", DEFAULT_TIMEOUT)
        if verify is None:
            verify = not settings.flag("allow_self_signed_certificate")
        address, key = parse_api_token(token)
        self.url = (url or address or "").rstrip("/")
        if not self.url.startswith(("http://", "https://")):
            raise errors.UsageError(
                f"the server address {self.url!r} must start with http:// or https://"
            )
        self.folder = None
        self.compress = compress
        self._has_token = key is not None
        headers = {"Accept": wire.MSGPACK, "User-Agent": "despina-client"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        self._httpx = httpx
        mounts = _proxy_mounts(httpx, proxies, verify)
        self._client = httpx.Client(
            base_url=self.url + API,
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=CONNECT_TIMEOUT),
            transport=transport,
            mounts=mounts,
            verify=verify,
        )
        # Batches go over plain keep-alive connections (batch_post.py) unless a test hands in
        # its own transport, which only httpx can use, or a proxy stands between (httpx
        # speaks to it).
        self._poster = None
        if transport is None and mounts is None and not _proxied_by_environment(self.url):
            from despina.client.batch_post import BatchPoster

            self._poster = BatchPoster(self.url + API, headers, timeout, verify=verify)
        self.blobs = HttpBlobStore(self)
        self._projects: dict[str, str] = {}  # container uuid -> its project (never changes)

    def __repr__(self) -> str:
        return f"HttpBackend({self.url})"

    def close(self) -> None:
        self._client.close()
        if self._poster is not None:
            self._poster.close()

    # ---- plumbing -----------------------------------------------------------------------------

    def request(self, method: str, path: str, **kwargs):
        try:
            response = self._client.request(method, path, **kwargs)
        except self._httpx.HTTPError as e:
            raise ServerUnavailableError(
                f"cannot reach the despina server at {self.url} ({type(e).__name__}: {e})"
            ) from None
        if response.status_code >= 400:
            raise self._error(response)
        return response

    def _error(self, response) -> DespinaError:
        try:
            body = response.json()
        except ValueError:
            body = {}
        message = body.get("detail") if isinstance(body, dict) else None
        message = message if isinstance(message, str) else response.text[:500]
        status = response.status_code
        if status == 401:
            what = "no API token was given" if not self._has_token else "the API token was refused"
            return ServerAuthError(
                f"{self.url}: {what} ({message}). Set DESPINA_API_TOKEN (or api_token=) to a "
                "valid token; `despina token create USER` on the server's machine makes one."
            )
        if status == 403:
            return ServerAuthError(
                f"{self.url}: {message}. Ask a project owner for a role that allows this, or "
                "use another DESPINA_API_TOKEN."
            )
        cls = _ERRORS.get(body.get("error")) if isinstance(body, dict) else None
        if cls is errors.FieldTypeError:
            cls = errors.UsageError  # its constructor takes the parts, the message is whole
        if cls is not None:
            return cls(message)
        if status == 404:
            return errors.NotFoundError(message)
        if status == 409:
            return errors.ConflictError(message)
        if status >= 500:
            return ServerUnavailableError(f"the despina server at {self.url} failed: {message}")
        return errors.UsageError(f"{self.url} refused the request ({status}): {message}")

    def _get(self, path: str, **params):
        params = {k: v for k, v in params.items() if v is not None}
        return wire.unpack(self.request("GET", path, params=params).content)

    def _post(self, path: str, data: dict):
        response = self.request(
            "POST", path, content=wire.pack(data), headers={"Content-Type": wire.MSGPACK}
        )
        return wire.unpack(response.content)

    # ---- projects and containers --------------------------------------------------------------

    def get_or_create_project(self, qualified_name: str):
        return wire.project_from_wire(self._post("/projects", {"name": qualified_name}))

    def get_project(self, qualified_name: str):
        return wire.project_from_wire(self._get(project_url(qualified_name)))

    def list_projects(self):
        return [wire.project_from_wire(p) for p in self._get("/projects")]

    def create_container(
        self,
        *,
        project: str,
        kind: str,
        uuid: str,
        owner: str,
        created: float,
        custom_run_id: str | None = None,
        model_key: str | None = None,
        model_id: str | None = None,
        sys_id: str | None = None,
        project_key: str | None = None,
    ):
        data = {
            "project": project,
            "kind": kind,
            "uuid": uuid,
            "owner": owner,
            "created": created,
            "custom_run_id": custom_run_id,
            "model_key": model_key,
            "model_id": model_id,
        }
        # Sent only when asked for, so an older server that does not know them still answers.
        if sys_id is not None:
            data["sys_id"] = sys_id
        if project_key is not None:
            data["project_key"] = project_key
        return self._known(wire.container_from_wire(self._post("/containers", data)))

    def get_container(self, sys_id: str, *, project: str | None = None, kind: str | None = None):
        data = self._get(f"/containers/by-id/{_path(sys_id)}", project=project, kind=kind)
        return self._known(wire.container_from_wire(data))

    def get_container_by_uuid(self, uuid: str):
        return self._known(wire.container_from_wire(self._get(f"/containers/{_path(uuid)}")))

    def _known(self, info):
        self._projects[info.uuid] = info.project
        return info

    def project_of(self, uuid: str) -> str:
        """The project (workspace/name) of a container, asked once per uuid."""
        project = self._projects.get(uuid)
        return project if project is not None else self.get_container_by_uuid(uuid).project

    def set_trashed(self, uuids: list[str], trashed: bool = True) -> None:
        self._post("/trash", {"uuids": list(uuids), "trashed": bool(trashed)})

    # ---- writes ---------------------------------------------------------------------------------

    def apply_batch(self, batch: ops.Batch) -> ops.BatchResult:
        body = ops.encode_batch(batch)
        headers = {"Content-Type": wire.MSGPACK}
        if self.compress and len(body) > 4096:
            c = zlib.compressobj(1, wbits=31)
            body = c.compress(body) + c.flush()
            headers["Content-Encoding"] = "gzip"
        if self._poster is None:
            response = self.request("POST", "/batches", content=body, headers=headers)
        else:
            import http.client

            try:
                response = self._poster.post("/batches", body, headers)
            except (OSError, http.client.HTTPException) as e:
                raise ServerUnavailableError(
                    f"cannot reach the despina server at {self.url} ({type(e).__name__}: {e})"
                ) from None
            if response.status_code >= 400:
                raise self._error(response)
        return wire.batch_result_from_wire(wire.unpack(response.content))

    # ---- reads ----------------------------------------------------------------------------------

    def get_structure(self, uuid: str) -> dict[str, str]:
        return self._get(f"/containers/{_path(uuid)}/structure")

    def get_field(self, uuid: str, path: str):
        data = self._get(f"/containers/{_path(uuid)}/field/{_path(path)}")
        return None if data is None else wire.field_from_wire(data)

    def get_fields(self, uuid: str, prefix: str = ""):
        data = self._get(f"/containers/{_path(uuid)}/fields", prefix=prefix)
        return [wire.field_from_wire(d) for d in data]

    def fetch_float_points(self, uuid, path, *, offset=0, limit=None, step_min=None, step_max=None):
        data = self._get(
            f"/containers/{_path(uuid)}/floats/{_path(path)}",
            offset=offset,
            limit=limit,
            step_min=step_min,
            step_max=step_max,
        )
        return wire.float_points_from_wire(data)

    def fetch_object_points(
        self, uuid, path, *, offset=0, limit=None, step_min=None, step_max=None
    ):
        data = self._get(
            f"/containers/{_path(uuid)}/objects/{_path(path)}",
            offset=offset,
            limit=limit,
            step_min=step_min,
            step_max=step_max,
        )
        return wire.object_points_from_wire(data)

    def search_object_points(self, uuid, path, text, *, offset=0, limit=None):
        from despina.store.search import PointMatches

        data = self._get(
            f"/containers/{_path(uuid)}/search/{_path(path)}",
            text=text,
            offset=offset,
            limit=limit,
        )
        return PointMatches(
            list(data["indexes"]),
            wire.floats_from_wire(data["steps"]),
            list(data["values"]),
            wire.floats_from_wire(data["timestamps"]),
            int(data["total"]),
        )

    def list_files(self, uuid: str, path: str):
        data = self._get(f"/containers/{_path(uuid)}/files/{_path(path)}")
        return [wire.entry_from_wire(e) for e in data]

    def fetch_table(
        self,
        project: str,
        kind: str,
        *,
        model_id: str | None = None,
        filter=None,
        columns: list | None = None,
        sort_by: str = "sys/creation_time",
        ascending: bool = False,
        limit: int | None = None,
        trashed: bool | None = False,
        offset: int = 0,
    ):
        cols = None
        if columns is not None:
            cols = [c if isinstance(c, str) else {"regex": c.pattern} for c in columns]
        body = {
            "model_id": model_id,
            "filter": wire.filter_to_json(filter),
            "columns": cols,
            "sort_by": sort_by,
            "ascending": ascending,
            "limit": limit,
            "offset": offset,
            "trashed": trashed,
        }
        return wire.table_from_wire(self._post(project_url(project, "tables", kind), body))

    def fetch_project_fields(self, project: str, kind: str) -> list[tuple[str, str]]:
        """As ``Store.fetch_project_fields`` (none for a project hidden from the token)."""
        from despina.client import http_buckets

        return http_buckets.fetch_project_fields(self, project, kind)

    def fetch_float_buckets(
        self, uuids, path, *, x="step", x_min=None, x_max=None, buckets=1000, log_x=False
    ):
        """As ``Store.fetch_float_buckets`` (one ``FloatBuckets`` per uuid, one x range for
        all), over the server's buckets route: at most 1000 buckets; any number of uuids, of
        any projects the token may read."""
        from despina.client import http_buckets

        return http_buckets.fetch_float_buckets(
            self, uuids, path, x=x, x_min=x_min, x_max=x_max, buckets=buckets, log_x=log_x
        )


class HttpBlobStore:
    """The server's blob store: uploads are streamed from files and skipped when the server
    has the content already; downloads are streamed into a temporary file.

    Files of ``upload_threshold`` bytes or more go up as a resumable upload (``/uploads``):
    chunks of ``chunk_size`` bytes, each sent from where the server's copy ends. While the
    server cannot be reached the upload waits and tries again (0.5 s doubling to 10 s, for at
    most ``resume_patience`` seconds), then goes on from the server's offset; a later
    ``put_file`` of the same content resumes the same session. A session the server no longer
    knows (another server behind a load balancer, a removed session) is started anew."""

    def __init__(self, backend: HttpBackend):
        self._backend = backend
        self.upload_threshold = UPLOAD_THRESHOLD
        self.chunk_size = UPLOAD_CHUNK
        self.resume_patience = RESUME_PATIENCE
        self._sessions: dict[str, str] = {}  # hash -> upload id

    def exists(self, hash_: str) -> bool:
        try:
            self._backend.request("HEAD", f"/blobs/{hash_}")
        except errors.NotFoundError:
            return False
        return True

    def size(self, hash_: str) -> int:
        r = self._backend.request("HEAD", f"/blobs/{hash_}")
        return int(r.headers.get("content-length", 0))

    def put_bytes(self, data: bytes) -> ops.FileRef:
        data = bytes(data)
        hash_ = hashlib.sha256(data).hexdigest()
        if not self.exists(hash_):
            self._backend.request("PUT", f"/blobs/{hash_}", content=data)
        return ops.FileRef(hash_, len(data))

    def put_file(self, path: str | Path) -> ops.FileRef:
        digest = hashlib.sha256()
        size = 0
        with open(path, "rb") as f:
            while chunk := f.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
        hash_ = digest.hexdigest()
        if not self.exists(hash_):
            if size >= self.upload_threshold:
                self._resumable(path, hash_, size)
            else:
                with open(path, "rb") as f:
                    self._backend.request("PUT", f"/blobs/{hash_}", content=_chunks(f))
        return ops.FileRef(hash_, size)

    def _resumable(self, path, hash_: str, size: int) -> None:
        import time

        backend = self._backend
        deadline = time.monotonic() + self.resume_patience
        delay = 0.5
        fresh_starts = 0
        while True:
            try:
                upload_id = self._sessions.get(hash_)
                if upload_id is None:
                    fresh_starts += 1
                    info = backend._post("/uploads", {"size": size, "sha256": hash_})
                    upload_id = self._sessions[hash_] = info["id"]
                    offset = 0
                else:
                    offset = backend._get(f"/uploads/{upload_id}")["offset"]
                self._send_chunks(path, upload_id, offset, size)
                backend._post(f"/uploads/{upload_id}/finish", {})
                self._sessions.pop(hash_, None)
                return
            except errors.NotFoundError:
                self._sessions.pop(hash_, None)  # unknown to this server: start anew
                if fresh_starts > 3:
                    raise
            except errors.ConflictError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)  # another chunk in flight, or an offset moved: ask again
            except ServerUnavailableError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 10.0)
            except DespinaError:
                self._sessions.pop(hash_, None)  # refused (the file changed?): not resumable
                raise

    def _send_chunks(self, path, upload_id: str, offset: int, size: int) -> None:
        headers = {"Content-Type": "application/octet-stream"}
        with open(path, "rb") as f:
            while offset < size:
                f.seek(offset)
                chunk = f.read(min(self.chunk_size, size - offset))
                if not chunk:
                    raise errors.UsageError(f"{path} became shorter while it was uploaded")
                r = self._backend.request(
                    "PUT",
                    f"/uploads/{upload_id}",
                    params={"offset": offset},
                    content=chunk,
                    headers=headers,
                )
                offset = wire.unpack(r.content)["offset"]

    def put_stream(self, stream) -> ops.FileRef:
        r = self._backend.request("POST", "/blobs", content=_chunks(stream))
        data = wire.unpack(r.content)
        return ops.FileRef(data["hash"], data["size"])

    def open(self, hash_: str):
        """A binary file with the blob's content (a temporary file, deleted when closed)."""
        out = tempfile.TemporaryFile()  # noqa: SIM115 (handed to the caller, who closes it)
        backend = self._backend
        try:
            with backend._client.stream("GET", f"/blobs/{hash_}") as r:
                if r.status_code >= 400:
                    r.read()
                    if r.status_code == 404:
                        from despina.store.blobs import BlobNotFoundError

                        raise BlobNotFoundError(hash_)
                    raise backend._error(r)
                for chunk in r.iter_bytes(CHUNK):
                    out.write(chunk)
        except backend._httpx.HTTPError as e:
            out.close()
            raise ServerUnavailableError(
                f"cannot download {hash_} from {backend.url}: {e}"
            ) from None
        except BaseException:
            out.close()
            raise
        out.seek(0)
        return out


def _chunks(f):
    while chunk := f.read(CHUNK):
        yield chunk


class StagedBlobBackend:
    """A backend for async mode over a server: files are staged in the disk queue (so nothing
    is lost while the server is away) and uploaded just before the first batch naming them.
    Everything else goes to the wrapped backend."""

    def __init__(self, backend, queue):
        self._backend = backend
        self._queue = queue
        self._sent: set[str] = set()

    def __getattr__(self, name):
        return getattr(self._backend, name)

    def apply_batch(self, batch: ops.Batch) -> ops.BatchResult:
        from despina.client.replay import blob_hashes

        for hash_ in blob_hashes(batch.operations):
            if hash_ in self._sent:
                continue
            path = self._queue.staged_blob_path(hash_)
            if path.exists():
                self._backend.blobs.put_file(path)
            self._sent.add(hash_)
        return self._backend.apply_batch(batch)
