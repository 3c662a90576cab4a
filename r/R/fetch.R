# Reading back: single values, namespaces, the last point and all points of a series.

#' A field's value; a namespace or a whole run as a named list (tags: a character vector).
neptune_fetch <- function(x) {
  check_either(x, "neptune_fetch")
  from_py(py_try(glue()$fetch(x)))
}

#' The last value of a series.
neptune_fetch_last <- function(x) {
  check_handler(x, "neptune_fetch_last")
  py_try(x$fetch_last())
}

#' A series' points as a data.frame: step, value and (include_timestamp) timestamp (POSIXct, UTC).
neptune_fetch_values <- function(x, include_timestamp = TRUE) {
  check_handler(x, "neptune_fetch_values")
  cols <- reticulate::py_to_r(py_try(glue()$values_columns(x, include_timestamp = isTRUE(include_timestamp))))
  value <- unlist(cols$value, use.names = FALSE)
  if (is.null(value)) value <- numeric()
  out <- data.frame(step = as.numeric(unlist(cols$step, use.names = FALSE)), value = value,
                    stringsAsFactors = FALSE)
  if (isTRUE(include_timestamp)) {
    out$timestamp <- column(cols$timestamp, "datetime")
  }
  out
}

#' The structure of fields (a nested list of fields) and its printout.
neptune_get_structure <- function(x) {
  check_container(x, "neptune_get_structure")
  py_try(x$get_structure())
}

neptune_print_structure <- function(x) {
  check_container(x, "neptune_print_structure")
  py_try(x$print_structure())
  invisible(NULL)
}
