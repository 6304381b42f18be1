# SPDX-License-Identifier: GPL-3.0-or-later
# Golden values for the costs of service use (tests/test_costs.c), computed by R itself.
# Run from this folder:  Rscript costs.R > expected.csv
# Base R suffices. The bootstrap below draws exactly as boot(data, statistic, R, strata = arm)
# with sim = "ordinary" does, by the same calls its ordinary.array makes (for each stratum in turn, sample.int(n_s, R * n_s, replace =
# TRUE), filling an R x n_s matrix by columns), and the interval is boot.ci(type = "perc")'s
# norm.inter, copied below. promscore's C draws the same numbers: R's Marsaglia-Multicarry
# generator, seeded by set.seed (whose state, .Random.seed = c(401, I1, I2), is printed on
# standard error), with sample.kind "Rounding". Where boot is installed, the script also runs
# boot::boot and boot.ci and stops unless they give the same replicates and interval.
#
# Data as promscore reads it: participant_id, window, exposure_days (empty: the whole 365
# days), one column per measure (empty: not recorded). People are kept in the order they first
# appear in their file (promscore's order); a person is paired for a measure when they have a
# count and days observed > 0 in both windows, and otherwise brings zeros (everyone enrolled is
# resampled).
#
# Per measure m, over the referred: expected after without the service, from rates over summed
# person-time (as the service-use report's rate ratio)
#   E_m = (sum_i before_i / sum_i days_before_i) * sum_i days_after_i  *  RR_c
# (0 when no one is counted), RR_c the comparison cohort's rate ratio (sum after / sum days
# after) / (sum before / sum days before) (1 when naive, with no comparison), so that
# sum_i after_i / E_m is the report's net rate ratio (its rate ratio when naive); notional cost
# avoidance
#   A = sum_m unit_m * (E_m - sum_i after_i);
# ROI = A / programme cost; break-even net rate ratio 1 - cost / sum_m unit_m * E_m.
options(warn = 1)
suppressWarnings(RNGkind("Marsaglia-Multicarry", sample.kind = "Rounding"))

read_arm <- function(file, measures, edit = identity) {
  d <- edit(read.csv(file, colClasses = "character", na.strings = character(0)))
  ids <- unique(d$participant_id)
  out <- list()
  for (m in measures) {
    x <- y <- a <- b <- numeric(length(ids))
    for (k in seq_along(ids)) {
      pre <- d[d$participant_id == ids[k] & d$window == "pre12", ]
      post <- d[d$participant_id == ids[k] & d$window == "post12", ]
      if (nrow(pre) != 1 || nrow(post) != 1) next
      days <- function(r) if (is.null(r$exposure_days) || r$exposure_days == "") 365 else as.numeric(r$exposure_days)
      if (pre[[m]] == "" || post[[m]] == "" || days(pre) <= 0 || days(post) <= 0) next
      x[k] <- as.numeric(pre[[m]]); y[k] <- as.numeric(post[[m]])
      a[k] <- days(pre); b[k] <- days(post)
    }
    out[[m]] <- data.frame(x = x, y = y, a = a, b = b)
  }
  out
}

avoidance <- function(ref, cmp, units, naive) {
  total <- 0; expected <- 0
  for (m in names(units)) {
    r <- ref[[m]]
    rr <- if (naive) 1 else {
      c <- cmp[[m]]; (sum(c$y) / sum(c$b)) / (sum(c$x) / sum(c$a))
    }
    base <- if (sum(r$a) > 0) sum(r$x) / sum(r$a) * sum(r$b) else 0
    E <- base * rr
    expected <- expected + units[[m]] * E
    total <- total + units[[m]] * (E - sum(r$y))
  }
  c(avoidance = total, expected = expected)
}

# boot's norm.inter (boot.ci type "perc"), for finite t.
norm.inter <- function(t, alpha) {
  t <- t[is.finite(t)]
  R <- length(t)
  rk <- (R + 1) * alpha
  k <- trunc(rk)
  inds <- seq_along(k)
  out <- inds
  kvs <- k[k > 0 & k < R]
  tstar <- sort(t, partial = sort(union(c(1, R), c(kvs, kvs + 1))))
  ints <- (k == rk)
  if (any(ints)) out[inds[ints]] <- tstar[k[inds[ints]]]
  out[k == 0] <- tstar[1L]
  out[k == R] <- tstar[R]
  not <- function(v) xor(rep(TRUE, length(v)), v)
  temp <- inds[not(ints) & k != 0 & k != R]
  temp1 <- qnorm(alpha[temp])
  temp2 <- qnorm(k[temp] / (R + 1))
  temp3 <- qnorm((k[temp] + 1) / (R + 1))
  tk <- tstar[k[temp]]
  tk1 <- tstar[k[temp] + 1L]
  out[temp] <- tk + (temp1 - temp2) / (temp3 - temp2) * (tk1 - tk)
  out
}

