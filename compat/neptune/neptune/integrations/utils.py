from despina.integrations.utils import (  # noqa: F401
    RunType,
    expect_not_an_experiment,
    join_paths,
    verify_type,
)
