/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Writes promscore-statistics(7) from the statistic catalogue and the
 * relation rules, so the page documents exactly what the report computes and
 * what disclosure control audits. `make statistics-page` rewrites
 * docs/promscore-statistics.7; `make check` fails when the two differ.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <promscore/promscore.h>

#include "catalogue.h"

/* Text for roff: a backslash doubled, a leading dot or quote guarded. */
static void roff(const char *text)
{
    if (*text == '.' || *text == '\'')
        fputs("\\&", stdout);
    for (const char *p = text; *p; p++) {
        if (*p == '\\')
            fputs("\\e", stdout);
        else if (*p == '-')
            fputs("\\-", stdout);
        else
            putchar(*p);
    }
}

static const char *name_pattern(const ps_statistic_info_t *info, char *buf, size_t size)
{
    switch (info->param) {
    case PS_PARAM_NONE: snprintf(buf, size, "%s", info->name); break;
    case PS_PARAM_BAND: snprintf(buf, size, "%s:BAND", info->name); break;
    case PS_PARAM_BAND_PAIR: snprintf(buf, size, "%s:FROM->TO", info->name); break;
    case PS_PARAM_MEMBER: snprintf(buf, size, "%s:MEMBER", info->name); break;
    }
    return buf;
}

static void statistic(const ps_statistic_info_t *info)
{
    char name[96];
    printf(".TP\n.B ");
    roff(name_pattern(info, name, sizeof name));
    printf("\n");
    roff(info->meaning);
    printf(".\n.br\nKind: %s", ps_kind_name(info->kind));
    for (int k = 0; k < 2; k++)
        if (info->rests_on[k] != PS_STAT_NONE) {
            printf("%s", k ? ", " : "; rests on ");
            roff(name_pattern(ps_statistic_info(info->rests_on[k]), name, sizeof name));
        }
    if (info->direction_aware)
        printf("; follows the scale's direction");
    if (info->reveals_n)
        printf("; withheld under \\fB\\-\\-round\\fR");
    if (info->decimals == PS_PCT)
        printf("; a percentage in text");
    else if (info->decimals < 0)
        printf("; a p-value (4 decimals in text)");
    else
        printf("; %d decimal%s in text", info->decimals, info->decimals == 1 ? "" : "s");
    printf(".\n");
}

