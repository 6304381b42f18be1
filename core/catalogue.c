/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The statistic catalogue as data, and the relations between its counts. */
#include "config.h"

#include <promscore/promscore.h>

#include "catalogue.h"

static const ps_statistic_info_t catalogue[] = {
#define PS_X_INFO(id, name, kind, param, on1, on2, dir, round_n, dec, meaning)                    \
    {PS_STAT_##id, name, PS_KIND_##kind, PS_PARAM_##param, {PS_STAT_##on1, PS_STAT_##on2},       \
     dir, round_n, dec, meaning},
    PS_STATISTICS(PS_X_INFO)
#undef PS_X_INFO
};

const ps_statistic_info_t *ps_statistic_info(ps_statistic_id_t id)
{
    if (id < 0 || id >= PS_STAT_COUNT_)
        return NULL;
    return &catalogue[id];
}

const char *ps_kind_name(ps_kind_t kind)
{
    switch (kind) {
    case PS_KIND_COUNT: return "count";
    case PS_KIND_RATE: return "rate";
    case PS_KIND_CHANGE: return "change";
    case PS_KIND_FIGURE: return "figure";
    case PS_KIND_CONSTANT: return "constant";
    }
    return "unknown";
}

#define PARTS(...) {__VA_ARGS__}, sizeof((ps_statistic_id_t[]){__VA_ARGS__}) / sizeof(ps_statistic_id_t)
#define NO_PARTS {PS_STAT_NONE}, 0

