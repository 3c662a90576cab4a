"""``neptune.management``'s calls through Neptune's API, in process: projects made and deleted,
members and service accounts given roles and taken away, workspace members, invitations and
status, and the trash, each checked through despina's own API, accounts and store; the
errors the client turns into its exceptions; malformed bodies that change nothing. ``ROUTES``
is checked by test_neptune_routes.py's permission test too."""

from __future__ import annotations

import time
import uuid as uuid_module

import pytest

from despina.errors import ContainerNotFoundError, NotFoundError, ProjectNotFoundError
from despina.server.neptune.containers import workspace_uuid

from neptune_world import check_route, neptune_call

B = "/api/backend/v1"
TRASH = "/api/leaderboard/v1/experiments/trash"
P = "projectIdentifier=wa/proj"


def _robot(world, member: bool = False) -> str:
    """A service account "robot" (made once), a contributor of wa/proj when ``member``."""
    accounts = world.state.accounts
    try:
        accounts.get_user("robot")
    except NotFoundError:
        accounts.create_user("robot", service=True)
    if member:
        accounts.set_project_role("wa/proj", "robot", "contributor")
    return "robot"


def _trashed_run(w, i):
    w.state.store.set_trashed([i.run])
    return {"json": [i.qrun]}


# (method, url, kwargs, who may, what the viewer gets, what another project's member gets)
ROUTES = [
    (
        "POST",
        B + "/projects",
        {"json": {"name": "made", "organizationId": workspace_uuid("wa"), "projectKey": "MADE"}},
        "owner",
        403,  # a project's viewer has no role in its workspace
        404,  # nor knows of the workspace
    ),
    ("DELETE", B + "/projects?" + P, None, "owner", 403, 404),
    ("GET", B + "/projects/membersOf?" + P, None, "viewer", 200, 404),
    (
        "POST",
        B + "/projects/members?" + P,
        {"json": {"userId": "other", "role": "viewer"}},
        "owner",
        403,
        404,
    ),
    ("DELETE", B + "/projects/members/viewer?" + P, None, "owner", 403, 404),
    ("GET", B + "/organizations2/wa/members", None, "owner", 403, 403),
    ("GET", B + "/serviceAccounts?organizationIdentifier=wa", None, "viewer", 200, 403),
    ("GET", B + "/projects/service_accounts?" + P, None, "viewer", 200, 404),
    (
        "POST",
        B + "/projects/service_accounts?" + P,
        lambda w, i: {"json": {"serviceAccountId": _robot(w), "role": "member"}},
        "owner",
        403,
        404,
    ),
    (
        "DELETE",
        B + "/projects/service_accounts/robot?" + P,
        lambda w, i: _robot(w, member=True) and {},
        "owner",
        403,
        404,
    ),
    (
        "POST",
        B + "/invitations/organization",
        {
            "json": {
                "organizationIdentifier": "wa",
                "invitationsEntries": [
                    {"invitee": "other", "invitationType": "user", "roleGrant": "member"}
                ],
            }
        },
        "owner",
        403,
        403,
    ),
    ("GET", B + "/payments/wa/status", None, "owner", 403, 403),
    ("POST", TRASH + "?" + P, lambda w, i: {"json": [i.qrun]}, "contrib", 403, 404),
    ("POST", TRASH + "/delete?" + P, _trashed_run, "contrib", 403, 404),
    ("POST", TRASH + "/deleteAll?" + P, None, "contrib", 403, 404),
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r[0]} {r[1].split('?')[0]}")
def test_route_permissions(world, route):
    check_route(world, route)


def call(world, method, url, user="owner", **kwargs):
    return neptune_call(world, method, url, user, **kwargs)


def despina_get(world, url, user="owner"):
    r = world.client.get("/api/v1" + url, headers={"Authorization": f"Bearer {world.tokens[user]}"})
    assert r.status_code == 200, r.text
    return r.json()


def _names(world) -> list[str]:
    return sorted(p.qualified_name for p in world.state.store.list_projects())


def _new_run(world, project="wa/proj"):
    return world.state.store.create_container(
        project=project, kind="run", uuid=uuid_module.uuid4().hex, owner="o", created=time.time()
    )


# ---- projects -------------------------------------------------------------------------------


