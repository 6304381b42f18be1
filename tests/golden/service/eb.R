# SPDX-License-Identifier: GPL-3.0-or-later
# Golden values for the empirical-Bayes counterfactual and the quasi-Poisson interval of the
# service-use report (tests/test_service.c), computed by R itself.
# Run from this folder:  Rscript eb.R > eb_expected.csv
# Needs MASS (glm.nb, theta.ml); the data sets are those of service.R, read the same way.
#
# Empirical Bayes (Hauer, Observational Before-After Studies in Road Safety, Pergamon 1997;
# Hauer, Harwood, Council and Griffith, Transportation Research Record 1784, 2002): among all
# attenders, the count in a selection window of L days is negative binomial with mean mu and
# shape k (variance mu + mu^2 / k), that is Poisson with a gamma(k, rate k / mu) mean m. A
# person observed t0 = days0 / L of the selection window with x events there has the gamma
# posterior (k + x, k / mu + t0), so in the t1 = days1 / L of the after window observed their
# expected count without intervention is
#     E = (k + x) * mu * t1 / (k + mu * t0),   Var(E) = E * mu * t1 / (k + mu * t0)
# (with whole windows of equal length, E = (k + x) mu / (k + mu), Var(E) = E mu / (k + mu)).
# pi = sum E, Var(pi) = sum Var(E) (people independent), O = the events after, Var(O) = O.
# Hauer's index of effectiveness, corrected for the bias of a ratio:
#     theta = (O / pi) / (1 + Var(pi) / pi^2)
#     Var(theta) = theta^2 (1 / O + Var(pi) / pi^2) / (1 + Var(pi) / pi^2)^2
# and its 95% CI theta -+ qnorm(0.975) sqrt(Var(theta)), the low end no lower than 0.
#
# A population given as a histogram (count, people) is fitted as MASS::glm.nb(count ~ 1,
# weights = people) fits it: mu the weighted mean, theta the root of theta.ml's score. glm.nb
# calls theta.ml with its default step tolerance, eps = .Machine$double.eps^0.25, and Newton
# stops one step short of the root: glm.nb's theta is within about 3e-8 of it (relative) for
# population.csv. The golden theta is theta.ml's own Newton run to a step of 1e-14, the root
# of the score to double precision; glm.nb's is printed too (glm_nb_theta), and the script
# checks mu against glm.nb to 1e-9 and theta to 1e-6.
#
# quasi-Poisson: glm(count ~ after + offset(log(years)), family = quasipoisson) over each
# person's two windows; its 95% CI is exp(b -+ qt(0.975, df.residual) se), se from
# summary.glm (the dispersion the Pearson chi-square over df.residual = 2n - 2), as
# summary.glm's t tests use. (confint.default would use qnorm; MASS's confint profiles.)
# The net rate ratio under it: exp(log ratio -+ qt(0.975, min(df_r, df_c)) sqrt(se_r^2 + se_c^2)).
suppressPackageStartupMessages(library(MASS))
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
  m[has0 & has1, ]
}

out <- function(set, group, name, value)
  cat(sprintf("%s,%s,%s,%s\n", set, group, name,
              if (is.na(value)) "NA" else sprintf("%.17g", value)))

# Per person: the expected count after and its variance.
eb_person <- function(x, t0, t1, mu, k) {
  e <- (k + x) * mu * t1 / (k + mu * t0)
  list(e = e, v = e * mu * t1 / (k + mu * t0))
}

eb <- function(set, p, L, mu, k) {
  out(set, "all", "eb_population_mean", mu); out(set, "all", "eb_population_shape", k)
  e <- eb_person(p$count0, p$days0 / L, p$days1 / L, mu, k)
  # The closed form against the gamma posterior's mean, by integration, for the first person.
  post <- function(m) m * dgamma(m, shape = k + p$count0[1], rate = k / mu + p$days0[1] / L)
  stopifnot(abs(integrate(post, 0, Inf, rel.tol = 1e-12)$value * p$days1[1] / L / e$e[1] - 1) < 1e-8)
  for (i in seq_len(min(3, nrow(p)))) {
    out(set, p$id[i], "eb_expected", e$e[i]); out(set, p$id[i], "eb_variance", e$v[i])
  }
  O <- sum(p$count1); pi <- sum(e$e); vpi <- sum(e$v)
  theta <- (O / pi) / (1 + vpi / pi^2)
  vtheta <- theta^2 * (1 / O + vpi / pi^2) / (1 + vpi / pi^2)^2
  z <- qnorm(0.975)
  out(set, "all", "eb_expected_after", pi)
  out(set, "all", "eb_index", theta)
  out(set, "all", "eb_index_ci_low", max(0, theta - z * sqrt(vtheta)))
  out(set, "all", "eb_index_ci_high", theta + z * sqrt(vtheta))
  message(sprintf("%s: observed %g, expected %.3f, index %.4f (%.4f to %.4f)", set, O, pi, theta,
                  max(0, theta - z * sqrt(vtheta)), theta + z * sqrt(vtheta)))
}

