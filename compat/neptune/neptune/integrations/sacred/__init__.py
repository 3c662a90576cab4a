from neptune.integrations._pick import provide

provide(globals(), "neptune_sacred", None, "neptune-sacred")
