# Waiting, syncing, stopping, and where to look at an object.

#' Wait until everything logged so far is stored.
neptune_wait <- function(x, disk_only = FALSE) {
  check_container(x, "neptune_wait")
  py_try(x$wait(disk_only = isTRUE(disk_only)))
  invisible(x)
}

#' Wait for writes, then refresh what the object knows of its fields.
neptune_sync <- function(x, wait = TRUE) {
  check_container(x, "neptune_sync")
  py_try(x$sync(wait = isTRUE(wait)))
  invisible(x)
}

#' Store everything and close the run (model, version, project).
neptune_stop <- function(x, seconds = NULL) {
  check_container(x, "neptune_stop")
  py_try(x$stop(seconds = number_or_null(seconds)))
  invisible(NULL)
}

#' Where to look at the object (its web app page, or the store folder and its id).
neptune_get_url <- function(x) {
  check_container(x, "neptune_get_url")
  py_try(x$get_url())
}

#' neptune-r's name of neptune_get_url().
neptune_get_run_url <- neptune_get_url

#' Change a model version's stage: "none", "staging", "production" or "archived".
neptune_change_stage <- function(x, stage) {
  check_container(x, "neptune_change_stage")
  if (!is.character(stage) || length(stage) != 1L) {
    stop("neptune_change_stage() takes one stage: \"none\", \"staging\", \"production\" or \"archived\"",
         call. = FALSE)
  }
  py_try(x$change_stage(stage))
  invisible(x)
}

#' Check that despina is reachable from R, installing it with pip if it is not.
#' neptune-r scripts call neptune_install() at the top; here it finds (or installs) despina.
neptune_install <- function(method = c("auto", "virtualenv"), envname = NULL, ...) {
  method <- match.arg(method)
  if (!is.null(envname)) despina_use_python(envname)
  found <- find_python()
  ok <- system2(found$python, c("-c", shQuote("import despina")), stdout = FALSE, stderr = FALSE)
  if (ok != 0L) {
    status <- system2(found$python, c("-m", "pip", "install", "despina"))
    if (status != 0L) stop(sprintf("pip install despina failed in '%s'", found$python), call. = FALSE)
  }
  invisible(found$python)
}
