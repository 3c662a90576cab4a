from despina.integrations.utils import is_installed, require_installed  # noqa: F401
