# Files: upload, file sets, tracked artifacts, downloads.

check_file_arg <- function(path, fun, what = "path") {
  if (is_python(path)) return(invisible())
  if (!is.character(path) || length(path) < 1L || anyNA(path)) {
    stop(sprintf("%s(): %s must be a file path (a string)", fun, what), call. = FALSE)
  }
}

#' Upload one file (a path, or a File from neptune_file_from_content()) to a File field.
neptune_upload <- function(x, value, wait = FALSE, ...) {
  check_handler(x, "neptune_upload")
  value <- as_file_value(value)
  check_file_arg(value, "neptune_upload", "value")
  if (!is_python(value)) {
    if (length(value) != 1L) stop("neptune_upload() takes one file; use neptune_upload_files() for several", call. = FALSE)
    if (!file.exists(value)) stop(sprintf("neptune_upload(): no file '%s'", value), call. = FALSE)
    value <- normalizePath(value)
  }
  py_try(x$upload(value, wait = isTRUE(wait)))
  invisible(x)
}

#' Upload files (paths, folders or globs) to a file set.
neptune_upload_files <- function(x, globs, wait = FALSE) {
  check_handler(x, "neptune_upload_files")
  check_file_arg(globs, "neptune_upload_files", "globs")
  py_try(x$upload_files(to_py(as.list(globs), "globs"), wait = isTRUE(wait)))
  invisible(x)
}

#' Remove files from a file set.
neptune_delete_files <- function(x, paths, wait = FALSE) {
  check_handler(x, "neptune_delete_files")
  check_file_arg(paths, "neptune_delete_files", "paths")
  py_try(x$delete_files(to_py(as.list(paths), "paths"), wait = isTRUE(wait)))
  invisible(x)
}

#' Track files by hash (an artifact) without uploading them.
neptune_track_files <- function(x, path, destination = NULL, wait = FALSE) {
  check_handler(x, "neptune_track_files")
  check_file_arg(path, "neptune_track_files")
  py_try(x$track_files(path, destination = destination, wait = isTRUE(wait)))
  invisible(x)
}

#' Download a file, file set or artifact field (to destination, else the working folder).
neptune_download <- function(x, destination = NULL) {
  check_handler(x, "neptune_download")
  py_try(x$download(destination = destination))
  invisible(destination)
}

#' Download the last file of a file series.
neptune_download_last <- function(x, destination = NULL) {
  check_handler(x, "neptune_download_last")
  py_try(x$download_last(destination = destination))
  invisible(destination)
}

#' The hash of a file or artifact field.
neptune_fetch_hash <- function(x) {
  check_handler(x, "neptune_fetch_hash")
  py_try(x$fetch_hash())
}

#' The files of an artifact, as a data.frame (path, hash, size, ...).
neptune_fetch_files_list <- function(x) {
  check_handler(x, "neptune_fetch_files_list")
  entries <- py_try(x$fetch_files_list())
  rows <- lapply(entries, function(e) {
    data.frame(file_path = as.character(e$file_path), file_hash = as.character(e$file_hash),
               size = if (is.null(e$size)) NA_real_ else as.numeric(e$size),
               type = if (is.null(e$type)) NA_character_ else as.character(e$type),
               stringsAsFactors = FALSE)
  })
  if (length(rows) == 0L) {
    return(data.frame(file_path = character(), file_hash = character(), size = numeric(),
                      type = character(), stringsAsFactors = FALSE))
  }
  do.call(rbind, rows)
}

#' A File made of text or raw bytes, to neptune_upload() without writing it to disk first.
neptune_file_from_content <- function(content, extension = NULL) {
  if (is.raw(content)) {
    content <- reticulate::import_builtins(convert = FALSE)$bytes(as.list(as.integer(content)))
  } else if (!(is.character(content) && length(content) == 1L)) {
    stop("neptune_file_from_content() takes one string or a raw vector", call. = FALSE)
  }
  despina_python()
  py_try(.despina$types$File$from_content(content, extension = extension))
}
