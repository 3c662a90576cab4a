from neptune.integrations._pick import provide

provide(globals(), "neptune_tensorboard", None, "neptune-tensorboard")
