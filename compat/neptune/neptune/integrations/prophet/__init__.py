from neptune.integrations._pick import provide

provide(globals(), "neptune_prophet", None, "neptune-prophet")