def test_create_project_is_a_despina_project_its_creator_owns(world):
    world.state.accounts.set_workspace_role("wc", "contrib", "contributor")
    orgs = call(world, "GET", B + "/myOrganizations", "contrib").json()
    wc = next(o["id"] for o in orgs if o["name"] == "wc")
    body = {
        "name": "vision",
        "description": "cats",
        "projectKey": "VIS",
        "organizationId": wc,
        "visibility": "priv",
    }
    r = call(world, "POST", B + "/projects", "contrib", json=body)
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["name"], got["organizationName"], got["projectKey"]) == ("vision", "wc", "VIS")
    assert got["userRoleInProject"] == "manager"
    # despina's own API shows it, with the caller as its owner
    listed = {p["qualified_name"]: p for p in despina_get(world, "/projects", "contrib")}
    assert listed["wc/vision"]["key"] == "VIS"
    assert despina_get(world, "/projects/wc/vision", "contrib")["role"] == "owner"
    assert world.state.accounts.project_members("wc/vision") == [("contrib", "owner")]
    # the project container the client names it by holds the description
    info = world.state.store.get_container_by_uuid(got["id"])
    assert info.kind == "project" and info.project == "wc/vision"
    assert world.state.store.get_field(info.uuid, "sys/description").value == "cats"
    # and the client finds it by name
    r = call(world, "GET", B + "/projects/get?projectIdentifier=wc/vision", "contrib")
    assert r.status_code == 200 and r.json()["id"] == got["id"]
    # a workspace given by name works too; an admin becomes no member
    r = call(world, "POST", B + "/projects", "admin", json={"name": "x", "organizationId": "wc"})
    assert r.status_code == 200, r.text
    assert world.state.accounts.project_members("wc/x") == []


@pytest.mark.parametrize(
    "body,status,error",
    [
        ({"name": "proj"}, 400, "ERR_NOT_UNIQUE"),  # wa/proj exists: ProjectAlreadyExists
        ({"name": "a/b"}, 400, "ERR_INVALID_NAME"),
        ({"name": ""}, 400, "ERR_INVALID_NAME"),
        ({"name": "bad\x00name"}, 400, "ERR_INVALID_NAME"),
        ({"name": 3}, 400, "ERR_INVALID_NAME"),
        ({"name": "new", "projectKey": "9AB"}, 400, "PROJECT_KEY_INVALID"),
        ({"name": "new", "projectKey": "ABCDEFGHIJK"}, 400, "PROJECT_KEY_INVALID"),
        ({"name": "new", "projectKey": "<wa/proj's>"}, 409, "PROJECT_KEY_COLLISION"),
        ({"name": "new", "visibility": "pub"}, 400, "VISIBILITY_RESTRICTED"),
        ({"name": "new", "description": 5}, 400, "ERR_INVALID"),
    ],
)
def test_create_project_errors_as_the_client_reads_them(world, body, status, error):
    before = _names(world)
    if body.get("projectKey") == "<wa/proj's>":
        body = {**body, "projectKey": world.state.store.get_project("wa/proj").key}
    body = {"organizationId": workspace_uuid("wa"), **body}
    r = call(world, "POST", B + "/projects", json=body)
    assert r.status_code == status, r.text
    got = r.json()
    if error.startswith("ERR_"):
        codes = [e["errorCode"]["name"] for v in got["validationErrors"] for e in v["errors"]]
        assert codes == [error]
    else:
        assert got["errorType"] == error
    assert got["message"] and _names(world) == before


@pytest.mark.parametrize(
    "content",
    [b"not json", b"[1, 2]", b'{"name": "n"}', b'{"name": "n", "organizationId": "nope/x"}'],
)
def test_create_project_malformed_bodies(world, content):
    before = _names(world)
    r = call(world, "POST", B + "/projects", content=content)
    assert r.status_code == 400, r.text
    assert _names(world) == before


def test_create_project_in_an_unknown_workspace_id(world):
    body = {"name": "n", "organizationId": str(uuid_module.uuid4())}
    assert call(world, "POST", B + "/projects", json=body).status_code == 404


def test_delete_project(world):
    store, accounts = world.state.store, world.state.accounts
    old = call(world, "GET", B + "/projects/get?" + P).json()["id"]
    accounts.views.save("wa/proj", "mine", {"columns": []}, "owner")
    board = accounts.dashboards.create("wa/proj", "board", {"columns": 12, "widgets": []}, "owner")
    accounts.dashboards.create_report("wa/proj", "r", board["id"], board["layout"], {}, [], "owner")
    # a project's contributor (no workspace role) may not delete it
    r = call(world, "DELETE", B + "/projects?" + P, "contrib")
    assert r.status_code == 403
    r = call(world, "DELETE", B + "/projects?projectIdentifier=" + old)  # by the client's id
    assert r.status_code == 200, r.text
    with pytest.raises(ProjectNotFoundError):
        store.get_project("wa/proj")
    with pytest.raises(ContainerNotFoundError):
        store.get_container_by_uuid(world.run_uuid)
    assert accounts.project_members("wa/proj") == [] and accounts.views.list("wa/proj") == []
    assert accounts.dashboards.list("wa/proj") == []
    assert accounts.dashboards.list_reports("wa/proj") == []
    assert store.get_project("wb/proj")  # others stay
    assert call(world, "DELETE", B + "/projects?" + P).status_code == 404
    # made again, it is a new project, with a new project container
    again = call(world, "GET", B + "/projects/get?" + P)
    assert again.status_code == 200 and again.json()["id"] != old
    assert store.list_containers("wa/proj") == [store.get_container_by_uuid(again.json()["id"])]


