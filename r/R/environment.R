# R's DESPINA_* and NEPTUNE_* variables, handed to Python before each call that reads them.

sync_environment <- function() {
  env <- Sys.getenv()
  ours <- grepl("^(DESPINA|NEPTUNE)_", names(env))
  values <- as.list(as.character(env[ours]))
  names(values) <- names(env)[ours]
  glue()$sync_environment(reticulate::py_dict(as.list(names(values)), values, convert = FALSE))
  invisible(NULL)
}

#' Set the API token for the rest of the session (NEPTUNE_API_TOKEN), as neptune-r does.
neptune_set_api_token <- function(token) {
  if (!is.character(token) || length(token) != 1L) {
    stop("neptune_set_api_token() takes one string", call. = FALSE)
  }
  Sys.setenv(NEPTUNE_API_TOKEN = token)
  if (!is.null(.despina$module)) sync_environment()
  invisible(token)
}

#' Neptune's public token; the embedded store needs no token at all.
ANONYMOUS_API_TOKEN <- "ANONYMOUS"
