from despina.objects.container import ContainerState  # noqa: F401
