from neptune.integrations._pick import provide

provide(
    globals(), "neptune_tensorflow_keras", "despina.integrations.keras", "neptune-tensorflow-keras"
)
