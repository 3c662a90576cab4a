from neptune.integrations._pick import provide

provide(globals(), "neptune_fastai", "despina.integrations.fastai", "neptune-fastai")
