# Plots as files: neptune_file_as_image() and neptune_file_as_html(), as in neptune-r, for
# neptune_upload() and for image series (neptune_append()). neptune-r needed ggplot2 and
# plotly for these; here base R graphics are enough, and ggplot2 is used when installed.

#' A plot as a PNG File: a ggplot, a recordPlot() result, a function that draws, or a .png path.
neptune_file_as_image <- function(x, width = 800, height = 600, ...) {
  if (is_python(x)) return(x)
  path <- tempfile(fileext = ".png")
  if (inherits(x, "ggplot")) {
    if (!requireNamespace("ggplot2", quietly = TRUE)) {
      stop("neptune_file_as_image() of a ggplot needs the ggplot2 package", call. = FALSE)
    }
    ggplot2::ggsave(filename = path, plot = x, width = width / 100, height = height / 100,
                    dpi = 100, ...)
  } else if (inherits(x, "recordedplot") || is.function(x)) {
    grDevices::png(path, width = width, height = height, ...)
    ok <- FALSE
    on.exit(if (!ok) grDevices::dev.off(), add = TRUE)
    if (is.function(x)) x() else grDevices::replayPlot(x)
    grDevices::dev.off()
    ok <- TRUE
    if (!file.exists(path)) {
      stop("neptune_file_as_image(): nothing was drawn (a recordPlot() needs dev.control(\"enable\") on devices such as pdf())",
           call. = FALSE)
    }
  } else if (is.character(x) && length(x) == 1L && grepl("\\.png$", x, ignore.case = TRUE)) {
    if (!file.exists(x)) stop(sprintf("neptune_file_as_image(): no file '%s'", x), call. = FALSE)
    path <- normalizePath(x)
  } else {
    stop("neptune_file_as_image() takes a ggplot, a recordPlot() result, a function that draws a plot, or a .png path",
         call. = FALSE)
  }
  despina_python()
  py_try(.despina$types$File(path))
}

#' HTML as a File: a string of HTML, or an htmlwidget (when htmlwidgets is installed).
neptune_file_as_html <- function(x) {
  if (is_python(x)) return(x)
  if (inherits(x, "htmlwidget")) {
    if (!requireNamespace("htmlwidgets", quietly = TRUE)) {
      stop("neptune_file_as_html() of an htmlwidget needs the htmlwidgets package", call. = FALSE)
    }
    path <- tempfile(fileext = ".html")
    htmlwidgets::saveWidget(x, file = path, selfcontained = TRUE)
    despina_python()
    return(py_try(.despina$types$File(path)))
  }
  if (is.character(x) && length(x) == 1L) return(neptune_file_from_content(x, extension = "html"))
  stop("neptune_file_as_html() takes a string of HTML or an htmlwidget", call. = FALSE)
}

# What neptune_upload() and neptune_append() accept beyond numbers, strings and paths.
as_file_value <- function(value) {
  if (inherits(value, c("ggplot", "recordedplot"))) return(neptune_file_as_image(value))
  if (inherits(value, "htmlwidget")) return(neptune_file_as_html(value))
  value
}
