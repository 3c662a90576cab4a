"""Odd and hostile requests to a real ``despina server`` process, over SQLite and PostgreSQL:
each gets a 4xx with a message (``{"detail": str, "error": str}``), never a 500, and changes
nothing.

- a lone surrogate (``"\\udcff"``) anywhere in a JSON body, and invalid UTF-8 in any body;
- other fields of a body with a value of the wrong type (admin: "false", created: 1e999);
- batches whose operation code is not an int, or with a bad field path;
- field paths with ``..``, NUL and the like in the read routes (and NFC, NFD, one field);
- a container of a project the caller may not see answers exactly as one that does not exist;
- ``POST /projects`` takes ``workspace`` and ``name``;
- the OpenAPI document declares the errors each route answers, with their body, and no 422.

Needs PostgreSQL at ``DESPINA_TEST_POSTGRES_URL`` (default
``postgresql://postgres@127.0.0.1:5432/postgres``) for the PostgreSQL half; skipped without it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
import unicodedata
import urllib.parse
import uuid as uuid_module
from array import array
from dataclasses import dataclass, field

import httpx
import msgpack
import pytest
from databases import fresh_database

from despina import operations as ops
from despina import wire

from server_helpers import ServerProcess, batch

PG_URL = os.environ.get(
    "DESPINA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
BLOB = b"some file"
BLOB_HASH = hashlib.sha256(BLOB).hexdigest()
OPEN = "open/proj"  # alice is a contributor here
SECRET = "sec/secret"  # only the admin sees it
JSON = {"Content-Type": "application/json"}


@dataclass
class Site:
    """A running server, its users' tokens and what the fixture put in it."""

    url: str
    client: httpx.Client
    tokens: dict[str, str]
    ids: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, who: str | None = "admin", **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        if who is not None:
            headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return self.client.request(method, "/api/v1" + path, headers=headers, **kwargs)

    def ok(self, method: str, path: str, who: str = "admin", **kwargs):
        r = self.call(method, path, who, **kwargs)
        assert r.status_code < 300, (method, path, r.status_code, r.text)
        return r.json() if r.content else None

    def snapshot(self) -> tuple:
        """What a refused request must leave as it was."""
        return (
            sorted(p["qualified_name"] for p in self.ok("GET", "/projects")),
            sorted(u["name"] for u in self.ok("GET", "/users")),
            len(self.ok("GET", "/tokens")),
            self.ok("GET", f"/containers/{self.ids['open']}/structure"),
            self.ok("GET", f"/projects/{OPEN}/views"),
        )


def _populate(site: Site) -> None:
    """Users alice (contributor of OPEN), mallory (no role) and wsc (contributor of the
    workspace team); a run in each project with a few fields; a blob."""
    for name in ("alice", "mallory", "wsc"):
        site.ok("POST", "/users", json={"name": name})
        site.tokens[name] = site.ok("POST", "/tokens", json={"user": name})["token"]
    for project in (OPEN, SECRET):
        site.ok("POST", "/projects", json={"name": project})
    site.ok("PUT", f"/projects/{OPEN}/members/alice", json={"role": "contributor"})
    site.ok("PUT", "/workspaces/team/members/wsc", json={"role": "contributor"})
    site.ok("PUT", f"/blobs/{BLOB_HASH}", content=BLOB)
    for key, project in (("open", OPEN), ("secret", SECRET)):
        uuid = uuid_module.uuid4().hex
        info = site.ok(
            "POST",
            "/containers",
            json={"project": project, "kind": "run", "uuid": uuid, "created": time.time()},
        )
        site.ids[key], site.ids[f"{key}_id"] = uuid, info["sys_id"]
        body = batch(
            uuid,
            [
                ops.AssignFloat("params/lr", 0.1),
                ops.AssignFloat(unicodedata.normalize("NFC", "params/é"), 1.0),
                ops.AppendStrings("text", *_one_point("hello")),
                ops.UploadFileSetFiles("set", [ops.FileEntry("a.txt", BLOB_HASH, len(BLOB))]),
            ],
        )
        assert site.ok("POST", "/batches", content=body)["errors"] == []


def _one_point(value):
    return array("d", [0.0]), [value], array("d", [time.time()])


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request, tmp_path_factory):
    with contextlib.ExitStack() as cleanup:
        env = {}
        if request.param == "postgresql":
            env["DESPINA_DATABASE_URL"] = cleanup.enter_context(fresh_database("despina_bad"))
        folder = tmp_path_factory.mktemp(f"bad-input-{request.param}")
        server = ServerProcess(folder / "srv", None, env=env)
        cleanup.callback(server.stop)
        server.start()
        with httpx.Client(base_url=server.url, timeout=60) as client:
            s = Site(server.url, client, {"admin": server.admin_token})
            _populate(s)
            yield s


