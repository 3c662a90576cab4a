"""Run by the real `neptune` client (1.14), unmodified: `neptune.management` against the server
named by NEPTUNE_API_TOKEN, one phase per process (the test checks the server between them):

- grant: create_project ws/newproj (and the errors of a second one and of a bad key), the
  project list, a member and a service account added, lists of members, workspace members
  and service accounts, an invitation, the workspace status, three runs made in the project
  and two of them trashed;
- revoke: the member and the service account removed, one trashed run deleted for good;
- clear: clear_trash;
- delete: delete_project.

Writes what each call answered (or the exception it raised, with its message) to
<out>/result.json.
"""

import json
import sys
from pathlib import Path

import neptune
from neptune import management

out = Path(sys.argv[1])
phase = sys.argv[2]
PROJECT = "ws/newproj"
result = {}


def attempt(fn, *args, **kwargs):
    """What ``fn`` answered, or the exception it raised and its message (which must not
    fail to format)."""
    try:
        return {"value": fn(*args, **kwargs)}
    except Exception as e:  # noqa: BLE001 - the test wants to see which
        return {"error": type(e).__name__, "message": str(e)}


def run_ids():
    """Every run of the project, trashed or not, as the client's table shows them."""
    project = neptune.init_project(PROJECT, mode="read-only")
    try:
        table = project.fetch_runs_table(trashed=None, columns=["sys/trashed"]).to_pandas()
        return {row["sys/id"]: bool(row["sys/trashed"]) for _, row in table.iterrows()}
    finally:
        project.stop()


if phase == "grant":
    result["created"] = management.create_project(
        name=PROJECT, key="NEW", description="made by the neptune client"
    )
    result["again"] = attempt(management.create_project, name=PROJECT)
    result["bad_key"] = attempt(management.create_project, name="ws/badkey", key="9X")
    result["bad_name"] = attempt(management.create_project, name="ws/bad\\name")
    result["projects"] = sorted(management.get_project_list())
    management.add_project_member(project=PROJECT, username="bob", role="contributor")
    result["add_again"] = attempt(
        management.add_project_member, project=PROJECT, username="bob", role="viewer"
    )
    result["add_nobody"] = attempt(
        management.add_project_member, project=PROJECT, username="nobody", role="viewer"
    )
    result["members"] = management.get_project_member_list(PROJECT)
    result["workspace_members"] = management.get_workspace_member_list("ws")
    result["service_accounts"] = management.get_workspace_service_account_list("ws")
    management.add_project_service_account(
        project=PROJECT, service_account_name="robot", role="viewer"
    )
    result["project_service_accounts"] = management.get_project_service_account_list(PROJECT)
    management.invite_to_workspace(username="carol", workspace="ws", role="member")
    result["invite_again"] = attempt(
        management.invite_to_workspace, username="carol", workspace="ws"
    )
    result["workspace_members_after"] = management.get_workspace_member_list("ws")
    result["status"] = management.get_workspace_status("ws")
    ids = []
    for i in range(3):
        run = neptune.init_run(
            project=PROJECT,
            name=f"run {i}",
            capture_hardware_metrics=False,
            capture_stdout=False,
            capture_stderr=False,
            source_files=[],
            git_ref=False,
        )
        run["x"] = i
        ids.append(run["sys/id"].fetch())
        run.stop()
    result["runs"] = ids
    management.trash_objects(PROJECT, ids=ids[:2])
    result["after_trash"] = run_ids()
elif phase == "revoke":
    ids = sys.argv[3].split(",")
    management.remove_project_member(project=PROJECT, username="bob")
    result["remove_again"] = attempt(
        management.remove_project_member, project=PROJECT, username="bob"
    )
    result["members"] = management.get_project_member_list(PROJECT)
    management.remove_project_service_account(project=PROJECT, service_account_name="robot")
    result["project_service_accounts"] = management.get_project_service_account_list(PROJECT)
    management.delete_objects_from_trash(PROJECT, ids=ids[:1])
    result["after_delete"] = run_ids()
elif phase == "clear":
    management.clear_trash(PROJECT)
    result["after_clear"] = run_ids()
elif phase == "delete":
    management.delete_project(PROJECT)
    result["projects"] = sorted(management.get_project_list())
    result["delete_again"] = attempt(management.delete_project, PROJECT)
else:
    raise SystemExit(f"unknown phase {phase!r}")

out.mkdir(parents=True, exist_ok=True)
(out / "result.json").write_text(json.dumps(result, indent=2, default=str))
