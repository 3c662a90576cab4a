from neptune.integrations._pick import provide

provide(globals(), "neptune_pytorch", "despina.integrations.pytorch", "neptune-pytorch")
