# Writing every kind of R value and reading it back in the same R session.

new_run <- function(...) {
  neptune_init_run(capture_stdout = FALSE, capture_stderr = FALSE,
                   capture_hardware_metrics = FALSE, ...)
}

test_that("R values become despina's field types and fetch back as R values", {
  local_store()
  run <- new_run(name = "types", tags = "one-tag")
  when <- as.POSIXct("2024-03-04 05:06:07.25", tz = "UTC")
  run["params"] <- list(lr = 0.01, epochs = 10L, use_gpu = FALSE, opt = "adam",
                        start = when, day = as.Date("2024-05-06"),
                        nested = list(depth = 3L, name = "resnet"))
  run["x"] <- 1
  run["label"] <- factor("cat")
  neptune_wait(run)

  fetched <- neptune_fetch(run["params"])
  expect_identical(fetched$lr, 0.01)
  expect_identical(fetched$epochs, 10L)
  expect_identical(fetched$use_gpu, FALSE)
  expect_identical(fetched$opt, "adam")
  expect_equal(as.numeric(fetched$start), as.numeric(when), tolerance = 1e-6)
  expect_s3_class(fetched$start, "POSIXct")
  expect_equal(as.numeric(fetched$day), as.numeric(as.POSIXct("2024-05-06", tz = "UTC")))
  expect_identical(fetched$nested, list(depth = 3L, name = "resnet"))
  expect_identical(neptune_fetch(run["x"]), 1)
  expect_identical(neptune_fetch(run["label"]), "cat")
  expect_identical(neptune_fetch(run["params/nested/depth"]), 3L)
  expect_identical(neptune_fetch(run["sys/tags"]), "one-tag")
  # the whole run: a named list of namespaces
  everything <- neptune_fetch(run)
  expect_identical(everything$params$opt, "adam")
  expect_identical(everything$sys$name, "types")
  neptune_stop(run)
})

test_that("nested indexing, neptune_assign, deletes and exists", {
  local_store()
  run <- new_run()
  run["eval"]["acc"] <- 0.9
  run["eval"]["f1"]["macro"] <- 0.8
  neptune_assign(run["data/version"], "v2")
  neptune_assign(run, list(config = list(seed = 42L)))
  run["eval"]["acc"]$assign(0.95)
  neptune_wait(run)
  expect_identical(neptune_fetch(run["eval/acc"]), 0.95)
  expect_identical(neptune_fetch(run["eval/f1/macro"]), 0.8)
  expect_identical(neptune_fetch(run["data/version"]), "v2")
  expect_identical(neptune_fetch(run["config/seed"]), 42L)
  expect_true(neptune_exists(run, "eval/acc"))
  expect_true(neptune_exists(run["eval"]))

  run["data/version"] <- NULL
  neptune_pop(run, "config")
  neptune_delete(run["eval/f1"])
  neptune_wait(run)
  expect_false(neptune_exists(run, "data/version"))
  expect_false(neptune_exists(run, "config/seed"))
  expect_false(neptune_exists(run["eval/f1/macro"]))
  expect_true(neptune_exists(run, "eval/acc"))
  neptune_stop(run)
})

test_that("tags: neptune_add, neptune_remove and the $add method", {
  local_store()
  run <- new_run(tags = c("a", "b"))
  neptune_add(run["sys/tags"], c("c", "d"))
  run["sys/tags"]$add(c("e", "f"))
  neptune_remove(run["sys/tags"], "a")
  neptune_wait(run)
  expect_identical(sort(neptune_fetch(run["sys/tags"])), c("b", "c", "d", "e", "f"))
  neptune_clear(run["sys/tags"])
  neptune_wait(run)
  expect_identical(neptune_fetch(run["sys/tags"]), character())
  neptune_stop(run)
})

test_that("a series' values come back as a data.frame of step, value and timestamp", {
  local_store()
  run <- new_run()
  before <- Sys.time()
  for (i in 1:20) neptune_append(run["values"], i)   # integers, as neptune-r's own test does
  neptune_append(run["batch"], c(0.5, 0.25, 0.125), step = 10)  # a vector: steps 10, 11, 12
  neptune_extend(run["more"], c(3, 2, 1), steps = c(1, 5, 9),
                 timestamps = as.POSIXct(c(1e9, 1e9 + 1, 1e9 + 2), origin = "1970-01-01", tz = "UTC"))
  neptune_append(run["train"], list(loss = 0.3, acc = 0.7), step = 1)
  neptune_append(run["train"], list(loss = 0.2, acc = 0.8), step = 2)
  neptune_append(run["log"], c("first line", "second line"))
  run["values2"]$extend(1:20)
  neptune_wait(run)

  values <- neptune_fetch_values(run["values"])
  expect_s3_class(values, "data.frame")
  expect_named(values, c("step", "value", "timestamp"))
  expect_equal(values$value, as.numeric(1:20))
  expect_identical(values$step, as.numeric(0:19))
  expect_s3_class(values$timestamp, "POSIXct")
  expect_true(all(values$timestamp >= before - 1))
  expect_true(all(diff(as.numeric(values$timestamp)) >= 0))

  batch <- neptune_fetch_values(run["batch"])
  expect_identical(batch$step, c(10, 11, 12))
  expect_identical(batch$value, c(0.5, 0.25, 0.125))

  more <- neptune_fetch_values(run["more"])
  expect_identical(more$step, c(1, 5, 9))
  expect_equal(as.numeric(more$timestamp), c(1e9, 1e9 + 1, 1e9 + 2))

  expect_identical(neptune_fetch_values(run["train/loss"])$value, c(0.3, 0.2))
  expect_identical(neptune_fetch_values(run["train/acc"])$step, c(1, 2))
  expect_identical(neptune_fetch_last(run["train/acc"]), 0.8)

  log <- neptune_fetch_values(run["log"], include_timestamp = FALSE)
  expect_named(log, c("step", "value"))
  expect_identical(log$value, c("first line", "second line"))
  expect_equal(neptune_fetch_values(run["values2"])$value, as.numeric(1:20))
  neptune_stop(run)
})

