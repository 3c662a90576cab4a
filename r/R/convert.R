# R values to despina's Python values, and fetched values back.

is_python <- function(x) inherits(x, "python.builtin.object")

# One R value as a Python object: length-1 numeric -> float, integer -> int, logical -> bool,
# character -> str, POSIXct/Date -> datetime, named list -> dict (a namespace), unnamed list
# or longer vector -> list, factor -> str.
to_py <- function(value, what = "value") {
  if (is_python(value)) return(value)
  if (is.null(value)) return(reticulate::py_none())
  if (is.factor(value)) value <- as.character(value)
  if (is.data.frame(value)) {
    stop(sprintf("%s: a data.frame cannot be logged as a field; write its columns with neptune_extend(), or save it to a file and neptune_upload() it", what),
         call. = FALSE)
  }
  if (is.list(value)) {
    keys <- names(value)
    if (length(value) > 0L && !is.null(keys)) {
      if (any(is.na(keys) | !nzchar(keys))) {
        stop(sprintf("%s: every element of a list written as a namespace needs a name", what),
             call. = FALSE)
      }
      items <- lapply(seq_along(value), function(i) {
        to_py(value[[i]], paste0(what, "/", keys[[i]]))
      })
      return(reticulate::py_dict(as.list(keys), items, convert = FALSE))
    }
    return(reticulate::r_to_py(lapply(value, to_py, what = what), convert = FALSE))
  }
  if (is.atomic(value) && length(value) != 1L) {
    return(reticulate::r_to_py(lapply(seq_along(value), function(i) to_py(value[i], what)),
                               convert = FALSE))
  }
  if (!is.atomic(value)) {
    stop(sprintf("%s: a value of class %s cannot be logged", what, paste(class(value), collapse = "/")),
         call. = FALSE)
  }
  if (inherits(value, "POSIXt")) {
    seconds <- as.numeric(as.POSIXct(value))
    if (is.na(seconds)) stop(sprintf("%s: NA cannot be logged", what), call. = FALSE)
    return(glue()$datetime_from_epoch(seconds))
  }
  if (inherits(value, "Date")) {
    if (is.na(value)) stop(sprintf("%s: NA cannot be logged", what), call. = FALSE)
    return(glue()$datetime_from_epoch(as.numeric(value) * 86400))
  }
  value <- unname(as.vector(value))
  if (is.na(value) && !is.double(value)) {
    stop(sprintf("%s: NA cannot be logged (only a numeric NA, stored as NaN)", what), call. = FALSE)
  }
  if (is.double(value)) {
    return(reticulate::r_to_py(if (is.na(value)) NaN else value, convert = FALSE))
  }
  if (is.integer(value) || is.logical(value) || is.character(value)) {
    return(reticulate::r_to_py(value, convert = FALSE))
  }
  stop(sprintf("%s: a value of type %s cannot be logged", what, typeof(value)), call. = FALSE)
}

# A Python object from the glue module as an R value: dicts become named lists, string sets
# character vectors, datetimes POSIXct.
from_py <- function(x) {
  if (is_python(x)) x <- reticulate::py_to_r(x)
  simplify(x)
}

simplify <- function(x) {
  if (is.list(x) && !is.data.frame(x)) {
    keys <- names(x)
    if (identical(keys, "__despina_strings__")) {
      return(as.character(unlist(x[[1L]], use.names = FALSE)))
    }
    out <- lapply(x, simplify)
    names(out) <- keys
    return(out)
  }
  x
}

# A Python list of numbers (None for a gap) as an R vector.
column <- function(values, kind) {
  n <- length(values)
  fill <- switch(kind,
    float = , datetime = NA_real_,
    int = NA_integer_,
    bool = NA,
    NA_character_
  )
  out <- rep(fill, n)
  for (i in seq_len(n)) {
    v <- values[[i]]
    if (!is.null(v)) out[[i]] <- v
  }
  if (kind == "datetime") out <- as.POSIXct(out, origin = "1970-01-01", tz = "UTC")
  out
}
