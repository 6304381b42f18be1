# SPDX-License-Identifier: GPL-3.0-or-later
# Golden values of the completers-only cost figures (promscore service
# --completed): the Camden-like fixture (tests/golden/service/camden_*.csv),
# A&E attendances at 114 a unit, and the completers listed in
# ../../data/costs/completed.csv (R1 to R18; its other rows are refused).
# The counterfactual is built from rates over summed person-time, as the
# service-use report's rate ratio is: the completers' events expected after
# are (their events before / their days before) * their days after, times the
# whole comparison cohort's rate ratio. The fixture has whole windows of 365
# days (no exposure_days column). Run from this directory:
#   Rscript completers.R > completers-expected.csv
referred <- read.csv("../service/camden_referred.csv")
comparison <- read.csv("../service/camden_comparison.csv")
listed <- read.csv("../../data/costs/completed.csv", colClasses = "character")
completers <- intersect(listed$participant_id, unique(referred$participant_id))
u <- 114
wide <- function(d) {
    pre <- d[d$window == "pre12", c("participant_id", "ae_attendances")]
    post <- d[d$window == "post12", c("participant_id", "ae_attendances")]
    merge(pre, post, by = "participant_id", suffixes = c(".pre", ".post"))
}
r <- wide(referred)
c <- wide(comparison)
mine <- r[r$participant_id %in% completers, ]
days <- 365
rate_ratio <- function(d) (sum(d$ae_attendances.post) / (days * nrow(d))) /
    (sum(d$ae_attendances.pre) / (days * nrow(d)))
rr_c <- rate_ratio(c)
before <- sum(mine$ae_attendances.pre)
after <- sum(mine$ae_attendances.post)
# Their use before on their time observed after, pooled.
base <- before / (days * nrow(mine)) * (days * nrow(mine))
expected <- base * rr_c
out <- data.frame(
    statistic = c("n_completers", "n_referred", "completers_cost_before",
                  "completers_cost_after", "completers_gross_cost_fall",
                  "completers_cost_expected_after", "completers_notional_cost_avoidance",
                  "completers_rate_ratio"),
    value = c(nrow(mine), nrow(r), u * before, u * after, u * (base - after),
              u * expected, u * (expected - after), rate_ratio(mine)))
out$value <- sprintf("%.17g", out$value)
write.csv(out, stdout(), row.names = FALSE, quote = FALSE)
