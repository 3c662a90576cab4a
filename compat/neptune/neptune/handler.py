from despina.objects.handler import Handler  # noqa: F401