# ordinary.array's indices for one stratum of n people: an R x n matrix filled by columns.
stratum <- function(n, R) {
  if (n == 1) return(matrix(1L, R, 1))
  matrix(sample.int(n, R * n, replace = TRUE), R, n)
}

golden <- function(set, referred, comparison, units, cost, seed, R, edit = identity) {
  measures <- names(units)
  naive <- is.null(comparison)
  ref <- read_arm(referred, measures, edit)
  cmp <- if (naive) NULL else read_arm(comparison, measures)
  point <- avoidance(ref, cmp, units, naive)
  set.seed(seed)
  seeds <- .Random.seed
  # The kind code is 401 (Marsaglia-Multicarry 1, Inversion 4 * 100, Rounding 0 * 10000);
  # the state set directly, as .Random.seed <- c(401, I1, I2), is the same state.
  stopifnot(seeds[1] == 401L, length(seeds) == 3L)
  assign(".Random.seed", c(401L, seeds[2], seeds[3]), envir = globalenv())
  i_ref <- stratum(nrow(ref[[1]]), R)
  i_cmp <- if (naive) NULL else stratum(nrow(cmp[[1]]), R)
  t <- numeric(R)
  for (r in seq_len(R)) {
    rr <- lapply(ref, function(d) d[i_ref[r, ], ])
    cc <- if (naive) NULL else lapply(cmp, function(d) d[i_cmp[r, ], ])
    t[r] <- avoidance(rr, cc, units, naive)[["avoidance"]] / cost
  }
  ci <- norm.inter(t, c(0.025, 0.975))
  # Where boot is installed, boot itself draws the same replicates and gives the same interval.
  if (requireNamespace("boot", quietly = TRUE)) {
    n_ref <- nrow(ref[[1]])
    n_cmp <- if (naive) 0L else nrow(cmp[[1]])
    statistic <- function(d, i) {
      rr <- lapply(ref, function(x) x[i[i <= n_ref], ])
      cc <- if (naive) NULL else lapply(cmp, function(x) x[i[i > n_ref] - n_ref, ])
      avoidance(rr, cc, units, naive)[["avoidance"]] / cost
    }
    assign(".Random.seed", c(401L, seeds[2], seeds[3]), envir = globalenv())
    b <- boot::boot(seq_len(n_ref + n_cmp), statistic, R,
                    strata = c(rep(1L, n_ref), rep(2L, n_cmp)))
    stopifnot(identical(b$t[, 1], t),
              isTRUE(all.equal(boot::boot.ci(b, type = "perc")$percent[4:5], ci,
                               tolerance = 1e-12)))
    message(set, ": boot::boot and boot.ci agree")
  }
  values <- c(notional_cost_avoidance = point[["avoidance"]],
              cost_expected_after = point[["expected"]],
              roi = point[["avoidance"]] / cost, roi_ci_low = ci[1], roi_ci_high = ci[2],
              p_roi_above_1 = mean(t[is.finite(t)] > 1),
              break_even_rate_ratio = 1 - cost / point[["expected"]])
  message(set, ": .Random.seed after set.seed(", seed, ") = ", paste(seeds, collapse = " "))
  for (k in names(values))
    cat(sprintf("%s,%s,%.17g\n", set, k, values[[k]]))
}

cat("set,statistic,value\n")
# Unit costs at 2023/24 prices: A&E 114 (2021/22) x 1.0732 x 1.0431 (the test index's changes
# for 2022/23 and 2023/24); admissions 1850.5 (2023/24).
units <- list(ae_attendances = 114 * 1.0732 * 1.0431, emergency_admissions = 1850.5)
golden("two_measures", "referred.csv", "comparison.csv", units, 20000, 20261130, 1999)
golden("two_measures_r500", "referred.csv", "comparison.csv", units, 20000, 7, 500)
golden("naive", "referred.csv", NULL, units, 20000, 1, 1999)
# R01 observed for 1 day before referral (registered with the practice the day before): their 9
# A&E attendances and no admission over 1 day are pooled with everyone's time, not made a
# year's rate of their own (which gave a return on investment of hundreds per 1).
one_day <- function(d) {
  d$exposure_days[d$participant_id == "R01" & d$window == "pre12"] <- "1"
  d
}
golden("short_before", "referred.csv", "comparison.csv", units, 20000, 20261130, 1999, one_day)
# The Camden-like cohorts (equal falls): the interval includes no avoidance at all.
golden("camden", "../service/camden_referred.csv", "../service/camden_comparison.csv",
       list(ae_attendances = 114), 5000, 1, 1999)