def _refused(r: httpx.Response, status: int = 400) -> dict:
    """The answer is ``status`` with the error body; returns it."""
    assert r.status_code == status, (r.status_code, r.text)
    body = r.json()
    assert isinstance(body.get("detail"), str) and body["detail"], body
    assert isinstance(body.get("error"), str) and body["error"], body
    return body


# ---- lone surrogates and invalid UTF-8 in bodies ------------------------------------------

NEW = "0123456789abcdef0123456789abcdef"
# (method, path, raw JSON body): "{u}" the open run, "{h}" the blob. Each holds a JSON escape
# of a lone surrogate, which json.loads turns into a str that cannot be written as UTF-8.
SURROGATES = [
    ("POST", "/blobs/{h}/link", rb'{"filename": "\udcff.png"}'),
    (
        "POST",
        "/containers",
        rb'{"project": "open/\udcff", "kind": "run", "uuid": "%s", '
        rb'"created": 1}' % NEW.encode(),
    ),
    (
        "POST",
        "/containers",
        rb'{"project": "fresh/p", "kind": "run", "uuid": "%s", '
        rb'"created": 1, "custom_run_id": "\udcff"}' % NEW.encode(),
    ),
    (
        "POST",
        "/containers/{u}/operations",
        rb'{"operations": [{"op": "assign", "path": "params/\udcff", "value": 1}]}',
    ),
    (
        "POST",
        "/containers/{u}/operations",
        rb'{"operations": [{"op": "assign", "path": "params/s", "value": "a\ud800"}]}',
    ),
    (
        "POST",
        "/containers/{u}/operations",
        rb'{"operations": [{"op": "add_strings", "path": "sys/tags", "values": ["\uDFFF"]}]}',
    ),
    ("POST", "/projects/open/proj/tables/run", rb'{"sort_by": "\udcff"}'),
    ("POST", "/projects/open/proj/tables/run", rb'{"columns": ["params/\udcff"]}'),
    ("POST", "/projects/open/proj/tables/run", rb'{"filter": "params/x = \"\udcff\""}'),
    ("POST", "/projects/open/proj/buckets", rb'{"uuids": ["{u}"], "path": "a/\udcff"}'),
    ("PUT", "/projects/open/proj/views/v", rb'{"state": {"columns": ["\udcff"]}}'),
    ("PUT", "/projects/open/proj/views/v", rb'{"state": {"\udcff": 1}}'),
    ("PUT", "/projects/open/proj/members/alice", rb'{"role": "\udcff"}'),
    ("POST", "/projects", rb'{"name": "open/\udcff"}'),
    ("POST", "/projects", rb'{"workspace": "\udcff", "name": "x"}'),
    ("POST", "/users", rb'{"name": "\udcff"}'),
    ("POST", "/tokens", rb'{"name": "\udcff"}'),
    ("POST", "/trash", rb'{"uuids": ["\udcff"]}'),
    ("POST", "/uploads", rb'{"size": 1, "sha256": "\udcff"}'),
    ("POST", "/login", rb'{"user": "\udcff", "password": "x"}'),
]


def _fill(site: Site, path: str) -> str:
    return path.replace("{u}", site.ids["open"]).replace("{h}", BLOB_HASH)


@pytest.mark.parametrize(("method", "path", "body"), SURROGATES)
def test_a_lone_surrogate_in_a_json_body_is_400_and_changes_nothing(site, method, path, body):
    before = site.snapshot()
    body = body.replace(b"{u}", site.ids["open"].encode())
    r = site.call(method, _fill(site, path), content=body, headers=JSON)
    detail = _refused(r)["detail"]
    assert "lone surrogate" in detail, detail
    assert site.snapshot() == before
    assert site.call("GET", f"/containers/{NEW}").status_code == 404


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/containers/{u}/operations", b'{"operations": [{"op": "assign", "path": "p\xed\xb3\xbf"'),
        ("/blobs/{h}/link", b'{"filename": "\xed\xb3\xbf.png"}'),
        ("/projects", b'{"name": "open/\xff"}'),
    ],
)
def test_a_json_body_that_is_not_utf8_is_400(site, path, body):
    before = site.snapshot()
    detail = _refused(site.call("POST", _fill(site, path), content=body, headers=JSON))["detail"]
    assert "UTF-8" in detail
    assert site.snapshot() == before


