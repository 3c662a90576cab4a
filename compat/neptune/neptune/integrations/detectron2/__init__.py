from neptune.integrations._pick import provide

provide(globals(), "neptune_detectron2", None, "neptune-detectron2")
