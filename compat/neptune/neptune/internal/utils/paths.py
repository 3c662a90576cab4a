from despina.integrations.utils import join_paths  # noqa: F401


def parse_path(path: str) -> list[str]:
    return [p for p in str(path).split("/") if p]


def path_to_str(path: list[str]) -> str:
    return "/".join(p for p in path if p)