# ---- members --------------------------------------------------------------------------------


def _members(world, project="wa/proj", user="viewer"):
    r = call(world, "GET", B + f"/projects/membersOf?projectIdentifier={project}", user)
    assert r.status_code == 200, r.text
    return {m["registeredMemberInfo"]["username"]: m["role"] for m in r.json()}


def test_project_members_round_trip(world):
    accounts = world.state.accounts
    # the workspace's owner is listed with its role there
    assert _members(world) == {"contrib": "member", "owner": "manager", "viewer": "viewer"}
    url = B + "/projects/members?" + P
    r = call(world, "POST", url, json={"userId": "other", "role": "member"})
    assert r.status_code == 200, r.text
    assert r.json()["role"] == "member"
    assert accounts.project_role(accounts.get_user("other"), "wa/proj") == "contributor"
    shown = despina_get(world, "/projects/wa/proj/members")
    assert {"user": "other", "role": "contributor"} in shown
    assert _members(world)["other"] == "member"
    # the new member may write at once (the auth cache forgot what it knew)
    r = call(world, "POST", "/api/leaderboard/v1/attributes/ping?experimentId=" + world.run_uuid,
             "other")  # fmt: skip
    assert r.status_code == 200, r.text
    # already there (own role or the workspace's): 409, the client's UserAlreadyHasAccess
    for name in ("other", "owner"):
        r = call(world, "POST", url, json={"userId": name, "role": "manager"})
        assert r.status_code == 409, r.text
    assert accounts.project_role(accounts.get_user("other"), "wa/proj") == "contributor"
    r = call(world, "DELETE", B + "/projects/members/other?" + P)
    assert r.status_code == 200, r.text
    assert accounts.project_role(accounts.get_user("other"), "wa/proj") is None
    assert "other" not in _members(world)
    # not a member, no such user, or a member through the workspace: 422
    for name in ("other", "nobody", "owner"):
        r = call(world, "DELETE", B + f"/projects/members/{name}?" + P)
        assert r.status_code == 422, r.text
    assert accounts.workspace_role(accounts.get_user("owner"), "wa") == "owner"


@pytest.mark.parametrize(
    "content,status",
    [
        (b"nope", 400),
        (b"[]", 400),
        (b'{"userId": "other"}', 400),
        (b'{"userId": "other", "role": "contributor"}', 400),  # Neptune's names: member
        (b'{"userId": "other", "role": ["member"]}', 400),
        (b'{"userId": "nobody", "role": "member"}', 404),
        (b'{"userId": 5, "role": "member"}', 404),
        (b'{"userId": "robot", "role": "member"}', 404),  # a service account
        (b'{"role": "member"}', 404),
    ],
)
def test_add_member_refusals_change_nothing(world, content, status):
    _robot(world)
    before = world.state.accounts.project_members("wa/proj")
    r = call(world, "POST", B + "/projects/members?" + P, content=content)
    assert r.status_code == status, r.text
    assert world.state.accounts.project_members("wa/proj") == before


def test_members_of_an_unknown_project(world):
    for method, url in (
        ("GET", B + "/projects/membersOf?projectIdentifier=wa/none"),
        ("POST", B + "/projects/members?projectIdentifier=wa/none"),
        ("DELETE", B + "/projects/members/viewer?projectIdentifier=wa/none"),
    ):
        r = call(world, method, url, "admin", json={"userId": "other", "role": "viewer"})
        assert r.status_code == 404, (url, r.text)


# ---- service accounts -----------------------------------------------------------------------


