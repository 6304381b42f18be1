/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Costs of service use: unit costs and a price index read from files (none
 * compiled in), costs before and after, notional cost avoidance against the
 * counterfactual, and the return on investment with a bootstrap interval
 * that R reproduces draw for draw. See docs/costs.md and
 * tests/golden/costs/costs.R.
 *
 * The money figures rest on the event counts of the service-use report and are
 * added to it after its disclosure audit: a figure is hidden whenever a count
 * it rests on is (in either cohort, and for a total in any measure).
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/tree.h>

#define MATHLIB_STANDALONE
#include <Rmath.h>

#include "costs.h"
#include "disclosure.h"
#include "csvread.h"
#include "headers.h"
#include "limits.h"
#include "serviceuse.h"

#define NS "urn:promscore:unit-costs:1"
#define DEFAULT_REPLICATES 1999u
#define MAX_REPLICATES 100000u
#define MIN_REPLICATES 100u
#define DEFAULT_PROGRAMME_DAYS 365u

struct unit_cost {
    const char *measure, *unit, *price_year, *source, *licence, *note;
    double value;
    unsigned long line, column;   /* of the measure, for messages */
};

struct price_index {
    const char *file, *name, *source, *licence;
    const char **years;
    double *levels;
    size_t n;
    int changes;                  /* given as percentage changes, not levels */
};

struct ps_service_costs {
    ps_context_t *context;
    ps_arena_t *arena;
    const char *file;
    struct unit_cost *rows;
    size_t n, size;
    struct price_index index;     /* file NULL when none was read */
    /* Who completed the programme (--completed), per participant of the people referred;
     * NULL when no list was read. */
    unsigned char *completed;
    size_t n_completed;           /* the participants the flags cover */
    const char *completed_file;
};

/* Rows of the costs file that are not a measure's unit cost: the value of a WELLBY, and the
 * declared exchange rates from (S)WEMWBS points to points of life satisfaction. */
static int is_rate(const char *measure)
{
    return strcmp(measure, "wemwbs_to_life_satisfaction") == 0 ||
           strcmp(measure, "swemwbs_to_life_satisfaction") == 0;
}

static int is_measure_cost(const char *measure)
{
    return strcmp(measure, "wellby") != 0 && !is_rate(measure);
}

/* ---- Reading. ---- */

static ps_error_t nomem(void)
{
    return PS_ERROR_NOMEM;
}

/* "2022/23" (the second year the first's next) or "2023". */
static int is_price_year(const char *text)
{
    size_t n = strlen(text);
    for (size_t i = 0; i < 4; i++)
        if (i >= n || !isdigit((unsigned char)text[i]))
            return 0;
    if (n == 4)
        return 1;
    if (n != 7 || text[4] != '/' || !isdigit((unsigned char)text[5]) ||
        !isdigit((unsigned char)text[6]))
        return 0;
    int first = atoi(text), second = atoi(text + 5);
    return (first + 1) % 100 == second;
}

static ps_error_t add_row(ps_service_costs_t *c, const struct unit_cost *row)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->rows[i].measure, row->measure) == 0)
            return ps_diagnose(c->context, PS_ERROR_DEFINITION, c->file, row->line, row->column,
                               "measure '%s' is costed twice (first on line %lu): give one "
                               "unit cost per measure",
                               row->measure, c->rows[i].line);
    if (ps_grow((void **)&c->rows, &c->size, c->n + 1, sizeof *c->rows))
        return nomem();
    c->rows[c->n++] = *row;
    return PS_OK;
}

/* Checks one cost's fields, wherever they were read. */
static ps_error_t check_row(ps_service_costs_t *c, struct unit_cost *row,
                            const char *value_text, unsigned long value_column,
                            unsigned long year_column)
{
    const char *why = ps_service_number(value_text, PS_SERVICE_NUMBER_FRACTION, &row->value);
    if (why)
        return ps_diagnose(c->context, PS_ERROR_DEFINITION, c->file, row->line, value_column,
                           "unit cost '%s' is not a number of 0 or more%s%s", value_text,
                           isnan(row->value) ? ": " : "", isnan(row->value) ? why : "");
    if (row->value > PS_MAX_DEFINITION_MAGNITUDE)
        return ps_diagnose(c->context, PS_ERROR_DEFINITION, c->file, row->line, value_column,
                           "unit cost '%s' is more than 1e9: not the cost of one unit of use",
                           value_text);
    if (is_rate(row->measure) && !*row->price_year)
        return add_row(c, row); /* an exchange rate is no money: it has no price year */
    if (!is_price_year(row->price_year))
        return ps_diagnose(c->context, PS_ERROR_DEFINITION, c->file, row->line, year_column,
                           "price year '%s' is not a financial year such as 2022/23 or a "
                           "year such as 2023",
                           row->price_year);
    return add_row(c, row);
}

enum { COL_MEASURE, COL_VALUE, COL_UNIT, COL_YEAR, COL_SOURCE, COL_LICENCE, COL_NOTE, N_COLS };
static const char *const column_names[N_COLS] = {"measure", "value", "unit", "price_year",
                                                 "source", "licence", "note"};

struct csv_reading {
    ps_service_costs_t *costs;
    size_t at[N_COLS];            /* the field of each column, SIZE_MAX when absent */
    int have_header;
};

static ps_error_t on_cost_record(const ps_csv_record_t *rec, void *user)
{
    struct csv_reading *r = user;
    ps_service_costs_t *c = r->costs;
    if (rec->fault)
        return ps_diagnose(c->context, PS_ERROR_DEFINITION, c->file, rec->line,
                           rec->fault_column, "%s", rec->fault);
    if (!r->have_header) {
        for (size_t k = 0; k < N_COLS; k++)
            r->at[k] = SIZE_MAX;
        for (size_t f = 0; f < rec->n_fields; f++) {
            size_t length = rec->lengths[f];
            const char *name = ps_trim(rec->fields[f], &length);
            size_t k = 0;
            while (k < N_COLS && !(strlen(column_names[k]) == length &&
                                   strncasecmp(column_names[k], name, length) == 0))
                k++;
            if (k == N_COLS)
                return ps_diagnose(c->context, PS_ERROR_DEFINITION, c->file, rec->line, f + 1,
                                   "column '%.*s' is not one of measure, value, unit, "
                                   "price_year, source, licence, note",
                                   (int)length, name);
            if (r->at[k] != SIZE_MAX)
                return ps_diagnose(c->context, PS_ERROR_DEFINITION, c->file, rec->line, f + 1,
                                   "column '%s' is given twice", column_names[k]);
            r->at[k] = f;
        }
        for (size_t k = 0; k < COL_NOTE; k++)
            if (r->at[k] == SIZE_MAX)
                return ps_diagnose(c->context, PS_ERROR_DEFINITION, c->file, rec->line, 0,
                                   "the header has no column '%s': unit costs need measure, "
                                   "value, unit, price_year, source and licence",
                                   column_names[k]);
        r->have_header = 1;
        return PS_OK;
    }
    const char *field[N_COLS] = {0};
    for (size_t k = 0; k < N_COLS; k++) {
        if (r->at[k] == SIZE_MAX)
            continue;
        if (r->at[k] >= rec->n_fields)
            return ps_diagnose(c->context, PS_ERROR_DEFINITION, c->file, rec->line,
                               rec->n_fields + 1, "the row has %zu fields; the header has more",
                               rec->n_fields);
        size_t length = rec->lengths[r->at[k]];
        if (!ps_utf8_valid(rec->fields[r->at[k]], length))
            return ps_diagnose(c->context, PS_ERROR_DEFINITION, c->file, rec->line,
                               r->at[k] + 1, "%s is not valid UTF-8 text: it holds a NUL byte "
                               "or bytes that are no character",
                               column_names[k]);
        const char *text = ps_trim(rec->fields[r->at[k]], &length);
        char *copy = ps_arena_alloc(c->arena, length + 1);
        if (!copy)
            return nomem();
        memcpy(copy, text, length);
        copy[length] = '\0';
        field[k] = copy;
        if (!length && k != COL_NOTE && !(k == COL_YEAR && is_rate(field[COL_MEASURE])))
            return ps_diagnose(c->context, PS_ERROR_DEFINITION, c->file, rec->line,
                               r->at[k] + 1, "%s is empty: every unit cost needs its %s",
                               column_names[k], column_names[k]);
    }
    if (field[COL_NOTE] && !*field[COL_NOTE])
        field[COL_NOTE] = NULL; /* an empty note is none */
    struct unit_cost row = {field[COL_MEASURE], field[COL_UNIT], field[COL_YEAR],
                            field[COL_SOURCE], field[COL_LICENCE], field[COL_NOTE], 0,
                            rec->line, r->at[COL_MEASURE] + 1};
    return check_row(c, &row, field[COL_VALUE], r->at[COL_VALUE] + 1, r->at[COL_YEAR] + 1);
}

static int is_element(xmlNodePtr node, const char *name)
{
    return node->type == XML_ELEMENT_NODE && node->ns &&
           xmlStrEqual(node->ns->href, BAD_CAST NS) && xmlStrEqual(node->name, BAD_CAST name);
}

static const char *keep_xml(ps_service_costs_t *c, xmlChar *value)
{
    const char *kept = value ? ps_arena_strdup(c->arena, (const char *)value) : NULL;
    xmlFree(value);
    return kept;
}

