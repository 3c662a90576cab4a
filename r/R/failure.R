# An R error that ends a script (Rscript) marks its open runs failed, as an uncaught Python
# exception does: sys/failed = TRUE and the error under <monitoring namespace>/traceback.

watch_failures <- function(run, fail_on_exception, capture_traceback) {
  if (interactive() || !(isTRUE(fail_on_exception) || isTRUE(capture_traceback))) return(invisible())
  .despina$failure[[length(.despina$failure) + 1L]] <- list(
    run = run, fail = isTRUE(fail_on_exception), traceback = isTRUE(capture_traceback)
  )
  if (is.null(getOption("error")) && !isTRUE(.despina$hooked)) {
    .despina$hooked <- TRUE
    options(error = record_r_failure)
  }
  invisible()
}

record_r_failure <- function() {
  message <- trimws(geterrmessage())
  calls <- vapply(utils::head(sys.calls(), -1L), function(call) {
    paste(deparse(call, nlines = 1L, width.cutoff = 200L), collapse = " ")
  }, character(1L))
  lines <- c(strsplit(message, "\n", fixed = TRUE)[[1L]], if (length(calls)) paste0("  ", calls))
  for (entry in .despina$failure) {
    try({
      run <- entry$run
      if (!isTRUE(run$`_stopped`)) {
        if (entry$traceback) {
          namespace <- run$monitoring_namespace
          if (!is.null(namespace)) run[paste0(namespace, "/traceback")]$extend(as.list(lines))
        }
        if (entry$fail) run["sys/failed"]$assign(TRUE)
      }
    }, silent = TRUE)
  }
  stop_all()
  # R's own behaviour without an error option: a script that fails exits with status 1.
  if (!interactive()) quit(save = "no", status = 1L)
}