def test_service_accounts_round_trip(world):
    accounts = world.state.accounts
    _robot(world)
    accounts.create_user("retired", service=True)
    accounts.set_disabled("retired")
    r = call(world, "GET", B + "/serviceAccounts?organizationIdentifier=wa&deactivated=false")
    assert [(a["id"], a["displayName"]) for a in r.json()] == [("robot", "robot")]
    r = call(world, "GET", B + "/serviceAccounts?organizationIdentifier=wa&deactivated=true")
    assert [a["displayName"] for a in r.json()] == ["retired"]
    url = B + "/projects/service_accounts?" + P
    r = call(world, "POST", url, json={"serviceAccountId": "robot", "role": "viewer"})
    assert r.status_code == 200, r.text
    assert (
        r.json()
        == {
            "serviceAccountInfo": r.json()["serviceAccountInfo"],
            "role": "viewer",
        }
        and r.json()["serviceAccountInfo"]["displayName"] == "robot"
    )
    assert accounts.project_role(accounts.get_user("robot"), "wa/proj") == "viewer"
    listed = call(world, "GET", url, "viewer").json()
    assert [(a["serviceAccountInfo"]["displayName"], a["role"]) for a in listed] == [
        ("robot", "viewer")
    ]
    assert "robot" not in _members(world)  # users and service accounts are listed apart
    r = call(world, "POST", url, json={"serviceAccountId": "robot", "role": "member"})
    assert r.status_code == 409
    r = call(world, "POST", url, json={"serviceAccountId": "other", "role": "member"})
    assert r.status_code == 404  # a user, not a service account
    r = call(world, "DELETE", B + "/projects/service_accounts/other?" + P)
    assert r.status_code == 422
    r = call(world, "DELETE", B + "/projects/service_accounts/robot?" + P)
    assert r.status_code == 200, r.text
    assert accounts.project_role(accounts.get_user("robot"), "wa/proj") is None
    assert call(world, "DELETE", B + "/projects/service_accounts/robot?" + P).status_code == 422


# ---- workspaces -----------------------------------------------------------------------------


def test_workspace_members_and_invitations(world):
    accounts = world.state.accounts
    url = B + "/organizations2/wa/members"

    def members():
        r = call(world, "GET", url)
        assert r.status_code == 200, r.text
        return {m["registeredMemberInfo"]["username"]: m["role"] for m in r.json()}

    assert members() == {"owner": "owner"}

    def invite(*entries, user="owner"):
        body = {"organizationIdentifier": "wa", "invitationsEntries": list(entries)}
        return call(world, "POST", B + "/invitations/organization", user, json=body)

    def entry(invitee, role="member", kind="user"):
        return {"invitee": invitee, "invitationType": kind, "roleGrant": role}

    r = invite(entry("other"), entry("viewer", "owner"))
    assert r.status_code == 200, r.text
    assert [i["invitee"] for i in r.json()["invitations"]] == ["other", "viewer"]
    assert accounts.workspace_role(accounts.get_user("other"), "wa") == "contributor"
    assert accounts.workspace_role(accounts.get_user("viewer"), "wa") == "owner"
    assert members() == {"other": "member", "owner": "owner", "viewer": "owner"}
    shown = despina_get(world, "/workspaces/wa/members")
    assert {"user": "other", "role": "contributor"} in shown
    # refusals change nothing, not even for the entries before the bad one
    before = accounts.workspace_members("wa")
    assert invite(entry("contrib"), entry("other")).status_code == 409  # UserAlreadyInvited
    assert invite(entry("contrib"), entry("nobody")).status_code == 404
    assert invite(entry("contrib"), entry("a@b.c", kind="emailRecipient")).status_code == 400
    assert invite(entry("contrib", "admin")).status_code == 400
    assert invite().status_code == 400
    assert invite("contrib").status_code == 400
    r = call(world, "POST", B + "/invitations/organization", content=b"[")
    assert r.status_code == 400
    assert accounts.workspace_members("wa") == before
    # a workspace nobody is in: 404 (WorkspaceNotFound) for an admin, 403 for anyone else
    assert call(world, "GET", B + "/organizations2/empty/members", "admin").status_code == 404
    assert call(world, "GET", B + "/organizations2/empty/members").status_code == 403


def test_workspace_status_counts(world):
    r = call(world, "GET", B + "/payments/wa/status")
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["activeProjectsUsage"] == 1 and got["membersCount"] == 1
    used = world.state.store.workspace_size("wa")
    assert used > 0 and got["storageBytesLimit"] - got["storageBytesAvailable"] == used
    assert "activeProjectsLimit" not in got  # no limit
    world.state.store.get_or_create_project("wa/second")
    world.state.accounts.set_workspace_role("wa", "other", "viewer")
    got = call(world, "GET", B + "/payments/" + workspace_uuid("wa") + "/status").json()
    assert got["activeProjectsUsage"] == 2 and got["membersCount"] == 2


# ---- the trash ------------------------------------------------------------------------------


def _trashed(world) -> set[str]:
    return {c.sys_id for c in world.state.store.list_containers("wa/proj", trashed=True)}


