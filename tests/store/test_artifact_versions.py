"""Artifact versions: a file list kept per project under a hash, found by it or by despina's
hash of the same files; a hash kept once is never overwritten."""

from __future__ import annotations

import pytest

from despina.errors import ProjectNotFoundError
from despina.store.artifact_versions import ArtifactVersion

FILES = [{"filePath": "a.txt", "fileHash": "h1", "type": "Local", "size": 1, "metadata": []}]


def test_kept_and_found_by_either_hash(store, run):
    store.save_artifact_version("ws/proj", ArtifactVersion("nep1", "dsp1", FILES))
    assert store.find_artifact_version("ws/proj", hash="nep1").files == FILES
    assert store.find_artifact_version("ws/proj", content_hash="dsp1").hash == "nep1"
    assert store.find_artifact_version("ws/proj", hash="dsp1") is None


def test_a_kept_hash_is_not_overwritten(store, run):
    store.save_artifact_version("ws/proj", ArtifactVersion("nep1", "dsp1", FILES))
    store.save_artifact_version("ws/proj", ArtifactVersion("nep1", "other", []))
    found = store.find_artifact_version("ws/proj", hash="nep1")
    assert found.content_hash == "dsp1" and found.files == FILES


def test_versions_belong_to_their_project(store, run):
    store.get_or_create_project("ws/other")
    store.save_artifact_version("ws/proj", ArtifactVersion("nep1", "dsp1", FILES))
    assert store.find_artifact_version("ws/other", hash="nep1") is None
    with pytest.raises(ProjectNotFoundError):
        store.find_artifact_version("ws/missing", hash="nep1")