def test_a_msgpack_body_that_is_not_utf8_is_400(site):
    before = site.snapshot()
    good = msgpack.packb({"project": "open/ok", "kind": "run", "uuid": NEW, "created": 1.0})
    bad = good.replace(b"\xa7open/ok", b"\xaaopen/\xed\xb3\xbfok")
    assert bad != good
    r = site.call("POST", "/containers", content=bad, headers={"Content-Type": wire.MSGPACK})
    _refused(r)
    assert site.snapshot() == before


# ---- other fields of the wrong type --------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/users", b'{"name": "eve", "admin": "false"}'),  # was made an admin
        ("POST", "/users", b'{"name": "eve", "service": 1}'),
        ("POST", "/tokens", b'{"name": {"a": 1}}'),
        ("POST", "/tokens", b'{"name": "%s"}' % (b"x" * 201)),
        ("POST", "/tokens", b'{"expires_in": true}'),
        ("POST", "/tokens", b'{"expires_in": NaN}'),
        ("POST", "/tokens", b'{"expires_in": -5}'),
        (  # a datetime given as seconds past year 9999 overflowed: a 500
            "POST",
            "/projects/open/proj/tables/run",
            b'{"filter": {"clause": {"path": "sys/creation_time", "type": "datetime", '
            b'"op": ">", "value": 1e300}}}',
        ),
        (
            "POST",
            "/containers",
            b'{"project": "fresh/q", "kind": "run", "uuid": "%s", "created": 1e999}' % NEW.encode(),
        ),
        (
            "POST",
            "/containers",
            b'{"project": "fresh/q", "kind": "run", "uuid": "%s", '
            b'"created": %s}' % (NEW.encode(), b"9" * 400),
        ),
    ],
)
def test_a_body_field_of_the_wrong_type_is_400(site, method, path, body):
    before = site.snapshot()
    _refused(site.call(method, path, content=body, headers=JSON))
    assert site.snapshot() == before
    assert site.call("GET", f"/containers/{NEW}").status_code == 404


# ---- batches (msgpack) --------------------------------------------------------------------


@pytest.mark.parametrize("code", [[1], {"a": 1}, 1.0, True, None, "1", b"\x01"])
def test_a_batch_whose_operation_code_is_not_an_int_is_400(site, code):
    before = site.snapshot()
    body = msgpack.packb(
        [site.ids["open"], "w-code", 1, time.time(), [[code, "params/new", 2.0]]],
        use_bin_type=True,
    )
    body = _refused(site.call("POST", "/batches", content=body))
    assert body["error"] == "MalformedOperationError"
    assert "operation code" in body["detail"]
    assert site.snapshot() == before


def test_a_batch_with_a_path_that_is_not_utf8_is_400(site):
    before = site.snapshot()
    good = msgpack.packb(
        [site.ids["open"], "w-utf8", 1, time.time(), [[1, "params/zz", 2.0]]], use_bin_type=True
    )
    bad = good.replace(b"\xa9params/zz", b"\xaaparams/\xed\xb3\xbf")
    assert bad != good
    assert _refused(site.call("POST", "/batches", content=bad))["error"] == (
        "MalformedOperationError"
    )
    assert site.snapshot() == before


@pytest.mark.parametrize("path", ["a/../b", "a/\x00b", "a//b", "/a", "a/%2e%2e/b", "a\\b"])
def test_a_batch_with_a_bad_field_path_is_400(site, path):
    before = site.snapshot()
    body = batch(site.ids["open"], [ops.AssignFloat(path, 1.0)], writer="w-path")
    assert "invalid field path" in _refused(site.call("POST", "/batches", content=body))["detail"]
    assert site.snapshot() == before


# ---- field paths in the read routes ---------------------------------------------------------

BAD_PATHS = ["a/%2e%2e/b", "%2e%2e", "a%00b", "a/%252e%252e/b", "a%5cb", "a/", "a%2f%2fb"]
READS = ["field", "floats", "objects", "search", "files"]


@pytest.mark.parametrize("path", BAD_PATHS)
@pytest.mark.parametrize("route", READS)
def test_a_bad_field_path_in_a_read_is_400_invalid_path(site, route, path):
    query = "?text=x" if route == "search" else ""
    r = site.call("GET", f"/containers/{site.ids['open']}/{route}/{path}{query}")
    assert _refused(r)["error"] == "InvalidPathError"
    r = site.call("GET", f"/containers/{site.ids['open']}/fields?prefix={path}")
    assert _refused(r)["error"] == "InvalidPathError"


