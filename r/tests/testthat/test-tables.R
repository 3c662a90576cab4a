# The runs table, and models with their versions, as data.frames.

test_that("neptune_fetch_runs_table gives a data.frame with typed columns", {
  local_store("team/r-tables")
  for (i in 1:3) {
    run <- neptune_init_run(name = sprintf("run-%d", i), tags = c("sweep", if (i == 2) "best"),
                            capture_stdout = FALSE, capture_stderr = FALSE,
                            capture_hardware_metrics = FALSE)
    run["params"] <- list(lr = i / 100, layers = i)
    run["params/depth"] <- as.integer(i)
    neptune_extend(run["train/loss"], c(1, 0.5, 0.1 * i))
    neptune_stop(run)
  }
  table <- neptune_fetch_runs_table()
  expect_s3_class(table, "data.frame")
  expect_identical(nrow(table), 3L)
  expect_true(all(c("sys/id", "sys/name", "sys/tags", "params/lr", "train/loss") %in% names(table)))
  expect_type(table[["params/lr"]], "double")
  expect_type(table[["params/depth"]], "integer")
  expect_s3_class(table[["sys/creation_time"]], "POSIXct")
  expect_setequal(table[["sys/name"]], c("run-1", "run-2", "run-3"))
  ordered <- table[order(table[["sys/name"]]), ]
  expect_identical(ordered[["params/lr"]], c(0.01, 0.02, 0.03))
  expect_identical(ordered[["train/loss"]], c(0.1, 0.2, 0.1 * 3))  # series: the last value
  expect_identical(ordered[["sys/tags"]][[2]], "best,sweep")

  best <- neptune_fetch_runs_table(project = "team/r-tables", tag = "best")
  expect_identical(best[["sys/name"]], "run-2")
  picked <- neptune_fetch_runs_table(columns = c("params/lr"), sort_by = "params/lr", ascending = TRUE)
  expect_identical(picked[["params/lr"]], c(0.01, 0.02, 0.03))
  expect_true("sys/id" %in% names(picked))
  queried <- neptune_fetch_runs_table(query = "`params/lr`:float > 0.015")
  expect_setequal(queried[["sys/name"]], c("run-2", "run-3"))

  project <- neptune_init_project(mode = "read-only")
  expect_identical(nrow(neptune_fetch_runs_table(project)), 3L)
  neptune_stop(project)
})

test_that("models, model versions, stages and their tables", {
  local_store("team/r-models")
  model <- neptune_init_model(key = "FOREST", name = "random forest")
  model["signature"] <- "x:float"
  model_id <- neptune_fetch(model["sys/id"])
  expect_match(model_id, "-FOREST$")
  version <- neptune_init_model_version(model = model_id)
  version["metrics/auc"] <- 0.91
  neptune_change_stage(version, "staging")
  neptune_wait(version)
  expect_identical(neptune_fetch(version["sys/stage"]), "staging")
  neptune_stop(version)
  models <- neptune_fetch_models_table()
  expect_identical(models[["sys/id"]], model_id)
  versions <- neptune_fetch_model_versions_table(model)
  expect_identical(nrow(versions), 1L)
  expect_identical(versions[["metrics/auc"]], 0.91)
  neptune_stop(model)
})

test_that("an empty project gives a data.frame with no rows; a missing one, an error", {
  local_store("team/r-empty")
  expect_error(neptune_fetch_runs_table(), "project 'team/r-empty' does not exist")
  neptune_stop(neptune_init_project())  # opening it (not read-only) creates it
  table <- neptune_fetch_runs_table()
  expect_s3_class(table, "data.frame")
  expect_identical(nrow(table), 0L)
})
