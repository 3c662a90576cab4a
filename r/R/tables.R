# Tables of runs, models and model versions, as data.frames.

#' The runs of a project as a data.frame, one column per field path.
neptune_fetch_runs_table <- function(project = NULL, api_token = NULL, id = NULL, state = NULL,
                                     owner = NULL, tag = NULL, columns = NULL, query = NULL,
                                     trashed = FALSE, limit = NULL, sort_by = "sys/creation_time",
                                     ascending = FALSE) {
  table_frame(project, api_token, "fetch_runs_table",
              py_kwargs(id = strings(id), state = strings(state), owner = strings(owner),
                        tag = strings(tag), columns = strings(columns), query = query,
                        trashed = trashed, limit = whole(limit), sort_by = sort_by,
                        ascending = ascending))
}

#' The models of a project as a data.frame.
neptune_fetch_models_table <- function(project = NULL, api_token = NULL, columns = NULL,
                                       query = NULL, trashed = FALSE, limit = NULL,
                                       sort_by = "sys/creation_time", ascending = FALSE) {
  table_frame(project, api_token, "fetch_models_table",
              py_kwargs(columns = strings(columns), query = query, trashed = trashed,
                        limit = whole(limit), sort_by = sort_by, ascending = ascending))
}

#' The versions of a model (from neptune_init_model()) as a data.frame.
neptune_fetch_model_versions_table <- function(model, columns = NULL, query = NULL,
                                               trashed = FALSE, limit = NULL,
                                               sort_by = "sys/creation_time", ascending = FALSE) {
  check_container(model, "neptune_fetch_model_versions_table")
  kwargs <- py_kwargs(columns = strings(columns), query = query, trashed = trashed,
                      limit = whole(limit), sort_by = sort_by, ascending = ascending)
  frame_of(py_try(do.call(model$fetch_model_versions_table, kwargs)))
}

table_frame <- function(project, api_token, method, kwargs) {
  if (is_container(project)) {
    owner <- project
  } else {
    owner <- neptune_init_project(project = project, api_token = api_token, mode = "read-only")
    on.exit(try(owner$stop(), silent = TRUE), add = TRUE)
  }
  fetch <- switch(method,
    fetch_runs_table = owner$fetch_runs_table,
    fetch_models_table = owner$fetch_models_table
  )
  frame_of(py_try(do.call(fetch, kwargs)))
}

frame_of <- function(table) {
  cols <- reticulate::py_to_r(py_try(glue()$table_columns(table)))
  names <- unlist(cols$columns, use.names = FALSE)
  data <- lapply(names, function(name) column(cols$data[[name]], cols$types[[name]]))
  names(data) <- names
  out <- if (length(data)) as.data.frame(data, stringsAsFactors = FALSE, check.names = FALSE,
                                         optional = TRUE)
         else data.frame()
  names(out) <- names
  out
}

strings <- function(x) if (is.null(x)) NULL else to_py(as.list(as.character(x)), "filter")
whole <- function(x) if (is.null(x)) NULL else as.integer(x)
