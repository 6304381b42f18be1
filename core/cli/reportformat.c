/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the command line's reports write alike: see reportformat.h. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "json.h"
#include "reportformat.h"

int report_parse_unsigned(const char *text, unsigned *value)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (errno || *end || end == text || v > 1000000 || text[0] == '-')
        return -1;
    *value = (unsigned)v;
    return 0;
}

int report_check_disclosure(const char *command, const ps_disclosure_t *d)
{
    if (!d->suppress && d->round_to) {
        cli_error("%s: --round applies with disclosure control; drop --no-suppress", command);
        return -1;
    }
    /* A count c is shown when above the threshold T, and rounds to 0 when c < N / 2. */
    if (d->round_to && d->round_to > 2 * (unsigned long)d->threshold + 2) {
        char counts[64];
        const unsigned lo = d->threshold + 1, hi = (d->round_to - 1) / 2;
        if (lo == hi)
            snprintf(counts, sizeof counts, "a count of %u", lo);
        else
            snprintf(counts, sizeof counts, "counts of %u to %u", lo, hi);
        cli_error("%s: --round %u with --threshold %u would show %s as 0: the rounding base "
                  "may be at most %lu (twice the threshold and 2); raise --threshold or round "
                  "to less",
                  command, d->round_to, d->threshold, counts,
                  2 * (unsigned long)d->threshold + 2);
        return -1;
    }
    return 0;
}

const char *report_not_for_release(const ps_disclosure_t *d)
{
    if (!d->suppress)
        return "NOT FOR RELEASE: small numbers not suppressed (--no-suppress). For internal "
               "analysis only.";
    if (d->threshold == 0)
        return "NOT FOR RELEASE: small numbers not suppressed (--threshold 0). For internal "
               "analysis only.";
    if (d->threshold == 1)
        return "NOT FOR RELEASE: small numbers not suppressed (--threshold 1 hides only counts "
               "of 1). For internal analysis only.";
    return NULL;
}

void json_string(output_t *o, const char *text)
{
    output_puts(o, "\"");
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\')
            output_printf(o, "\\%c", *p);
        else if (*p < 0x20)
            output_printf(o, "\\u%04x", *p);
        else
            output_write(o, (const char *)p, 1);
    }
    output_puts(o, "\"");
}

void json_or_null(output_t *o, const char *text)
{
    if (text)
        json_string(o, text);
    else
        output_puts(o, "null");
}

int json_number(output_t *o, double value, int whole)
{
    char text[JSON_NUMBER_SIZE];
    int finite = json_number_text(value, whole, text);
    output_puts(o, text);
    return finite;
}

/* What the audit did, as a reader could count it from the report (not the work it took: how
 * many programs were solved varies with the hidden counts, so it would tell of them). */
void report_json_audit(output_t *o, const ps_audit_t *audit)
{
    output_printf(o,
                  "{\"counts\": %zu, \"hidden\": %zu, \"pinned\": %zu, \"withheld\": %zu, "
                  "\"figures_hidden\": %zu}",
                  audit->counts, audit->primary + audit->secondary, audit->pinned,
                  audit->withheld, audit->figures_hidden);
}

static ps_kind_t kind_of(const ps_statistic_t *s)
{
    return ps_statistic_info(s->id)->kind;
}

void report_json_result(output_t *o, size_t index, const char *instrument,
                        const ps_statistic_t *s)
{
    output_printf(o, "%s\n    {\"index\": %zu, \"instrument\": ", index ? "," : "", index);
    json_string(o, instrument ? instrument : ps_instrument_id(s->instrument));
    output_puts(o, ", \"scale\": ");
    json_string(o, s->unit);
    output_puts(o, ", \"group\": ");
    json_string(o, s->group);
    output_puts(o, ", \"comparison\": ");
    json_string(o, s->comparison);
    output_puts(o, ", \"statistic\": ");
    json_string(o, s->name);
    output_puts(o, ", \"kind\": ");
    json_string(o, ps_kind_name(kind_of(s)));
    output_puts(o, ", \"value\": ");
    /* The library flags what it cannot compute; a figure that is still not finite is
     * written as not computable too, never as inf or nan. */
    int finite = 1;
    if (s->shown == PS_SHOWN)
        finite = json_number(o, s->value, kind_of(s) == PS_KIND_COUNT);
    else
        output_puts(o, "null");
    output_printf(o, ", \"suppressed\": %s, \"not_computable\": ",
                  s->shown == PS_SUPPRESSED ? "true" : "false");
    json_or_null(o, s->shown == PS_NOT_COMPUTABLE ? s->reason
                    : !finite                     ? "the figure is not a finite number"
                                                  : NULL);
    output_puts(o, ", \"note\": ");
    json_or_null(o, s->note);
    output_puts(o, "}");
}

void report_json_relation(output_t *o, size_t index, const ps_relation_t *rel)
{
    output_printf(o, "%s\n    {\"terms\": [", index ? "," : "");
    for (size_t t = 0; t < rel->n; t++) {
        output_printf(o, "%s[%zu, ", t ? ", " : "", rel->statistics[t]);
        json_number(o, rel->coefficients[t], 0);
        output_puts(o, "]");
    }
    /* null: unbounded on that side. */
    output_puts(o, "], \"lo\": ");
    json_number(o, rel->lo, 0);
    output_puts(o, ", \"hi\": ");
    json_number(o, rel->hi, 0);
    output_printf(o, ", \"from_figures\": %s}", rel->from_figures ? "true" : "false");
}

struct figure_text format_figure(const ps_statistic_t *st)
{
    struct figure_text t = {"-"};
    if (!st)
        return t;
    int decimals = ps_statistic_info(st->id)->decimals;
    if (st->shown == PS_SUPPRESSED)
        snprintf(t.s, sizeof t.s, "*");
    else if (st->shown == PS_NOT_COMPUTABLE)
        snprintf(t.s, sizeof t.s, "n/a");
    else if (decimals == PS_PCT)
        snprintf(t.s, sizeof t.s, "%.1f%%", 100 * st->value);
    else if (decimals < 0)
        snprintf(t.s, sizeof t.s, st->value < 0.0001 ? "<0.0001" : "%.4f", st->value);
    else
        snprintf(t.s, sizeof t.s, "%.*f", decimals, st->value);
    return t;
}
