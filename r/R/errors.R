# Python errors as R errors with despina's own message (no reticulate traceback dump).

py_try <- function(expr) {
  tryCatch(expr, error = function(e) {
    msg <- conditionMessage(e)
    msg <- sub("\n*Detailed traceback:.*$", "", msg)
    msg <- sub("^Error in py_call_impl\\(.*?\\) :\\s*", "", msg)
    msg <- sub("\n*Run `reticulate::py_last_error\\(\\)` for details\\.?\\s*$", "", msg)
    stop(trimws(msg), call. = FALSE)
  })
}

# Keyword arguments for Python: NULLs dropped (Python's own defaults then apply).
py_kwargs <- function(...) {
  args <- list(...)
  args[!vapply(args, is.null, logical(1L))]
}
