# neptune_init_run() and the other entry points: runs, models, model versions, projects.

MODES <- c("async", "sync", "offline", "debug", "read-only")

check_mode <- function(mode) {
  if (!is.null(mode) && !(is.character(mode) && length(mode) == 1L && mode %in% MODES)) {
    stop(sprintf("mode must be one of %s", paste0('"', MODES, '"', collapse = ", ")), call. = FALSE)
  }
}

# neptune-r's python= / python_path= arguments choose the Python, as despina_use_python() does.
use_python_argument <- function(python, python_path) {
  if (is.null(python)) return(invisible())
  if (!(python %in% c("python", "venv", "virtualenv"))) {
    stop("python= must be \"python\" or \"venv\" (with python_path=); conda environments: give their python executable with python = \"python\"",
         call. = FALSE)
  }
  if (missing(python_path) || is.null(python_path)) {
    stop("python= needs python_path=, the python executable or virtualenv folder", call. = FALSE)
  }
  despina_use_python(python_path)
}

# The R script being run (Rscript file.R), which neptune-r uploads as the run's source.
r_script <- function() {
  arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(arg) == 1L) {
    path <- sub("^--file=", "", arg)
    if (file.exists(path)) return(normalizePath(path))
  }
  NULL
}

# Opened objects, stopped when R exits (reticulate does not run Python's atexit hooks).
remember <- function(obj) {
  .despina$live[[length(.despina$live) + 1L]] <- obj
  obj
}

stop_all <- function() {
  for (obj in rev(.despina$live)) {
    try(obj$stop(), silent = TRUE)
  }
  .despina$live <- list()
}

#' Start a run, or resume one (with_id=, or neptune-r's run=).
neptune_init_run <- function(project = NULL,
                             api_token = NULL,
                             with_id = NULL,
                             run = NULL,
                             python = NULL,
                             python_path = NULL,
                             source_files = NULL,
                             mode = NULL,
                             custom_run_id = NULL,
                             name = NULL,
                             description = NULL,
                             tags = NULL,
                             capture_stdout = NULL,
                             capture_stderr = NULL,
                             capture_hardware_metrics = NULL,
                             capture_traceback = TRUE,
                             monitoring_namespace = NULL,
                             fail_on_exception = TRUE,
                             flush_period = NULL,
                             proxies = NULL,
                             ...) {
  check_mode(mode)
  if (!is.null(with_id) && !is.null(run)) {
    stop("neptune_init_run() takes with_id= or run= (the same: the id of a run to resume), not both",
         call. = FALSE)
  }
  with_id <- if (is.null(with_id)) run else with_id
  use_python_argument(python, python_path)
  despina <- despina_python()
  sync_environment()
  if (is.null(source_files) && !interactive()) source_files <- r_script()
  if (interactive()) {
    # Python cannot tell that R is interactive: its default (capture on) would apply.
    if (is.null(capture_stdout)) capture_stdout <- FALSE
    if (is.null(capture_stderr)) capture_stderr <- FALSE
    if (is.null(capture_hardware_metrics)) capture_hardware_metrics <- FALSE
  }
  kwargs <- py_kwargs(
    with_id = with_id, project = project, api_token = api_token,
    custom_run_id = custom_run_id, mode = mode, name = name, description = description,
    tags = if (is.null(tags)) NULL else to_py(as.list(as.character(tags)), "tags"),
    source_files = if (is.null(source_files)) NULL else to_py(as.list(as.character(source_files)), "source_files"),
    capture_stdout = capture_stdout, capture_stderr = capture_stderr,
    capture_hardware_metrics = capture_hardware_metrics, capture_traceback = capture_traceback,
    monitoring_namespace = monitoring_namespace, fail_on_exception = fail_on_exception,
    flush_period = flush_period, proxies = proxies, ...
  )
  obj <- py_try(do.call(despina$init_run, kwargs))
  if (!identical(obj$`_mode`, "read-only")) {
    py_try(obj["source_code/integrations/despina-r"]$assign(package_version_string()))
    watch_failures(obj, fail_on_exception, capture_traceback)
  }
  remember(obj)
}

#' neptune-r's older name of neptune_init_run().
neptune_init <- neptune_init_run

#' Register a new model (key=) or open one (with_id=).
neptune_init_model <- function(with_id = NULL, name = NULL, key = NULL, project = NULL,
                               api_token = NULL, mode = NULL, flush_period = NULL,
                               proxies = NULL, ...) {
  check_mode(mode)
  despina <- despina_python()
  sync_environment()
  kwargs <- py_kwargs(with_id = with_id, name = name, key = key, project = project,
                      api_token = api_token, mode = mode, flush_period = flush_period,
                      proxies = proxies, ...)
  remember(py_try(do.call(despina$init_model, kwargs)))
}

#' Create a version of a model (model=) or open one (with_id=).
neptune_init_model_version <- function(with_id = NULL, name = NULL, model = NULL,
                                       project = NULL, api_token = NULL, mode = NULL,
                                       flush_period = NULL, proxies = NULL, ...) {
  check_mode(mode)
  despina <- despina_python()
  sync_environment()
  kwargs <- py_kwargs(with_id = with_id, name = name, model = model, project = project,
                      api_token = api_token, mode = mode, flush_period = flush_period,
                      proxies = proxies, ...)
  remember(py_try(do.call(despina$init_model_version, kwargs)))
}

#' Open a project: its own metadata, and the tables of its runs and models.
neptune_init_project <- function(project = NULL, api_token = NULL, mode = NULL,
                                 flush_period = NULL, proxies = NULL, ...) {
  check_mode(mode)
  despina <- despina_python()
  sync_environment()
  kwargs <- py_kwargs(project = project, api_token = api_token, mode = mode,
                      flush_period = flush_period, proxies = proxies, ...)
  remember(py_try(do.call(despina$init_project, kwargs)))
}

package_version_string <- function() {
  as.character(utils::packageVersion("despina"))
}
