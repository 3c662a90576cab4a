"""Neptune's integration names: each loads the framework's own Neptune package (neptune-optuna,
neptune-xgboost, ...) or the framework's logger, which then logs to despina."""