def test_trash_delete_and_delete_all(world):
    store = world.state.store
    r1, r2, r3 = _new_run(world), _new_run(world), _new_run(world)
    model = store.create_container(
        project="wa/proj", kind="model", uuid=uuid_module.uuid4().hex, owner="o",
        created=time.time(), model_key="M",
    )  # fmt: skip
    version = store.create_container(
        project="wa/proj", kind="model_version", uuid=uuid_module.uuid4().hex, owner="o",
        created=time.time(), model_id=model.sys_id,
    )  # fmt: skip
    q = {c.uuid: f"wa/proj/{c.sys_id}" for c in (r1, r2, r3, model)}
    key = store.get_project("wa/proj").key
    body = [
        q[r1.uuid],
        r2.uuid,
        q[model.uuid],
        f"wa/proj/{key}-99",
        "wb/proj/PRO-1",
        f"wa/proj/{key}",
        "x",
    ]
    r = call(world, "POST", TRASH + "?" + P, "contrib", json=body)
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["updatedExperimentIdentifiers"] == [q[r1.uuid], r2.uuid, q[model.uuid]]
    reasons = {e["experimentIdentifier"]: e["reason"] for e in got["errors"]}
    assert reasons == {
        f"wa/proj/{key}-99": "NOT_EXISTS",
        "wb/proj/PRO-1": "NOT_EXISTS",
        f"wa/proj/{key}": "NOT_EXISTS",  # no project container made yet
        "x": "NOT_EXISTS",
    }
    # a model goes with its versions
    assert _trashed(world) == {r1.sys_id, r2.sys_id, model.sys_id, version.sys_id}
    assert store.get_field(r1.uuid, "sys/trashed").value is True
    r = call(world, "POST", TRASH + "?" + P, "contrib", json=[q[r1.uuid]])
    assert r.json()["errors"][0]["reason"] == "ALREADY_TRASHED"
    project = call(world, "GET", B + "/projects/get?" + P).json()["id"]
    r = call(world, "POST", TRASH + "?" + P, "contrib", json=[project])
    assert r.json()["errors"][0]["reason"] == "IS_PROJECT"

    # delete from the trash: only what is in it
    r = call(world, "POST", TRASH + "/delete?" + P, "contrib", json=[q[r1.uuid], q[r3.uuid]])
    assert r.status_code == 200, r.text
    assert r.json()["updatedExperimentIdentifiers"] == [q[r1.uuid]]
    assert [e["reason"] for e in r.json()["errors"]] == ["NOT_IN_TRASH"]
    with pytest.raises(ContainerNotFoundError):
        store.get_container_by_uuid(r1.uuid)
    assert store.get_container_by_uuid(r3.uuid).sys_id == r3.sys_id

    # empty the trash: the rest of it, the project's container and live runs stay
    r = call(world, "POST", TRASH + "/deleteAll?" + P, "contrib")
    assert r.status_code == 200, r.text
    assert sorted(r.json()["updatedExperimentIdentifiers"]) == sorted(
        f"wa/proj/{c.sys_id}" for c in (r2, model, version)
    )
    assert _trashed(world) == set()
    live = {c.sys_id for c in store.list_containers("wa/proj")}
    assert live == {world.run_id, r3.sys_id, key}
    assert call(world, "POST", TRASH + "/deleteAll?" + P, "contrib").json() == {
        "updatedExperimentIdentifiers": [],
        "errors": [],
    }


@pytest.mark.parametrize("content", [b"nope", b'{"ids": []}', b'["wa/proj/PRO-1", 1]', b"null"])
@pytest.mark.parametrize("path", ["", "/delete"])
def test_trash_malformed_bodies_change_nothing(world, content, path):
    store = world.state.store
    store.set_trashed([world.run_uuid])
    before = len(store.list_containers("wa/proj"))
    r = call(world, "POST", TRASH + path + "?" + P, "contrib", content=content)
    assert r.status_code == 400, r.text
    assert len(store.list_containers("wa/proj")) == before and _trashed(world) == {world.run_id}


def test_trash_of_an_unknown_project(world):
    for path in ("", "/delete", "/deleteAll"):
        r = call(world, "POST", TRASH + path + "?projectIdentifier=wa/none", "admin", json=[])
        assert r.status_code == 404, r.text


def test_project_list_has_no_null_creation_time(world):
    """get_project_list's model requires timeOfCreation: a null made bravado raise."""
    entries = call(world, "GET", B + "/projects?userRelation=viewerOrHigher").json()["entries"]
    assert entries and all(isinstance(e["timeOfCreation"], str) for e in entries)