static ps_error_t read_xml(ps_service_costs_t *c)
{
    xmlDocPtr doc = NULL;
    ps_error_t err = ps_xml_read(c->context, c->file, (void **)&doc);
    if (err || (err = ps_xml_validate(c->context, c->file, doc, "unit-costs.xsd")))
        goto done;
    for (xmlNodePtr x = xmlDocGetRootElement(doc)->children; x && !err; x = x->next) {
        if (!is_element(x, "cost"))
            continue;
        long line = xmlGetLineNo(x);
        struct unit_cost row = {
            keep_xml(c, xmlGetNoNsProp(x, BAD_CAST "measure")),
            keep_xml(c, xmlGetNoNsProp(x, BAD_CAST "unit")),
            keep_xml(c, xmlGetNoNsProp(x, BAD_CAST "price-year")), NULL,
            keep_xml(c, xmlGetNoNsProp(x, BAD_CAST "licence")), NULL, 0,
            line > 0 ? (unsigned long)line : 0, 0};
        const char *value = keep_xml(c, xmlGetNoNsProp(x, BAD_CAST "value"));
        for (xmlNodePtr e = x->children; e; e = e->next) {
            if (is_element(e, "source"))
                row.source = keep_xml(c, xmlNodeGetContent(e));
            else if (is_element(e, "note"))
                row.note = keep_xml(c, xmlNodeGetContent(e));
        }
        if (!row.measure || !row.unit || !row.price_year || !row.licence || !value ||
            !row.source) {
            err = nomem();
            break;
        }
        err = check_row(c, &row, value, 0, 0);
    }
done:
    xmlFreeDoc(doc);
    return err;
}

/*
 * Whether the file's first byte that is not white space (after a BOM) is '<': 1, else 0; -1
 * for a pipe or standard input, which is not sniffed (that would lose what it read) but read
 * as CSV.
 */
static int looks_like_xml(const char *file)
{
    struct stat st;
    if (strcmp(file, "-") == 0 || (stat(file, &st) == 0 && !S_ISREG(st.st_mode)))
        return -1;
    FILE *f = fopen(file, "rb");
    if (!f)
        return 0;
    int ch, at = 0;
    while ((ch = getc(f)) != EOF) {
        if (at < 3 && (ch == 0xEF || ch == 0xBB || ch == 0xBF)) {
            at++;
            continue;
        }
        if (!isspace(ch))
            break;
    }
    fclose(f);
    return ch == '<';
}

ps_error_t ps_service_costs_read(ps_context_t *context, const char *file,
                                 ps_service_costs_t **out)
{
    *out = NULL;
    ps_service_costs_t *c = calloc(1, sizeof *c);
    if (!c || !(c->arena = ps_arena_new())) {
        free(c);
        return PS_ERROR_NOMEM;
    }
    c->context = context;
    ps_error_t err = PS_ERROR_NOMEM;
    if (!(c->file = ps_arena_strdup(c->arena, file)))
        goto done;
    const int xml = looks_like_xml(file);
    if (xml > 0) {
        err = read_xml(c);
    } else {
        struct csv_reading r = {c, {0}, 0};
        err = ps_csv_read(context, file, on_cost_record, &r);
        if (err && xml < 0 && !r.have_header && err != PS_ERROR_NOMEM)
            ps_diagnose(context, err, file, 0, 0,
                        "unit costs from a pipe or standard input are read as CSV: XML unit "
                        "costs are read from a file");
        if (!err && !r.have_header)
            err = ps_diagnose(context, PS_ERROR_DEFINITION, file, 0, 0,
                              "no header: unit costs need the columns measure, value, unit, "
                              "price_year, source and licence");
    }
    if (!err && !c->n)
        err = ps_diagnose(context, PS_ERROR_DEFINITION, file, 0, 0, "no unit cost is given");
    if (!err) {
        *out = c;
        c = NULL;
    }
done:
    ps_service_costs_free(c);
    return err;
}

void ps_service_costs_free(ps_service_costs_t *c)
{
    if (!c)
        return;
    ps_arena_free(c->arena);
    free(c->rows);
    free(c->index.years);
    free(c->index.levels);
    free(c->completed);
    free(c);
}

struct index_reading {
    ps_service_costs_t *costs;
    struct price_index *index;
    int header;                   /* 0 before it; 1 levels; 2 percentage changes */
    size_t size;
};

static ps_error_t on_index_record(const ps_csv_record_t *rec, void *user)
{
    struct index_reading *r = user;
    ps_service_costs_t *c = r->costs;
    struct price_index *ix = r->index;
    const char *file = ix->file;
    if (rec->fault)
        return ps_diagnose(c->context, PS_ERROR_DEFINITION, file, rec->line, rec->fault_column,
                           "%s", rec->fault);
    if (rec->n_fields != 2)
        return ps_diagnose(c->context, PS_ERROR_DEFINITION, file, rec->line, 0,
                           "a price index has two fields a line (index,NAME; source,TEXT; "
                           "year,level or year,percent_change; then YEAR,VALUE), not %zu",
                           rec->n_fields);
    for (size_t f = 0; f < 2; f++)
        if (!ps_utf8_valid(rec->fields[f], rec->lengths[f]))
            return ps_diagnose(c->context, PS_ERROR_DEFINITION, file, rec->line, f + 1,
                               "not valid UTF-8 text: the field holds a NUL byte or bytes that "
                               "are no character");
    size_t kl = rec->lengths[0], vl = rec->lengths[1];
    const char *key = ps_trim(rec->fields[0], &kl), *value = ps_trim(rec->fields[1], &vl);
    char *text = ps_arena_alloc(c->arena, vl + 1), *year = ps_arena_alloc(c->arena, kl + 1);
    if (!text || !year)
        return nomem();
    memcpy(text, value, vl);
    text[vl] = '\0';
    memcpy(year, key, kl);
    year[kl] = '\0';
    if (!r->header) {
        const char **slot = strcasecmp(year, "index") == 0     ? &ix->name
                            : strcasecmp(year, "source") == 0  ? &ix->source
                            : strcasecmp(year, "licence") == 0 ? &ix->licence
                            : NULL;
        if (strcasecmp(year, "year") == 0) {
            r->header = strcasecmp(text, "level") == 0            ? 1
                        : strcasecmp(text, "percent_change") == 0 ? 2
                                                                  : 0;
            if (!r->header)
                return ps_diagnose(c->context, PS_ERROR_DEFINITION, file, rec->line, 2,
                                   "'%s' is not level or percent_change", text);
            if (!ix->name || !ix->source)
                return ps_diagnose(c->context, PS_ERROR_DEFINITION, file, rec->line, 1,
                                   "the index's %s must come before its years",
                                   ix->name ? "source" : "name (index,NAME)");
            return PS_OK;
        }
        if (strcasecmp(year, "note") == 0)
            return PS_OK;
        if (!slot)
            return ps_diagnose(c->context, PS_ERROR_DEFINITION, file, rec->line, 1,
                               "'%s' is not index, source, licence, note or year", year);
        if (!vl)
            return ps_diagnose(c->context, PS_ERROR_DEFINITION, file, rec->line, 2,
                               "%s is empty", year);
        if (*slot)
            return ps_diagnose(c->context, PS_ERROR_DEFINITION, file, rec->line, 1,
                               "%s is given twice (first '%s'): a price index has one name, "
                               "one source and one licence",
                               year, *slot);
        *slot = text;
        return PS_OK;
    }
    if (!is_price_year(year))
        return ps_diagnose(c->context, PS_ERROR_DEFINITION, file, rec->line, 1,
                           "'%s' is not a financial year such as 2022/23 or a year such as 2023",
                           year);
    for (size_t i = 0; i < ix->n; i++)
        if (strcmp(ix->years[i], year) == 0)
            return ps_diagnose(c->context, PS_ERROR_DEFINITION, file, rec->line, 1,
                               "year %s is given twice", year);
    if (ix->n && strlen(ix->years[0]) != kl)
        return ps_diagnose(c->context, PS_ERROR_DEFINITION, file, rec->line, 1,
                           "year %s is a %s year and the index's first, %s, a %s one: an "
                           "index gives years of one kind",
                           year, kl == 4 ? "calendar" : "financial", ix->years[0],
                           kl == 4 ? "financial" : "calendar");
    if (ix->n && strcmp(ix->years[ix->n - 1], year) >= 0)
        return ps_diagnose(c->context, PS_ERROR_DEFINITION, file, rec->line, 1,
                           "year %s does not follow %s: list the years in time order", year,
                           ix->years[ix->n - 1]);
    /* Changes compound year by year: a year left out would drop its change. */
    const int next = ix->n ? atoi(ix->years[ix->n - 1]) + 1 : 0;
    if (r->header == 2 && ix->n && atoi(year) != next) {
        char missing[16];
        if (kl == 4)
            snprintf(missing, sizeof missing, "%d", next);
        else
            snprintf(missing, sizeof missing, "%d/%02d", next, (next + 1) % 100);
        return ps_diagnose(c->context, PS_ERROR_DEFINITION, file, rec->line, 1,
                           "year %s is missing before %s: percent changes are of consecutive "
                           "years, each from the one before (levels may skip years)",
                           missing, year);
    }
    double number = NAN;
    const int first = ix->n == 0;
    if (r->header == 2 && first) {
        if (vl)
            return ps_diagnose(c->context, PS_ERROR_DEFINITION, file, rec->line, 2,
                               "the first year is the base: leave its change empty");
        number = 100;
    } else if (r->header == 2 && *text == '+') {
        return ps_diagnose(c->context, PS_ERROR_DEFINITION, file, rec->line, 2,
                           "change '%s' has a leading +: write a rise without a sign and a "
                           "fall with a - (e.g. 4.31 or -0.5)",
                           text);
    } else {
        const unsigned flags = PS_SERVICE_NUMBER_FRACTION |
                               (r->header == 1 ? 0 : PS_SERVICE_NUMBER_SIGNED);
        const char *why = ps_service_number(text, flags, &number);
        if (why || !(r->header == 1 ? number > 0 : number > -100))
            return ps_diagnose(c->context, PS_ERROR_DEFINITION, file, rec->line, 2,
                               r->header == 1 ? "level '%s' is not a number above 0%s%s"
                                              : "change '%s' is not a percentage above -100%s%s",
                               text, isnan(number) ? ": " : "", isnan(number) ? why : "");
    }
    const double level =
        r->header == 1 || first ? number : ix->levels[ix->n - 1] * (1 + number / 100);
    if (level > PS_MAX_DEFINITION_MAGNITUDE)
        return ps_diagnose(c->context, PS_ERROR_DEFINITION, file, rec->line, 2,
                           r->header == 1 ? "level '%s' is more than 1e9: not a price index"
                                          : "change '%s' takes the index above 1e9 (its first "
                                            "year is 100): not a price index",
                           text);
    size_t size = r->size;
    if (ps_grow((void **)&ix->years, &size, ix->n + 1, sizeof *ix->years) ||
        ps_grow((void **)&ix->levels, &r->size, ix->n + 1, sizeof *ix->levels))
        return nomem();
    ix->years[ix->n] = year;
    ix->levels[ix->n] = level;
    ix->n++;
    return PS_OK;
}

