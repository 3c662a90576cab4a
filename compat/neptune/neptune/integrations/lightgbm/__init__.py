from neptune.integrations._pick import provide

provide(globals(), "neptune_lightgbm", "despina.integrations.lightgbm", "neptune-lightgbm")
