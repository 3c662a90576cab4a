# Series: neptune_append() (neptune_log()), neptune_extend().

#' Append to a series. A vector appends one point per element; a named list appends to
#' several series at once (run["train"] with list(loss = 0.3, acc = 0.9)).
neptune_append <- function(x, value, step = NULL, timestamp = NULL, wait = FALSE, ...) {
  check_handler(x, "neptune_append")
  value <- as_file_value(value)
  if (is.list(value) && !is.null(names(value))) {
    check_number(step, "step", 1L)
    check_stamps(timestamp, 1L)
    py_try(x$append(to_py(value, "value"), step = number_or_null(step),
                    timestamp = stamp_or_null(timestamp), wait = isTRUE(wait), ...))
    return(invisible(x))
  }
  if (is_python(value)) {  # a File (an image): one point of a file series
    check_number(step, "step", 1L)
    py_try(x$append(value, step = number_or_null(step), timestamp = stamp_or_null(timestamp),
                    wait = isTRUE(wait), ...))
    return(invisible(x))
  }
  if (is.list(value)) value <- unlist(value)
  check_points(value, "neptune_append")
  n <- length(value)
  if (n == 1L) {
    check_number(step, "step", 1L)
    check_stamps(timestamp, 1L)
    py_try(x$append(to_py(value, "value"), step = number_or_null(step),
                    timestamp = stamp_or_null(timestamp), wait = isTRUE(wait), ...))
  } else {
    if (!is.null(step) && length(step) == 1L) step <- step + seq_len(n) - 1
    extend(x, value, step, timestamp, wait, ...)
  }
  invisible(x)
}

#' neptune-r's older name of neptune_append().
neptune_log <- neptune_append

#' Append many points: values, with steps and timestamps of the same length (or NULL).
neptune_extend <- function(x, values, steps = NULL, timestamps = NULL, wait = FALSE, ...) {
  check_handler(x, "neptune_extend")
  if (is.list(values) && !is.null(names(values))) {
    stop("neptune_extend() takes a vector of values; to write several series use neptune_append(run[\"ns\"], list(a = 1, b = 2))",
         call. = FALSE)
  }
  if (is.list(values)) values <- unlist(values)
  check_points(values, "neptune_extend")
  extend(x, values, steps, timestamps, wait, ...)
  invisible(x)
}

extend <- function(x, values, steps, timestamps, wait, ...) {
  n <- length(values)
  check_number(steps, "steps", n)
  if (!is.null(timestamps) && length(timestamps) == 1L && n > 1L) timestamps <- rep(timestamps, n)
  check_stamps(timestamps, n)
  py_values <- to_py(as.list(values), "values")
  py_steps <- if (is.null(steps)) NULL else to_py(as.list(as.double(steps)), "steps")
  py_stamps <- if (is.null(timestamps)) NULL else to_py(as.list(as.double(as_seconds(timestamps))), "timestamps")
  py_try(x$extend(py_values, steps = py_steps, timestamps = py_stamps, wait = isTRUE(wait), ...))
}

check_points <- function(value, fun) {
  if (length(value) == 0L) {
    stop(sprintf("%s(): no values given", fun), call. = FALSE)
  }
  if (is_python(value)) return(invisible())
  if (!(is.numeric(value) || is.character(value) || is.logical(value) || is.factor(value))) {
    stop(sprintf("%s(): a series takes numbers or strings (or images), not %s", fun, describe(value)),
         call. = FALSE)
  }
  if (is.logical(value)) {
    stop(sprintf("%s(): a series takes numbers or strings, not TRUE/FALSE: log as.numeric(x)", fun),
         call. = FALSE)
  }
}

check_number <- function(x, what, n) {
  if (is.null(x)) return(invisible())
  if (!is.numeric(x) || length(x) != n || anyNA(x)) {
    stop(sprintf("%s must be %s (no NA)", what,
                 if (n == 1L) "one number" else sprintf("%d numbers, one per value", n)),
         call. = FALSE)
  }
}

check_stamps <- function(x, n) {
  if (is.null(x)) return(invisible())
  if (!(is.numeric(x) || inherits(x, "POSIXt")) || length(x) != n || anyNA(x)) {
    stop(sprintf("timestamp must be %s: POSIXct or seconds since the epoch",
                 if (n == 1L) "one time" else sprintf("%d times, one per value", n)),
         call. = FALSE)
  }
}

as_seconds <- function(x) as.numeric(if (inherits(x, "POSIXt")) as.POSIXct(x) else x)
number_or_null <- function(x) if (is.null(x)) NULL else as.double(x)
stamp_or_null <- function(x) if (is.null(x)) NULL else as_seconds(x)
