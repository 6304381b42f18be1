/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Limits on hostile or broken input. Documented in promscore(1), LIMITS. */
#ifndef PROMSCORE_LIMITS_H
#define PROMSCORE_LIMITS_H

/* Largest instrument definition or schema file. */
#define PS_MAX_DEFINITION_BYTES (4u * 1024 * 1024)
/* Largest single CSV field. */
#define PS_MAX_FIELD_BYTES (1u * 1024 * 1024)
/* Most columns in a batch. */
#define PS_MAX_COLUMNS 4096u
/* Largest record (all fields of one row together). */
#define PS_MAX_RECORD_BYTES (8u * 1024 * 1024)

/*
 * Most attributes in one start tag of a definition, schema or calibration file.
 * libxml2 2.9.14 checks attributes for duplicates in time quadratic in their
 * number (50,000 take minutes), so the text is counted before it parses them.
 * The count reads UTF-8: UTF-16 is decoded first, and every other encoding
 * (which libxml2 would decode into text never counted) is refused.
 */
#define PS_MAX_XML_ATTRIBUTES 256u
/*
 * Largest magnitude of any number in a definition (ranges, option values, lookup
 * scores, bands, change thresholds, parameters): far beyond any questionnaire's
 * scale, small enough that sums, differences and squares stay finite.
 */
#define PS_MAX_DEFINITION_MAGNITUDE 1e9

/*
 * Most timepoints a report compares with its baseline, and most values of one
 * column it groups by. The disclosure audit's work grows with every block of
 * figures (timepoints x groups), and each timepoint holds a column of scores per
 * scale: past these a report would take hours or all memory, where services have
 * a handful of timepoints and sites.
 */
#define PS_MAX_REPORT_TIMEPOINTS 64u
#define PS_MAX_REPORT_GROUPS 100u

#endif
