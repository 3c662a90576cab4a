# Writing, deleting and asking about fields.

#' Set a field; on a run (or a namespace) a named list sets many fields.
neptune_assign <- function(x, value, wait = FALSE) {
  check_either(x, "neptune_assign")
  if (is_container(x) && !(is.list(value) && !is.null(names(value)))) {
    stop("neptune_assign() of a run takes a named list of fields, such as list(params = list(lr = 0.01))",
         call. = FALSE)
  }
  if (is_handler(x) && is_vector_value(value)) {
    warn_vector(x$`_path`, value)
    return(invisible(x))
  }
  py_try(x$assign(to_py(value, "neptune_assign"), wait = isTRUE(wait)))
  invisible(x)
}

#' Delete a field or a whole namespace: neptune_pop(run, "path") or neptune_pop(run["path"]).
neptune_pop <- function(x, path = NULL, wait = TRUE) {
  check_either(x, "neptune_pop")
  if (is_container(x)) {
    check_path(path, "neptune_pop")
    py_try(x$pop(path, wait = isTRUE(wait)))
  } else {
    py_try(x$pop(path, wait = isTRUE(wait)))
  }
  invisible(NULL)
}

#' Another name of neptune_pop().
neptune_delete <- neptune_pop

#' TRUE when the run has a field or namespace at path (or the field x exists).
neptune_exists <- function(x, path = NULL) {
  check_either(x, "neptune_exists")
  if (is_container(x)) {
    check_path(path, "neptune_exists")
    return(isTRUE(py_try(x$exists(path))))
  }
  isTRUE(py_try(x$exists()))
}

#' Add tags (or other strings) to a string set, such as run["sys/tags"].
neptune_add <- function(x, values, wait = FALSE) {
  check_handler(x, "neptune_add")
  check_strings(values, "neptune_add")
  py_try(x$add(to_py(as.list(as.character(values)), "values"), wait = isTRUE(wait)))
  invisible(x)
}

#' Remove strings from a string set.
neptune_remove <- function(x, values, wait = FALSE) {
  check_handler(x, "neptune_remove")
  check_strings(values, "neptune_remove")
  py_try(x$remove(to_py(as.list(as.character(values)), "values"), wait = isTRUE(wait)))
  invisible(x)
}

#' Empty a string set or a series.
neptune_clear <- function(x, wait = FALSE) {
  check_handler(x, "neptune_clear")
  py_try(x$clear(wait = isTRUE(wait)))
  invisible(x)
}

check_strings <- function(values, fun) {
  if (!is.character(values) || anyNA(values)) {
    stop(sprintf("%s() takes a character vector of strings, such as c(\"best\", \"resnet\")", fun),
         call. = FALSE)
  }
}
