# A real training loop in R (linear regression by gradient descent), then a separate Python
# process reads the same run back: every value and step equal to what R logged.

test_that("a training loop logged from R reads back equal from another Python process", {
  store <- local_store("team/r-training")
  set.seed(17)
  n <- 200L
  x <- matrix(rnorm(n * 3L), ncol = 3L)
  truth <- c(1.5, -2, 0.5)
  y <- as.vector(x %*% truth + rnorm(n, sd = 0.1))
  valid <- 151:200
  train <- 1:150

  params <- list(lr = 0.05, epochs = 30L, features = 3L, optimizer = "sgd",
                 schedule = list(warmup = FALSE, decay = 0.99))
  run <- neptune_init_run(name = "linear-regression", tags = c("r", "gd"),
                          capture_stdout = FALSE, capture_stderr = FALSE,
                          capture_hardware_metrics = FALSE)
  run["params"] <- params

  w <- rep(0, 3L)
  lr <- params$lr
  logged <- list(loss = numeric(), accuracy = numeric(), valid = numeric())
  for (epoch in seq_len(params$epochs)) {
    residual <- as.vector(x[train, ] %*% w) - y[train]
    grad <- as.vector(t(x[train, ]) %*% residual) / length(train)
    w <- w - lr * grad
    lr <- lr * params$schedule$decay
    loss <- mean(residual^2)
    accuracy <- mean(abs(residual) < 0.5)
    valid_loss <- mean((as.vector(x[valid, ] %*% w) - y[valid])^2)
    neptune_append(run["train/loss"], loss, step = epoch)
    run["train/accuracy"]$append(accuracy, step = epoch)
    neptune_log(run["valid/loss"], valid_loss, step = epoch)
    if (epoch %% 10L == 0L) neptune_append(run["train/notes"], sprintf("epoch %d done", epoch), step = epoch)
    logged$loss <- c(logged$loss, loss)
    logged$accuracy <- c(logged$accuracy, accuracy)
    logged$valid <- c(logged$valid, valid_loss)
  }
  coefficients <- file.path(tempdir(), "coefficients.csv")
  write.csv(data.frame(feature = 1:3, weight = w), coefficients, row.names = FALSE)
  neptune_upload(run["model/coefficients"], coefficients)
  rmse <- sqrt(logged$valid[[params$epochs]])
  run["eval/rmse"] <- rmse
  id <- neptune_fetch(run["sys/id"])
  neptune_stop(run)
  expect_lt(rmse, 1)  # the loop trained something

  downloads <- tempfile("downloads-")
  dir.create(downloads)
  lines <- run_python("read_run.py", c(id, downloads),
                      env = c(paste0("DESPINA_DATA_DIRECTORY=", store), "DESPINA_PROJECT=team/r-training"))
  got <- read_tsv(lines)

  atoms <- got[got$kind == "atom", ]
  atom <- function(path) atoms[atoms$path == path, c("v1", "v2")]
  expect_identical(atom("params/lr")$v1, "float")
  expect_identical(from_hex(atom("params/lr")$v2), params$lr)
  expect_identical(atom("params/epochs")$v1, "int")
  expect_identical(as.integer(atom("params/epochs")$v2), params$epochs)
  expect_identical(atom("params/optimizer")$v2, "sgd")
  expect_identical(atom("params/schedule/warmup")$v2, "False")
  expect_identical(from_hex(atom("params/schedule/decay")$v2), 0.99)
  expect_identical(atom("sys/name")$v2, "linear-regression")
  expect_identical(from_hex(atom("eval/rmse")$v2), rmse)
  expect_identical(got$v1[got$kind == "tags"], "gd,r")

  series <- function(path) got[got$kind == "point" & got$path == path, ]
  for (case in list(list("train/loss", logged$loss), list("train/accuracy", logged$accuracy),
                    list("valid/loss", logged$valid))) {
    points <- series(case[[1]])
    expect_identical(from_hex(points$v1), as.numeric(seq_len(params$epochs)), label = case[[1]])
    expect_identical(from_hex(points$v2), case[[2]], label = case[[1]])
  }
  notes <- got[got$kind == "text", ]
  expect_identical(from_hex(notes$v1), c(10, 20, 30))
  expect_identical(notes$v2, sprintf("epoch %d done", c(10L, 20L, 30L)))

  expect_identical(got$v1[got$kind == "file"], "csv")
  downloaded <- list.files(downloads, full.names = TRUE)
  expect_length(downloaded, 1L)
  expect_identical(unname(tools::md5sum(downloaded)), unname(tools::md5sum(coefficients)))
  expect_identical(got$v1[got$kind == "state"], "idle")
})

