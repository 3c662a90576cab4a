from despina import Model, ModelVersion, Project, Run  # noqa: F401
