# SPDX-License-Identifier: GPL-3.0-or-later
# Golden values for the service-use statistics (tests/test_service.c), computed by R itself.
# Run from this folder:  Rscript service.R > expected.csv
# Base R only (no MASS, no sandwich).
#
# Each data set is counts as promscore reads them: participant_id, window, optionally
# exposure_days (empty: the whole window), ae_attendances (empty: not recorded). A person is
# paired when they have a count and days observed > 0 in both windows.
#
# The rate ratio is a ratio of sums, rate_after / rate_before with rates per person-year;
# it is exactly the period effect of glm(count ~ after + offset(log(years)), poisson),
# which is checked below. Its 95% CI is exp(log RR -+ qt(0.975, n - 1) * SE), SE^2 the
# cluster-robust (sandwich) variance of that period effect, clustered on the person, times
# n / (n - 1): the closed form (u = after - R1 * t1, v = before - R0 * t0 per person,
# SE^2 = n / (n - 1) * sum((u / E1 - v / E0)^2)) is checked against the sandwich computed
# from glm's model matrix. quasi-Poisson's interval (which treats a person's two windows as
# independent) is printed to stderr for comparison only.
# The net rate ratio of a referred cohort against a comparison cohort is RR_r / RR_c, its
# CI exp(log -+ qt(0.975, min(n_r, n_c) - 1) * sqrt(SE_r^2 + SE_c^2)).
options(warn = 1)
year <- 365.25

read_pairs <- function(file, first, second, days) {
  x <- read.csv(file, colClasses = "character")
  if (is.null(x$exposure_days)) x$exposure_days <- ""
  x$window <- tolower(x$window)
  get <- function(w) {
    y <- x[x$window == w, ]
    data.frame(id = y$participant_id,
               count = ifelse(y$ae_attendances == "", NA, as.numeric(y$ae_attendances)),
               days = ifelse(y$exposure_days == "", days[[w]], as.numeric(y$exposure_days)))
  }
  a <- get(first); b <- get(second)
  m <- merge(a, b, by = "id", all.x = TRUE, suffixes = c("0", "1"))
  has0 <- !is.na(m$count0) & m$days0 > 0
  has1 <- !is.na(m$count1) & !is.na(m$days1) & m$days1 > 0
  list(p = m[has0 & has1, ], unpaired = sum(has0 & !has1))
}

# The rate ratio, the variance of its log, and the checks against glm.
rate_ratio <- function(p) {
  n <- nrow(p); E0 <- sum(p$count0); E1 <- sum(p$count1); T0 <- sum(p$days0); T1 <- sum(p$days1)
  if (n == 0 || E0 == 0) return(list(rr = NA, v = NA))
  R0 <- E0 / T0; R1 <- E1 / T1; rr <- R1 / R0
  if (n < 2 || E1 == 0) return(list(rr = rr, v = NA))
  w <- (p$count1 - R1 * p$days1) / E1 - (p$count0 - R0 * p$days0) / E0
  v <- n / (n - 1) * sum(w^2)
  # The same from glm: the period effect and its cluster sandwich.
  long <- data.frame(id = rep(p$id, 2), after = rep(0:1, each = n),
                     count = c(p$count0, p$count1), years = c(p$days0, p$days1) / year)
  fit <- glm(count ~ after + offset(log(years)), family = poisson, data = long)
  stopifnot(abs(exp(coef(fit)[["after"]]) / rr - 1) < 1e-10)
  X <- model.matrix(fit); mu <- fitted(fit)
  bread <- solve(crossprod(X * sqrt(mu)))
  scores <- rowsum(X * (long$count - mu), long$id)
  sandwich <- bread %*% crossprod(scores) %*% bread
  # As t.test finds data "essentially constant": no interval without variation.
  if (sqrt(v) < 10 * .Machine$double.eps) {
    stopifnot(abs(sandwich[2, 2]) < 1e-12)  # glm converges to about 1e-8
    return(list(rr = rr, v = NA))
  }
  stopifnot(abs(n / (n - 1) * sandwich[2, 2] / v - 1) < 1e-8)
  qp <- glm(count ~ after + offset(log(years)), family = quasipoisson, data = long)
  se_qp <- sqrt(vcov(qp)[2, 2])
  message(sprintf("quasi-Poisson, for comparison: %.4f (%.4f to %.4f); sandwich: (%.4f to %.4f)",
                  rr, rr * exp(-qt(0.975, 2 * n - 2) * se_qp), rr * exp(qt(0.975, 2 * n - 2) * se_qp),
                  rr * exp(-qt(0.975, n - 1) * sqrt(v)), rr * exp(qt(0.975, n - 1) * sqrt(v))))
  list(rr = rr, v = v)
}

