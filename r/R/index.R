# run["a/b"] gives a field; run["a/b"] <- value writes it; run["a/b"] <- NULL deletes it.
# The same on a field: run["train"]["loss"] is run["train/loss"].

field_of <- function(x, i) {
  check_path(i, "[")
  py_try(reticulate::py_get_item(x, i))
}

write_field <- function(x, i, value) {
  check_path(i, "[<-")
  # run["a"]["b"] <- v ends with R writing run["a"] back into run: nothing to do then.
  if (is_handler(value) && identical(value$`_path`, field_of(x, i)$`_path`)) return(x)
  if (is.null(value)) {
    py_try(field_of(x, i)$pop())
  } else if (is_vector_value(value)) {
    warn_vector(i, value)
  } else {
    py_try(field_of(x, i)$assign(to_py(value, i)))
  }
  x
}

#' @export
`[.despina.objects.container.Container` <- function(x, i) field_of(x, i)

#' @export
`[<-.despina.objects.container.Container` <- function(x, i, value) write_field(x, i, value)

#' @export
`[.despina.objects.handler.Handler` <- function(x, i) field_of(x, i)

#' @export
`[<-.despina.objects.handler.Handler` <- function(x, i, value) write_field(x, i, value)

# A vector (or unnamed list) longer than one is a Python list, which despina does not log as
# a field: say so as an R warning rather than Python's.
is_vector_value <- function(value) {
  !is_python(value) && !is.data.frame(value) && length(value) != 1L &&
    (is.atomic(value) || (is.list(value) && is.null(names(value))))
}

warn_vector <- function(path, value) {
  warning(sprintf(paste0(
    "despina: '%s': a vector of length %d is not logged as a field; use neptune_extend() ",
    "for a series, neptune_add() for tags, or paste(collapse = \",\") for a string"),
    path, length(value)), call. = FALSE)
}
