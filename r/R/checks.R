# What a function was given: a despina object (run, model, version, project) or a field.

is_container <- function(x) inherits(x, "despina.objects.container.Container")
is_handler <- function(x) inherits(x, "despina.objects.handler.Handler")

check_container <- function(x, fun) {
  if (!is_container(x)) {
    stop(sprintf("%s() takes a run, model, model version or project (from neptune_init_run() and friends), not %s",
                 fun, describe(x)), call. = FALSE)
  }
}

check_handler <- function(x, fun) {
  if (!is_handler(x)) {
    stop(sprintf("%s() takes a field, such as run[\"train/loss\"], not %s", fun, describe(x)),
         call. = FALSE)
  }
}

check_either <- function(x, fun) {
  if (!is_container(x) && !is_handler(x)) {
    stop(sprintf("%s() takes a run (or model, version, project) or a field such as run[\"params\"], not %s",
                 fun, describe(x)), call. = FALSE)
  }
}

check_path <- function(path, fun) {
  if (!is.character(path) || length(path) != 1L || is.na(path) || !nzchar(path)) {
    stop(sprintf("%s(): a field path is one non-empty string, such as \"train/loss\"", fun),
         call. = FALSE)
  }
}

describe <- function(x) {
  if (is.null(x)) return("NULL")
  if (is_python(x)) return(sprintf("a Python %s", class(x)[[1L]]))
  sprintf("a %s", paste(class(x), collapse = "/"))
}
