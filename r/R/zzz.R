# Objects still open when R exits are stopped (and so stored): reticulate does not run
# Python's own exit hooks.
.onLoad <- function(libname, pkgname) {
  .despina$live <- list()
  .despina$failure <- list()
  reg.finalizer(.despina, function(e) stop_all(), onexit = TRUE)
}
