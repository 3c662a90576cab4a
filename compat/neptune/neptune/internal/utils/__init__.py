from despina.integrations.utils import verify_type  # noqa: F401