def test_a_path_in_nfd_reads_the_field_written_in_nfc(site):
    nfd = urllib.parse.quote(unicodedata.normalize("NFD", "params/é"))
    field_ = site.ok("GET", f"/containers/{site.ids['open']}/field/{nfd}")
    assert field_ is not None and field_["value"] == 1.0
    paths = [
        f["path"] for f in site.ok("GET", f"/containers/{site.ids['open']}/fields?prefix={nfd}")
    ]
    assert paths == [unicodedata.normalize("NFC", "params/é")]


# ---- containers of projects the caller may not see ----------------------------------------

# (method, path, JSON body or None): "{x}" is the container's uuid.
BY_UUID = [
    ("GET", "/containers/{x}", None),
    ("GET", "/containers/{x}/structure", None),
    ("GET", "/containers/{x}/fields?prefix=params", None),
    ("GET", "/containers/{x}/field/params/lr", None),
    ("GET", "/containers/{x}/floats/params/lr", None),
    ("GET", "/containers/{x}/objects/text", None),
    ("GET", "/containers/{x}/search/text?text=hel", None),
    ("GET", "/containers/{x}/files/set", None),
    ("POST", "/trash", {"uuids": ["{x}"], "trashed": True}),
    ("POST", "/containers/{x}/operations", {"operations": [{"op": "delete_field", "path": "a"}]}),
    ("POST", "/projects/open/proj/buckets", {"uuids": ["{x}"], "path": "params/lr"}),
]


def _ask(site: Site, who: str, method: str, path: str, body, uuid: str) -> httpx.Response:
    text = None if body is None else json.dumps(body).replace("{x}", uuid)
    return site.call(method, path.replace("{x}", uuid), who, content=text, headers=JSON)


@pytest.mark.parametrize("who", ["alice", "mallory"])
@pytest.mark.parametrize(("method", "path", "body"), BY_UUID)
def test_a_hidden_container_answers_as_one_that_does_not_exist(site, who, method, path, body):
    secret, missing = site.ids["secret"], uuid_module.uuid4().hex
    hidden = _ask(site, who, method, path, body, secret)
    absent = _ask(site, who, method, path, body, missing)
    assert hidden.status_code == absent.status_code == 404, (hidden.text, absent.text)
    assert hidden.json() == {
        k: v.replace(missing, secret) if isinstance(v, str) else v for k, v in absent.json().items()
    }
    assert "sec" not in hidden.text.replace(secret, "")
    # and the admin sees it: the 404 is not because it is not there
    assert site.call("GET", f"/containers/{secret}").status_code == 200


@pytest.mark.parametrize("who", ["alice", "mallory"])
def test_a_hidden_container_of_a_batch_answers_as_one_that_does_not_exist(site, who):
    before = site.snapshot()
    secret, missing = site.ids["secret"], uuid_module.uuid4().hex
    answers = []
    for uuid in (secret, missing):
        body = batch(uuid, [ops.AssignFloat("params/x", 1.0)], writer=f"w-{who}")
        answers.append(_refused(site.call("POST", "/batches", who, content=body), 404))
    assert answers[0] == {k: v.replace(missing, secret) for k, v in answers[1].items()}
    assert "sec" not in answers[0]["detail"].replace(secret, "")
    assert site.snapshot() == before
    fields = site.ok("GET", f"/containers/{secret}/fields?prefix=params")
    assert [f["path"] for f in fields if f["path"] == "params/x"] == []


@pytest.mark.parametrize("who", ["alice", "mallory"])
def test_a_hidden_container_by_id_answers_as_one_that_does_not_exist(site, who):
    secret_id = site.ids["secret_id"]
    hidden = _refused(site.call("GET", f"/containers/by-id/{secret_id}", who), 404)
    absent = _refused(site.call("GET", "/containers/by-id/NOPE-404", who), 404)
    assert hidden == {k: v.replace("NOPE-404", secret_id) for k, v in absent.items()}
    assert "sec/" not in hidden["detail"]


def test_creating_a_container_with_the_uuid_of_a_hidden_one_names_no_project(site):
    body = {"project": OPEN, "kind": "run", "uuid": site.ids["secret"], "created": 1.0}
    r = site.call("POST", "/containers", "alice", json=body)
    assert "sec" not in _refused(r, 404)["detail"].replace(site.ids["secret"], "")


