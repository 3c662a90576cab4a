from neptune.integrations._pick import provide

provide(globals(), "neptune_aws", None, "neptune-aws")
