"""Git capture in temporary repositories: clean, dirty, detached, no commit, no repository."""

import shutil
import subprocess
from pathlib import Path

import pytest
from processes import python

import despina
from despina.monitoring.git import git_diff, git_info

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo, *args):
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def repo(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Ada Lovelace")
    git(repo, "config", "user.email", "ada@example.com")
    git(repo, "config", "commit.gpgsign", "false")
    (repo / "train.py").write_text("print('v1')\n")
    (repo / "data.txt").write_text("a\nb\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "First model\n\nWith a body.")
    git(repo, "remote", "add", "origin", "https://example.com/team/model.git")
    return repo


def test_clean_repository(repo):
    info = git_info(repo / "train.py")
    assert info["commit_id"] == git(repo, "rev-parse", "HEAD").strip()
    assert info["message"] == "First model\n\nWith a body."
    assert info["author"] == "Ada Lovelace" and info["author_email"] == "ada@example.com"
    assert info["commit_date"].startswith(git(repo, "log", "-1", "--format=%aI").strip()[:10])
    assert info["branch"] == "main"
    assert info["dirty"] is False
    assert info["remotes"] == ["https://example.com/team/model.git"]
    assert git_diff(repo) == ""


def test_dirty_repository_diff_matches_git_diff_head(repo):
    (repo / "train.py").write_text("print('v2')\n")
    (repo / "data.txt").write_text("a\n")
    git(repo, "add", "data.txt")  # staged changes count too
    (repo / "untracked.py").write_text("x = 1\n")  # untracked files do not make it dirty
    info = git_info(repo)
    assert info["dirty"] is True
    diff = git_diff(repo)
    assert diff == git(repo, "diff", "HEAD")
    assert "+print('v2')" in diff and "-b" in diff


def test_detached_head_has_no_branch(repo):
    (repo / "train.py").write_text("print('v2')\n")
    git(repo, "commit", "-q", "-am", "second")
    git(repo, "checkout", "-q", "HEAD~1")
    info = git_info(repo)
    assert info["branch"] is None
    assert info["message"] == "First model\n\nWith a body."


def test_no_repository_no_commit_no_folder(tmp_path):
    assert git_info(tmp_path) is None and git_diff(tmp_path) is None
    assert git_info(tmp_path / "does-not-exist") is None
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    assert git_info(empty) is None


def test_no_git_command(repo, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    assert git_info(repo) is None and git_diff(repo) is None


SCRIPT = """
import despina
run = despina.init_run(project="capture/git", source_files=SOURCE, dependencies=DEPS)
print("RUN_ID", run["sys/id"].fetch())
"""


def _child(folder, source="None", deps="None", **kwargs):
    script = folder / "train.py"
    script.write_text(SCRIPT.replace("SOURCE", source).replace("DEPS", deps))
    proc = python([str(script)], cwd=folder, **kwargs)
    run_id = proc.stdout.split("RUN_ID ")[1].split()[0]
    return despina.init_run(with_id=run_id, project="capture/git", mode="read-only")


def test_a_run_in_a_dirty_repository_records_git_and_the_diff(repo, tmp_path):
    (repo / "data.txt").write_text("changed\n")
    run = _child(repo)  # rewrites train.py too
    expected = git(repo, "diff", "HEAD")
    info = run["source_code/git"].fetch()
    assert info["commit_id"] == git(repo, "rev-parse", "HEAD").strip()
    assert info["dirty"] is True and info["branch"] == "main"
    run["source_code/diff"].download(str(tmp_path / "diff.patch"))
    assert (tmp_path / "diff.patch").read_text() == expected
    assert run["source_code/entrypoint"].fetch() == "train.py"
    assert [f.file_path for f in run["source_code/files"].fetch_files_list()] == ["train.py"]
    run.stop()


def test_a_clean_repository_has_no_diff_and_no_repository_has_no_git(repo, tmp_path):
    (repo / "train.py").write_text(SCRIPT.replace("SOURCE", "None").replace("DEPS", "None"))
    git(repo, "commit", "-q", "-am", "the script")
    proc = python([str(repo / "train.py")], cwd=repo)
    run_id = proc.stdout.split("RUN_ID ")[1].split()[0]
    run = despina.init_run(with_id=run_id, project="capture/git", mode="read-only")
    assert run["source_code/git"].fetch()["dirty"] is False
    assert not run.exists("source_code/diff")
    run.stop()

    plain = tmp_path / "plain"
    plain.mkdir()
    run = _child(plain)
    assert not run.exists("source_code/git") and not run.exists("source_code/diff")
    assert run["source_code/entrypoint"].fetch() == "train.py"
    run.stop()


def test_source_files_globs_none_and_requirements(tmp_path):
    folder = tmp_path / "proj"
    (folder / "pkg").mkdir(parents=True)
    (folder / "pkg" / "model.py").write_text("m = 1\n")
    (folder / "pkg" / "notes.md").write_text("n\n")
    (folder / "reqs.txt").write_text("torch==2.0\n")
    run = _child(folder, source="['pkg/*.py', 'train.py']", deps="'infer'")
    files = sorted(f.file_path for f in run["source_code/files"].fetch_files_list())
    assert files == ["pkg/model.py", "train.py"]
    run["source_code/requirements"].download(str(tmp_path / "req.txt"))
    lines = (tmp_path / "req.txt").read_text().splitlines()
    assert any(line.startswith("psutil==") for line in lines)
    assert lines == sorted(lines, key=lambda line: line.split("==")[0].lower())
    run.stop()

    run = _child(folder, source="[]", deps="'reqs.txt'")
    assert not run.exists("source_code/files")
    run["source_code/requirements"].download(str(tmp_path / "given.txt"))
    assert (tmp_path / "given.txt").read_text() == "torch==2.0\n"
    run.stop()


def test_git_ref_false_and_disabled(repo):
    for value in ("False", "despina.types.GitRef.DISABLED"):
        script = repo / "off.py"
        script.write_text(
            "import despina, despina.types\n"
            f"run = despina.init_run(project='capture/git', git_ref={value})\n"
            "print('RUN_ID', run['sys/id'].fetch())\n"
        )
        proc = python([str(script)], cwd=repo)
        run_id = proc.stdout.split("RUN_ID ")[1].split()[0]
        run = despina.init_run(with_id=run_id, project="capture/git", mode="read-only")
        assert not run.exists("source_code/git")
        assert run["source_code/entrypoint"].fetch() == "off.py"
        run.stop()


def test_explicit_git_ref_path(repo, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = elsewhere / "train.py"
    script.write_text(
        "import despina\n"
        "from despina.types import GitRef\n"
        f"run = despina.init_run(project='capture/git', git_ref=GitRef({str(repo)!r}))\n"
        "print('RUN_ID', run['sys/id'].fetch())\n"
    )
    proc = python([str(script)], cwd=elsewhere)
    run_id = proc.stdout.split("RUN_ID ")[1].split()[0]
    run = despina.init_run(with_id=run_id, project="capture/git", mode="read-only")
    assert run["source_code/git"].fetch()["repository_path"] == str(Path(repo).resolve())
    run.stop()


def test_a_gitref_value_assigned_by_hand_records_the_repository(tmp_path, data_dir):
    import subprocess

    import despina
    from despina.types import GitRef

    repo = tmp_path / "repo"
    repo.mkdir()
    for args in (["init", "-q"], ["config", "user.email", "a@b.c"], ["config", "user.name", "A"]):
        subprocess.run(["git", *args], cwd=repo, check=True)
    (repo / "f.txt").write_text("x")
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-qm", "first"], cwd=repo, check=True)
    run = despina.init_run(project="git/manual", mode="sync", git_ref=False)
    run["code/git"] = GitRef(repo)
    value = run["code/git"].fetch()
    assert value["message"].strip() == "first" and value["dirty"] is False
    run.stop()
