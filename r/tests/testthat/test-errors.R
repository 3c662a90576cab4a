# Bad input gives errors that say what to do; so does a missing Python or despina.

quiet_run <- function(...) {
  neptune_init_run(capture_stdout = FALSE, capture_stderr = FALSE,
                   capture_hardware_metrics = FALSE, ...)
}

test_that("bad arguments are clear errors", {
  local_store()
  run <- quiet_run()
  expect_error(neptune_append(run, 1), "takes a field, such as run\\[\"train/loss\"\\]")
  expect_error(neptune_append("train/loss", 1), "takes a field")
  expect_error(neptune_append(run["x"], TRUE), "not TRUE/FALSE")
  expect_error(neptune_append(run["x"], NA_character_), "NA cannot be logged")
  expect_error(neptune_append(run["x"], list()), "no values given")
  expect_error(neptune_append(run["x"], 1, step = "a"), "step must be one number")
  expect_error(neptune_append(run["x"], c(1, 2), step = c(1, 2, 3)), "steps must be 2 numbers")
  expect_error(neptune_extend(run["x"], c(1, 2), timestamps = "now"), "timestamp must be 2 times")
  expect_error(run["frame"] <- data.frame(a = 1), "a data.frame cannot be logged")
  expect_error(run["p"] <- list(1, b = 2), "needs a name")
  expect_error(run["p"] <- NA, "NA cannot be logged")
  expect_error(run[""], "one non-empty string")
  expect_error(run[c("a", "b")], "one non-empty string")
  expect_error(neptune_fetch("params"), "takes a run")
  expect_error(neptune_upload(run["f"], "/no/such/file.csv"), "no file '/no/such/file.csv'")
  expect_error(neptune_add(run["sys/tags"], 1), "character vector")
  expect_error(neptune_assign(run, 1), "named list of fields")
  expect_error(neptune_init_run(mode = "fast"), "mode must be one of")
  expect_error(neptune_init_run(with_id = "X-1", run = "X-1"), "with_id= or run=")
  expect_error(neptune_change_stage(run, c("a", "b")), "one stage")
  expect_warning(run["layers"] <- c(64, 32), "'layers': a vector of length 2 is not logged")
  expect_warning(neptune_assign(run["layers"], list("a", "b")), "not logged as a field")
  expect_warning(run["none"] <- character(), "a vector of length 0")
  neptune_wait(run)
  expect_false(neptune_exists(run, "layers"))

  # despina's own errors come through with their message, without a Python traceback
  run["f"] <- 1
  err <- expect_error(run["f"] <- "text")
  expect_match(conditionMessage(err), "'f'")
  expect_no_match(conditionMessage(err), "Detailed traceback")
  neptune_wait(run)
  expect_error(neptune_fetch(run["missing/field"]), "no field or namespace 'missing/field'")
  expect_error(neptune_init_model(), "needs key=")
  neptune_stop(run)
  expect_error(run["x"] <- 1, "stopped")
})

# In a new R process: a Python is chosen once per process.
subprocess_env <- function(...) {
  c("DESPINA_PYTHON=", "DESPINA_VENV=", "RETICULATE_PYTHON=", "RETICULATE_PYTHON_FALLBACK=",
    paste0("DESPINA_DATA_DIRECTORY=", file.path(tempdir(), "sub-store")),
    "DESPINA_PROJECT=team/r-sub", ...)
}

folder_without_venv <- function() {
  dir <- tempfile("no-venv-")
  dir.create(dir)
  up <- normalizePath(dir)
  repeat {
    if (file.exists(file.path(up, ".venv"))) skip(sprintf("%s has a .venv above it", dir))
    if (identical(dirname(up), up)) break
    up <- dirname(up)
  }
  dir
}

test_that("no Python to be found: an error that names what to set", {
  test_python()
  out <- run_r(c(
    "library(despina)",
    "tryCatch(neptune_init_run(mode = 'debug'), error = function(e) cat('ERROR:', conditionMessage(e)))"
  ), env = subprocess_env(), wd = folder_without_venv())
  expect_match(out$output, "ERROR: despina could not find a Python with despina installed")
  expect_match(out$output, "DESPINA_PYTHON", fixed = TRUE)
  expect_match(out$output, "DESPINA_VENV", fixed = TRUE)
  expect_match(out$output, "despina_use_python", fixed = TRUE)
  expect_match(out$output, ".venv", fixed = TRUE)
})

test_that("a DESPINA_VENV without despina: an error that says pip install despina", {
  python <- test_python()
  venv <- file.path(folder_without_venv(), "empty-venv")
  status <- system2(python, c("-m", "venv", "--without-pip", shQuote(venv)))
  expect_identical(status, 0L)
  out <- run_r(c(
    "library(despina)",
    "tryCatch(neptune_init_run(mode = 'debug'), error = function(e) cat('ERROR:', conditionMessage(e)))"
  ), env = subprocess_env(paste0("DESPINA_VENV=", venv)), wd = folder_without_venv())
  expect_match(out$output, "ERROR: the Python at '.*empty-venv/bin/python' \\(from DESPINA_VENV\\) has no despina package")
  expect_match(out$output, "-m pip install despina", fixed = TRUE)
})

test_that("DESPINA_PYTHON or DESPINA_VENV naming nothing: an error naming the variable", {
  test_python()
  out <- run_r(c(
    "library(despina)",
    "tryCatch(neptune_init_run(mode = 'debug'), error = function(e) cat('ERROR:', conditionMessage(e)))"
  ), env = subprocess_env("DESPINA_VENV=/no/such/venv"), wd = folder_without_venv())
  expect_match(out$output, "ERROR: DESPINA_VENV is set to '/no/such/venv', where there is no python")
  expect_error(despina_use_python("/no/such/python"), "no python at '/no/such/python'")
})

test_that("a .venv in a parent folder is found", {
  python <- test_python()
  venv <- dirname(normalizePath(dirname(python)))  # the bin folder, not the python it links to
  if (!file.exists(file.path(venv, "pyvenv.cfg"))) skip("DESPINA_PYTHON is not in a virtualenv")
  top <- folder_without_venv()
  file.symlink(venv, file.path(top, ".venv"))
  deeper <- file.path(top, "project", "scripts")
  dir.create(deeper, recursive = TRUE)
  out <- run_r(c(
    "library(despina)",
    "run <- neptune_init_run(mode = 'debug')",
    "cat('PYTHON:', despina_python_path(), '\\n')",
    "run['x'] <- 2",
    "cat('VALUE:', neptune_fetch(run['x']), '\\n')",
    "neptune_stop(run)"
  ), env = subprocess_env(), wd = deeper)
  expect_identical(out$status, 0L, info = out$output)
  expect_match(out$output, sprintf("PYTHON: %s", file.path(normalizePath(top), ".venv", "bin", "python")), fixed = TRUE)
  expect_match(out$output, "VALUE: 2", fixed = TRUE)
})
