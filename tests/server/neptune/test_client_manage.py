"""The real `neptune` client (1.14), unmodified, runs `neptune.management` against a despina
server process as a workspace's owner: a project made and deleted, members and service
accounts given roles and taken away, an invitation, the workspace's status, runs trashed,
deleted from the trash and the trash emptied; each effect checked in despina's store and
accounts between the phases of scripts/manage.py."""

from __future__ import annotations

import pytest

from despina.errors import ContainerNotFoundError, ProjectNotFoundError

PROJECT = "ws/newproj"


def _role(state, user: str, project: str = PROJECT):
    return state.accounts.project_role(state.accounts.get_user(user), project)


def test_management_round_trip(neptune_server):
    token = neptune_server.user("alice", role="owner-of-workspace", project="ws/proj")
    neptune_server.user("bob", role=None)
    neptune_server.user("carol", role=None)
    state = neptune_server.state()
    try:
        state.accounts.create_user("robot", service=True)  # `despina user add robot --service`
    finally:
        state.close()

    got = neptune_server.result("manage.py", "grant", token=token)
    assert got["created"] == PROJECT
    assert got["again"]["error"] == "ProjectAlreadyExists"
    assert PROJECT in got["again"]["message"]
    assert got["bad_key"]["error"] == "ProjectKeyInvalid" and "9X" in got["bad_key"]["message"]
    assert got["bad_name"]["error"] == "BadRequestException"
    assert "invalid project name" in got["bad_name"]["message"]
    assert got["projects"] == [PROJECT]
    assert got["add_again"]["error"] == "UserAlreadyHasAccess"
    assert '"contributor"' in got["add_again"]["message"]
    assert got["add_nobody"]["error"] == "ProjectNotFound"  # the client's word for any 404
    assert got["members"] == {"alice": "owner", "bob": "contributor"}
    assert got["workspace_members"] == {"alice": "admin"}
    assert got["service_accounts"] == {"robot": "member"}
    assert got["project_service_accounts"] == {"robot": "viewer"}
    assert got["invite_again"]["error"] == "UserAlreadyInvited"
    assert got["workspace_members_after"] == {"alice": "admin", "carol": "member"}
    status = got["status"]
    assert status["activeProjectsUsage"] == 1 and status["membersCount"] == 2
    assert status["storageBytesUsed"] > 0 and status["storageBytesAvailable"] > 0
    assert "activeProjectsLimit" not in status
    r1, r2, r3 = got["runs"]
    assert got["after_trash"] == {r1: True, r2: True, r3: False}

    state = neptune_server.state()
    try:
        project = state.store.get_project(PROJECT)
        assert project.key == "NEW" and [r1, r2, r3] == ["NEW-1", "NEW-2", "NEW-3"]
        (container,) = [c for c in state.store.list_containers(PROJECT) if c.kind == "project"]
        description = state.store.get_field(container.uuid, "sys/description").value
        assert description == "made by the neptune client"
        assert state.accounts.project_members(PROJECT) == [
            ("alice", "owner"),  # its creator
            ("bob", "contributor"),
            ("robot", "viewer"),
        ]
        carol = state.accounts.get_user("carol")
        assert state.accounts.workspace_role(carol, "ws") == "contributor"
        assert _role(state, "carol") == "contributor"  # the workspace's role reaches it
        trashed = {c.sys_id for c in state.store.list_containers(PROJECT, trashed=True)}
        assert trashed == {r1, r2}
        live = state.store.get_container(r3, project=PROJECT)
        assert state.store.get_field(live.uuid, "x").value == 2
    finally:
        state.close()

    got = neptune_server.result("manage.py", "revoke", ",".join([r1, r2, r3]), token=token)
    assert got["remove_again"]["error"] == "UserNotExistsOrWithoutAccess"
    assert got["members"] == {"alice": "owner", "carol": "contributor"}
    assert got["project_service_accounts"] == {}
    assert got["after_delete"] == {r2: True, r3: False}
    state = neptune_server.state()
    try:
        assert _role(state, "bob") is None and _role(state, "robot") is None
        with pytest.raises(ContainerNotFoundError):
            state.store.get_container(r1, project=PROJECT)
        assert {c.sys_id for c in state.store.list_containers(PROJECT, trashed=True)} == {r2}
    finally:
        state.close()

    got = neptune_server.result("manage.py", "clear", token=token)
    assert got["after_clear"] == {r3: False}
    state = neptune_server.state()
    try:
        runs = [c.sys_id for c in state.store.list_containers(PROJECT) if c.kind == "run"]
        assert runs == [r3]
    finally:
        state.close()

    got = neptune_server.result("manage.py", "delete", token=token)
    assert got["projects"] == []
    assert got["delete_again"]["error"] == "ProjectNotFound"
    state = neptune_server.state()
    try:
        with pytest.raises(ProjectNotFoundError):
            state.store.get_project(PROJECT)
        assert state.store.list_containers(PROJECT) == []
        assert state.accounts.project_members(PROJECT) == []
    finally:
        state.close()