int main(void)
{
    puts(".\\\" Written by docs/statistics-page from the statistic catalogue: do not edit;");
    puts(".\\\" run 'make statistics-page' after changing core/promscore/statistics.h.");
    puts(".TH PROMSCORE-STATISTICS 7 2026-11-30 \"promscore " PACKAGE_VERSION
         "\" \"Miscellaneous Information\"");
    puts(".SH NAME\npromscore-statistics \\- the figures of a promscore cohort change report");
    puts(".SH DESCRIPTION\n"
         "A report (\\fBpromscore report\\fR, see \\fBpromscore\\fR(1)) gives, for each scale or pool,\n"
         "comparison and group, the statistics below.\n"
         "A comparison is \\fIbaseline\\fR\\->\\fIlabel\\fR for each later timepoint, and\n"
         "\\fIbaseline\\fR\\->end, each person's last follow-up, when there are two follow-ups or\n"
         "more (with one, it would repeat that comparison).\n"
         "Changes are D = follow-up \\- baseline.\n"
         "Kinds: a \\fBcount\\fR is a number of people (in a pool, of units) and is protected by\n"
         "disclosure control; a \\fBrate\\fR or \\fBchange\\fR is computed from two published counts\n"
         "(after rounding); a \\fBfigure\\fR is computed from people's scores and is hidden\n"
         "whenever a count it rests on is hidden, with no reason given; a \\fBconstant\\fR comes\n"
         "from the definition.\n"
         "\"Better\" follows the scale's \\fBbetter\\fR attribute: on a scale where lower is better\n"
         "(PHQ\\-9, GAD\\-7, ONS4 anxiety) a fall counts as improvement and moving to a lower band\n"
         "as moving to a better one.");
    puts(".SH STATISTICS");
    for (int id = 0; id < PS_STAT_COUNT_; id++)
        statistic(ps_statistic_info((ps_statistic_id_t)id));
    puts(".PP\nIn a pool, every figure is also given per category of the member's baseline\n"
         "category scale, named \\fBcategory:\\fR\\fICATEGORY\\fR\\fB:\\fR\\fIname\\fR.");
    puts(".SH FORMULAS\n.TP\nHedges' g_z\n"
         "g_z = d_z \\(mu J, J = 1 \\- 3 / (4(n \\- 1) \\- 1), the common approximation\n"
         "(not the exact gamma-function form).\n"
         ".TP\nCompleters against those lost\n"
         "(mean of the completers' baseline \\- mean of the lost's baseline) divided by\n"
         "sqrt((SD_completers^2 + SD_lost^2) / 2), the two SDs with n \\- 1.\n"
         ".TP\nReliable change\n"
         "the definition's threshold in points with its rule (a change of \\fIat least\\fR\n"
         "it, or \\fImore than\\fR it, is reliable), or Jacobson and Truax's (1991):\n"
         "SEM = SD \\(mu sqrt(1 \\- reliability) from the definition (or its SEM given directly),\n"
         "and a change is reliable when it is \\fImore than\\fR 1.96 \\(mu sqrt(2) \\(mu SEM\n"
         "unless the definition says at least. The threshold is the \\fBreliable_change\\fR\n"
         "constant, the rule \\fBreliable_at_least\\fR.\n"
         ".TP\nMeaningful change\n"
         "a change of \\fIat least\\fR \\fBmeaningful_change\\fR points in the better direction\n"
         "is an improvement; at least as much in the worse direction, a deterioration.\n"
         ".TP\nTwo readings of a change in a band\n"
         "\\fBband_change\\fR is the cohort-level change in how many are in the band;\n"
         "\\fBmoved_better_from\\fR is, of those in the band at baseline, the share who moved to\n"
         "a better band. Services' reports use both as \"reduction\"; say which.");
    puts(".SH RELATIONS\n"
         "Disclosure control, and anyone checking it, knows these additive relations between\n"
         "counts (JSON output lists each one between the report's own figures):");
    for (size_t k = 0; k < ps_n_relation_rules; k++) {
        printf(".IP \\(bu 2\n");
        roff(ps_relation_rules[k].text);
        printf("\n");
    }
    puts(".SH DISCLOSURE CONTROL\n"
         "Counts of 1 to the threshold (default 7) are hidden; 0 is published. The audit then\n"
         "reasons with what a reader knows: every published count (under \\fB\\-\\-round\\fR\n"
         "\\fIN\\fR, a published r stands for every value that rounds to r), the relations above,\n"
         "that counts are not negative, and the rule itself, by which a count hidden as small\n"
         "lies between 1 and the threshold. (It assumes the reader knows which hidden counts\n"
         "those are, which is more than the report says once others are hidden to protect\n"
         "them; any other hidden count is taken to be anything from 0 up.) For every hidden\n"
         "count a linear program finds the least and greatest values consistent with all that.\n"
         "A hidden count is exposed when that range is one value (a hidden 0 pinned to 0\n"
         "reveals no small group); a count never published (what a total has beyond its listed\n"
         "parts), when the range lies within 1 to the threshold. No protection interval is set:\n"
         "protection means that a hidden count cannot be worked out exactly, so a reader may\n"
         "know that one is 3 or 4. Then more counts are hidden, chosen by a second linear\n"
         "program as the cheapest set whose change could move the exposed count by one, keeping\n"
         "every relation and every count hidden as small within 1 to the threshold, until no\n"
         "hidden count is exposed. A group's counts cost least (by their size), then a group's\n"
         "means and SDs (a count they rest on takes them with it), then the whole cohort's\n"
         "counts, then its means and SDs. The method is that of tau-Argus and R's sdcTable; the\n"
         "programs are solved with GLPK.\n"
         ".PP\n"
         "A count that no change can move, even with every count around it hidden, cannot be\n"
         "protected by suppression: with 7 pairs in seven sites, each site's n_paired is 1\n"
         "however the rest is hidden (each is at least 1, and they add up to at most 7). So can\n"
         "a count of people never published (those paired at two follow-ups) that the relations\n"
         "confine to 1 to the threshold whatever is hidden. The report's rule says how many\n"
         "there are of each; merge such groups, or leave them out.\n"
         ".PP\n"
         "Counts say more than their values, and two more things are hidden for it. When a\n"
         "count hidden as small is the only part of its total not published as 0 (improved *,\n"
         "unchanged 0, deteriorated 0), the zeros say that everyone in the total is in it: they\n"
         "are hidden too. (Such a zero can stay known where a bigger group's published 0 says\n"
         "the same of everyone, as when no one in the whole cohort was lost: that tells nothing\n"
         "of the small group that is not true of all.) Where the parts of a total are groups of\n"
         "people with their means and SDs published beside their counts (the groups of a\n"
         "\\fB\\-\\-by\\fR column, a pool's members and categories), the total's figures less\n"
         "those of the groups shown are the mean and SD of the hidden groups together; when the\n"
         "published counts put those at 1 to the threshold people, the count of the cheapest\n"
         "group shown, or the total's, is hidden, and its figures with it.\n"
         ".PP\n"
         "Comparisons and scales are read together. With two follow-ups or more,\n"
         "baseline\\->end pairs each person with their last follow-up, so the follow-ups' people\n"
         "seen and paired together exceed its by the extra pairings (with two follow-ups, the\n"
         "people paired at both), and baseline\\->end's n_paired exceeds the last follow-up's by those\n"
         "whose last follow-up is earlier: counts never published, kept from 1 to the\n"
         "threshold, or the comparisons' means and SDs differenced would describe those\n"
         "people. Scales of one instrument share their people (see the relations above); a\n"
         "scale scored as the band of another (PAM's level) publishes the other's band counts\n"
         "through its mean and SD, so its figures, and its counts but the people at baseline,\n"
         "at follow-up, paired and lost, are hidden wherever a band count of the other is.\n"
         ".PP\n"
         "Every figure resting on a hidden count is hidden. Under \\fB\\-\\-round\\fR, df, t,\n"
         "p-values, confidence intervals, Wilcoxon's V and Hedges' g_z are withheld, since\n"
         "beside the mean and SD they give the exact n; other figures are rounded to one\n"
         "decimal fewer than the text report shows.\n"
         ".PP\n"
         "The guarantee is about published aggregates: it does not make row-level files\n"
         "(scored or pseudonymised CSVs) safe to share. It rests on the relations above;\n"
         "an attacker who knows more (another report on overlapping people, or a person's\n"
         "own answers) may learn more.");
    puts(".SH SEE ALSO\n.BR promscore (1),\n.BR promscore-instrument (5)");
    return 0;
}
