# SPDX-License-Identifier: GPL-3.0-or-later
# Golden values for tests/test_stats.c, computed by R itself.
# Run from this folder:  Rscript golden.R > expected.csv
# Each data set holds baseline,followup pairs; D = followup - baseline.
# d_z = mean(D) / sd(D); its 95% CI inverts the noncentral t in the
# noncentrality parameter (pt(t, df, ncp) = 0.975 and 0.025), divided by sqrt(n).
# The swemwbs_ sets are two or three SWEMWBS metric scores (df = 1 or 2), where
# pt's noncentral tail is slow to settle and libRmath warns on stdout for some ncp.
options(warn = -1)
sets <- c("small_ties_zeros", "exact_no_ties", "large_normal", "constant_change", "all_zero",
          "swemwbs_two_pairs", "swemwbs_two_pairs_decline", "swemwbs_two_pairs_apart",
          "swemwbs_three_pairs", "swemwbs_three_pairs_mixed", "two_pairs_large_t",
          "three_pairs_pnt_jump")
# The root is sought in t +- 50, except at t = 201 with df = 1 (two_pairs_large_t):
# beyond |ncp| = 37.62 pt leaves its series for a normal approximation, poor at
# df = 1, which crosses 0.975 again near ncp = -128; there the roots are sought
# in 0..t and t..3t, on either side of t, where pt falls steadily.
# three_pairs_pnt_jump (changes 1, 1.000001, 1: t = 3e6, df = 2) is sought the same way. Its
# lower root is no root: pt(t, 2, ncp) jumps from 1 - 1.6e-10 (the series, which does not
# warn above 1 - 1e-10) to 0.96 (the approximation) at ncp = 37.62, and uniroot, like any
# bisection, closes on the jump. Integrating pnorm(t S - ncp) over S = sqrt(chisq(2) / 2)
# puts pt(t, 2, ncp) = 0.975 near ncp = 4.8e5, not 37.62: the bound must carry a note.
wide <- c("two_pairs_large_t", "three_pairs_pnt_jump")
out <- function(set, name, value) cat(sprintf("%s,%s,%s\n", set, name,
                                             if (is.na(value)) "NA" else sprintf("%.17g", value)))
ncp_at <- function(t, df, p, interval = c(t - 50, t + 50))
  uniroot(function(ncp) pt(t, df, ncp) - p, interval, tol = 1e-15, maxiter = 10000)$root
cat("set,statistic,value\n")
for (set in sets) {
  x <- read.csv(paste0(set, ".csv"))
  pre <- x$baseline; post <- x$followup; d <- post - pre; n <- length(d)
  out(set, "mean_baseline", mean(pre)); out(set, "sd_baseline", sd(pre))
  out(set, "median_baseline", median(pre))
  out(set, "mean_followup", mean(post)); out(set, "sd_followup", sd(post))
  out(set, "median_followup", median(post))
  out(set, "mean_change", mean(d)); out(set, "sd_change", sd(d))
  tt <- tryCatch(t.test(post, pre, paired = TRUE), error = function(e) NULL)
  if (!is.null(tt) && is.finite(tt$statistic)) {
    out(set, "t", tt$statistic); out(set, "df", tt$parameter); out(set, "p_t", tt$p.value)
    out(set, "ci_low", tt$conf.int[1]); out(set, "ci_high", tt$conf.int[2])
    t <- unname(tt$statistic); df <- n - 1
    out(set, "d_z", mean(d) / sd(d))
    out(set, "g_z", mean(d) / sd(d) * (1 - 3 / (4 * df - 1)))
    low <- if (set %in% wide) ncp_at(t, df, 0.975, c(0, t)) else ncp_at(t, df, 0.975)
    high <- if (set %in% wide) ncp_at(t, df, 0.025, c(t, 3 * t)) else ncp_at(t, df, 0.025)
    out(set, "d_z_ci_low", low / sqrt(n))
    out(set, "d_z_ci_high", high / sqrt(n))
  } else {
    for (s in c("t", "p_t", "ci_low", "ci_high", "d_z", "g_z", "d_z_ci_low", "d_z_ci_high"))
      out(set, s, NA)
  }
  w <- tryCatch(wilcox.test(post, pre, paired = TRUE), error = function(e) NULL)
  if (!is.null(w) && is.finite(w$p.value)) {
    out(set, "wilcoxon_v", w$statistic); out(set, "p_wilcoxon", w$p.value)
    out(set, "wilcoxon_exact", as.numeric(grepl("exact", w$method)))
  } else {
    out(set, "wilcoxon_v", NA); out(set, "p_wilcoxon", NA)
  }
}