const struct ps_relation_rule ps_relation_rules[] = {
    {PS_SHAPE_SUM, PS_STAT_N_BASELINE, PARTS(PS_STAT_N_PAIRED, PS_STAT_LOST_TO_FOLLOWUP), PS_EXACT,
     "n_baseline = n_paired + lost_to_followup", 0},
    {PS_SHAPE_SUM, PS_STAT_N_FOLLOWUP, PARTS(PS_STAT_N_PAIRED), PS_SLACK,
     "n_followup >= n_paired (some have a follow-up and no baseline)", 0},
    {PS_SHAPE_SUM, PS_STAT_N_PAIRED,
     PARTS(PS_STAT_N_IMPROVED, PS_STAT_N_UNCHANGED, PS_STAT_N_DETERIORATED), PS_EXACT,
     "n_paired = n_improved + n_unchanged + n_deteriorated", 0},
    {PS_SHAPE_SUM, PS_STAT_N_PAIRED,
     PARTS(PS_STAT_N_RELIABLE_IMPROVED, PS_STAT_N_NO_RELIABLE_CHANGE,
           PS_STAT_N_RELIABLE_DETERIORATED),
     PS_EXACT, "n_paired = n_reliable_improved + n_no_reliable_change + n_reliable_deteriorated", 0},
    {PS_SHAPE_SUM, PS_STAT_N_PAIRED,
     PARTS(PS_STAT_N_BAND_BETTER, PS_STAT_N_BAND_SAME, PS_STAT_N_BAND_WORSE), PS_SLACK_UNBANDED,
     "n_paired = n_band_better + n_band_same + n_band_worse (>= when bands leave scores out)", 0},
    {PS_SHAPE_BAND_BETTER, PS_STAT_N_BAND_BETTER, NO_PARTS, PS_EXACT,
     "n_band_better = the transitions to a better band", 0},
    {PS_SHAPE_BAND_SAME, PS_STAT_N_BAND_SAME, NO_PARTS, PS_EXACT,
     "n_band_same = the transitions within a band", 0},
    {PS_SHAPE_BAND_WORSE, PS_STAT_N_BAND_WORSE, NO_PARTS, PS_EXACT,
     "n_band_worse = the transitions to a worse band", 0},
    {PS_SHAPE_BAND_ROWS, PS_STAT_N_BASELINE_BAND, NO_PARTS, PS_EXACT,
     "n_baseline_band:A = the sum over B of transition:A->B", 0},
    {PS_SHAPE_BAND_COLUMNS, PS_STAT_N_FOLLOWUP_BAND, NO_PARTS, PS_EXACT,
     "n_followup_band:B = the sum over A of transition:A->B", 0},
    {PS_SHAPE_BETTER_FROM, PS_STAT_N_MOVED_BETTER_FROM, NO_PARTS, PS_EXACT,
     "n_moved_better_from:A = the sum of transition:A->B over the bands B better than A", 0},
    {PS_SHAPE_OVER_BANDS, PS_STAT_N_PAIRED, PARTS(PS_STAT_N_BASELINE_BAND), PS_SLACK_UNBANDED,
     "n_paired = the sum over bands of n_baseline_band", 0},
    {PS_SHAPE_OVER_BANDS, PS_STAT_N_PAIRED, PARTS(PS_STAT_N_FOLLOWUP_BAND), PS_SLACK_UNBANDED,
     "n_paired = the sum over bands of n_followup_band", 0},
    {PS_SHAPE_OVER_MEMBERS, PS_STAT_N_PAIRED, PARTS(PS_STAT_N_PAIRED_MEMBER), PS_EXACT,
     "in a pool, n_paired = the sum over members of n_paired:MEMBER (its mean change is over "
     "the members' units)", 1},
    {PS_SHAPE_SUM, PS_STAT_N_ATTAINMENT_BASELINE, PARTS(PS_STAT_N_ACHIEVED_BASELINE), PS_SLACK,
     "n_attainment_baseline >= n_achieved_baseline", 0},
    {PS_SHAPE_SUM, PS_STAT_N_ATTAINMENT_FOLLOWUP, PARTS(PS_STAT_N_ACHIEVED_FOLLOWUP), PS_SLACK,
     "n_attainment_followup >= n_achieved_followup", 0},
    {PS_SHAPE_OVER_CATEGORIES, PS_STAT_NONE, NO_PARTS, PS_SLACK,
     "in a pool, each count >= the sum over categories of category:C:count (units without a "
     "category count in the total only)", 1},
    {PS_SHAPE_OVER_GROUPS, PS_STAT_NONE, NO_PARTS, PS_EXACT,
     "each count of the whole cohort = the sum of the same count over the groups of one --by "
     "column (>= when some people have no value in it); the sums and sums of squares behind "
     "the means and SDs add up likewise", 1},
    {PS_SHAPE_SAME_BASELINE, PS_STAT_N_BASELINE, NO_PARTS, PS_EXACT,
     "n_baseline is the same count in every comparison", 0},
    {PS_SHAPE_END_COVERS, PS_STAT_NONE, NO_PARTS, PS_SLACK,
     "baseline->end has at least as many n_followup and n_paired (in a pool, in each category "
     "too), and at most as many lost_to_followup, as any one follow-up", 0},
    {PS_SHAPE_LAST_COVERS, PS_STAT_N_PAIRED, NO_PARTS, PS_SLACK,
     "with two or more follow-ups, baseline->end's n_paired = the last follow-up's plus those "
     "whose last follow-up is an earlier one (a latent count; in a pool, in each category "
     "too); the sums and sums of squares behind the means and SDs add up likewise", 1},
    {PS_SHAPE_EXTRA_PAIRINGS, PS_STAT_NONE, NO_PARTS, PS_SLACK,
     "with two or more follow-ups, n_followup and n_paired (in a pool, n_paired:MEMBER and "
     "each category's too) summed over the follow-ups = baseline->end's plus the extra "
     "pairings: one for each follow-up but the last of a person seen (or paired) at more than "
     "one (a latent count; with two follow-ups, the people paired at both)", 0},
    {PS_SHAPE_SAME_PEOPLE, PS_STAT_NONE, NO_PARTS, PS_EXACT,
     "in each group and comparison, n_baseline, n_followup and n_paired of a scale scored as "
     "the band of another (of=\"...\" method=\"scale:band\") are the other's, when its bands "
     "leave no score out (else at most the other's). Scales scored from overlapping items "
     "(WEMWBS total and SWEMWBS) are not related: a known gap, so a group hidden in one may be "
     "shown in the other", 0},
    {PS_SHAPE_BANDS_OF, PS_STAT_NONE, NO_PARTS, PS_EXACT,
     "a scale scored as the band of another gives the other's band counts (n * mean = the sum "
     "of band number * band count): its figures, and its counts besides n_baseline, "
     "n_followup, n_paired and lost_to_followup, are hidden whenever a band count of the "
     "other is in the same group and comparison", 0},
    {PS_SHAPE_NESTED, PS_STAT_NONE, NO_PARTS, PS_SLACK,
     "when reliable_change is at least meaningful_change, n_reliable_improved <= n_improved, "
     "n_reliable_deteriorated <= n_deteriorated and n_unchanged <= n_no_reliable_change; the "
     "other way round when it is smaller", 0},
    {PS_SHAPE_BAND_CHANGE, PS_STAT_NONE, NO_PARTS, PS_SLACK,
     "n_improved, n_deteriorated, n_reliable_improved and n_reliable_deteriorated each lie "
     "between the sum of the transitions whose every change counts and the sum of those "
     "whose some change does (equal when each band is one score)", 0},
    {PS_SHAPE_FIGURE_BOUNDS, PS_STAT_NONE, NO_PARTS, PS_EXACT,
     "while a block's figures are shown: n_paired * mean_baseline lies between the sums over "
     "bands of n_baseline_band times the band's lowest and highest scores (and likewise "
     "mean_followup, and mean_change over the transitions); at least half the paired are in "
     "bands reaching down to each median and up to it. When keeping these would reveal a "
     "hidden count, the block's figures are hidden; on a scale whose every band is one "
     "score, they are hidden whenever a band count is. A published Wilcoxon V allows at most k "
     "positive changes with k (k + 1) / 2 <= V, and at most m negative ones with m (m + 1) / 2 "
     "<= n (n + 1) / 2 - V: no more improved (or deteriorated) people, and no more transitions "
     "that surely went up (or down)", 0},
    /* Service use. */
    {PS_SHAPE_SUM, PS_STAT_SU_N_PEOPLE, PARTS(PS_STAT_SU_N_FELL, PS_STAT_SU_N_STAYED,
     PS_STAT_SU_N_ROSE), PS_EXACT, "service use: n_people = n_fell + n_stayed + n_rose", 0},
    {PS_SHAPE_SUM, PS_STAT_SU_N_PEOPLE, PARTS(PS_STAT_SU_N_NONE_BEFORE, PS_STAT_SU_N_FELL),
     PS_BOUND, "service use: n_people >= n_none_before + n_fell (use cannot fall from none)", 0},
    {PS_SHAPE_SUM, PS_STAT_SU_N_PEOPLE, PARTS(PS_STAT_SU_N_NONE_AFTER, PS_STAT_SU_N_ROSE),
     PS_BOUND, "service use: n_people >= n_none_after + n_rose (use cannot rise to none)", 0},
    {PS_SHAPE_SUM, PS_STAT_SU_N_PEOPLE, PARTS(PS_STAT_SU_N_OUTSIDE_RULE), PS_SLACK,
     "service use: n_people >= n_outside_rule", 0},
    {PS_SHAPE_SOME_USE, PS_STAT_SU_EVENTS_BEFORE,
     PARTS(PS_STAT_SU_N_PEOPLE, PS_STAT_SU_N_NONE_BEFORE), PS_SLACK,
     "service use: events_before >= n_people - n_none_before (each person with some use has "
     "one event or more)", 0},
    {PS_SHAPE_SOME_USE, PS_STAT_SU_EVENTS_AFTER,
     PARTS(PS_STAT_SU_N_PEOPLE, PS_STAT_SU_N_NONE_AFTER), PS_SLACK,
     "service use: events_after >= n_people - n_none_after", 0},
    {PS_SHAPE_SELECTED, PS_STAT_SU_EVENTS_BEFORE,
     PARTS(PS_STAT_SU_N_PEOPLE, PS_STAT_SU_N_OUTSIDE_RULE), PS_SLACK,
     "service use: where n_outside_rule is given, events_before >= selected_at_least * "
     "(n_people - n_outside_rule) (those selected had that many each)", 0},
    {PS_SHAPE_SHARED_WINDOW, PS_STAT_SU_N_PEOPLE, PARTS(PS_STAT_SU_EVENTS_BEFORE,
     PS_STAT_SU_EVENTS_AFTER), PS_SLACK,
     "service use: where two comparisons share a window (pre12 in pre24->pre12 and "
     "pre12->post12), each one's n_people = the people paired in both + those paired in it "
     "only, and its events in that window = theirs in both + its own people's; a comparison's "
     "own people and their events are counts never published, which must not be shown to lie "
     "within 1..threshold (an own part that holds no one is taken as known: the sets nested, "
     "as when someone died at the index date, the difference of the two totals is the other's "
     "own part)", 0},
    {PS_SHAPE_SHARED_PEOPLE, PS_STAT_SU_N_PEOPLE, NO_PARTS, PS_BOUND,
     "service use: in one comparison, cohort and group, two measures' n_people are equal when "
     "the same people are paired for both, and one is at least the other when everyone paired "
     "for the other is paired for it too (those it has beyond are no group of their own)", 0},
};

const size_t ps_n_relation_rules = sizeof ps_relation_rules / sizeof ps_relation_rules[0];

const struct ps_relation_rule *ps_relation_rule_of(enum ps_shape shape)
{
    for (size_t q = 0; q < ps_n_relation_rules; q++)
        if (ps_relation_rules[q].shape == shape)
            return &ps_relation_rules[q];
    return NULL;
}

int ps_statistic_bears_figures(ps_statistic_id_t id)
{
    for (size_t k = 0; k < sizeof catalogue / sizeof catalogue[0]; k++)
        if (catalogue[k].kind == PS_KIND_FIGURE &&
            (catalogue[k].rests_on[0] == id || catalogue[k].rests_on[1] == id))
            return 1;
    return 0;
}