# quasi-Poisson: the rate ratio and its interval from glm; returns log ratio, se^2 and df.
quasi <- function(set, group, p) {
  n <- nrow(p)
  long <- data.frame(after = rep(0:1, each = n), count = c(p$count0, p$count1),
                     years = c(p$days0, p$days1) / year)
  po <- glm(count ~ after + offset(log(years)), family = poisson, data = long)
  qp <- glm(count ~ after + offset(log(years)), family = quasipoisson, data = long,
            control = glm.control(epsilon = 1e-14, maxit = 100))
  rr <- (sum(p$count1) / sum(p$days1)) / (sum(p$count0) / sum(p$days0))
  stopifnot(abs(exp(coef(po)[["after"]]) / rr - 1) < 1e-10,
            abs(exp(coef(qp)[["after"]]) / rr - 1) < 1e-12)
  b <- log(rr)  # the exact estimate; glm's agrees to the line above
  se <- summary(qp)$coefficients["after", "Std. Error"]
  # The closed form promscore uses: dispersion = Pearson chi-square / (2n - 2), and the
  # period effect's variance 1 / E0 + 1 / E1 times it.
  r0 <- sum(p$count0) / sum(p$days0); r1 <- sum(p$count1) / sum(p$days1)
  m0 <- r0 * p$days0; m1 <- r1 * p$days1
  phi <- (sum((p$count0 - m0)^2 / m0) + sum((p$count1 - m1)^2 / m1)) / (2 * n - 2)
  stopifnot(abs(sqrt(phi * (1 / sum(p$count0) + 1 / sum(p$count1))) / se - 1) < 1e-9,
            qp$df.residual == 2 * n - 2)
  q <- qt(0.975, qp$df.residual)
  out(set, group, "rate_ratio", rr)
  out(set, group, "rate_ratio_ci_low", exp(b - q * se))
  out(set, group, "rate_ratio_ci_high", exp(b + q * se))
  list(b = b, v = se^2, df = qp$df.residual)
}

cat("set,group,statistic,value\n")
year12 <- list(pre12 = 365, post12 = 365)

# A population of all attenders as a histogram of counts in a year, fitted as glm.nb does.
h <- read.csv("population.csv")
fit <- glm.nb(count ~ 1, weights = people, data = h)
mu <- sum(h$count * h$people) / sum(h$people)
theta <- theta.ml(h$count, rep(mu, nrow(h)), sum(h$people), h$people, limit = 100, eps = 1e-14)
stopifnot(abs(exp(coef(fit)[[1]]) / mu - 1) < 1e-9, abs(fit$theta / theta - 1) < 1e-6)
out("population", "all", "eb_population_mean", mu)
out("population", "all", "eb_population_shape", as.vector(theta))
out("population", "all", "glm_nb_theta", fit$theta)
# A histogram barely over-dispersed (variance 1.142, mean 1.055): a large shape, still finite.
y <- 0:5; w <- c(3600, 3600, 1850, 650, 200, 100); m <- sum(y * w) / sum(w)
out("nearly_poisson", "all", "eb_population_mean", m)
out("nearly_poisson", "all", "eb_population_shape",
    as.vector(suppressWarnings(theta.ml(y, rep(m, 6), sum(w), w, limit = 200, eps = 1e-14))))

# The Camden cohorts against the fitted population: the referred fall as the population
# predicts (an index near 1); the steeper cohort falls beyond it.
eb("camden_eb", read_pairs("camden_referred.csv", "pre12", "post12", year12), 365, mu, theta)
eb("steeper_eb", read_pairs("steeper_referred.csv", "pre12", "post12", year12), 365, mu, theta)
# A population given as mean and shape, with time observed in part of either window.
eb("exposure_eb", read_pairs("exposure.csv", "pre12", "post6", list(pre12 = 365, post6 = 183)),
   365, 1.8, 0.6)

# quasi-Poisson intervals, and the net rate ratio under them.
for (set in c("equal", "proportional"))
  quasi(paste0(set, "_quasi"), "all", read_pairs(paste0(set, ".csv"), "pre12", "post12", year12))
invisible(quasi("exposure_quasi", "all",
      read_pairs("exposure.csv", "pre12", "post6", list(pre12 = 365, post6 = 183))))
for (set in c("camden", "steeper")) {
  s <- paste0(set, "_quasi")
  a <- quasi(s, "all", read_pairs(paste0(set, "_referred.csv"), "pre12", "post12", year12))
  b <- quasi(s, "comparison", read_pairs("camden_comparison.csv", "pre12", "post12", year12))
  q <- qt(0.975, min(a$df, b$df))
  out(s, "all", "net_rate_ratio", exp(a$b - b$b))
  out(s, "all", "net_rate_ratio_ci_low", exp(a$b - b$b - q * sqrt(a$v + b$v)))
  out(s, "all", "net_rate_ratio_ci_high", exp(a$b - b$b + q * sqrt(a$v + b$v)))
}