ps_error_t ps_service_costs_read_index(ps_service_costs_t *c, const char *file)
{
    struct price_index index = {0};
    if (!(index.file = ps_arena_strdup(c->arena, file)))
        return nomem();
    struct index_reading r = {c, &index, 0, 0};
    ps_error_t err = ps_csv_read(c->context, file, on_index_record, &r);
    if (!err && (!r.header || index.n < 2))
        err = ps_diagnose(c->context, PS_ERROR_DEFINITION, file, 0, 0,
                          "a price index needs its name, source, a header year,level or "
                          "year,percent_change and two years or more");
    if (err) {
        free(index.years);
        free(index.levels);
        return err;
    }
    index.changes = r.header == 2;
    free(c->index.years);
    free(c->index.levels);
    c->index = index;
    return PS_OK;
}

const char *ps_service_costs_index(const ps_service_costs_t *c, const char **source)
{
    if (source)
        *source = c->index.file ? c->index.source : NULL;
    return c->index.file ? c->index.name : NULL;
}

/*
 * Whether a row of the unit costs file is a measure's cost that the figures use: the report
 * has figures of the measure (some count of it was read). A cost of a measure with no count
 * is not used, and sets nothing (the report's price year included).
 */
static int measure_used(const ps_service_report_t *report, const struct unit_cost *row)
{
    if (!is_measure_cost(row->measure))
        return 0;
    for (size_t i = 0; i < ps_service_report_count(report); i++) {
        const ps_statistic_t *s = ps_service_report_statistic(report, i);
        if (s->unit && strcmp(s->unit, row->measure) == 0)
            return 1;
    }
    return 0;
}

/*
 * Marks the years of the price index a chain from 'from' to 'to' rests on: its two ends for
 * levels, every year between them for percentage changes (they compound).
 */
static void mark_years(const struct price_index *ix, const char *from, const char *to,
                       unsigned char *used)
{
    size_t a = SIZE_MAX, b = SIZE_MAX;
    for (size_t i = 0; i < ix->n; i++) {
        if (strcmp(ix->years[i], from) == 0)
            a = i;
        if (strcmp(ix->years[i], to) == 0)
            b = i;
    }
    if (a == SIZE_MAX || b == SIZE_MAX)
        return;
    for (size_t i = a < b ? a : b; i <= (a < b ? b : a); i++)
        used[i] |= ix->changes || i == a || i == b;
}

/* ---- Who completed the programme. ---- */

struct completed_reading {
    ps_service_costs_t *costs;
    const ps_service_cohort_t *cohort;
    const ps_service_handlers_t *handlers;
    ps_batch_summary_t summary;
    unsigned char *completed;
    unsigned long *line;          /* where each participant was listed */
    size_t id;                    /* the id column's field; SIZE_MAX before the header */
    const char **says;            /* per field: the name of a column that says whether one
                                   * completed, else NULL */
    size_t n_fields;
};

/*
 * Whether a column's name says it holds whether each person completed ("completed",
 * "Completion status", "flag"): listed, everyone is a completer, so such a column must say
 * yes on every row.
 */
static int says_completion(const char *name)
{
    static const char *const words[] = {"complet", "status", "flag"};
    char folded[64];
    size_t n = 0;
    for (; name[n] && n + 1 < sizeof folded; n++)
        folded[n] = (char)tolower((unsigned char)name[n]);
    folded[n] = '\0';
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++)
        if (strstr(folded, words[w]))
            return 1;
    return 0;
}

static ps_error_t refuse_completed(struct completed_reading *r, unsigned long line,
                                   const char *id, const char *reason)
{
    r->summary.rows_rejected++;
    ps_reject_t reject = {r->costs->completed_file, line, 0, id ? id : "", "", "", reason};
    if (r->handlers && r->handlers->reject && r->handlers->reject(&reject, r->handlers->user))
        return PS_ERROR_ABORTED;
    return PS_OK;
}

static ps_error_t on_completed_record(const ps_csv_record_t *record, void *user)
{
    struct completed_reading *r = user;
    ps_csv_record_t *rec = (ps_csv_record_t *)record;
    const char *file = r->costs->completed_file, *id_column = r->cohort->id_column;
    if (r->id == SIZE_MAX) {
        /* Each field cleaned once: the names, then whether each says who completed. */
        if (!(r->says = calloc(rec->n_fields ? rec->n_fields : 1, sizeof *r->says)))
            return nomem();
        r->n_fields = rec->n_fields;
        for (size_t f = 0; f < rec->n_fields; f++) {
            r->says[f] = ps_su_clean_field(rec, f);
            if (r->says[f] && r->id == SIZE_MAX && ps_header_eq(r->says[f], id_column))
                r->id = f;
        }
        if (r->id == SIZE_MAX)
            return ps_diagnose(r->costs->context, PS_ERROR_BATCH, file, rec->line, 0,
                               "no column '%s': a list of who completed the programme has "
                               "one participant id a row under a header '%s'",
                               id_column, id_column);
        for (size_t f = 0; f < rec->n_fields; f++) {
            const char *name = r->says[f];
            r->says[f] = NULL;
            if (f == r->id)
                continue;
            if (name && says_completion(name)) {
                if (!(r->says[f] = ps_arena_strdup(r->costs->arena, name)))
                    return nomem();
            } else {
                ps_diagnose(r->costs->context, PS_OK, file, rec->line, f + 1,
                            "column '%s' is not read: everyone listed is taken to have "
                            "completed the programme",
                            name ? name : "(not UTF-8 text)");
            }
        }
        return PS_OK;
    }
    r->summary.rows_read++;
    const char *id = rec->n_fields > r->id ? ps_su_clean_field(rec, r->id) : NULL;
    char reason[256];
    if (rec->fault) {
        snprintf(reason, sizeof reason, "%s: the row is refused", rec->fault);
        return refuse_completed(r, rec->line, id, reason);
    }
    /* A column saying whether one completed must say yes: a list of completers only. */
    for (size_t f = 0; f < r->n_fields && f < rec->n_fields; f++) {
        if (!r->says[f])
            continue;
        const char *value = ps_su_clean_field(rec, f);
        if (!value || strcasecmp(value, "yes") != 0)
            return ps_diagnose(r->costs->context, PS_ERROR_BATCH, file, rec->line, f + 1,
                               "'%s' in column '%s': a list of who completed the programme "
                               "names completers only, one a row; a column saying whether each "
                               "one completed must say yes on every row (leave out those who "
                               "did not complete)",
                               value ? value : "(not UTF-8 text)", r->says[f]);
    }
    if (!id || !*id)
        return refuse_completed(r, rec->line, id,
                                id ? "no participant id" : "the participant id is not UTF-8 text");
    const ps_service_cohort_t *c = r->cohort;
    uint32_t p = ps_names_find(c->arms[PS_SERVICE_REFERRED].participants, id, strlen(id));
    if (p == UINT32_MAX || p >= r->costs->n_completed) {
        const int theirs = ps_names_find(c->arms[PS_SERVICE_COMPARISON].participants, id,
                                         strlen(id)) != UINT32_MAX;
        return refuse_completed(r, rec->line, id,
                                theirs ? "in the comparison cohort, not among the people "
                                         "referred: only they can complete the programme"
                                       : "not among the people referred (no count of theirs "
                                         "was read)");
    }
    if (r->completed[p]) {
        snprintf(reason, sizeof reason, "listed twice (first on line %lu)", r->line[p]);
        return refuse_completed(r, rec->line, id, reason);
    }
    r->completed[p] = 1;
    r->line[p] = rec->line;
    r->summary.rows_scored++;
    return PS_OK;
}