test_that("files: upload, upload_files, download, track_files", {
  local_store()
  dir <- tempfile("files-")
  dir.create(dir)
  writeLines(c("a,b", "1,2"), file.path(dir, "data.csv"))
  writeLines("notes", file.path(dir, "notes.txt"))
  run <- new_run()
  neptune_upload(run["data/sample"], file.path(dir, "data.csv"))
  neptune_upload_files(run["data/all"], file.path(dir, "*"))
  neptune_track_files(run["data/tracked"], dir)
  neptune_upload(run["text"], neptune_file_from_content("hello from R", extension = "txt"))
  neptune_wait(run)
  out <- tempfile("out-")
  dir.create(out)
  neptune_download(run["data/sample"], destination = out)
  expect_identical(unname(tools::md5sum(list.files(out, full.names = TRUE))),
                   unname(tools::md5sum(file.path(dir, "data.csv"))))
  files <- neptune_fetch_files_list(run["data/tracked"])
  expect_s3_class(files, "data.frame")
  expect_setequal(basename(files$file_path), c("data.csv", "notes.txt"))
  expect_match(neptune_fetch_hash(run["data/tracked"]), "^[0-9a-f]+$")
  text_dir <- tempfile("text-")
  neptune_download(run["text"], destination = file.path(text_dir, "hello.txt"))
  expect_identical(readLines(file.path(text_dir, "hello.txt"), warn = FALSE), "hello from R")
  neptune_stop(run)
})

test_that("resuming a run with with_id= (or neptune-r's run=) and read-only mode", {
  local_store()
  run <- new_run(name = "first")
  run["score"] <- 1
  id <- neptune_fetch(run["sys/id"])
  neptune_stop(run)
  again <- new_run(with_id = id)
  neptune_append(again["loss"], 0.5)
  neptune_stop(again)
  reader <- neptune_init_run(run = id, mode = "read-only")
  expect_identical(neptune_fetch(reader["score"]), 1)
  expect_identical(neptune_fetch_values(reader["loss"])$value, 0.5)
  expect_match(neptune_get_url(reader), id, fixed = TRUE)
  neptune_stop(reader)
})

test_that("plots become PNG files and image series; HTML becomes an HTML file", {
  skip_if_not(capabilities("png"), "R has no png() device here")
  local_store()
  run <- new_run()
  neptune_upload(run["plots/scatter"], neptune_file_as_image(function() plot(1:10)))
  grDevices::pdf(NULL)
  grDevices::dev.control("enable")  # pdf() keeps no display list to record otherwise
  hist(c(1, 2, 2, 3, 3, 3))
  recorded <- grDevices::recordPlot()
  grDevices::dev.off()
  neptune_upload(run["plots/hist"], recorded)  # a recorded plot is made a PNG by itself
  for (i in 1:3) {
    neptune_append(run["plots/epochs"], neptune_file_as_image(function() barplot(seq_len(i))),
                   step = i, name = sprintf("epoch %d", i))
  }
  neptune_upload(run["report"], neptune_file_as_html("<p>accuracy <b>0.9</b></p>"))
  neptune_wait(run)

  out <- tempfile("plots-")
  neptune_download(run["plots/scatter"], destination = file.path(out, "scatter.png"))
  neptune_download(run["plots/hist"], destination = file.path(out, "hist.png"))
  neptune_download_last(run["plots/epochs"], destination = file.path(out, "last.png"))
  png_signature <- as.raw(c(0x89, 0x50, 0x4e, 0x47))
  for (name in c("scatter.png", "hist.png", "last.png")) {
    expect_identical(readBin(file.path(out, name), "raw", 4L), png_signature, label = name)
  }
  expect_identical(run["plots/scatter"]$fetch_extension(), "png")
  neptune_download(run["report"], destination = file.path(out, "report.html"))
  expect_identical(readLines(file.path(out, "report.html"), warn = FALSE), "<p>accuracy <b>0.9</b></p>")
  expect_error(neptune_file_as_image(42), "takes a ggplot")
  neptune_stop(run)
})
