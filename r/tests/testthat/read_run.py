"""Read a run that R logged, in a process of its own, and print it as tab-separated lines.

    python read_run.py RUN_ID DOWNLOAD_DIR

Floats are printed as float.hex() so that R reads back the exact same doubles.
"""

import sys

import despina


def cell(value) -> str:
    if isinstance(value, bool):
        return f"bool\t{value}"
    if isinstance(value, int):
        return f"int\t{value}"
    if isinstance(value, float):
        return f"float\t{value.hex()}"
    if hasattr(value, "isoformat"):
        return f"datetime\t{value.timestamp().hex()}"
    return f"str\t{value}"


def flat(tree: dict, prefix: str = ""):
    for key, value in sorted(tree.items()):
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from flat(value, path + "/")
        else:
            yield path, value


def main() -> None:
    run_id, download_dir = sys.argv[1], sys.argv[2]
    run = despina.init_run(with_id=run_id, mode="read-only")
    for path, value in flat(run["params"].fetch(), "params/"):
        print(f"atom\t{path}\t{cell(value)}")
    print(f"atom\tsys/name\t{cell(run['sys/name'].fetch())}")
    print(f"tags\tsys/tags\t{','.join(sorted(run['sys/tags'].fetch()))}")
    for series in ("train/loss", "train/accuracy", "valid/loss"):
        frame = run[series].fetch_values()
        for step, value in zip(frame["step"], frame["value"], strict=True):
            print(f"point\t{series}\t{float(step).hex()}\t{float(value).hex()}")
    notes = run["train/notes"].fetch_values()
    for step, text in zip(notes["step"], notes["value"], strict=True):
        print(f"text\ttrain/notes\t{float(step).hex()}\t{text}")
    run["model/coefficients"].download(download_dir)
    print(f"file\tmodel/coefficients\t{run['model/coefficients'].fetch_extension()}")
    print(f"atom\teval/rmse\t{cell(run['eval/rmse'].fetch())}")
    print(f"state\tsys/state\t{run['sys/state'].fetch()}")
    run.stop()


if __name__ == "__main__":
    main()