ps_error_t ps_service_costs_read_completed(ps_service_costs_t *costs,
                                           const ps_service_cohort_t *cohort, const char *file,
                                           const ps_service_handlers_t *handlers,
                                           ps_batch_summary_t *summary)
{
    size_t n = ps_names_count(cohort->arms[PS_SERVICE_REFERRED].participants);
    struct completed_reading r = {costs, cohort, handlers, {0}, calloc(n ? n : 1, 1),
                                  calloc(n ? n : 1, sizeof *r.line), SIZE_MAX, NULL, 0};
    if (summary)
        memset(summary, 0, sizeof *summary);
    if (!r.completed || !r.line || !(costs->completed_file = ps_arena_strdup(costs->arena, file))) {
        free(r.completed);
        free(r.line);
        return nomem();
    }
    r.summary.file = costs->completed_file;
    costs->n_completed = n;
    ps_error_t err = ps_csv_read(costs->context, file, on_completed_record, &r);
    if (!err && r.id == SIZE_MAX)
        err = ps_diagnose(costs->context, PS_ERROR_BATCH, file, 0, 0,
                          "no header: a list of who completed the programme has a header '%s'",
                          cohort->id_column);
    free(r.line);
    free(r.says);
    if (err) {
        free(r.completed);
        costs->n_completed = 0;
        return err;
    }
    free(costs->completed);
    costs->completed = r.completed;
    if (summary)
        *summary = r.summary;
    return PS_OK;
}

void ps_service_costs_options_init(ps_service_costs_options_t *o, size_t size)
{
    ps_options_init(o, size);
}

/* ---- R's Marsaglia-Multicarry generator, reentrant. ---- */

/*
 * As R's RNG.c: set.seed(seed) scrambles the seed with 50 steps of a linear
 * congruential generator, then takes one more step per seed word; a zero word
 * becomes 1 (FixupSeeds). The uniform is ((I1 << 16) ^ (I2 & 0177777)) / (2^32
 * - 1), kept inside (0, 1) as R's fixup does; sample.kind "Rounding" draws
 * index floor(n * u).
 */
struct multicarry {
    uint32_t i1, i2;
};

static const double i2_32m1 = 2.328306437080797e-10; /* 1 / (2^32 - 1), as R */

static void multicarry_seed(struct multicarry *g, uint32_t seed)
{
    for (int j = 0; j < 50; j++)
        seed = 69069 * seed + 1;
    seed = 69069 * seed + 1;
    g->i1 = seed;
    seed = 69069 * seed + 1;
    g->i2 = seed;
    if (!g->i1)
        g->i1 = 1;
    if (!g->i2)
        g->i2 = 1;
}

static double multicarry_unif(struct multicarry *g)
{
    g->i1 = 36969 * (g->i1 & 0177777) + (g->i1 >> 16);
    g->i2 = 18000 * (g->i2 & 0177777) + (g->i2 >> 16);
    double x = (double)((g->i1 << 16) ^ (g->i2 & 0177777)) * i2_32m1;
    if (x <= 0.0)
        return 0.5 * i2_32m1;
    if (1.0 - x <= 0.0)
        return 1.0 - 0.5 * i2_32m1;
    return x;
}

static size_t multicarry_index(struct multicarry *g, size_t n)
{
    return (size_t)floor((double)n * multicarry_unif(g));
}

/* ---- The figures. ---- */

/* What one person of an arm brings to a measure's sums in a comparison (all 0 when they have
 * no count and time observed in both windows). */
struct contribution {
    double before, after, days_before, days_after;
    double expected;   /* empirical Bayes's expected count after (0 for other measures) */
};

/* One person's expected count after without intervention by empirical Bayes
 * (core/servicebayes.h), the time observed in each window taken over the rule window's
 * length 'rule_days' as the service-use report takes it. */
static double eb_expected(double before, double days_before, double days_after,
                          const struct ps_su_population *population, double rule_days)
{
    double expected, variance;
    ps_su_eb_expected(population, before, days_before / rule_days, days_after / rule_days,
                      &expected, &variance);
    return expected;
}

/* Sums of an arm, or of a bootstrap replicate of it, for one measure. */
struct sums {
    double before, after, days_before, days_after, expected;
};

static void add(struct sums *s, const struct contribution *p)
{
    s->before += p->before;
    s->after += p->after;
    s->days_before += p->days_before;
    s->days_after += p->days_after;
    s->expected += p->expected;
}

/*
 * The people's use before, on the time they were observed after: their rate before over all
 * their time observed before, times all their time observed after, (sum of events before / sum
 * of days before) * sum of days after. It rests only on figures the service-use report
 * publishes (events and person-years, before and after), as its rate ratio does: no person's
 * count is weighted apart from the others', so none can be had from it, and a short time
 * observed before is not extrapolated. 0 when no one is counted.
 */
static double use_before_on_time_after(const struct sums *s)
{
    if (!(s->days_before > 0))
        return 0;
    return s->before / s->days_before * s->days_after;
}

/* The comparison cohort's rate ratio from its sums; NaN when it has none. */
static double comparison_ratio(const struct sums *c)
{
    if (!(c->before > 0) || !(c->days_after > 0))
        return NAN;
    return (c->after / c->days_after) / (c->before / c->days_before);
}

/* One measure in one comparison. */
struct measure_costs {
    size_t measure;               /* in the definition */
    const struct unit_cost *row;
    double unit_cost;             /* at the report's price year */
    struct contribution *people[2];
    size_t n_people[2];           /* the arm's participants */
    int eb;                       /* the counterfactual is empirical Bayes's expected count */
    int counted;                  /* it has a counterfactual (or a naive one): in the totals */
    int naive;                    /* that counterfactual is "no change" (--no-counterfactual) */
    int hidden;                   /* an event count it rests on is hidden */
};

struct plan {
    const ps_service_cohort_t *cohort;
    const ps_service_costs_options_t *options;
    int has_comparison, naive;
    struct measure_costs *measures;
    size_t n_measures;
};

/*
 * Expected events after without the service, for a measure, from the referred sums and the
 * comparison's (an arm's, or a bootstrap replicate's). Comparison cohort: the referred's use
 * before on their time after (use_before_on_time_after) times the comparison cohort's rate
 * ratio, so that observed / expected is the report's net_rate_ratio; naive ("no change"): that
 * use alone, observed / expected being the report's rate_ratio. Empirical Bayes: the sum of
 * each person's expected count (eb_expected), no comparison factor applying.
 */
static double expected_events(const struct measure_costs *m, const struct sums *referred,
                              const struct sums *comparison)
{
    if (m->eb)
        return referred->expected;
    const double base = use_before_on_time_after(referred);
    if (m->naive)
        return base;
    return base * comparison_ratio(comparison);
}

/* Notional cost avoidance over every measure, from the arms' sums. */
static double avoidance(const struct plan *p, const struct sums *referred,
                        const struct sums *comparison, double *expected_cost)
{
    double total = 0, expected = 0;
    for (size_t k = 0; k < p->n_measures; k++) {
        const struct measure_costs *m = &p->measures[k];
        if (!m->counted)
            continue;
        double e = expected_events(m, &referred[k], &comparison[k]);
        expected += m->unit_cost * e;
        total += m->unit_cost * (e - referred[k].after);
    }
    if (expected_cost)
        *expected_cost = expected;
    return total;
}

/* boot.ci's percentile interval: norm.inter's order statistics, interpolated on the normal
 * quantile scale between them. 't' is sorted, n finite values. */
