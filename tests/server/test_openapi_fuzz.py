"""schemathesis over the server's OpenAPI document (issue 19): a real ``despina server``
process, requests generated from each operation's schema with a valid admin token, and every
answer checked: no 5xx, and status, content type and body as the document declares."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="pip install 'despina[test]'")
import msgpack  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402

from server_helpers import ServerProcess  # noqa: E402


@schemathesis.serializer("application/x-msgpack")
def _msgpack(ctx, value):
    """Batches go as msgpack: whatever was generated, packed (bytes as they are)."""
    return value if isinstance(value, bytes) else msgpack.packb(value, default=str)


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzzed")
    server = ServerProcess(folder / "data").start(60)
    yield server
    server.stop()


# What every answer must satisfy. Request bodies are read by the routes themselves (msgpack or
# JSON, checked by hand with messages that say what to do), so the document declares no body
# schemas, and the checks that judge the server by them (positive_data_acceptance,
# negative_data_rejection) have nothing to stand on.
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.ignored_auth,  # the same call without the token must be refused
]


def _checked(operation, server):
    """Run the operation's generated cases; the first failure, or None."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,  # the same cases every run: a failure here is a failure everywhere
        database=None,
    )
    def check(case):
        case.call_and_validate(
            base_url=server.url,
            headers={"Authorization": f"Bearer {server.admin_token}"},
            checks=CHECKS,
        )

    try:
        check()
    except Exception as e:  # noqa: BLE001  (collected with the operation's name)
        return e
    return None


def test_every_operation_answers_as_documented(running):
    schema = schemathesis.openapi.from_url(f"{running.url}/api/v1/openapi.json")
    failures, seen = {}, 0
    for result in schema.get_all_operations():
        operation = result.ok()
        seen += 1
        error = _checked(operation, running)
        if error is not None:
            failures[operation.label] = str(error)[:1500]
    assert seen > 50  # every route family was reached
    assert not failures, "\n\n".join(f"{k}: {v}" for k, v in failures.items())
