import despina.types as _types
from despina.types import *  # noqa: F401,F403


def __getattr__(name: str):
    return getattr(_types, name)