static double percentile(const double *t, size_t n, double alpha)
{
    double rk = ((double)n + 1) * alpha;
    double k = trunc(rk);
    if (k == rk && k >= 1 && k <= (double)n)
        return t[(size_t)k - 1];
    if (k <= 0)
        return t[0];
    if (k >= (double)n)
        return t[n - 1];
    double a = qnorm(alpha, 0, 1, 1, 0), b = qnorm(k / ((double)n + 1), 0, 1, 1, 0),
           c = qnorm((k + 1) / ((double)n + 1), 0, 1, 1, 0);
    double tk = t[(size_t)k - 1], tk1 = t[(size_t)k];
    return tk + (a - b) / (c - b) * (tk1 - tk);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct bootstrap {
    double low, high, p_above_1;
    size_t finite;
    const char *why;              /* why there is no interval, or NULL */
};

/*
 * The bootstrap of the return on investment, drawing as boot::boot(strata = arm) does with
 * sim = "ordinary": for each arm in turn (referred, then comparison), R * n indices in one
 * run, replicate r's j-th person being draw j * R + r (ordinary.array fills an R x n matrix by
 * columns). A replicate that is not a finite number (no rate ratio in it, say) leaves no
 * interval or probability: the others alone would be a selected subset.
 */
static int bootstrap_roi(const struct plan *p, double cost, struct bootstrap *out)
{
    const unsigned replicates = p->options->replicates ? p->options->replicates
                                                       : DEFAULT_REPLICATES;
    const size_t nm = p->n_measures, arms = p->has_comparison && !p->naive ? 2 : 1;
    struct sums *sums = calloc((size_t)replicates * nm * 2, sizeof *sums);
    struct sums *referred = malloc(nm * sizeof *referred), *comparison =
        malloc(nm * sizeof *comparison);
    double *roi = malloc(replicates * sizeof *roi);
    if (!sums || !roi || !referred || !comparison) {
        free(sums);
        free(roi);
        free(referred);
        free(comparison);
        return -1;
    }
    /* The estimate itself, from everyone: no interval without it. */
    memset(referred, 0, nm * sizeof *referred);
    memset(comparison, 0, nm * sizeof *comparison);
    for (size_t k = 0; k < nm; k++)
        for (size_t arm = 0; arm < arms; arm++)
            for (size_t j = 0; j < p->measures[k].n_people[arm]; j++)
                add(arm ? &comparison[k] : &referred[k], &p->measures[k].people[arm][j]);
    const int estimate = isfinite(avoidance(p, referred, comparison, NULL) / cost);
    struct multicarry g;
    multicarry_seed(&g, p->options->seed);
    for (size_t arm = 0; arm < arms; arm++) {
        size_t n = p->measures[0].n_people[arm];
        for (size_t j = 0; j < n; j++)
            for (size_t r = 0; r < replicates; r++) {
                size_t who = n == 1 ? 0 : multicarry_index(&g, n);
                for (size_t k = 0; k < nm; k++)
                    add(&sums[(r * nm + k) * 2 + arm], &p->measures[k].people[arm][who]);
            }
    }
    size_t finite = 0, above = 0;
    for (size_t r = 0; r < replicates; r++) {
        for (size_t k = 0; k < nm; k++) {
            referred[k] = sums[(r * nm + k) * 2];
            comparison[k] = sums[(r * nm + k) * 2 + 1];
        }
        double value = avoidance(p, referred, comparison, NULL) / cost;
        if (isfinite(value)) {
            roi[finite++] = value;
            above += value > 1;
        }
    }
    qsort(roi, finite, sizeof *roi, by_value);
    const int all = estimate && finite == replicates;
    out->finite = finite;
    out->why = !estimate ? "the return on investment is not a finite number: no interval"
               : all     ? NULL
                         : "some bootstrap replicates are not a finite number (the note says "
                           "how many are): an interval of the others alone would be a "
                           "selected subset";
    out->p_above_1 = all ? (double)above / (double)finite : NAN;
    out->low = all ? percentile(roi, finite, 0.025) : NAN;
    out->high = all ? percentile(roi, finite, 0.975) : NAN;
    free(sums);
    free(roi);
    free(referred);
    free(comparison);
    return 0;
}

/* ---- Into the report. ---- */

ps_statistic_t *ps_su_emit(struct ps_su_emit *e, ps_statistic_id_t id, double value,
                           const char *reason, const char *note)
{
    ps_statistic_t *s = ps_su_report_append(e->report, id, e->unit, "all", e->comparison);
    if (!s) {
        e->failed = 1;
        return NULL;
    }
    const ps_statistic_info_t *info = ps_statistic_info(id);
    const ps_disclosure_t *d = e->disclosure;
    s->note = note;
    if (e->hidden && info->kind != PS_KIND_CONSTANT) {
        s->shown = PS_SUPPRESSED;
        s->note = NULL;
    } else if (reason || !isfinite(value)) {
        s->shown = PS_NOT_COMPUTABLE;
        s->reason = reason ? reason : "not a finite number";
    } else if (info->reveals_n && d->suppress && d->round_to) {
        s->shown = PS_SUPPRESSED;
        s->note = e->withheld;
    } else {
        s->value = info->kind == PS_KIND_FIGURE ? ps_sdc_figure_published(value, info->decimals, d)
                   : info->kind == PS_KIND_COUNT && d->suppress ? ps_sdc_published(value, d)
                                                                : value;
        s->shown = PS_SHOWN;
    }
    return s;
}

const char *ps_su_keep(ps_service_report_t *r, int *failed, const char *fmt, ...)
{
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    const char *kept = ps_su_report_keep(r, text);
    if (!kept)
        *failed = 1;
    return kept;
}

/* Whether any event count or n_people of measure 'unit' in 'comparison' is hidden, in
 * either cohort. */
static int rests_on_hidden(const ps_service_report_t *r, const char *unit,
                           const char *comparison)
{
    for (size_t i = 0; i < ps_service_report_count(r); i++) {
        const ps_statistic_t *s = ps_service_report_statistic(r, i);
        if (s->id != PS_STAT_SU_EVENTS_BEFORE && s->id != PS_STAT_SU_EVENTS_AFTER &&
            s->id != PS_STAT_SU_N_PEOPLE)
            continue;
        /* The whole cohorts' counts alone: the costs are of them, never of a group (--by). */
        if (s->unit && strcmp(s->unit, unit) == 0 && strcmp(s->comparison, comparison) == 0 &&
            (strcmp(s->group, "all") == 0 || strcmp(s->group, "comparison") == 0) &&
            s->shown == PS_SUPPRESSED)
            return 1;
    }
    return 0;
}

/* Whether the people referred's empirical-Bayes expected count of 'unit' in 'comparison' is
 * not shown (hidden, or withheld where it would give a person's count): costs resting on it
 * go with it. */
static int eb_not_shown(const ps_service_report_t *r, const char *unit, const char *comparison)
{
    for (size_t i = 0; i < ps_service_report_count(r); i++) {
        const ps_statistic_t *s = ps_service_report_statistic(r, i);
        if (s->id == PS_STAT_SU_EB_EXPECTED_AFTER && s->unit && strcmp(s->unit, unit) == 0 &&
            strcmp(s->group, "all") == 0 && strcmp(s->comparison, comparison) == 0)
            return s->shown != PS_SHOWN;
    }
    return 1;
}

/* The report's own string for a comparison, so that writers group by pointer. */
static const char *report_comparison(const ps_service_report_t *r, const char *unit,
                                     const char *comparison)
{
    for (size_t i = 0; i < ps_service_report_count(r); i++) {
        const ps_statistic_t *s = ps_service_report_statistic(r, i);
        if (s->unit && strcmp(s->unit, unit) == 0 && strcmp(s->comparison, comparison) == 0)
            return s->comparison;
    }
    return NULL;
}

/* Each person's contribution to measure m in windows w0 -> w1, for each arm. */
static int gather(const ps_service_cohort_t *c, struct measure_costs *mc, size_t w0, size_t w1)
{
    const size_t nw = c->n_windows, nm = c->definition->n_measures, m = mc->measure;
    for (size_t arm = 0; arm < 2; arm++) {
        const struct ps_service_arm_data *a = &c->arms[arm];
        size_t n = ps_names_count(a->participants);
        mc->n_people[arm] = n;
        mc->people[arm] = calloc(n ? n : 1, sizeof *mc->people[arm]);
        if (!mc->people[arm])
            return -1;
        for (size_t p = 0; p < n; p++) {
            size_t at0 = p * nw + w0, at1 = p * nw + w1;
            double x = a->counts[at0 * nm + m], da = a->exposure[at0];
            double y = a->counts[at1 * nm + m], db = a->exposure[at1];
            if (isnan(x) || isnan(y) || !(da > 0) || !(db > 0))
                continue;
            double e = mc->eb ? eb_expected(x, da, db, &c->population, c->windows[w0].days)
                              : 0;
            mc->people[arm][p] = (struct contribution){x, y, da, db, e};
        }
    }
    return 0;
}

static void release(struct plan *p)
{
    for (size_t k = 0; k < p->n_measures; k++)
        for (size_t arm = 0; arm < 2; arm++)
            free(p->measures[k].people[arm]);
    free(p->measures);
    p->measures = NULL;
    p->n_measures = 0;
}

static const char not_attributable[] =
    "not attributable: no counterfactual (no comparison cohort); the fall of a cohort chosen "
    "for high use is expected without any intervention";
static const char eb_note[] =
    "empirical Bayes: each person's expected count after without intervention, from their "
    "count in the selection rule's window and the population given (Hauer)";
static const char naive_note[] =
    "NAIVE: no counterfactual (--no-counterfactual): against no change, so it counts the "
    "fall that regression to the mean brings; not attributable to the service";

/* ---- Completers only. ---- */

/* A count disclosure control hides: 1 to the threshold. */
static int small_count(const ps_disclosure_t *d, size_t n)
{
    return d->suppress && n >= 1 && n <= d->threshold;
}

/* A number of events disclosure control hides: 1 to the threshold. */
static int small_events(const ps_disclosure_t *d, double events)
{
    return d->suppress && events >= 1 && events <= d->threshold;
}

/* A count as the report publishes it: rounded to the nearest multiple under --round. */
static size_t published(const ps_disclosure_t *d, size_t n)
{
    if (!d->suppress || !d->round_to)
        return n;
    return (n + d->round_to / 2) / d->round_to * d->round_to;
}

/* The completers' figures of a measure, or of the total (rate_ratio NaN and not given). */
struct completers {
    size_t n, of;                 /* completers counted, of the people referred counted */
    double before, after, gross, expected, rate_ratio;
    int per_measure;
    /* A measure's events before and after of the completers, then of the others (everyone's
     * less theirs); 0 for the total. */
    double events[4];
};

/* Whether the person p of the people referred is listed as having completed. */
static int completed(const ps_service_costs_t *costs, size_t p)
{
    return p < costs->n_completed && costs->completed[p];
}

/* Sums a measure's completers (p->measures[k]) into *out and counts them. */
static void completers_of(const ps_service_costs_t *costs, const struct plan *p, size_t k,
                          const struct sums *comparison, struct completers *out)
{
    const struct measure_costs *mc = &p->measures[k];
    struct sums mine = {0}, others = {0};
    *out = (struct completers){0, 0, 0, 0, 0, 0, NAN, 1, {0}};
    for (size_t i = 0; i < mc->n_people[0]; i++) {
        const struct contribution *q = &mc->people[0][i];
        if (!(q->days_before > 0))
            continue;
        out->of++;
        if (completed(costs, i)) {
            out->n++;
            add(&mine, q);
        } else {
            add(&others, q);
        }
    }
    out->events[0] = mine.before;
    out->events[1] = mine.after;
    out->events[2] = others.before;
    out->events[3] = others.after;
    const double u = mc->unit_cost;
    out->before = u * mine.before;
    out->after = u * mine.after;
    out->gross = u * (use_before_on_time_after(&mine) - mine.after);
    out->expected = u * expected_events(mc, &mine, comparison);
    out->rate_ratio = comparison_ratio(&mine);
}

/* Whether participant i of the people referred is in the blocks of measure m over windows u
 * and v: a count of m in both, and time observed in both. */
static int in_block(const ps_service_cohort_t *c, size_t i, size_t m, size_t u, size_t v)
{
    const struct ps_service_arm_data *a = &c->arms[PS_SERVICE_REFERRED];
    const size_t nw = c->n_windows, nm = c->definition->n_measures;
    const size_t at0 = i * nw + u, at1 = i * nw + v;
    return !isnan(a->counts[at0 * nm + m]) && !isnan(a->counts[at1 * nm + m]) &&
           a->exposure[at0] > 0 && a->exposure[at1] > 0;
}

/*
 * Whether 'set' (per participant: 1 in it), a set of people whose events of the before window
 * w0 the completers' figures give (the completers, or everyone less them), differs by 1 to
 * the threshold people from a set whose events of w0 the report's blocks add up to: for the
 * whole cohort, or for each group of a --by column (those with no value a group of their own),
 * either none of its people or the people of its block over w0 and any other window w (every
 * comparison with w0 has one), a different comparison for each group if need be. Their events
 * less the set's would be the events of so few. Each group's choice adds the people it differs
 * by; the sums reachable up to the threshold are checked. 'cost' has room for a row of
 * n_windows + 1 per group.
 */
static int near_a_block(const ps_service_cohort_t *c, const unsigned char *set, size_t n,
                        size_t m, size_t w0, size_t t, size_t *cost, unsigned char *reach)
{
    const struct ps_service_arm_data *a = &c->arms[PS_SERVICE_REFERRED];
    const size_t nw = c->n_windows, row = nw + 1;
    for (size_t b = 0; b <= c->n_by; b++) { /* b == n_by: the whole cohort */
        const size_t n_groups = b < c->n_by ? ps_names_count(c->group_values[b]) + 1 : 1;
        /* cost[g * row]: none of group g's people; cost[g * row + 1 + w]: its block over w0
         * and w. */
        memset(cost, 0, n_groups * row * sizeof *cost);
        for (size_t i = 0; i < n; i++) {
            const uint32_t v = b < c->n_by ? a->groups[i * c->n_by + b] : 0;
            size_t *g = cost + (v == PS_SU_NO_GROUP ? n_groups - 1 : v) * row;
            g[0] += set[i] != 0;
            for (size_t w = 0; w < nw; w++)
                if (w != w0)
                    g[1 + w] += (set[i] != 0) != in_block(c, i, m, w0, w);
        }
        unsigned char *now = reach, *next = reach + t + 1;
        memset(now, 0, t + 1);
        now[0] = 1;
        for (size_t g = 0; g < n_groups; g++) {
            memset(next, 0, t + 1);
            for (size_t s = 0; s <= t; s++)
                for (size_t k = 0; k < row && now[s]; k++)
                    if (k != 1 + w0 && s + cost[g * row + k] <= t)
                        next[s + cost[g * row + k]] = 1;
            unsigned char *swap = now;
            now = next;
            next = swap;
        }
        for (size_t s = 1; s <= t; s++)
            if (now[s])
                return 1;
    }
    return 0;
}

/*
 * Whether the completers of measure mc (counted in the comparison from the before window w0),
 * or everyone counted less them, are within 1 to the threshold people of a set whose events
 * the report publishes (see near_a_block): then their figures are hidden. Out of memory, it
 * says they are.
 */
static int near_published_people(const ps_service_costs_t *costs, const struct plan *p,
                                 const struct measure_costs *mc, size_t w0,
                                 const ps_disclosure_t *d)
{
    const ps_service_cohort_t *c = p->cohort;
    const size_t t = d->threshold, n = mc->n_people[0];
    if (!d->suppress || !t)
        return 0;
    size_t most = 1;
    for (size_t b = 0; b < c->n_by; b++)
        if (ps_names_count(c->group_values[b]) + 1 > most)
            most = ps_names_count(c->group_values[b]) + 1;
    unsigned char *sets = calloc(2 * (n ? n : 1), 1), *reach = calloc(2 * (t + 1), 1);
    size_t *in = calloc(most * (c->n_windows + 1), sizeof *in);
    int near = 1;
    if (sets && reach && in) {
        for (size_t i = 0; i < n; i++) {
            const int counted = mc->people[0][i].days_before > 0;
            sets[i] = counted && completed(costs, i);
            sets[n + i] = counted && !completed(costs, i);
        }
        near = near_a_block(c, sets, n, mc->measure, w0, t, in, reach) ||
               near_a_block(c, sets + n, n, mc->measure, w0, t, in, reach);
    }
    free(sets);
    free(reach);
    free(in);
    return near;
}

/* Emits the completers' figures f; returns whether they were hidden. */
static int emit_completers(struct ps_su_emit *e, const struct completers *f, const char *why,
                           int attributable, int naive)
{
    const ps_disclosure_t *d = e->disclosure;
    const int was = e->hidden;
    const char *label = ps_su_keep(e->report, &e->failed,
                                   "%scompleters only (%zu of %zu referred): not intention to "
                                   "treat",
                                   naive ? "NAIVE; " : "", published(d, f->n), published(d, f->of));
    const char *gross =
        attributable ? label : ps_su_keep(e->report, &e->failed, "%s; %s", label, not_attributable);
    const char *none = f->n ? NULL
                            : "no one listed as completing the programme (--completed) was "
                              "counted in both windows";
    /* Beside everyone's figures, the completers' would give the others' by difference. And
     * their costs before and after over the published unit cost are the completers' events,
     * everyone's less those the others': numbers of events the report would hide for
     * everyone. */
    e->hidden = was || small_count(d, f->n) || small_count(d, f->of - f->n);
    for (size_t j = 0; j < 4; j++)
        e->hidden |= small_events(d, f->events[j]);
    ps_su_emit(e, PS_STAT_CO_COMPLETERS_COST_BEFORE, f->before, none, label);
    ps_su_emit(e, PS_STAT_CO_COMPLETERS_COST_AFTER, f->after, none, label);
    ps_su_emit(e, PS_STAT_CO_COMPLETERS_GROSS_COST_FALL, f->gross, none, gross);
    ps_su_emit(e, PS_STAT_CO_COMPLETERS_COST_EXPECTED_AFTER, f->expected, none ? none : why, label);
    ps_su_emit(e, PS_STAT_CO_COMPLETERS_NOTIONAL_COST_AVOIDANCE, f->expected - f->after,
               none ? none : why, label);
    if (f->per_measure)
        ps_su_emit(e, PS_STAT_CO_COMPLETERS_RATE_RATIO, f->rate_ratio,
                   none                       ? none
                   : !isfinite(f->rate_ratio) ? "the completers have no events before"
                                              : NULL,
                   label);
    const int hidden = e->hidden;
    e->hidden = was;
    return hidden;
}

/* The figures of one comparison w0 -> w1. */
static ps_error_t emit_comparison(const ps_service_costs_t *costs, struct plan *p,
                                  const char **chains, const double *unit_costs,
                                  const ps_disclosure_t *disclosure, ps_service_report_t *report,
                                  size_t w0, size_t w1)
{
    const ps_service_cohort_t *c = p->cohort;
    const ps_service_costs_options_t *o = p->options;
    char name[256];
    snprintf(name, sizeof name, "%s->%s", c->windows[w0].name, c->windows[w1].name);
    /* The completers' figures of one comparison alone, the first after the before window (the
     * one the wellbeing value is of): between two comparisons, whose people differ by those
     * not yet followed up, they would give those few people's counts by difference. */
    const int with_completers = costs->completed && w1 == c->before + 1;
    p->measures = calloc(costs->n, sizeof *p->measures);
    if (!p->measures)
        return PS_ERROR_NOMEM;
    const char *comparison = NULL;
    for (size_t k = 0; k < costs->n; k++) {
        if (!is_measure_cost(costs->rows[k].measure))
            continue;
        size_t m = ps_service_measure_find(c->definition, costs->rows[k].measure);
        const char *mine = report_comparison(report, c->definition->measures[m].id, name);
        if (!mine)
            continue; /* not measured in the referred: no block */
        comparison = mine;
        struct measure_costs *mc = &p->measures[p->n_measures++];
        /* The counterfactual the service-use report chose: the comparison cohort's; else, for
         * the selection rule's measure from the rule's window, empirical Bayes's. */
        const int eb = !p->has_comparison && c->population.shape > 0 && c->has_rule &&
                       c->rule.measure == m && c->rule.window == w0;
        *mc = (struct measure_costs){.measure = m,
                                     .row = &costs->rows[k],
                                     .unit_cost = unit_costs[k],
                                     .eb = eb,
                                     .counted = p->has_comparison || eb || p->naive,
                                     .naive = p->naive && !eb,
                                     .hidden = rests_on_hidden(report, costs->rows[k].measure,
                                                               name) ||
                                               (eb && eb_not_shown(report, costs->rows[k].measure,
                                                                   name))};
        if (gather(c, mc, w0, w1))
            return PS_ERROR_NOMEM;
    }
    if (!p->n_measures)
        return PS_OK;
    struct ps_su_emit e = {.report = report,
                           .disclosure = disclosure,
                           .comparison = comparison,
                           .withheld = "withheld under rounding: with the unit costs it would "
                                       "give exact numbers of events"};
    const char *no_cf = "no counterfactual: no comparison cohort was given (--comparison), "
                        "and empirical Bayes (--population) covers only the selection rule's "
                        "measure from its window; --no-counterfactual gives a naive figure, "
                        "labelled so";
    struct sums total_r = {0}, *referred = calloc(p->n_measures, sizeof *referred),
                *theirs = calloc(p->n_measures, sizeof *theirs);
    if (!referred || !theirs) {
        free(referred);
        free(theirs);
        return PS_ERROR_NOMEM;
    }
    double total_before = 0, total_after = 0, total_gross = 0, total_expected = 0;
    size_t n_counted = 0;
    int any_hidden = 0, any_completers_hidden = 0;
    struct completers all_completers = {0, 0, 0, 0, 0, 0, NAN, 0, {0}};
    for (size_t k = 0; k < p->n_measures; k++) {
        struct measure_costs *mc = &p->measures[k];
        for (size_t i = 0; i < mc->n_people[0]; i++)
            add(&referred[k], &mc->people[0][i]);
        for (size_t i = 0; i < mc->n_people[1]; i++)
            add(&theirs[k], &mc->people[1][i]);
        const double u = mc->unit_cost;
        const double expected = expected_events(mc, &referred[k], &theirs[k]);
        e.unit = c->definition->measures[mc->measure].id;
        e.hidden = mc->hidden;
        any_hidden |= mc->hidden;
        ps_su_emit(&e, PS_STAT_CO_UNIT_COST, u, NULL, chains[mc->row - costs->rows]);
        ps_su_emit(&e, PS_STAT_CO_COST_BEFORE, u * referred[k].before, NULL, NULL);
        ps_su_emit(&e, PS_STAT_CO_COST_AFTER, u * referred[k].after, NULL, NULL);
        /* The gross fall is against the people's own use before, whatever the
         * counterfactual. */
        const double own = use_before_on_time_after(&referred[k]);
        ps_su_emit(&e, PS_STAT_CO_GROSS_COST_FALL, u * (own - referred[k].after), NULL,
                   !mc->counted ? not_attributable
                   : mc->naive  ? naive_note
                                : NULL);
        const char *why = !mc->counted ? no_cf
                          : isnan(expected)
                              ? "the comparison cohort has no events before: no rate ratio"
                              : NULL;
        const char *basis = mc->naive ? naive_note : mc->eb ? eb_note : NULL;
        ps_su_emit(&e, PS_STAT_CO_COST_EXPECTED_AFTER, u * expected, why, basis);
        ps_su_emit(&e, PS_STAT_CO_NOTIONAL_COST_AVOIDANCE, u * (expected - referred[k].after), why,
                   basis);
        if (with_completers) {
            struct completers f;
            completers_of(costs, p, k, &theirs[k], &f);
            const int was = e.hidden;
            e.hidden |= near_published_people(costs, p, mc, w0, disclosure);
            any_completers_hidden |= emit_completers(&e, &f, why, mc->counted, mc->naive);
            e.hidden = was;
            all_completers.before += f.before;
            all_completers.after += f.after;
            all_completers.gross += f.gross;
            if (mc->counted)
                all_completers.expected += f.expected;
        }
        total_before += u * referred[k].before;
        total_after += u * referred[k].after;
        total_gross += u * (own - referred[k].after);
        if (mc->counted) {
            total_expected += u * expected;
            total_r.after += u * referred[k].after;
            n_counted++;
        }
    }
    e.unit = "total";
    e.hidden = any_hidden;
    int failed = 0;
    ps_su_emit(&e, PS_STAT_CO_COST_BEFORE, total_before, NULL, NULL);
    ps_su_emit(&e, PS_STAT_CO_COST_AFTER, total_after, NULL, NULL);
    ps_su_emit(&e, PS_STAT_CO_GROSS_COST_FALL, total_gross, NULL,
               n_counted < p->n_measures ? not_attributable
               : p->naive                ? naive_note
                                         : NULL);
    const char *why = !n_counted ? no_cf
                      : isnan(total_expected)
                          ? "the comparison cohort has no events before: no rate ratio"
                          : NULL;
    /* Only measures with a counterfactual are in the totals of what was expected and avoided:
     * the note names them when others were costed. */
    const char *basis = p->naive ? naive_note : NULL;
    if (!why && n_counted < p->n_measures) {
        char names[1024] = "";
        for (size_t k = 0; k < p->n_measures; k++)
            if (p->measures[k].counted)
                snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s%s",
                         names[0] ? ", " : "", c->definition->measures[p->measures[k].measure].id,
                         p->measures[k].eb ? " (empirical Bayes)" : "");
        basis =
            ps_su_keep(report, &failed,
                       "over the measures with a counterfactual only (%s): the others have none "
                       "and are left out",
                       names);
    }
    ps_su_emit(&e, PS_STAT_CO_COST_EXPECTED_AFTER, total_expected, why, basis);
    ps_su_emit(&e, PS_STAT_CO_NOTIONAL_COST_AVOIDANCE, total_expected - total_r.after, why, basis);
    const unsigned period = o->programme_days ? o->programme_days : DEFAULT_PROGRAMME_DAYS;
    if (o->programme_cost > 0) {
        const double cost = o->programme_cost;
        e.hidden = 0;
        ps_su_emit(&e, PS_STAT_CO_PROGRAMME_COST, cost, NULL,
                   ps_su_keep(report, &failed, "over %u days", period));
        e.hidden = any_hidden;
        const char *roi_why = why ? why
                              : c->windows[w1].days != period
                                  ? ps_su_keep(report, &failed,
                                               "the programme's period (%u days) is not "
                                               "the after window's (%u days)",
                                               period, c->windows[w1].days)
                                  : NULL;
        struct bootstrap b = {NAN, NAN, NAN, 0, NULL};
        if (!roi_why && !any_hidden && bootstrap_roi(p, cost, &b)) {
            free(referred);
            free(theirs);
            return PS_ERROR_NOMEM;
        }
        const unsigned replicates = o->replicates ? o->replicates : DEFAULT_REPLICATES;
        const char *boot_note =
            ps_su_keep(report, &failed,
                       "%s%zu of %u bootstrap replicates (seed %lu; participants resampled within "
                       "each cohort; R's Marsaglia-Multicarry, sample.kind Rounding)",
                       p->naive ? "NAIVE; " : "", b.finite, replicates, (unsigned long)o->seed);
        const double roi = (total_expected - total_r.after) / cost;
        ps_su_emit(&e, PS_STAT_CO_ROI, roi, roi_why, p->naive ? naive_note : NULL);
        ps_su_emit(&e, PS_STAT_CO_ROI_CI_LOW, b.low, roi_why ? roi_why : b.why, boot_note);
        ps_su_emit(&e, PS_STAT_CO_ROI_CI_HIGH, b.high, roi_why ? roi_why : b.why, boot_note);
        ps_su_emit(&e, PS_STAT_CO_P_ROI_ABOVE_1, b.p_above_1, roi_why ? roi_why : b.why, boot_note);
        const double even = 1 - cost / total_expected;
        ps_su_emit(&e, PS_STAT_CO_BREAK_EVEN_RATE_RATIO, even,
                   roi_why       ? roi_why
                   : !(even > 0) ? "the programme costs more than all the use expected after: no "
                                   "fall in use would pay for it"
                                 : NULL,
                   p->naive ? naive_note : NULL);
        if (o->scenario_years) {
            /* Year k (from 0) avoids (1 - drop-off)^k of the year observed. */
            double years = 0;
            for (unsigned k = 0; k < o->scenario_years; k++)
                years += pow(1 - o->scenario_drop_off, k);
            const char *assumption = ps_su_keep(
                report, &failed,
                "%sSCENARIO, not observed: assumes the notional cost avoidance of the year "
                "observed after (%s) continues for %u years in all, falling by %g%% a year, with "
                "no further programme cost; nothing beyond the time observed is data",
                p->naive ? "NAIVE; " : "", c->windows[w1].name, o->scenario_years,
                100 * o->scenario_drop_off);
            const char *scenario_why =
                why ? why
                : c->windows[w1].days != 365
                    ? "a scenario continues a year's avoidance: the after window is not 365 days"
                    : NULL;
            const double avoided = (total_expected - total_r.after) * years;
            ps_su_emit(&e, PS_STAT_CO_SCENARIO_COST_AVOIDANCE, avoided, scenario_why, assumption);
            ps_su_emit(&e, PS_STAT_CO_SCENARIO_ROI, avoided / cost, scenario_why, assumption);
        }
    }
    if (with_completers) {
        /* The total's people: those counted in any measure costed. */
        size_t n_people = p->measures[0].n_people[0];
        for (size_t i = 0; i < n_people; i++) {
            int counted = 0;
            for (size_t k = 0; k < p->n_measures && !counted; k++)
                counted = p->measures[k].people[0][i].days_before > 0;
            all_completers.of += counted;
            all_completers.n += counted && completed(costs, i);
        }
        /* As everyone's total is hidden with any measure's, the completers' is hidden with
         * any measure's completers' figures: the total less the other measures would give
         * the hidden ones. */
        e.hidden = any_hidden || any_completers_hidden;
        emit_completers(&e, &all_completers, why, n_counted == p->n_measures, p->naive);
    }
    free(referred);
    free(theirs);
    return e.failed || failed ? PS_ERROR_NOMEM : PS_OK;
}

