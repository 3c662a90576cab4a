# The Python the tests use (DESPINA_PYTHON, which scripts/test_r.sh sets), a fresh store
# folder per test, and other processes (Python, R) to check what a run left behind.

test_python <- function() {
  python <- Sys.getenv("DESPINA_PYTHON", "")
  if (!nzchar(python)) skip("DESPINA_PYTHON is not set (scripts/test_r.sh sets it to .venv/bin/python)")
  python
}

# A store of its own in a temp folder, and a project, for the calling test.
local_store <- function(project = "team/r-tests", env = parent.frame()) {
  test_python()
  dir <- tempfile("despina-store-")
  dir.create(dir)
  withr::local_envvar(c(DESPINA_DATA_DIRECTORY = dir, DESPINA_PROJECT = project), .local_envir = env)
  dir
}

# Run python with a script from this folder; its stdout lines (stops on a non-zero exit).
run_python <- function(script, args = character(), env = character()) {
  path <- test_path(script)
  out <- suppressWarnings(system2(test_python(), c(shQuote(path), shQuote(args)),
                                  stdout = TRUE, stderr = TRUE, env = env))
  status <- attr(out, "status")
  if (!is.null(status) && status != 0) {
    stop(sprintf("%s exited with %s:\n%s", script, status, paste(out, collapse = "\n")))
  }
  out
}

# Run R code in a new R process (a Python can be chosen only once per process); its output.
run_r <- function(code, env = character(), wd = tempdir()) {
  script <- tempfile(fileext = ".R")
  writeLines(code, script)
  rscript <- file.path(R.home("bin"), "Rscript")
  libs <- paste(.libPaths(), collapse = .Platform$path.sep)
  old <- setwd(wd)
  on.exit(setwd(old), add = TRUE)
  out <- suppressWarnings(system2(rscript, c("--vanilla", shQuote(script)), stdout = TRUE, stderr = TRUE,
                                  env = c(paste0("R_LIBS=", libs), env)))
  list(output = paste(out, collapse = "\n"), status = if (is.null(attr(out, "status"))) 0L else attr(out, "status"))
}

# The lines of a TSV file as a data.frame of character columns.
read_tsv <- function(lines) {
  parts <- strsplit(lines, "\t", fixed = TRUE)
  width <- max(lengths(parts))
  rows <- lapply(parts, function(p) c(p, rep("", width - length(p))))
  out <- as.data.frame(do.call(rbind, rows), stringsAsFactors = FALSE)
  names(out) <- c("kind", "path", paste0("v", seq_len(width - 2L)))
  out
}

from_hex <- function(x) as.numeric(x)
