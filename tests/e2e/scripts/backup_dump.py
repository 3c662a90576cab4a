"""Every field of every run, model and model version of project argv[1], read through the
public API (embedded store or DESPINA_URL's server), as JSON on stdout: values (floats as
repr, so NaN and infinities compare), every series point, and the sha256 of every file's bytes.
argv[2] is a scratch folder for downloads."""

import hashlib
import itertools
import json
import sys
import zipfile
from pathlib import Path

import despina

project, scratch = sys.argv[1], Path(sys.argv[2])
COUNTER = itertools.count()
VOLATILE = {"sys/state", "sys/ping_time"}  # computed from the clock when read


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_under(folder: Path) -> dict:
    return {
        p.relative_to(folder).as_posix(): sha(p) for p in sorted(folder.rglob("*")) if p.is_file()
    }


def value(obj, path: str, type_: str, n: int):
    h = obj[path]
    if type_ == "float_series":
        df = h.fetch_values()
        return [
            (repr(s), repr(v), str(t))
            for s, v, t in zip(df["step"], df["value"], df["timestamp"], strict=True)
        ]
    if type_ == "string_series":
        df = h.fetch_values()
        return [
            (repr(s), v, str(t))
            for s, v, t in zip(df["step"], df["value"], df["timestamp"], strict=True)
        ]
    target = scratch / str(n)
    if type_ == "file":
        h.download(str(target))
        return [h.fetch_extension(), sha(target)]
    if type_ == "file_series":
        h.download(str(target))
        return files_under(target)
    if type_ == "file_set":
        h.download(str(target) + ".zip")
        with zipfile.ZipFile(str(target) + ".zip") as z:
            return {i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()}
    if type_ == "artifact":
        return [
            h.fetch_hash(),
            sorted((f.file_path, f.file_hash, f.size) for f in h.fetch_files_list()),
        ]
    got = h.fetch()
    if type_ == "string_set":
        return sorted(got)
    return repr(got)


def dump(obj) -> dict:
    structure = obj._backend.get_structure(obj._info.uuid)
    out = {}
    for path, type_ in sorted(structure.items()):
        if path not in VOLATILE:
            out[path] = [type_, value(obj, path, type_, next(COUNTER))]
    return out


scratch.mkdir(parents=True, exist_ok=True)
everything = {}
proj = despina.init_project(project=project, mode="read-only")
for sys_id in sorted(proj.fetch_runs_table().to_pandas()["sys/id"]):
    everything[sys_id] = dump(despina.init_run(with_id=sys_id, project=project, mode="read-only"))
for model_id in sorted(proj.fetch_models_table().to_pandas()["sys/id"]):
    model = despina.init_model(with_id=model_id, project=project, mode="read-only")
    everything[model_id] = dump(model)
    for version_id in sorted(model.fetch_model_versions_table().to_pandas()["sys/id"]):
        everything[version_id] = dump(
            despina.init_model_version(with_id=version_id, project=project, mode="read-only")
        )
print(json.dumps(everything, sort_keys=True))
