#!/usr/bin/env bash
# The R package (r/): install it into a library folder of its own (build/r-lib, so the
# machine's R library is left alone) and run its testthat tests, which log from R into an
# embedded store in a temp folder and read the runs back from a separate Python process.
# Needs R with reticulate and testthat (Debian: apt-get install r-base-core
# r-cran-reticulate r-cran-testthat) and .venv with despina (scripts/setup.sh).
# Extra arguments are a testthat filter, e.g. scripts/test_r.sh training
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
if ! command -v Rscript >/dev/null 2>&1 || ! command -v R >/dev/null 2>&1; then
  echo "scripts/test_r.sh: R is not installed. On Debian:" >&2
  echo "  sudo apt-get install -y r-base-core r-cran-reticulate r-cran-testthat" >&2
  exit 1
fi
for pkg in reticulate testthat; do
  if ! Rscript -e "quit(status = !requireNamespace('$pkg', quietly = TRUE))" >/dev/null 2>&1; then
    echo "scripts/test_r.sh: the R package '$pkg' is missing. On Debian:" >&2
    echo "  sudo apt-get install -y r-cran-reticulate r-cran-testthat" >&2
    exit 1
  fi
done
if [ ! -x .venv/bin/python ]; then
  echo "scripts/test_r.sh: no .venv/bin/python; run scripts/setup.sh first" >&2
  exit 1
fi
lib="$PWD/build/r-lib"
mkdir -p "$lib"
R CMD INSTALL --no-multiarch --library="$lib" r/ >build/r-install.log 2>&1 || {
  cat build/r-install.log >&2
  echo "scripts/test_r.sh: R CMD INSTALL r/ failed" >&2
  exit 1
}
echo "[r] installed in $((SECONDS - start)) s"
export DESPINA_PYTHON="$PWD/.venv/bin/python"
export R_LIBS="$lib${R_LIBS:+:$R_LIBS}"
filter="${1:-}"
# testthat's check reporter stops with an error when a test fails, so Rscript exits non-zero.
(cd r/tests/testthat && Rscript --vanilla -e "
  library(testthat)
  library(despina, lib.loc = '$lib')
  f <- '$filter'
  res <- test_dir('.', package = 'despina', load_package = 'installed',
                  filter = if (nzchar(f)) f else NULL, reporter = c('progress'),
                  stop_on_failure = TRUE)
")
echo "[r] done in $((SECONDS - start)) s"
