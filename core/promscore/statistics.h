/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * promscore: the report's statistic catalogue.
 *
 * Every figure a cohort change report publishes is one of the statistics
 * below. The table is the one place each is declared: the report computes
 * from it, disclosure control protects the counts it marks and hides what
 * rests on them, the text, CSV and JSON writers format from it, and
 * promscore-statistics(7) documents it (make check compares the two).
 *
 * Included by <promscore/promscore.h>.
 */
#ifndef PROMSCORE_STATISTICS_H
#define PROMSCORE_STATISTICS_H

#ifdef __cplusplus
extern "C" {
#endif

/** What sort of number a statistic is. */
typedef enum ps_kind {
    /** A number of people (or, in a pool, of units; in service use, of events too): protected
     * by disclosure control. */
    PS_KIND_COUNT,
    /** A share of two counts of the same block, ON1 / ON2, recomputed from the published
     * (rounded) counts. */
    PS_KIND_RATE,
    /** A relative change of two counts of the same block, (ON1 - ON2) / ON2, recomputed from
     * the published counts. */
    PS_KIND_CHANGE,
    /** A figure computed from people's scores (a mean, a test, an effect size). */
    PS_KIND_FIGURE,
    /** A value from the definition (a threshold, a reliability): about no one. */
    PS_KIND_CONSTANT
} ps_kind_t;

/** What a statistic's name is qualified by, after a colon. */
typedef enum ps_param {
    PS_PARAM_NONE,      /**< "n_paired" */
    PS_PARAM_BAND,      /**< "n_baseline_band:BAND" */
    PS_PARAM_BAND_PAIR, /**< "transition:FROM->TO" */
    PS_PARAM_MEMBER     /**< "improvement:MEMBER": a pool's member scale */
} ps_param_t;

/*
 * The catalogue. Columns:
 *   ID         the enum constant is PS_STAT_ID
 *   NAME       public name (qualified by its parameter, see ps_param_t)
 *   KIND       ps_kind_t without the prefix
 *   PARAM      ps_param_t without the prefix
 *   ON1, ON2   the counts of the same block it rests on (NONE when fewer): a figure is
 *              hidden whenever one of them is; a RATE is ON1 / ON2, a CHANGE (ON1 - ON2) / ON2
 *   DIR        1 when "better" follows the scale's direction (better="lower" scales count
 *              falls as improvement); 0 otherwise
 *   ROUND_N    1 when the figure, beside the published mean and SD, gives the exact number
 *              of people (df = n - 1; n = (t * sd / mean)^2; ...): withheld under --round
 *   DEC        decimals in the text report (-1: a p-value; PCT: a percentage)
 *   MEANING    one line, in the words of promscore-statistics(7)
 */
#define PS_PCT 100
#define PS_STATISTICS(X)                                                                           \
    /* Participant flow. */                                                                        \
    X(N_BASELINE, "n_baseline", COUNT, NONE, NONE, NONE, 0, 0, 0,                                  \
      "participants with a valid baseline score")                                                  \
    X(N_FOLLOWUP, "n_followup", COUNT, NONE, NONE, NONE, 0, 0, 0,                                  \
      "participants with a valid score at the follow-up compared")                                 \
    X(N_PAIRED, "n_paired", COUNT, NONE, NONE, NONE, 0, 0, 0,                                      \
      "participants with valid scores at both (in a pool: units, one per person and member)")      \
    X(LOST_TO_FOLLOWUP, "lost_to_followup", COUNT, NONE, NONE, NONE, 0, 0, 0,                      \
      "participants with a baseline score and none at the follow-up")                              \
    X(LOSS_RATE, "loss_rate", RATE, NONE, LOST_TO_FOLLOWUP, N_BASELINE, 0, 0, PS_PCT,              \
      "lost_to_followup / n_baseline")                                                             \
    /* Levels of the completers and of those lost. */                                              \
    X(MEAN_BASELINE, "mean_baseline", FIGURE, NONE, N_PAIRED, NONE, 0, 0, 2,                       \
      "mean baseline score of the completers (those paired)")                                      \
    X(SD_BASELINE, "sd_baseline", FIGURE, NONE, N_PAIRED, NONE, 0, 0, 2,                           \
      "standard deviation (n - 1) of the completers' baseline scores")                             \
    X(MEDIAN_BASELINE, "median_baseline", FIGURE, NONE, N_PAIRED, NONE, 0, 0, 1,                   \
      "median baseline score of the completers")                                                   \
    X(MEAN_FOLLOWUP, "mean_followup", FIGURE, NONE, N_PAIRED, NONE, 0, 0, 2,                       \
      "mean follow-up score of the completers")                                                    \
    X(SD_FOLLOWUP, "sd_followup", FIGURE, NONE, N_PAIRED, NONE, 0, 0, 2,                           \
      "standard deviation (n - 1) of the completers' follow-up scores")                            \
    X(MEDIAN_FOLLOWUP, "median_followup", FIGURE, NONE, N_PAIRED, NONE, 0, 0, 1,                   \
      "median follow-up score of the completers")                                                  \
    X(MEAN_BASELINE_LOST, "mean_baseline_lost", FIGURE, NONE, LOST_TO_FOLLOWUP, NONE, 0, 0, 2,     \
      "mean baseline score of those lost to follow-up")                                            \
    X(SD_BASELINE_LOST, "sd_baseline_lost", FIGURE, NONE, LOST_TO_FOLLOWUP, NONE, 0, 0, 2,         \
      "standard deviation (n - 1) of the baseline scores of those lost")                           \
    X(SMD_COMPLETERS_VS_LOST, "smd_completers_vs_lost", FIGURE, NONE, N_PAIRED, LOST_TO_FOLLOWUP,  \
      0, 0, 2,                                                                                     \
      "(mean_baseline - mean_baseline_lost) / sqrt((sd_baseline^2 + sd_baseline_lost^2) / 2)")     \
    /* Paired change, D = follow-up - baseline, as R's t.test and wilcox.test. */                  \
    X(MEAN_CHANGE, "mean_change", FIGURE, NONE, N_PAIRED, NONE, 0, 0, 2,                           \
      "mean of D = follow-up - baseline (in a pool: over units)")                                  \
    X(SD_CHANGE, "sd_change", FIGURE, NONE, N_PAIRED, NONE, 0, 0, 2,                               \
      "standard deviation (n - 1) of D")                                                           \
    X(CI_LOW, "ci_low", FIGURE, NONE, N_PAIRED, NONE, 0, 1, 2,                                     \
      "lower end of the 95% CI of the mean change: mean - qt(0.975, n - 1) * sd / sqrt(n)")        \
    X(CI_HIGH, "ci_high", FIGURE, NONE, N_PAIRED, NONE, 0, 1, 2,                                   \
      "upper end of the 95% CI of the mean change")                                                \
    X(T, "t", FIGURE, NONE, N_PAIRED, NONE, 0, 1, 3,                                               \
      "paired t statistic, mean / (sd / sqrt(n)), as t.test(post, pre, paired = TRUE)")            \
    X(DF, "df", FIGURE, NONE, N_PAIRED, NONE, 0, 1, 0, "degrees of freedom of t, n - 1")           \
    X(P_T, "p_t", FIGURE, NONE, N_PAIRED, NONE, 0, 1, -1, "two-sided p of t, 2 * pt(-|t|, n - 1)") \
    X(WILCOXON_V, "wilcoxon_v", FIGURE, NONE, N_PAIRED, NONE, 0, 1, 1,                             \
      "Wilcoxon signed-rank V: the sum of the ranks of the positive changes (zeros dropped)")      \
    X(P_WILCOXON, "p_wilcoxon", FIGURE, NONE, N_PAIRED, NONE, 0, 1, -1,                            \
      "two-sided p of V, as wilcox.test(post, pre, paired = TRUE)")                                \
    X(WILCOXON_EXACT, "wilcoxon_exact", FIGURE, NONE, N_PAIRED, NONE, 0, 0, 0,                     \
      "1 when p_wilcoxon is exact (fewer than 50 non-zero changes, no ties), 0 when the normal "   \
      "approximation with continuity correction")                                                  \
    X(D_Z, "d_z", FIGURE, NONE, N_PAIRED, NONE, 0, 0, 2,                                           \
      "standardised mean change, mean / sd of the changes (not of the baseline)")                  \
    X(D_Z_CI_LOW, "d_z_ci_low", FIGURE, NONE, N_PAIRED, NONE, 0, 1, 2,                             \
      "lower end of the 95% CI of d_z: the noncentral t's ncp where pt(t, n - 1, ncp) = 0.975, "   \
      "over sqrt(n)")                                                                              \
    X(D_Z_CI_HIGH, "d_z_ci_high", FIGURE, NONE, N_PAIRED, NONE, 0, 1, 2,                           \
      "upper end of the 95% CI of d_z (pt(t, n - 1, ncp) = 0.025)")                                \
    X(G_Z, "g_z", FIGURE, NONE, N_PAIRED, NONE, 0, 1, 2,                                           \
      "Hedges' g_z = d_z * J, J = 1 - 3 / (4 * (n - 1) - 1) (the common approximation)")           \
    /* Meaningful change, by the definition's threshold, in the scale's better direction. */       \
    X(MEANINGFUL_CHANGE, "meaningful_change", CONSTANT, NONE, NONE, NONE, 0, 0, 2,                 \
      "the definition's meaningful change, in points")                                             \
    X(N_IMPROVED, "n_improved", COUNT, NONE, NONE, NONE, 1, 0, 0,                                  \
      "changed by at least meaningful_change in the better direction")                             \
    X(N_UNCHANGED, "n_unchanged", COUNT, NONE, NONE, NONE, 1, 0, 0,                                \
      "changed by less than meaningful_change either way")                                         \
    X(N_DETERIORATED, "n_deteriorated", COUNT, NONE, NONE, NONE, 1, 0, 0,                          \
      "changed by at least meaningful_change in the worse direction")                              \
    X(SHARE_IMPROVED, "share_improved", RATE, NONE, N_IMPROVED, N_PAIRED, 1, 0, PS_PCT,            \
      "n_improved / n_paired")                                                                     \
    /* Reliable change: the definition's points, or Jacobson and Truax (1991). */                  \
    X(REFERENCE_SD, "reference_sd", CONSTANT, NONE, NONE, NONE, 0, 0, 2,                           \
      "the SD the definition's SEM rests on")                                                      \
    X(RELIABILITY, "reliability", CONSTANT, NONE, NONE, NONE, 0, 0, 2,                             \
      "the reliability the definition's SEM rests on; SEM = reference_sd * sqrt(1 - reliability)") \
    X(SEM, "sem", CONSTANT, NONE, NONE, NONE, 0, 0, 2,                                             \
      "standard error of measurement, when the definition gives one or an SD and reliability")     \
    X(RELIABLE_CHANGE, "reliable_change", CONSTANT, NONE, NONE, NONE, 0, 0, 2,                     \
      "the definition's reliable change in points, or 1.96 * sqrt(2) * SEM")                       \
    X(RELIABLE_AT_LEAST, "reliable_at_least", CONSTANT, NONE, NONE, NONE, 0, 0, 0,                 \
      "1 when a change of reliable_change itself is reliable (rule at-least), 0 when a change "    \
      "must be more than it (rule more-than, Jacobson and Truax's)")                               \
    X(N_RELIABLE_IMPROVED, "n_reliable_improved", COUNT, NONE, NONE, NONE, 1, 0, 0,                \
      "changed by more than reliable_change (at least, when reliable_at_least is 1) in the "       \
      "better direction")                                                                          \
    X(N_NO_RELIABLE_CHANGE, "n_no_reliable_change", COUNT, NONE, NONE, NONE, 1, 0, 0,              \
      "changed by reliable_change or less (less, when reliable_at_least is 1) either way")         \
    X(N_RELIABLE_DETERIORATED, "n_reliable_deteriorated", COUNT, NONE, NONE, NONE, 1, 0, 0,        \
      "changed by more than reliable_change (at least, when reliable_at_least is 1) in the "       \
      "worse direction")                                                                           \
    X(SHARE_RELIABLE_IMPROVED, "share_reliable_improved", RATE, NONE, N_RELIABLE_IMPROVED,         \
      N_PAIRED, 1, 0, PS_PCT, "n_reliable_improved / n_paired")                                    \
    /* Band transitions among the paired; "better" follows the scale's direction. */               \
    X(N_BAND_BETTER, "n_band_better", COUNT, NONE, NONE, NONE, 1, 0, 0,                            \
      "moved to a better band")                                                                    \
    X(N_BAND_SAME, "n_band_same", COUNT, NONE, NONE, NONE, 0, 0, 0, "stayed in the same band")     \
    X(N_BAND_WORSE, "n_band_worse", COUNT, NONE, NONE, NONE, 1, 0, 0, "moved to a worse band")     \
    X(TRANSITION, "transition", COUNT, BAND_PAIR, NONE, NONE, 0, 0, 0,                             \
      "in band FROM at baseline and band TO at follow-up")                                         \
    X(N_BASELINE_BAND, "n_baseline_band", COUNT, BAND, NONE, NONE, 0, 0, 0,                        \
      "in the band at baseline (a row of the transitions)")                                        \
    X(N_FOLLOWUP_BAND, "n_followup_band", COUNT, BAND, NONE, NONE, 0, 0, 0,                        \
      "in the band at follow-up (a column of the transitions)")                                    \
    X(SHARE_BASELINE_BAND, "share_baseline_band", RATE, BAND, N_BASELINE_BAND, N_PAIRED, 0, 0,     \
      PS_PCT, "n_baseline_band / n_paired")                                                        \
    X(SHARE_FOLLOWUP_BAND, "share_followup_band", RATE, BAND, N_FOLLOWUP_BAND, N_PAIRED, 0, 0,     \
      PS_PCT, "n_followup_band / n_paired")                                                        \
    X(BAND_CHANGE, "band_change", CHANGE, BAND, N_FOLLOWUP_BAND, N_BASELINE_BAND, 0, 0, PS_PCT,      \
      "cohort-level change in the band: (n_followup_band - n_baseline_band) / n_baseline_band")    \
    X(N_MOVED_BETTER_FROM, "n_moved_better_from", COUNT, BAND, NONE, NONE, 1, 0, 0,                \
      "of those in the band at baseline, how many moved to a better band (every band with a "      \
      "better one)")                                                                               \
    X(MOVED_BETTER_FROM, "moved_better_from", RATE, BAND, N_MOVED_BETTER_FROM, N_BASELINE_BAND,    \
      1, 0, PS_PCT, "individual level: n_moved_better_from / n_baseline_band")                     \
    /* Pools: one unit per person and member (e.g. each goal). */                                  \
    X(N_ATTAINMENT_BASELINE, "n_attainment_baseline", COUNT, NONE, NONE, NONE, 0, 0, 0,            \
      "units with an attainment rating at baseline")                                               \
    X(N_ACHIEVED_BASELINE, "n_achieved_baseline", COUNT, NONE, NONE, NONE, 0, 0, 0,                \
      "units rated achieved (attainment 0 or more) at baseline")                                   \
    X(SHARE_ACHIEVED_BASELINE, "share_achieved_baseline", RATE, NONE, N_ACHIEVED_BASELINE,         \
      N_ATTAINMENT_BASELINE, 0, 0, PS_PCT, "n_achieved_baseline / n_attainment_baseline")          \
    X(N_ATTAINMENT_FOLLOWUP, "n_attainment_followup", COUNT, NONE, NONE, NONE, 0, 0, 0,            \
      "units with an attainment rating at follow-up")                                              \
    X(N_ACHIEVED_FOLLOWUP, "n_achieved_followup", COUNT, NONE, NONE, NONE, 0, 0, 0,                \
      "units rated achieved at follow-up")                                                         \
    X(SHARE_ACHIEVED_FOLLOWUP, "share_achieved_followup", RATE, NONE, N_ACHIEVED_FOLLOWUP,         \
      N_ATTAINMENT_FOLLOWUP, 0, 0, PS_PCT, "n_achieved_followup / n_attainment_followup")          \
    X(N_PAIRED_MEMBER, "n_paired", COUNT, MEMBER, NONE, NONE, 0, 0, 0,                             \
      "units of this member paired (in a pool)")                                                   \
    X(IMPROVEMENT, "improvement", FIGURE, MEMBER, N_PAIRED_MEMBER, NONE, 1, 0, 2,                  \
      "mean change of this member, positive when better")                                          \
    X(RANK, "rank", FIGURE, MEMBER, N_PAIRED_MEMBER, NONE, 1, 0, 0,                                \
      "rank of this member's improvement, 1 for the greatest (hidden whenever any member's "     \
      "n_paired is: ranks tell how many members have pairs)")                                    \
    /* Service use (promscore service): one measure, its comparison's first ("before") and   \
     * second ("after") windows, one cohort; fewer is better. */                               \
    X(SU_N_PEOPLE, "n_people", COUNT, NONE, NONE, NONE, 0, 0, 0,                               \
      "service use: participants with a count of the measure and time observed in both "       \
      "windows")                                                                               \
    X(SU_N_UNPAIRED, "n_unpaired", COUNT, NONE, NONE, NONE, 0, 0, 0,                           \
      "service use: participants with a count and time observed before, and none after (no "   \
      "row, no count, or no time observed)")                                                   \
    X(SU_EVENTS_BEFORE, "events_before", COUNT, NONE, NONE, NONE, 0, 0, 0,                     \
      "service use: events (the measure's unit) of the n_people in the first window; counts "  \
      "of events are protected like counts of people, and never published, whatever their "    \
      "number, when n_people is 1 to the threshold")                                           \
    X(SU_EVENTS_AFTER, "events_after", COUNT, NONE, NONE, NONE, 0, 0, 0,                       \
      "service use: events of the n_people in the second window")                              \
    X(SU_PERSON_YEARS_BEFORE, "person_years_before", FIGURE, NONE, SU_N_PEOPLE, NONE, 0, 1, 1, \
      "service use: time the n_people were observed in the first window, in years of 365.25 "  \
      "days")                                                                                  \
    X(SU_PERSON_YEARS_AFTER, "person_years_after", FIGURE, NONE, SU_N_PEOPLE, NONE, 0, 1, 1,   \
      "service use: time the n_people were observed in the second window, in years")           \
    X(SU_RATE_BEFORE, "rate_before", FIGURE, NONE, SU_EVENTS_BEFORE, SU_N_PEOPLE, 0, 1, 2,     \
      "service use: events_before / person_years_before, events per person-year")              \
    X(SU_RATE_AFTER, "rate_after", FIGURE, NONE, SU_EVENTS_AFTER, SU_N_PEOPLE, 0, 1, 2,        \
      "service use: events_after / person_years_after, events per person-year")                \
    X(SU_EVENTS_CHANGE, "events_change", CHANGE, NONE, SU_EVENTS_AFTER, SU_EVENTS_BEFORE, 0,   \
      0, PS_PCT,                                                                               \
      "service use: (events_after - events_before) / events_before, the change in the total; " \
      "not computable when the windows differ in length (compare the rates)")                  \
    X(SU_RATE_RATIO, "rate_ratio", FIGURE, NONE, SU_EVENTS_BEFORE, SU_EVENTS_AFTER, 0, 0, 2,   \
      "service use: rate_after / rate_before over the same people, the within-person rate "    \
      "ratio (a ratio of sums: Poisson's estimate with log person-time offset)")               \
    X(SU_RATE_RATIO_CI_LOW, "rate_ratio_ci_low", FIGURE, NONE, SU_EVENTS_BEFORE,               \
      SU_EVENTS_AFTER, 0, 0, 2,                                                                \
      "service use: lower end of the 95% CI of rate_ratio, exp(log rate_ratio - qt(0.975, "    \
      "n_people - 1) * SE), SE^2 the cluster-robust (sandwich) variance over people times "    \
      "n / (n - 1)")                                                                           \
    X(SU_RATE_RATIO_CI_HIGH, "rate_ratio_ci_high", FIGURE, NONE, SU_EVENTS_BEFORE,             \
      SU_EVENTS_AFTER, 0, 0, 2, "service use: upper end of the 95% CI of rate_ratio")         \
    X(SU_N_FELL, "n_fell", COUNT, NONE, NONE, NONE, 0, 0, 0,                                   \
      "service use: participants with fewer events per person-year after than before")         \
    X(SU_N_STAYED, "n_stayed", COUNT, NONE, NONE, NONE, 0, 0, 0,                               \
      "service use: participants with as many events per person-year after as before (none "   \
      "in both, for one)")                                                                     \
    X(SU_N_ROSE, "n_rose", COUNT, NONE, NONE, NONE, 0, 0, 0,                                   \
      "service use: participants with more events per person-year after than before")          \
    X(SU_SHARE_FELL, "share_fell", RATE, NONE, SU_N_FELL, SU_N_PEOPLE, 0, 0, PS_PCT,           \
      "service use: n_fell / n_people")                                                        \
    X(SU_N_NONE_BEFORE, "n_none_before", COUNT, NONE, NONE, NONE, 0, 0, 0,                     \
      "service use: participants with no event in the first window")                           \
    X(SU_N_NONE_AFTER, "n_none_after", COUNT, NONE, NONE, NONE, 0, 0, 0,                       \
      "service use: participants with no event in the second window")                          \
    X(SU_SHARE_NONE_AFTER, "share_none_after", RATE, NONE, SU_N_NONE_AFTER, SU_N_PEOPLE, 0, 0, \
      PS_PCT, "service use: n_none_after / n_people")                                          \
    X(SU_SELECTED_AT_LEAST, "selected_at_least", CONSTANT, NONE, NONE, NONE, 0, 0, 0,          \
      "service use: the selection rule's least count in its window (the rule, in words, in "   \
      "the note), given with every measure")                                                   \
    X(SU_N_OUTSIDE_RULE, "n_outside_rule", COUNT, NONE, NONE, NONE, 0, 0, 0,                   \
      "service use: of the n_people, those whose count in the rule's window is below "         \
      "selected_at_least (for the rule's measure, compared from the rule's window)")           \
    X(SU_NET_RATE_RATIO, "net_rate_ratio", FIGURE, NONE, SU_EVENTS_BEFORE, SU_EVENTS_AFTER, 0, \
      0, 2,                                                                                    \
      "service use: rate_ratio / the comparison cohort's rate_ratio, the fall beyond the "     \
      "comparison's (difference in differences on the log scale; hidden whenever either "      \
      "rate_ratio is)")                                                                        \
    X(SU_NET_RATE_RATIO_CI_LOW, "net_rate_ratio_ci_low", FIGURE, NONE, SU_EVENTS_BEFORE,       \
      SU_EVENTS_AFTER, 0, 0, 2,                                                                \
      "service use: lower end of the 95% CI of net_rate_ratio, exp(log net_rate_ratio - "     \
      "qt(0.975, m - 1) * sqrt(SE^2 + SE_comparison^2)), m the smaller cohort's n_people")     \
    X(SU_NET_RATE_RATIO_CI_HIGH, "net_rate_ratio_ci_high", FIGURE, NONE, SU_EVENTS_BEFORE,     \
      SU_EVENTS_AFTER, 0, 0, 2, "service use: upper end of the 95% CI of net_rate_ratio")     \
    /* Service use, empirical Bayes (Hauer 2002): the rule's measure, from its window, the     \
     * people referred, with a population given (--population). */                            \
    X(SU_EB_POPULATION_MEAN, "eb_population_mean", CONSTANT, NONE, NONE, NONE, 0, 0, 3,        \
      "service use: the mean count of the rule's measure in a whole rule's window among all "  \
      "attenders, of the negative binomial given or fitted (where it comes from in the note)") \
    X(SU_EB_POPULATION_SHAPE, "eb_population_shape", CONSTANT, NONE, NONE, NONE, 0, 0, 3,      \
      "service use: that negative binomial's shape k (variance mean + mean^2 / k)")            \
    X(SU_EB_EXPECTED_AFTER, "eb_expected_after", FIGURE, NONE, SU_EVENTS_BEFORE, SU_N_PEOPLE,  \
      0, 1, 1,                                                                                 \
      "service use: the events the n_people are expected to have after without intervention, " \
      "by empirical Bayes: the sum over people of (k + x) * mean * t1 / (k + mean * t0), x "   \
      "their count before, t0 and t1 the time observed before and after over the rule "        \
      "window's length (compare events_after)")                                                \
    X(SU_EB_INDEX, "eb_index", FIGURE, NONE, SU_EVENTS_BEFORE, SU_EVENTS_AFTER, 0, 0, 2,       \
      "service use: Hauer's index of effectiveness, (events_after / eb_expected_after) / (1 + " \
      "Var / eb_expected_after^2), Var the sum of each person's expected count times mean * "  \
      "t1 / (k + mean * t0); below 1, fewer events than expected without intervention")       \
    X(SU_EB_INDEX_CI_LOW, "eb_index_ci_low", FIGURE, NONE, SU_EVENTS_BEFORE, SU_EVENTS_AFTER,  \
      0, 0, 2,                                                                                 \
      "service use: lower end of the 95% CI of eb_index, eb_index - qnorm(0.975) * SE (at "    \
      "least 0), SE^2 = eb_index^2 (1 / events_after + Var / E^2) / (1 + Var / E^2)^2 "        \
      "(Hauer)")                                                                               \
    X(SU_EB_INDEX_CI_HIGH, "eb_index_ci_high", FIGURE, NONE, SU_EVENTS_BEFORE, SU_EVENTS_AFTER, \
      0, 0, 2, "service use: upper end of the 95% CI of eb_index")                             \
    /* Costs (promscore service --unit-costs): money at the report's price year, per measure   \
     * (unit the measure's id) and in total (unit "total"); hidden whenever an event count they \
     * rest on is, in either cohort. See docs/costs.md. */                                      \
    X(CO_UNIT_COST, "unit_cost", CONSTANT, NONE, NONE, NONE, 0, 0, 2,                          \
      "costs: the measure's unit cost at the report's price year (the uprating chain and its "  \
      "source in the note)")                                                                   \
    X(CO_COST_BEFORE, "cost_before", FIGURE, NONE, SU_EVENTS_BEFORE, SU_N_PEOPLE, 0, 1, 0,     \
      "costs: events_before * unit_cost")                                                      \
    X(CO_COST_AFTER, "cost_after", FIGURE, NONE, SU_EVENTS_AFTER, SU_N_PEOPLE, 0, 1, 0,        \
      "costs: events_after * unit_cost")                                                       \
    X(CO_GROSS_COST_FALL, "gross_cost_fall", FIGURE, NONE, SU_EVENTS_BEFORE, SU_EVENTS_AFTER,  \
      0, 1, 0,                                                                                 \
      "costs: unit_cost * (events_before / person-time before * person-time after - "          \
      "events_after): the raw fall over the time observed after, not attributable to the "     \
      "service")                                                                               \
    X(CO_COST_EXPECTED_AFTER, "cost_expected_after", FIGURE, NONE, SU_EVENTS_BEFORE,           \
      SU_EVENTS_AFTER, 0, 1, 0,                                                                \
      "costs: unit_cost * the events expected after without the service (the people's rate "   \
      "before, events_before over their person-time, on their person-time after, times the "   \
      "comparison cohort's rate_ratio)")                                                      \
    X(CO_NOTIONAL_COST_AVOIDANCE, "notional_cost_avoidance", FIGURE, NONE, SU_EVENTS_BEFORE,   \
      SU_EVENTS_AFTER, 0, 1, 0,                                                                \
      "costs: cost_expected_after - cost_after, at average unit costs: not a cashable saving " \
      "(\"naive\" in the note when there is no counterfactual)")                              \
    X(CO_PROGRAMME_COST, "programme_cost", CONSTANT, NONE, NONE, NONE, 0, 0, 0,                \
      "costs: what the programme cost over its period (--programme-cost, --programme-period)")  \
    X(CO_ROI, "roi", FIGURE, NONE, SU_EVENTS_BEFORE, SU_EVENTS_AFTER, 0, 1, 2,                 \
      "costs: notional_cost_avoidance (total) / programme_cost: cost avoided per 1 spent")     \
    X(CO_ROI_CI_LOW, "roi_ci_low", FIGURE, NONE, SU_EVENTS_BEFORE, SU_EVENTS_AFTER, 0, 1, 2,   \
      "costs: lower end of the bootstrap 95% percentile CI of roi (participants resampled "   \
      "within each cohort; seed and replicates in the note)")                                  \
    X(CO_ROI_CI_HIGH, "roi_ci_high", FIGURE, NONE, SU_EVENTS_BEFORE, SU_EVENTS_AFTER, 0, 1, 2, \
      "costs: upper end of the bootstrap 95% percentile CI of roi")                            \
    X(CO_P_ROI_ABOVE_1, "p_roi_above_1", FIGURE, NONE, SU_EVENTS_BEFORE, SU_EVENTS_AFTER, 0,   \
      1, 3,                                                                                    \
      "costs: the share of bootstrap replicates whose roi exceeds 1 (withheld under rounding: " \
      "from the exact counts by a reproducible bootstrap, it tells them apart)")              \
    X(CO_BREAK_EVEN_RATE_RATIO, "break_even_rate_ratio", FIGURE, NONE, SU_EVENTS_BEFORE,       \
      SU_EVENTS_AFTER, 0, 1, 3,                                                                \
      "costs: the net rate ratio at which notional_cost_avoidance equals programme_cost, "     \
      "1 - programme_cost / cost_expected_after (total)")                                     \
    X(CO_SCENARIO_COST_AVOIDANCE, "scenario_cost_avoidance", FIGURE, NONE, SU_EVENTS_BEFORE,   \
      SU_EVENTS_AFTER, 0, 1, 0,                                                                \
      "costs: a SCENARIO, not observed (--scenario): notional_cost_avoidance (total) of a "    \
      "year after, continued for the scenario's years and falling by its drop-off each year "  \
      "(the assumption in the note)")                                                          \
    X(CO_SCENARIO_ROI, "scenario_roi", FIGURE, NONE, SU_EVENTS_BEFORE, SU_EVENTS_AFTER, 0, 1,  \
      2, "costs: a SCENARIO, not observed: scenario_cost_avoidance / programme_cost")         \
    /* Completers only (--completed): the same figures for the people referred who completed \
     * the programme, "completers only (N of M referred): not intention to treat" in the note; \
     * hidden as the figures of everyone referred are, and when N or M - N is a small count,  \
     * or their events or the others' are; the total with any measure's. */                   \
    X(CO_COMPLETERS_COST_BEFORE, "completers_cost_before", FIGURE, NONE, SU_EVENTS_BEFORE,     \
      SU_N_PEOPLE, 0, 1, 0,                                                                    \
      "costs: cost_before of the people who completed the programme alone: completers only, "  \
      "not intention to treat")                                                                \
    X(CO_COMPLETERS_COST_AFTER, "completers_cost_after", FIGURE, NONE, SU_EVENTS_AFTER,        \
      SU_N_PEOPLE, 0, 1, 0, "costs: cost_after of the completers alone")                       \
    X(CO_COMPLETERS_GROSS_COST_FALL, "completers_gross_cost_fall", FIGURE, NONE,               \
      SU_EVENTS_BEFORE, SU_EVENTS_AFTER, 0, 1, 0,                                              \
      "costs: gross_cost_fall of the completers alone, not attributable to the service")       \
    X(CO_COMPLETERS_COST_EXPECTED_AFTER, "completers_cost_expected_after", FIGURE, NONE,       \
      SU_EVENTS_BEFORE, SU_EVENTS_AFTER, 0, 1, 0,                                              \
      "costs: cost_expected_after of the completers alone (the whole comparison cohort's "     \
      "rate_ratio)")                                                                           \
    X(CO_COMPLETERS_NOTIONAL_COST_AVOIDANCE, "completers_notional_cost_avoidance", FIGURE,     \
      NONE, SU_EVENTS_BEFORE, SU_EVENTS_AFTER, 0, 1, 0,                                        \
      "costs: completers_cost_expected_after - completers_cost_after: completers only, never " \
      "the headline (people who complete differ from those who do not)")                      \
    X(CO_COMPLETERS_RATE_RATIO, "completers_rate_ratio", FIGURE, NONE, SU_EVENTS_BEFORE,       \
      SU_EVENTS_AFTER, 0, 0, 2, "costs: rate_ratio of the completers alone (per measure)")     \
    /* Wellbeing value (--wellbeing): WELLBYs from the paired change in ONS4 life            \
     * satisfaction (HM Treasury Green Book wellbeing guidance, 2021), valued at the costs     \
     * file's wellby row; never added to NHS cost avoidance. Unit "wellbeing". */              \
    X(CO_WB_N_PAIRED, "wellbeing_n_paired", COUNT, NONE, NONE, NONE, 0, 0, 0,                  \
      "wellbeing: people with a life satisfaction score at baseline and at follow-up")         \
    X(CO_WB_MEAN_CHANGE, "wellbeing_mean_change", FIGURE, NONE, CO_WB_N_PAIRED, NONE, 0, 0, 2, \
      "wellbeing: mean paired change in life satisfaction (0-10), follow-up minus baseline "   \
      "(from (S)WEMWBS: times the declared exchange rate, a benefit transfer)")               \
    X(CO_WB_MEAN_CHANGE_CI_LOW, "wellbeing_mean_change_ci_low", FIGURE, NONE, CO_WB_N_PAIRED,  \
      NONE, 0, 0, 2,                                                                           \
      "wellbeing: lower end of the 95% CI of wellbeing_mean_change, mean - qt(0.975, n - 1) * "\
      "sd / sqrt(n) (R's t.test, paired)")                                                     \
    X(CO_WB_MEAN_CHANGE_CI_HIGH, "wellbeing_mean_change_ci_high", FIGURE, NONE,                \
      CO_WB_N_PAIRED, NONE, 0, 0, 2, "wellbeing: upper end of the 95% CI of "                  \
      "wellbeing_mean_change")                                                                 \
    X(CO_WB_WELLBYS, "wellbys", FIGURE, NONE, CO_WB_N_PAIRED, NONE, 0, 1, 2,                   \
      "wellbeing: the sum of the paired changes times the years of follow-up observed (the "   \
      "first window after, not extrapolated): one WELLBY is one point of life satisfaction "   \
      "for one person for one year")                                                           \
    X(CO_WB_VALUE_PER_WELLBY, "value_per_wellby", CONSTANT, NONE, NONE, NONE, 0, 0, 0,         \
      "wellbeing: the value of one WELLBY at the report's price year, from the costs file's "  \
      "wellby row (its chain and source in the note)")                                         \
    X(CO_WB_VALUE, "wellbeing_value", FIGURE, NONE, CO_WB_N_PAIRED, NONE, 0, 1, 0,             \
      "wellbeing: wellbys * value_per_wellby: a wellbeing value, not NHS cost avoidance, "     \
      "never added to it; not attributable without a comparison group")                       \
    X(CO_WB_VALUE_CI_LOW, "wellbeing_value_ci_low", FIGURE, NONE, CO_WB_N_PAIRED, NONE, 0, 1,  \
      0, "wellbeing: wellbeing_value at wellbeing_mean_change_ci_low")                         \
    X(CO_WB_VALUE_CI_HIGH, "wellbeing_value_ci_high", FIGURE, NONE, CO_WB_N_PAIRED, NONE, 0,   \
      1, 0, "wellbeing: wellbeing_value at wellbeing_mean_change_ci_high")

/** A statistic of the catalogue. */
typedef enum ps_statistic_id {
#define PS_X_ENUM(id, ...) PS_STAT_##id,
    PS_STATISTICS(PS_X_ENUM)
#undef PS_X_ENUM
    PS_STAT_COUNT_,      /**< how many there are */
    PS_STAT_NONE = -1    /**< no statistic */
} ps_statistic_id_t;

/** One row of the catalogue. */
typedef struct ps_statistic_info {
    ps_statistic_id_t id;
    const char *name;
    ps_kind_t kind;
    ps_param_t param;
    ps_statistic_id_t rests_on[2];  /**< PS_STAT_NONE when fewer */
    int direction_aware;
    int reveals_n;                   /**< withheld under rounding */
    int decimals;                    /**< -1: p-value; PS_PCT: a percentage */
    const char *meaning;
} ps_statistic_info_t;

/** The catalogue row of 'id', or NULL for an unknown id. */
const ps_statistic_info_t *ps_statistic_info(ps_statistic_id_t id);

/** The kinds' names: "count", "rate", "change", "figure", "constant". */
const char *ps_kind_name(ps_kind_t kind);

#ifdef __cplusplus
}
#endif

#endif
