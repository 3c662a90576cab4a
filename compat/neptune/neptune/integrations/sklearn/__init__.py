from neptune.integrations._pick import provide

provide(globals(), "neptune_sklearn", "despina.integrations.sklearn", "neptune-sklearn")