/* The index level of 'year', or NaN. */
static double level_of(const struct price_index *ix, const char *year)
{
    for (size_t i = 0; i < ix->n; i++)
        if (strcmp(ix->years[i], year) == 0)
            return ix->levels[i];
    return NAN;
}

/*
 * Each unit cost used at the report's price year, with its chain in words: the costs of
 * measures with counts, and the row 'asked' ("wellby", an exchange rate) when not NULL; the
 * others are not uprated (NaN, chain NULL). The report's year rests on the measures' costs
 * used; without one, on the WELLBY's. Counts the rows and index years used into the options'
 * summaries; with 'asked' NULL, names the costs of measures with no count.
 */
static ps_error_t uprate(const ps_service_costs_t *costs, const ps_service_costs_options_t *o,
                         ps_service_report_t *report, const char **chains, double *values,
                         const char **year, const char *asked)
{
    const ps_context_t *cx = costs->context;
    const struct price_index *ix = &costs->index;
    const char *target = o->price_year;
    int mixed = 0, any_measure = 0;
    const char *first = NULL;
    unsigned long n_used = 0;
    int found = 0;
    for (size_t k = 0; k < costs->n; k++)
        any_measure |= measure_used(report, &costs->rows[k]);
    /* The report's year is that of the measures' costs used; a WELLBY's year does not set
     * it. */
    for (size_t k = 0; k < costs->n; k++) {
        const char *measure = costs->rows[k].measure;
        if (any_measure ? !measure_used(report, &costs->rows[k])
                        : strcmp(measure, "wellby") != 0)
            continue;
        if (!first)
            first = costs->rows[k].price_year;
        mixed |= strcmp(costs->rows[k].price_year, first) != 0;
        if (!o->price_year && (!target || strcmp(costs->rows[k].price_year, target) > 0))
            target = costs->rows[k].price_year;
    }
    if (o->price_year && !is_price_year(o->price_year))
        return ps_diagnose(cx, PS_ERROR_USAGE, NULL, 0, 0,
                           "price year '%s' is not a financial year such as 2023/24 or a year "
                           "such as 2023",
                           o->price_year);
    unsigned char *years_used = calloc(ix->n ? ix->n : 1, 1);
    if (!years_used)
        return PS_ERROR_NOMEM;
    int failed = 0;
    for (size_t k = 0; k < costs->n; k++) {
        const struct unit_cost *row = &costs->rows[k];
        values[k] = NAN;
        chains[k] = NULL;
        const int is_asked = asked && strcmp(row->measure, asked) == 0;
        found |= is_asked;
        if (!is_asked && !measure_used(report, row)) {
            if (!asked && is_measure_cost(row->measure))
                ps_diagnose(cx, PS_OK, costs->file, row->line, row->column,
                            "the unit cost of %s is not used: no count of it was read",
                            row->measure);
            continue;
        }
        n_used++;
        if (is_rate(row->measure)) {
            values[k] = row->value;
            chains[k] = ps_su_keep(report, &failed, "%g %s (%s; licence %s)%s%s", row->value,
                                   row->unit, row->source, row->licence, row->note ? "; " : "",
                                   row->note ? row->note : "");
            continue;
        }
        const int same = strcmp(row->price_year, target) == 0;
        if (same) {
            values[k] = row->value;
            chains[k] = ps_su_keep(report, &failed, "%.2f (%s; %s; licence %s)%s%s", row->value,
                                   row->price_year, row->source, row->licence,
                                   row->note ? "; " : "", row->note ? row->note : "");
            continue;
        }
        if (!ix->file) {
            free(years_used);
            return ps_diagnose(cx, PS_ERROR_USAGE, costs->file, row->line, row->column,
                               "%s is costed at %s prices and the report is at %s: %s without "
                               "a price index (--price-index)",
                               row->measure, row->price_year, target,
                               mixed ? "costs of different price years are not added"
                                     : "costs are not uprated");
        }
        double from = level_of(ix, row->price_year), to = level_of(ix, target);
        if (isnan(from) || isnan(to)) {
            free(years_used);
            return ps_diagnose(cx, PS_ERROR_USAGE, ix->file, 0, 0,
                               "the price index (%s) has no %s: %s's cost at %s prices cannot "
                               "be uprated to %s",
                               ix->name, isnan(from) ? row->price_year : target, row->measure,
                               row->price_year, target);
        }
        mark_years(ix, row->price_year, target, years_used);
        values[k] = row->value * (to / from);
        chains[k] =
            ps_su_keep(report, &failed,
                       "%.2f (%s) x %.6g (%s, %s to %s; source: %s) = %.2f (%s); %s; licence "
                       "%s%s%s",
                       row->value, row->price_year, to / from, ix->name, row->price_year, target,
                       ix->source, values[k], target, row->source, row->licence,
                       row->note ? "; " : "", row->note ? row->note : "");
    }
    /* Apply counts the measures' costs; each row asked for after it adds itself. */
    ps_batch_summary_t *rows = o->unit_costs_summary, *index = o->price_index_summary;
    if (rows && !asked)
        *rows = (ps_batch_summary_t){costs->file, costs->n, n_used, 0, 0, 0, 0};
    else if (rows && found)
        rows->rows_scored++;
    if (index && ix->file) {
        unsigned long n_years = 0;
        for (size_t i = 0; i < ix->n; i++)
            n_years += years_used[i];
        *index = (ps_batch_summary_t){ix->file, ix->n, n_years, 0, 0, 0, 0};
    }
    free(years_used);
    *year = target;
    return failed ? PS_ERROR_NOMEM : PS_OK;
}

