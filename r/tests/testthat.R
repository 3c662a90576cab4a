library(testthat)
library(despina)

test_check("despina")
