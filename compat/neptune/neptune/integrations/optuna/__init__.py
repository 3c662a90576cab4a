from neptune.integrations._pick import provide

provide(globals(), "neptune_optuna", "despina.integrations.optuna", "neptune-optuna")