/* The caller's options copied by their size, checked. */
static ps_error_t copy_options(const ps_context_t *cx, const ps_service_costs_options_t *given,
                               ps_service_costs_options_t *copy)
{
    return ps_options_copy(cx, given, offsetof(ps_service_costs_options_t, replicates) +
                                          sizeof copy->replicates,
                           copy, sizeof *copy, "service_costs");
}

ps_error_t ps_costs_value_of(const ps_service_costs_t *costs,
                             const ps_service_costs_options_t *given,
                             ps_service_report_t *report, const char *measure, double *value,
                             const char **chain, const char **year)
{
    ps_service_costs_options_t options;
    *value = NAN;
    *chain = *year = NULL;
    ps_error_t err = copy_options(costs->context, given, &options);
    if (err)
        return err;
    const char **chains = calloc(costs->n, sizeof *chains);
    double *values = calloc(costs->n, sizeof *values);
    err = !chains || !values ? PS_ERROR_NOMEM
                             : uprate(costs, &options, report, chains, values, year, measure);
    for (size_t k = 0; !err && k < costs->n; k++)
        if (strcmp(costs->rows[k].measure, measure) == 0) {
            *value = values[k];
            *chain = chains[k];
        }
    free(chains);
    free(values);
    return err;
}

ps_error_t ps_service_costs_apply(const ps_service_costs_t *costs,
                                  const ps_service_costs_options_t *given,
                                  const ps_service_cohort_t *cohort,
                                  const ps_disclosure_t *disclosure,
                                  ps_service_report_t *report)
{
    const ps_context_t *cx = costs->context;
    ps_service_costs_options_t copy;
    ps_error_t copied = copy_options(cx, given, &copy);
    if (copied)
        return copied;
    const ps_service_costs_options_t *options = &copy;
    for (size_t k = 0; k < costs->n; k++)
        if (is_measure_cost(costs->rows[k].measure) &&
            ps_service_measure_find(cohort->definition, costs->rows[k].measure) == SIZE_MAX)
            return ps_diagnose(cx, PS_ERROR_DEFINITION, costs->file, costs->rows[k].line,
                               costs->rows[k].column,
                               "'%s' is not a measure of %s (%s)", costs->rows[k].measure,
                               cohort->definition->id, cohort->definition->file);
    if (options->replicates > MAX_REPLICATES ||
        (options->replicates && options->replicates < MIN_REPLICATES))
        return ps_diagnose(cx, PS_ERROR_USAGE, NULL, 0, 0,
                           "%u bootstrap replicates: from %u (fewer give no 95%% interval "
                           "worth the name) to %u",
                           options->replicates, MIN_REPLICATES, MAX_REPLICATES);
    if (options->scenario_years > 100 ||
        !(options->scenario_drop_off >= 0 && options->scenario_drop_off <= 1))
        return ps_diagnose(cx, PS_ERROR_USAGE, NULL, 0, 0,
                           "a scenario runs for 1 to 100 years with a drop-off from 0 to 1");
    if (!(options->programme_cost >= 0 && isfinite(options->programme_cost)))
        return ps_diagnose(cx, PS_ERROR_USAGE, NULL, 0, 0,
                           "the programme cost must be a number above 0 (0: not given)");
    const char **chains = calloc(costs->n, sizeof *chains);
    double *values = calloc(costs->n, sizeof *values);
    ps_error_t err = PS_ERROR_NOMEM;
    if (!chains || !values)
        goto done;
    const char *year;
    if ((err = uprate(costs, options, report, chains, values, &year, NULL)))
        goto done;
    struct plan plan = {cohort, options,
                        ps_names_count(cohort->arms[PS_SERVICE_COMPARISON].participants) > 0,
                        0, NULL, 0};
    plan.naive = !plan.has_comparison && options->no_counterfactual;
    for (size_t w = cohort->before + 1; w < cohort->n_windows && !err; w++) {
        err = emit_comparison(costs, &plan, chains, values, disclosure, report, cohort->before,
                              w);
        release(&plan);
    }
done:
    free(chains);
    free(values);
    return err;
}
