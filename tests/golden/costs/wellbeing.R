# SPDX-License-Identifier: GPL-3.0-or-later
# Golden values of the wellbeing value line (promscore service --wellbeing):
# the paired change in ONS4 life satisfaction from a scored CSV, its 95% CI
# from R's t.test, WELLBYs over the follow-up window and their value at the
# costs file's wellby row uprated by the price index. Run from this directory:
#   Rscript wellbeing.R > wellbeing-expected.csv
# Inputs: ../../data/costs/wellbeing-ons4.csv (docs/examples/ons4.csv scored by
# `promscore score -i ons4`, its ids SP001..SP029 renamed R1..R29, the people
# referred in ../service/camden_referred.csv; SP030 renamed C1, one of the
# comparison cohort, and SP031 X31, no one read; then a second baseline score of
# R1 and R30, whose baseline is not ok, appended), ../../data/costs/unit-costs-wellby.csv,
# ../../data/costs/price-index.csv (docs/examples/price-index-example.csv).
scored <- read.csv("../../data/costs/wellbeing-ons4.csv", colClasses = "character")
referred <- read.csv("../service/camden_referred.csv", colClasses = "character")
ls <- scored[scored$instrument == "ons4" & scored$scale == "satisfaction", ]
# Only the people referred: a score of anyone else is refused.
ls <- ls[ls$participant_id %in% referred$participant_id, ]
# The first score of a person at a timepoint is used; a second is refused.
ls <- ls[!duplicated(ls[, c("participant_id", "timepoint")]), ]
ok <- ls[ls$status == "ok", ]
base <- ok[ok$timepoint == "baseline", ]
follow <- ok[ok$timepoint == "followup", ]
both <- merge(base, follow, by = "participant_id", suffixes = c(".b", ".f"))
change <- as.numeric(both$score.f) - as.numeric(both$score.b)
test <- t.test(as.numeric(both$score.f), as.numeric(both$score.b), paired = TRUE)
n <- length(change)
years <- 365 / 365.25                  # post12: 365 days, in years of 365.25 days
index <- read.csv("../../data/costs/price-index.csv", header = FALSE, skip = 5,
                  colClasses = "character")
level <- cumprod(c(1, 1 + as.numeric(index$V2[-1]) / 100))
names(level) <- index$V1
value <- 13000 * level[["2022/23"]] / level[["2019/20"]]
wellbys <- sum(change) * years
out <- data.frame(
    statistic = c("wellbeing_n_paired", "wellbeing_mean_change",
                  "wellbeing_mean_change_ci_low", "wellbeing_mean_change_ci_high",
                  "wellbys", "value_per_wellby", "wellbeing_value",
                  "wellbeing_value_ci_low", "wellbeing_value_ci_high"),
    value = c(n, unname(test$estimate), test$conf.int[1], test$conf.int[2], wellbys, value,
              wellbys * value, test$conf.int[1] * n * years * value,
              test$conf.int[2] * n * years * value))
out$value <- sprintf("%.17g", out$value)
write.csv(out, stdout(), row.names = FALSE, quote = FALSE)