out <- function(set, group, name, value)
  cat(sprintf("%s,%s,%s,%s\n", set, group, name,
              if (is.na(value)) "NA" else sprintf("%.17g", value)))

figures <- function(set, group, pairs, equal) {
  p <- pairs$p; n <- nrow(p)
  E0 <- sum(p$count0); E1 <- sum(p$count1)
  out(set, group, "n_people", n); out(set, group, "n_unpaired", pairs$unpaired)
  out(set, group, "events_before", E0); out(set, group, "events_after", E1)
  out(set, group, "person_years_before", if (n) sum(p$days0) / year else NA)
  out(set, group, "person_years_after", if (n) sum(p$days1) / year else NA)
  out(set, group, "rate_before", if (n) E0 / (sum(p$days0) / year) else NA)
  out(set, group, "rate_after", if (n) E1 / (sum(p$days1) / year) else NA)
  out(set, group, "events_change", if (equal && E0 > 0) (E1 - E0) / E0 else NA)
  r <- rate_ratio(p)
  q <- if (n >= 2) qt(0.975, n - 1) else NA
  out(set, group, "rate_ratio", r$rr)
  out(set, group, "rate_ratio_ci_low", r$rr * exp(-q * sqrt(r$v)))
  out(set, group, "rate_ratio_ci_high", r$rr * exp(q * sqrt(r$v)))
  after <- p$count1 * p$days0; before <- p$count0 * p$days1
  out(set, group, "n_fell", sum(after < before)); out(set, group, "n_stayed", sum(after == before))
  out(set, group, "n_rose", sum(after > before))
  out(set, group, "share_fell", if (n) sum(after < before) / n else NA)
  out(set, group, "n_none_before", sum(p$count0 == 0)); out(set, group, "n_none_after", sum(p$count1 == 0))
  out(set, group, "share_none_after", if (n) sum(p$count1 == 0) / n else NA)
  c(r, n = n)
}

net <- function(set, a, b) {
  ratio <- a$rr / b$rr
  q <- qt(0.975, min(a$n, b$n) - 1); se <- sqrt(a$v + b$v)
  out(set, "all", "net_rate_ratio", ratio)
  out(set, "all", "net_rate_ratio_ci_low", ratio * exp(-q * se))
  out(set, "all", "net_rate_ratio_ci_high", ratio * exp(q * se))
}

cat("set,group,statistic,value\n")
year12 <- list(pre12 = 365, post12 = 365)
for (set in c("equal", "none_after", "proportional", "single"))
  figures(set, "all", read_pairs(paste0(set, ".csv"), "pre12", "post12", year12), TRUE)
figures("exposure", "all", read_pairs("exposure.csv", "pre12", "post6", list(pre12 = 365, post6 = 183)),
        FALSE)
for (set in c("camden", "steeper")) {
  a <- figures(set, "all", read_pairs(paste0(set, "_referred.csv"), "pre12", "post12", year12), TRUE)
  b <- figures(set, "comparison", read_pairs("camden_comparison.csv", "pre12", "post12", year12), TRUE)
  net(set, a, b)
}
