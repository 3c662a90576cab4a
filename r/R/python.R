# Which Python the package uses, and loading despina from it.
#
# The order: despina_use_python(), DESPINA_PYTHON (a python executable), DESPINA_VENV (a
# virtualenv folder), RETICULATE_PYTHON, a .venv in the working directory or one of its
# parents; else an error that says what to set.

.despina <- new.env(parent = emptyenv())

#' Point the package at a Python (an executable or a virtualenv folder).
despina_use_python <- function(path) {
  if (!is.character(path) || length(path) != 1L || is.na(path) || !nzchar(path)) {
    stop("despina_use_python() takes one path: a python executable or a virtualenv folder",
         call. = FALSE)
  }
  python <- python_in(path)
  if (is.null(python)) {
    stop(sprintf("despina_use_python(): no python at '%s' (give a python executable or a virtualenv folder holding bin/python)", path),
         call. = FALSE)
  }
  if (!is.null(.despina$module)) {
    loaded <- .despina$python
    if (!identical(normalizePath(loaded), normalizePath(python))) {
      stop(sprintf("despina already uses the Python at '%s' in this R session; restart R to use another", loaded),
           call. = FALSE)
    }
  }
  .despina$chosen <- python
  invisible(python)
}

# A python executable: `path` itself, or bin/python (Scripts/python.exe) in a virtualenv.
python_in <- function(path) {
  path <- path.expand(path)
  if (dir.exists(path)) {
    for (candidate in c("bin/python", "bin/python3", "Scripts/python.exe")) {
      full <- file.path(path, candidate)
      if (file.exists(full)) return(full)
    }
    return(NULL)
  }
  if (file.exists(path)) path else NULL
}

# The python executable to use, and where the choice came from.
find_python <- function(start = getwd()) {
  if (!is.null(.despina$chosen)) {
    return(list(python = .despina$chosen, source = "despina_use_python()"))
  }
  for (var in c("DESPINA_PYTHON", "DESPINA_VENV")) {
    value <- Sys.getenv(var, "")
    if (nzchar(value)) {
      python <- python_in(value)
      if (is.null(python)) {
        stop(sprintf("%s is set to '%s', where there is no python: set it to a %s",
                     var, value,
                     if (var == "DESPINA_PYTHON") "python executable" else "virtualenv folder (holding bin/python)"),
             call. = FALSE)
      }
      return(list(python = python, source = var))
    }
  }
  value <- Sys.getenv("RETICULATE_PYTHON", "")
  if (nzchar(value)) {
    return(list(python = value, source = "RETICULATE_PYTHON"))
  }
  dir <- normalizePath(start, mustWork = FALSE)
  repeat {
    python <- python_in(file.path(dir, ".venv"))
    if (!is.null(python)) {
      return(list(python = python, source = file.path(dir, ".venv")))
    }
    parent <- dirname(dir)
    if (identical(parent, dir)) break
    dir <- parent
  }
  stop(paste0(
    "despina could not find a Python with despina installed. Do one of:\n",
    "  * set DESPINA_PYTHON to a python executable (Sys.setenv(DESPINA_PYTHON = \"/path/to/python\")),\n",
    "  * set DESPINA_VENV to a virtualenv folder,\n",
    "  * call despina_use_python(\"/path/to/python-or-venv\") (or set RETICULATE_PYTHON),\n",
    "  * or make a .venv in this folder (or a parent): python3 -m venv .venv && .venv/bin/pip install despina"
  ), call. = FALSE)
}

# The despina Python module (loaded once), with the package's glue module beside it.
despina_python <- function() {
  if (!is.null(.despina$module)) return(.despina$module)
  found <- find_python()
  python <- found$python
  if (reticulate::py_available(initialize = FALSE)) {
    running <- reticulate::py_config()$python
    if (!identical(normalizePath(running, mustWork = FALSE), normalizePath(python, mustWork = FALSE))) {
      warning(sprintf("reticulate already started the Python at '%s' in this R session; despina uses it (not '%s', from %s)",
                      running, python, found$source), call. = FALSE)
      python <- running
    }
  } else {
    # reticulate ignores use_python() when RETICULATE_PYTHON is set (even to ""): make it ours.
    Sys.setenv(RETICULATE_PYTHON = python)
    ok <- tryCatch({
      reticulate::use_python(python, required = TRUE)
      TRUE
    }, error = function(e) conditionMessage(e))
    if (!isTRUE(ok)) {
      stop(sprintf("despina could not start the Python at '%s' (from %s): %s", python, found$source, ok),
           call. = FALSE)
    }
  }
  if (!reticulate::py_module_available("despina")) {
    stop(sprintf(paste0(
      "the Python at '%s' (from %s) has no despina package: install it with\n",
      "  %s -m pip install despina\n",
      "or point DESPINA_PYTHON / DESPINA_VENV at a Python that has it"),
      python, found$source, python), call. = FALSE)
  }
  .despina$module <- reticulate::import("despina", delay_load = FALSE)
  .despina$types <- reticulate::import("despina.types")
  .despina$glue <- reticulate::import_from_path(
    "despina_r", path = system.file("python", package = "despina"), convert = FALSE
  )
  .despina$python <- python
  .despina$module
}

# The glue module of inst/python (its results are not converted: see from_py()).
glue <- function() {
  despina_python()
  .despina$glue
}

#' The path of the python executable despina uses (NULL before first use).
despina_python_path <- function() .despina$python