# Rscript train.R, as a user runs it: every capture on, no neptune_stop() at the end.
script_run <- function(lines, project) {
  store <- local_store(project, env = parent.frame())
  dir <- tempfile("script-")
  dir.create(dir)
  script <- file.path(dir, "train.R")
  writeLines(c("library(despina)", lines), script)
  env <- c(paste0("DESPINA_PYTHON=", test_python()), paste0("DESPINA_DATA_DIRECTORY=", store),
           paste0("DESPINA_PROJECT=", project))
  rscript <- file.path(R.home("bin"), "Rscript")
  # stderr apart: despina relays each stream by its own thread, so merged they interleave
  errors <- tempfile()
  out <- suppressWarnings(system2(rscript, shQuote(script), stdout = TRUE, stderr = errors,
                                  env = c(paste0("R_LIBS=", paste(.libPaths(), collapse = ":")), env)))
  id <- sub("^RUN ID ", "", grep("^RUN ID ", out, value = TRUE))
  expect_length(id, 1L)
  got <- read_tsv(run_python("read_script_run.py", id, env = env[-1]))
  list(status = attr(out, "status"), got = got, output = out)
}

test_that("an R script that never stops its run is stored when R exits, with its source and output", {
  result <- script_run(c(
    "run <- neptune_init_run(name = 'script')",
    "for (i in 1:50) neptune_append(run['loss'], 1 / i)",
    "cat('RUN ID ', neptune_fetch(run['sys/id']), '\\n', sep = '')",
    "cat('printed by R\\n')"
  ), "team/r-script")
  expect_null(result$status)
  got <- result$got
  expect_identical(got$path[got$kind == "points"], "50")
  expect_identical(from_hex(got$v1[got$kind == "points"]), 1 / 50)
  expect_identical(got$path[got$kind == "state"], "idle")
  expect_identical(got$path[got$kind == "failed"], "False")
  expect_identical(got$path[got$kind == "source"], "train.R")
  expect_true("printed by R" %in% got$path[got$kind == "stdout"])
})

test_that("an R error that ends a script marks its run failed, with the error, and exits 1", {
  result <- script_run(c(
    "run <- neptune_init_run(name = 'fails')",
    "for (i in 1:5) neptune_append(run['loss'], i)",
    "cat('RUN ID ', neptune_fetch(run['sys/id']), '\\n', sep = '')",
    "train <- function() stop('diverged at epoch 5')",
    "train()"
  ), "team/r-failing")
  expect_identical(result$status, 1L)
  got <- result$got
  expect_identical(got$path[got$kind == "points"], "5")
  expect_identical(got$path[got$kind == "failed"], "True")
  traceback <- got$path[got$kind == "traceback"]
  expect_true(any(grepl("diverged at epoch 5", traceback, fixed = TRUE)), info = paste(traceback, collapse = "\n"))
  expect_true(any(grepl("train()", traceback, fixed = TRUE)))
})

test_that("the training loop of docs/r.md runs as a script, and Python reads its run", {
  doc <- test_path("..", "..", "..", "docs", "r.md")
  if (!file.exists(doc)) skip("docs/r.md is not beside the package (an installed copy)")
  text <- readLines(doc, warn = FALSE)
  start <- which(text == "## A training loop")
  begin <- start + which(text[-seq_len(start)] == "```r")[[1L]]
  end <- begin + which(text[-seq_len(begin)] == "```")[[1L]]
  code <- text[(begin + 1L):(end - 1L)]
  expect_true(any(grepl("neptune_init_run", code, fixed = TRUE)))
  store <- local_store("team/regression")
  dir <- tempfile("doc-")
  dir.create(dir)
  script <- file.path(dir, "train.R")
  writeLines(code, script)
  env <- c(paste0("DESPINA_PYTHON=", test_python()), paste0("DESPINA_DATA_DIRECTORY=", store))
  old <- setwd(dir)
  on.exit(setwd(old), add = TRUE)
  out <- suppressWarnings(system2(file.path(R.home("bin"), "Rscript"), shQuote(script), stdout = TRUE,
                                  stderr = TRUE, env = c(paste0("R_LIBS=", paste(.libPaths(), collapse = ":")), env)))
  expect_null(attr(out, "status"), info = paste(out, collapse = "\n"))
  expect_true(any(grepl("linear-regression", out, fixed = TRUE)), info = paste(out, collapse = "\n"))
  check <- paste(
    "import despina",
    "run = despina.init_run(with_id='REG-1', project='team/regression', mode='read-only')",
    "values = run['train/loss'].fetch_values()",
    "print(len(values), values['step'].iloc[-1], run['model/weights'].fetch_extension(),",
    "      run['plots/fit'].fetch_extension(), run['params/epochs'].fetch())",
    sep = "\n")
  got <- system2(test_python(), c("-c", shQuote(check)), stdout = TRUE, stderr = TRUE,
                 env = c(env, "DESPINA_PROJECT=team/regression"))
  expect_identical(got, "30 30.0 rds png 30")
})