# ---- POST /projects --------------------------------------------------------------------------


def test_post_projects_takes_workspace_and_name(site):
    made = site.call("POST", "/projects", json={"workspace": "team", "name": "vision"})
    assert made.status_code == 201, made.text
    assert made.json()["qualified_name"] == "team/vision"
    assert (made.json()["workspace"], made.json()["name"]) == ("team", "vision")
    assert site.ok("GET", "/projects/team/vision")["qualified_name"] == "team/vision"
    assert site.ok("POST", "/projects", json={"name": "team/vision2"})["workspace"] == "team"
    assert site.ok("POST", "/projects", json={"name": "solo"})["qualified_name"] == "local/solo"
    again = site.call("POST", "/projects", json={"workspace": "team", "name": "vision"})
    assert again.status_code == 200 and again.json()["id"] == made.json()["id"]


@pytest.mark.parametrize(
    "body",
    [
        {"workspace": "../x", "name": "a"},
        {"workspace": "team", "name": "na\x00me"},
        {"workspace": "ws\\name", "name": "a"},
        {"workspace": "team", "name": "a/b"},
        {"workspace": 5, "name": "a"},
        {"workspace": "team"},
        {"name": ""},
        {"name": "../x"},
        {"name": "ws/na\x00me"},
        {"name": "ws\\name"},
        {"name": ["team", "x"]},
    ],
)
def test_post_projects_refuses_bad_names(site, body):
    before = site.snapshot()
    _refused(site.call("POST", "/projects", json=body))
    assert site.snapshot() == before


def test_a_workspace_contributor_posting_a_project_that_exists_gets_no_role_in_it(site):
    site.ok("POST", "/projects", json={"workspace": "team", "name": "guarded"})
    r = site.call("POST", "/projects", "wsc", json={"workspace": "team", "name": "guarded"})
    assert r.status_code == 200, r.text
    grant = site.call(
        "PUT", "/projects/team/guarded/members/mallory", "wsc", json={"role": "owner"}
    )
    _refused(grant, 403)
    r = site.call("POST", "/projects", "wsc", json={"workspace": "team", "name": "own"})
    assert r.status_code == 201, r.text
    site.ok("PUT", "/projects/team/own/members/mallory", "wsc", json={"role": "viewer"})


# ---- the OpenAPI document -------------------------------------------------------------------

PUBLIC = {("get", "/api/v1/health"), ("get", "/api/v1/ready")}


@pytest.fixture(scope="module")
def document(site):
    return site.client.get("/api/v1/openapi.json").json()


def _operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def test_the_openapi_document_declares_the_error_body(document):
    schema = document["components"]["schemas"]["ErrorBody"]
    assert schema["properties"]["detail"]["type"] == "string"
    assert schema["properties"]["error"]["type"] == "string"
    assert set(schema["required"]) == {"detail", "error"}
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for method, path, operation in _operations(document):
        assert "422" not in operation["responses"], (method, path)
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorBody"), (method, path, status)


def test_every_route_declares_the_errors_it_answers(document):
    for method, path, operation in _operations(document):
        codes = set(operation["responses"])
        where = (method, path, sorted(codes))
        if (method, path) not in PUBLIC:
            assert "401" in codes, where
        if any(f"{{{p}}}" in path for p in ("uuid", "sys_id", "path", "name")):
            assert {"400", "404"} <= codes, where
        if "{workspace}" in path or "{sha256}" in path:
            assert "400" in codes, where
        params = operation.get("parameters", [])
        if any(p.get("schema", {}).get("type") in ("integer", "number") for p in params):
            assert "400" in codes, where
        if method in ("post", "put"):
            assert "413" in codes, where
    assert len(list(_operations(document))) > 40


def test_a_parameter_of_the_wrong_type_is_400_not_422(site):
    body = _refused(site.call("DELETE", "/tokens/not-a-number"))
    assert body["error"] == "BadRequest" and "token_id" in body["detail"]
    r = site.call("GET", f"/containers/{site.ids['open']}/floats/params/lr?offset=x")
    assert "offset" in _refused(r)["detail"]


def test_errors_of_every_kind_have_the_error_body(site):
    _refused(site.call("GET", "/users/me", None), 401)
    _refused(site.call("GET", "/users", "alice"), 403)
    _refused(site.call("GET", "/projects/nobody/here", "alice"), 404)
    _refused(site.call("POST", "/users", json={"name": "alice"}), 409)
    _refused(site.call("GET", "/no/such/route"), 404)
