from neptune.integrations._pick import provide

provide(globals(), "neptune_xgboost", "despina.integrations.xgboost", "neptune-xgboost")
