/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Headers as people type them: normalised matching, maps with several
 * spellings and review marks, the closest header in messages, draft maps;
 * and timepoints and groups matched in any case by the cohort. Links the
 * library's private parts for the header module itself.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "headers.h"
#include "helpers.h"

/* ---- Normalising and comparing. ---- */

Test(normalise, quotes_dashes_and_spaces_read_as_plain_ones)
{
    char *n = ps_header_normalise(" \t I\xE2\x80\x99ve\xC2\xA0\xC2\xA0" "been \xE2\x80\x9C" "feeling"
                                  "\xE2\x80\x9D \xE2\x80\x93 RELAXED\xE2\x80\x89 ");
    cr_assert_str_eq(n, "i've been \"feeling\" - relaxed");
    free(n);
}

Test(normalise, each_typographic_form_has_its_plain_one)
{
    static const struct {
        const char *typed, *plain;
    } forms[] = {
        {"a\xE2\x80\x98" "b", "a'b"}, {"a\xE2\x80\x99" "b", "a'b"}, {"a\xE2\x80\x9A" "b", "a'b"},
        {"a\xE2\x80\x9B" "b", "a'b"}, {"a\xE2\x80\xB2" "b", "a'b"}, {"a\xC2\xB4" "b", "a'b"},
        {"a`b", "a'b"},               {"a\xE2\x80\x9C" "b", "a\"b"}, {"a\xE2\x80\x9D" "b", "a\"b"},
        {"a\xE2\x80\x90" "b", "a-b"}, {"a\xE2\x80\x91" "b", "a-b"}, {"a\xE2\x80\x92" "b", "a-b"},
        {"a\xE2\x80\x93" "b", "a-b"}, {"a\xE2\x80\x94" "b", "a-b"}, {"a\xE2\x80\x95" "b", "a-b"},
        {"a\xE2\x88\x92" "b", "a-b"}, {"a\tb", "a b"},              {"a \xC2\xA0\t b", "a b"},
        {"a\xE3\x80\x80" "b", "a b"}, {"\xC2\xA0" "A\xC2\xA0", "a"},
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        char *n = ps_header_normalise(forms[i].typed);
        cr_assert_str_eq(n, forms[i].plain, "form %zu", i);
        free(n);
    }
}

Test(normalise, matching_folds_ascii_case_only)
{
    cr_assert(ps_header_eq("WEMWBS_1", "wemwbs_1"));
    cr_assert(ps_header_eq("I\xE2\x80\x99ve had  energy to spare", "i've had energy to spare"));
    cr_assert(ps_header_eq("Service \xE2\x80\x93 site", "service - site"));
    cr_assert_not(ps_header_eq("a b", "ab"));
    cr_assert_not(ps_header_eq("wemwbs_1", "wemwbs-1"));
    /* Beyond ASCII, letters compare as written, as labels always have. */
    cr_assert_not(ps_header_eq("\xC3\x89tat", "\xC3\xA9tat"));
    cr_assert(ps_header_eq("\xC3\xA9tat", "\xC3\xA9TAT"));
    /* Bytes that are not UTF-8 compare as themselves. */
    cr_assert(ps_header_eq("a\xFF", "A\xFF"));
    cr_assert_not(ps_header_eq("a\xFF", "a\xFE"));
}

/* ---- The closest header. ---- */

static size_t closest(const char *const *headers, size_t n, const char *column, const char *label)
{
    ps_header_set_t *set = ps_header_set_new(headers, n, NULL);
    cr_assert_not_null(set);
    const char *names[] = {column};
    size_t h = ps_header_closest(set, names, 1, label);
    ps_header_set_free(set);
    return h;
}

Test(closest, by_the_words_of_the_label)
{
    const char *headers[] = {"NHS Number", "I\xE2\x80\x99ve been feeling useful",
                             "I\xE2\x80\x99ve been feeling relaxed?", "Comments"};
    cr_assert_eq(closest(headers, 4, "wemwbs_3", "Feeling relaxed"), 2);
    /* "feeling" is in half of the headers: alone it is not enough. */
    cr_assert_eq(closest(headers, 4, "wemwbs_12", "Feeling loved"), SIZE_MAX);
}

Test(closest, by_spelling_with_the_same_numbers)
{
    const char *headers[] = {"wemwbs_11", "WEMWBS-1", "site"};
    cr_assert_eq(closest(headers, 3, "wemwbs_1", "Optimistic about the future"), 1);
    const char *others[] = {"wemwbs_11", "wemwbs_7", "site"};
    cr_assert_eq(closest(others, 3, "wemwbs_1", "Optimistic about the future"), SIZE_MAX);
    const char *far[] = {"q1", "w1"};
    cr_assert_eq(closest(far, 2, "wemwbs_1", "Optimistic about the future"), SIZE_MAX);
}

Test(closest, leading_zeros_and_marks_between_words_aside)
{
    const char *zeros[] = {"site", "wemwbs_01"};
    cr_assert_eq(closest(zeros, 2, "wemwbs_1", "Optimistic about the future"), 1);
    const char *spaced[] = {"site", "Q 1"};
    cr_assert_eq(closest(spaced, 2, "Q1", NULL), 1);
    const char *padded[] = {"Q011", "Q010", "Q001"};
    cr_assert_eq(closest(padded, 3, "Q1", NULL), 2);
    /* Item 1 is never item 11, nor 10, however written. */
    const char *others[] = {"Q11", "Q 11", "Q_011", "Q10"};
    cr_assert_eq(closest(others, 4, "Q1", NULL), SIZE_MAX);
    cr_assert_eq(closest(others, 4, "wemwbs_1", "Optimistic about the future"), SIZE_MAX);
}

/* ---- Scoring with headers as typed. ---- */

#define SWEMWBS_REST "swemwbs_2,swemwbs_3,swemwbs_4,swemwbs_5,swemwbs_6,swemwbs_7"

static const char *first_message(const struct capture *c)
{
    cr_assert_gt(c->n_diagnostics, 0);
    return c->diagnostics[0].message;
}

Test(scoring, headers_match_whatever_their_quotes_dashes_and_spacing)
{
    struct capture c = {0};
    char *map = test_file("map.csv",
                          "header,item\nI've been feeling optimistic,swemwbs.1\n"
                          "Feeling - useful,swemwbs.2\n",
                          -1);
    ps_score_options_t o = {.size = sizeof o, .map_file = map, .id_column = "Participant ID"};
    const char *csv = "\xC2\xA0PARTICIPANT\xC2\xA0 ID,timepoint,"
                      "I\xE2\x80\x99ve  been feeling optimistic,"
                      "Feeling \xE2\x80\x93 useful,swemwbs_3,swemwbs_4,swemwbs_5,swemwbs_6,"
                      "SWEMWBS_7\nP1,t0,2,2,2,2,2,2,2\n";
    cr_assert_eq(test_score_text(&c, csv, &o), PS_OK, "%s", c.n_diagnostics ? first_message(&c) : "");
    cr_assert_float_eq(test_find(&c, "P1", "t0", "swemwbs.metric")->value, 15.32, 1e-9);
}

Test(scoring, two_headers_alike_once_normalised_are_refused_naming_both)
{
    struct capture c = {0};
    const char *csv = "participant_id,timepoint,I\xE2\x80\x99ve been,i've  BEEN\n";
    cr_assert_eq(test_score_text(&c, csv, NULL), PS_ERROR_BATCH);
    cr_assert_str_eq(first_message(&c), "column name 'i've  BEEN' repeats column 3 "
                                        "'I\xE2\x80\x99ve been': each column needs its own name");
    cr_assert_eq(c.diagnostics[0].column, 4);
}

Test(scoring, an_item_missing_names_the_closest_header)
{
    struct capture c = {0};
    const char *ids[] = {"swemwbs"};
    ps_score_options_t o = {.size = sizeof o, .instruments = ids, .n_instruments = 1};
    const char *csv = "participant_id,timepoint,Comments,swemwbs_1,swemwbs_2,"
                      "I\xE2\x80\x99ve been feeling relaxed?,swemwbs_4,swemwbs_5,swemwbs_6,"
                      "swemwbs_7\n";
    cr_assert_eq(test_score_text(&c, csv, &o), PS_ERROR_BATCH);
    cr_assert_str_eq(first_message(&c), "instrument 'swemwbs': no column for swemwbs_3 (closest "
                                        "header: 'I\xE2\x80\x99ve been feeling relaxed?')");
}

Test(scoring, no_close_header_is_named_when_none_is_close)
{
    struct capture c = {0};
    const char *ids[] = {"swemwbs"};
    ps_score_options_t o = {.size = sizeof o, .instruments = ids, .n_instruments = 1};
    const char *csv = "participant_id,timepoint,Comments,swemwbs_1,swemwbs_2,Feeling loved,"
                      "swemwbs_4,swemwbs_5,swemwbs_6,swemwbs_7\n";
    cr_assert_eq(test_score_text(&c, csv, &o), PS_ERROR_BATCH);
    cr_assert_str_eq(first_message(&c), "instrument 'swemwbs': no column for swemwbs_3");
}

Test(scoring, without_instruments_the_closest_one_names_its_closest_header)
{
    struct capture c = {0};
    const char *csv = "participant_id,timepoint,I\xE2\x80\x99ve been feeling optimistic about "
                      "the future,I\xE2\x80\x99ve been feeling useful,Comments\n";
    cr_assert_eq(test_score_text(&c, csv, NULL), PS_ERROR_BATCH);
    /* SWEMWBS and WEMWBS both have headers like two of their items: SWEMWBS, loaded first,
     * stays the closest. */
    cr_assert_str_eq(first_message(&c),
                     "no instrument has all its item columns in this batch (closest: swemwbs, 0 "
                     "of 7 item columns, and headers like 2 of the rest; missing swemwbs_1, "
                     "swemwbs_2, swemwbs_3, swemwbs_4, swemwbs_5, swemwbs_6, swemwbs_7 (closest "
                     "header for swemwbs_1: 'I\xE2\x80\x99ve been feeling optimistic about the "
                     "future')); name columns as 'promscore template' prints them, or give "
                     "--map (which 'promscore template --map BATCH -i ID' drafts)");
}

#define ONS4_ROW "7,baseline,9,2,3,4\n"

static ps_error_t score_ons4(struct capture *c, const char *map_text, const char *csv,
                             const char *id_column, const char *timepoint_column)
{
    char *map = map_text ? test_file("map.csv", map_text, -1) : NULL;
    const char *ids[] = {"ons4"};
    ps_score_options_t o = {.size = sizeof o, .map_file = map, .instruments = ids,
                            .n_instruments = 1, .id_column = id_column,
                            .timepoint_column = timepoint_column};
    ps_error_t err = test_score_text(c, csv, &o);
    free(map);
    return err;
}

/* The participant id is never scored as an answer: by the map, by name or by an alias. */
Test(scoring, the_id_column_never_holds_an_item)
{
    struct capture a = {0}, b = {0}, d = {0}, e = {0};
    cr_assert_eq(score_ons4(&a,
                            "header,item\nid,ons4.satisfaction\nWW,ons4.worthwhile\n"
                            "HY,ons4.happiness\nAX,ons4.anxiety\n",
                            "id,tp,HS,WW,HY,AX\n7,baseline,1,2,3,4\n", "id", "tp"),
                 PS_ERROR_BATCH);
    cr_assert_str_eq(first_message(&a), "column 'id' is both the participant id column (see "
                                        "--id-column) and item ons4.satisfaction (map line 2 "
                                        "gives it): one column cannot be both");
    cr_assert_eq(a.diagnostics[0].column, 1);
    cr_assert_eq(a.n_scores, 0);
    cr_assert_eq(score_ons4(&b, NULL,
                            "ons4_satisfaction,timepoint,ons4_worthwhile,ons4_happiness,"
                            "ons4_anxiety\n7,baseline,2,3,4\n",
                            "ons4_satisfaction", NULL),
                 PS_ERROR_BATCH);
    cr_assert_str_eq(first_message(&b), "column 'ons4_satisfaction' is both the participant id "
                                        "column (see --id-column) and item ons4.satisfaction "
                                        "(its column name): one column cannot be both");
    cr_assert_eq(score_ons4(&d, NULL,
                            "id,ons4_satisfaction,ons4_worthwhile,ons4_happiness,ons4_anxiety\n"
                            "7,1,2,3,4\n",
                            "id", "ons4_worthwhile"),
                 PS_ERROR_BATCH);
    cr_assert_str_eq(first_message(&d), "column 'ons4_worthwhile' is both the timepoint column "
                                        "(see --timepoint-column) and item ons4.worthwhile (its "
                                        "column name): one column cannot be both");
    /* Without instruments asked for, an instrument found whole is refused too. */
    char *map = test_file("map.csv",
                          "header,item\nHS,ons4.satisfaction\nWW,ons4.worthwhile\n"
                          "HY,ons4.happiness\nanxiety,ons4.anxiety\n",
                          -1);
    ps_score_options_t o = {.size = sizeof o, .map_file = map, .id_column = "anxiety"};
    cr_assert_eq(test_score_text(&e, "anxiety,timepoint,HS,WW,HY\n7,t0,1,2,3\n", &o),
                 PS_ERROR_BATCH);
    cr_assert_str_eq(first_message(&e), "column 'anxiety' is both the participant id column (see "
                                        "--id-column) and item ons4.anxiety (map line 5 gives "
                                        "it): one column cannot be both");
    free(map);
}

Test(scoring, a_column_with_two_roles_is_refused)
{
    struct capture c = {0}, d = {0};
    cr_assert_eq(score_ons4(&c, NULL,
                            "id,ons4_satisfaction,ons4_worthwhile,ons4_happiness,"
                            "ons4_anxiety\n7,1,2,3,4\n",
                            "id", "ID"),
                 PS_ERROR_BATCH);
    cr_assert_str_eq(first_message(&c), "column 'id' is both the participant id column (see "
                                        "--id-column) and the timepoint column (see "
                                        "--timepoint-column): one column cannot be both");
    /* With dates: the date column that is an item's. */
    const char *ids[] = {"ons4"};
    ps_score_options_t o = {.size = sizeof o, .instruments = ids, .n_instruments = 1,
                            .id_column = "id", .date_column = "ons4_anxiety"};
    cr_assert_eq(test_score_text(&d,
                                 "id,ons4_satisfaction,ons4_worthwhile,ons4_happiness,"
                                 "ons4_anxiety\n7,1,2,3,2024-01-01\n",
                                 &o),
                 PS_ERROR_BATCH);
    cr_assert_str_eq(first_message(&d), "column 'ons4_anxiety' is both the date column (see "
                                        "--date-column) and item ons4.anxiety (its column "
                                        "name): one column cannot be both");
    cr_assert_eq(d.diagnostics[0].column, 5);
}

/* ---- Maps. ---- */

static ps_error_t score_with_map(struct capture *c, const char *map_text, const char *csv)
{
    char *map = test_file("map.csv", map_text, -1);
    ps_score_options_t o = {.size = sizeof o, .map_file = map};
    ps_error_t err = test_score_text(c, csv, &o);
    free(map);
    return err;
}

#define TWO_SPELLINGS "header,item\nQ1 optimistic,swemwbs.1\nQ1 (optimistic),swemwbs.1\n"

Test(map, an_item_may_have_two_spellings_of_its_header)
{
    struct capture a = {0}, b = {0};
    cr_assert_eq(score_with_map(&a, TWO_SPELLINGS,
                                "participant_id,timepoint,Q1 optimistic," SWEMWBS_REST
                                "\nP1,t0,2,2,2,2,2,2,2\n"),
                 PS_OK);
    cr_assert_float_eq(test_find(&a, "P1", "t0", "swemwbs.metric")->value, 15.32, 1e-9);
    cr_assert_eq(score_with_map(&b, TWO_SPELLINGS,
                                "participant_id,timepoint,Q1 (OPTIMISTIC)," SWEMWBS_REST
                                "\nP1,t0,5,2,2,2,2,2,2\n"),
                 PS_OK);
    cr_assert_eq(test_find(&b, "P1", "t0", "swemwbs.raw")->value, 17);
}

Test(map, a_batch_holding_both_spellings_is_refused_naming_both)
{
    struct capture c = {0};
    cr_assert_eq(score_with_map(&c, TWO_SPELLINGS,
                                "participant_id,timepoint,Q1 optimistic,Q1 (optimistic),"
                                SWEMWBS_REST "\n"),
                 PS_ERROR_BATCH);
    cr_assert_str_eq(first_message(&c), "columns 'Q1 optimistic' and 'Q1 (optimistic)' both "
                                        "hold item swemwbs.1, as the map gives each for it (map "
                                        "lines 2 and 3): a batch holds one of them");
    cr_assert_eq(c.diagnostics[0].column, 4);
}

/* As without a map: a mapped header and the item's own column or alias are two columns for it. */
Test(map, a_mapped_header_beside_the_items_own_column_is_refused_naming_both)
{
    struct capture c = {0}, d = {0}, e = {0};
    const char *map = "header,item\nHS,ons4.satisfaction\nWW,ons4.worthwhile\n"
                      "HY,ons4.happiness\nAX,ons4.anxiety\n";
    cr_assert_eq(score_ons4(&c, map, "id,timepoint,HS,ons4_satisfaction,WW,HY,AX\n"
                                     "a,t0,1,9,2,3,4\n",
                            "id", NULL),
                 PS_ERROR_BATCH);
    cr_assert_str_eq(first_message(&c), "columns 'HS' and 'ons4_satisfaction' both hold item "
                                        "ons4.satisfaction: the map gives 'HS' for it (map line "
                                        "2) and 'ons4_satisfaction' is its column: a batch holds "
                                        "one of them");
    cr_assert_eq(c.diagnostics[0].column, 4);
    cr_assert_eq(c.n_scores, 0);
    cr_assert_eq(score_ons4(&d, map, "id,timepoint,anxiety,HS,WW,HY,AX\na,t0,5,1,2,3,4\n", "id",
                            NULL),
                 PS_ERROR_BATCH);
    cr_assert_str_eq(first_message(&d), "columns 'AX' and 'anxiety' both hold item ons4.anxiety: "
                                        "the map gives 'AX' for it (map line 5) and 'anxiety' is "
                                        "another name for it: a batch holds one of them");
    cr_assert_eq(d.diagnostics[0].column, 7);
    /* The item's own column, where the map gives it to another item, is that item's. */
    cr_assert_eq(score_ons4(&e, "header,item\nhappiness,ons4.satisfaction\n",
                            "id,timepoint,happiness,ons4_worthwhile,ons4_anxiety,ons4_happiness\n"
                            "a,t0,9,2,4,1\n",
                            "id", NULL),
                 PS_OK);
    cr_assert_eq(test_find(&e, "a", "t0", "ons4.satisfaction")->value, 9);
    cr_assert_eq(test_find(&e, "a", "t0", "ons4.happiness")->value, 1);
}

/* A missing item is named as the map names it: by its headers and their lines. */
Test(map, a_missing_item_is_named_by_its_map_headers)
{
    struct capture c = {0}, d = {0}, e = {0};
    const char *map = "header,item\nHS,ons4.satisfaction\nSatisfied?,ons4.satisfaction\n"
                      "WW,ons4.worthwhile\nHY,ons4.happiness\nAX,ons4.anxiety\n";
    cr_assert_eq(score_ons4(&c, map, "id,timepoint,WW,HY\n", "id", NULL), PS_ERROR_BATCH);
    cr_assert_str_eq(first_message(&c), "instrument 'ons4': no column for 'HS' or 'Satisfied?' "
                                        "(item ons4.satisfaction, map lines 2 and 3), 'AX' (item "
                                        "ons4.anxiety, map line 6)");
    /* The closest header for a mapped item is found by the map's spelling of it. */
    cr_assert_eq(score_ons4(&d, map, "id,timepoint,H S,WW,HY,AX\n", "id", NULL), PS_ERROR_BATCH);
    cr_assert_str_eq(first_message(&d), "instrument 'ons4': no column for 'HS' or 'Satisfied?' "
                                        "(item ons4.satisfaction, map lines 2 and 3) (closest "
                                        "header: 'H S')");
    /* Its own column, given to another item by the map, says so. */
    cr_assert_eq(score_ons4(&e, "header,item\nons4_happiness,ons4.satisfaction\n",
                            "id,timepoint,ons4_happiness,ons4_worthwhile,ons4_anxiety\n", "id",
                            NULL),
                 PS_ERROR_BATCH);
    cr_assert_str_eq(first_message(&e), "instrument 'ons4': no column for ons4_happiness (the map "
                                        "gives column 'ons4_happiness' to item ons4.satisfaction, "
                                        "line 2)");
}

/* Every missing item is named, however long the headers the map gives them. */
Test(map, every_missing_item_is_named_however_long_its_headers)
{
    static const char *const questions[] = {
        "optimistic about the future", "useful", "relaxed", "interested in other people",
        "energy to spare", "dealing with problems well", "thinking clearly",
        "good about myself", "close to other people", "confident",
        "able to make up my own mind about things", "loved", "interested in new things",
        "cheerful"};
    char *map_text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&map_text, &size);
    fputs("header,item\n", f);
    for (size_t i = 0; i < 14; i++)
        fprintf(f, "In the last two weeks I\xe2\x80\x99ve been feeling %s,wemwbs.%zu\n",
                questions[i], i + 1);
    fclose(f);
    char *map = test_file("map.csv", map_text, -1);
    const char *wemwbs = "wemwbs";
    ps_score_options_t o = {.size = sizeof o, .map_file = map, .instruments = &wemwbs,
                            .n_instruments = 1};
    struct capture c = {0};
    cr_assert_eq(test_score_text(&c, "participant_id,timepoint,site\nP1,t0,x\n", &o),
                 PS_ERROR_BATCH);
    const char *message = first_message(&c);
    for (size_t i = 0; i < 14; i++) {
        char *named;
        cr_assert_geq(asprintf(&named,
                               "'In the last two weeks I\xe2\x80\x99ve been feeling %s' (item "
                               "wemwbs.%zu, map line %zu)",
                               questions[i], i + 1, i + 2),
                      0);
        cr_assert(strstr(message, named), "item %zu missing from: %s", i + 1, message);
        free(named);
    }
    cr_assert_null(strstr(message, "more"), "%s", message);
    free(map);
    free(map_text);
}

/* SWEMWBS's items under an export's headers, each with an apostrophe: ’ is 0x92 in Windows-1252. */
#define SPELT(quote)                                                                            \
    "I" quote "ve been optimistic,I" quote "ve been useful,I" quote "ve been relaxed,I" quote  \
    "ve been solving problems,I" quote "ve been clear,I" quote "ve been close,I" quote          \
    "ve been decisive"
#define MAP_OF(quote)                                                                           \
    "header,item\nI" quote "ve been optimistic,swemwbs.1\nI" quote "ve been useful,swemwbs.2\n" \
    "I" quote "ve been relaxed,swemwbs.3\nI" quote "ve been solving problems,swemwbs.4\n"      \
    "I" quote "ve been clear,swemwbs.5\nI" quote "ve been close,swemwbs.6\n"                   \
    "I" quote "ve been decisive,swemwbs.7\n"
#define MAP_NOT_UTF8                                                                           \
    "the map is not UTF-8 text (byte 0x92), so its rows for swemwbs.1 (line 2), swemwbs.2 "    \
    "(line 3), swemwbs.3 (line 4), swemwbs.4 (line 5), swemwbs.5 (line 6), swemwbs.6 (line "   \
    "7), swemwbs.7 (line 8) name no column: give the file's encoding with --encoding (a "      \
    "spreadsheet saves CSV as windows-1252, for one), which reads the map as it reads the "    \
    "batches, or save the map as UTF-8"

static ps_error_t score_with_map_in(struct capture *c, const char *map_text, const char *csv,
                                    const char *encoding)
{
    char *map = test_file("map.csv", map_text, -1);
    ps_score_options_t o = {.size = sizeof o, .map_file = map, .encoding = encoding};
    ps_error_t err = test_score_text(c, csv, &o);
    free(map);
    return err;
}

/*
 * A map is read in the batches' encoding, as a spreadsheet saves both, unless
 * it is UTF-8 text, as the drafts promscore writes are; one that is not UTF-8
 * text as read names no column, and is refused saying so.
 */
Test(map, a_map_is_read_in_the_batches_encoding_unless_it_is_utf_8)
{
    const char *batch_1252 = "participant_id,timepoint," SPELT("\x92") "\nP1,t0,2,2,2,2,2,2,2\n";
    const char *batch_utf8 =
        "participant_id,timepoint," SPELT("\xe2\x80\x99") "\nP1,t0,2,2,2,2,2,2,2\n";
    struct capture a = {0}, b = {0}, c = {0};
    /* A draft, UTF-8, for a Windows-1252 export. */
    cr_assert_eq(score_with_map_in(&a, MAP_OF("\xe2\x80\x99"), batch_1252, "windows-1252"),
                 PS_OK, "%s", a.n_diagnostics ? a.diagnostics[0].message : "");
    cr_assert_float_eq(test_find(&a, "P1", "t0", "swemwbs.metric")->value, 15.32, 1e-9);
    /* The map saved by the spreadsheet, Windows-1252 like the export. */
    cr_assert_eq(score_with_map_in(&b, MAP_OF("\x92"), batch_1252, "windows-1252"), PS_OK, "%s",
                 b.n_diagnostics ? b.diagnostics[0].message : "");
    cr_assert_float_eq(test_find(&b, "P1", "t0", "swemwbs.metric")->value, 15.32, 1e-9);
    /* Windows-1252 read as UTF-8: every item the map names is listed, and the way out. */
    cr_assert_eq(score_with_map_in(&c, MAP_OF("\x92"), batch_utf8, NULL), PS_ERROR_BATCH);
    cr_assert_eq(c.n_diagnostics, 1);
    cr_assert_str_eq(first_message(&c), MAP_NOT_UTF8);
    cr_assert_eq(c.diagnostics[0].line, 2);
    cr_assert_eq(c.diagnostics[0].column, 1);
    cr_assert_eq(c.n_scores, 0);
}

/* A long export stops at such a map too, never refusing every row as an unknown item. */
Test(map, a_long_export_stops_at_a_map_that_is_not_utf_8)
{
    char *map = test_file("map.csv", MAP_OF("\x92"), -1);
    ps_score_options_t o = {.size = sizeof o, .map_file = map, .id_column = "pid",
                            .date_column = "date", .item_column = "item",
                            .value_column = "value"};
    struct capture c = {0};
    cr_assert_eq(test_score_text(&c,
                                 "pid,date,item,value\n"
                                 "A,2025-01-06,I\xe2\x80\x99ve been optimistic,2\n",
                                 &o),
                 PS_ERROR_BATCH);
    cr_assert_eq(c.n_diagnostics, 1);
    cr_assert_str_eq(first_message(&c), MAP_NOT_UTF8);
    cr_assert_eq(c.n_rejects, 0);
    free(map);
}

Test(map, a_header_mapped_twice_is_refused)
{
    struct capture c = {0};
    cr_assert_eq(score_with_map(&c, "header,item\nQ1,swemwbs.1\n q1\xE2\x80\x89,swemwbs.2\n",
                                "participant_id,timepoint\n"),
                 PS_ERROR_USAGE);
    cr_assert_str_eq(first_message(&c),
                     "header 'q1\xE2\x80\x89' is mapped twice (line 2 gives it already)");
    cr_assert_eq(c.diagnostics[0].line, 3);
}

Test(map, a_guess_is_refused_until_checked)
{
    struct capture c = {0}, d = {0};
    cr_assert_eq(score_with_map(&c,
                                "header,item,match,label\n"
                                "Q1 optimistic,swemwbs.1,guess,Optimistic about the future\n",
                                "participant_id,timepoint\n"),
                 PS_ERROR_USAGE);
    cr_assert_str_eq(first_message(&c), "the header 'Q1 optimistic' for item swemwbs.1 is a "
                                        "guess: check that the column holds that item, then "
                                        "write 'checked' in its match cell");
    cr_assert_eq(c.diagnostics[0].line, 2);
    cr_assert_eq(c.diagnostics[0].column, 3);
    /* Checked, exact, none (filled in) and empty are read; the label is not. Columns in any
     * order after header and item. */
    cr_assert_eq(score_with_map(&d,
                                "Header,ITEM,label,match\n"
                                "Q1 optimistic,swemwbs.1,\"Optimistic, about\",checked\n"
                                "swemwbs_2,swemwbs.2,,exact\nQ3,swemwbs.3,,none\nQ4,swemwbs.4,,\n",
                                "participant_id,timepoint,Q1 optimistic,swemwbs_2,Q3,Q4,"
                                "swemwbs_5,swemwbs_6,swemwbs_7\nP1,t0,2,2,2,2,2,2,2\n"),
                 PS_OK);
    cr_assert_float_eq(test_find(&d, "P1", "t0", "swemwbs.metric")->value, 15.32, 1e-9);
}

/* The match cell is read as headers are, in any case; an instrument is named in any case. */
Test(map, match_and_instrument_are_read_in_any_case)
{
    struct capture c = {0}, d = {0};
    cr_assert_eq(score_with_map(&c,
                                "header,item,match\nQ1 optimistic,SWEMWBS.1, CHECKED \n"
                                "Q2,Swemwbs.2,Exact\nQ3,swemwbs.3,NONE\n",
                                "participant_id,timepoint,Q1 optimistic,Q2,Q3,swemwbs_4,"
                                "swemwbs_5,swemwbs_6,swemwbs_7\nP1,t0,2,2,2,2,2,2,2\n"),
                 PS_OK, "%s", c.n_diagnostics ? first_message(&c) : "");
    cr_assert_float_eq(test_find(&c, "P1", "t0", "swemwbs.metric")->value, 15.32, 1e-9);
    cr_assert_eq(score_with_map(&d, "header,item,match\nQ1 optimistic,swemwbs.1,GUESS\n",
                                "participant_id,timepoint\n"),
                 PS_ERROR_USAGE);
    cr_assert_str_eq(first_message(&d), "the header 'Q1 optimistic' for item swemwbs.1 is a "
                                        "guess: check that the column holds that item, then "
                                        "write 'checked' in its match cell");
}

Test(map, a_header_guarded_against_formulas_is_read_without_its_guard)
{
    struct capture c = {0};
    cr_assert_eq(score_with_map(&c, "header,item\n\"'=Q1\",swemwbs.1\n",
                                "participant_id,timepoint,=Q1," SWEMWBS_REST
                                "\nP1,t0,2,2,2,2,2,2,2\n"),
                 PS_OK);
    cr_assert_float_eq(test_find(&c, "P1", "t0", "swemwbs.metric")->value, 15.32, 1e-9);
}

Test(map, an_unknown_match_or_column_is_refused)
{
    struct capture c = {0}, d = {0};
    cr_assert_eq(score_with_map(&c, "header,item,match\nQ1,swemwbs.1,maybe\n",
                                "participant_id,timepoint\n"),
                 PS_ERROR_USAGE);
    cr_assert_str_eq(first_message(&c), "match is exact, guess, checked or none, not 'maybe'");
    cr_assert_eq(score_with_map(&d, "header,item,notes\nQ1,swemwbs.1,x\n",
                                "participant_id,timepoint\n"),
                 PS_ERROR_USAGE);
    cr_assert_str_eq(first_message(&d), "map files start with the header row 'header,item', "
                                        "which may go on with 'match' and 'label'");
}

Test(map, an_item_without_a_header_is_refused_until_filled_in)
{
    struct capture c = {0};
    cr_assert_eq(score_with_map(&c,
                                "header,item,match,label\n,swemwbs.3,none,Feeling relaxed\n",
                                "participant_id,timepoint\n"),
                 PS_ERROR_USAGE);
    cr_assert_str_eq(first_message(&c), "item swemwbs.3 has no header: write the batch's header "
                                        "that holds it (a draft leaves empty the items it found "
                                        "no header for)");
    cr_assert_eq(c.diagnostics[0].column, 1);
}

/* ---- Draft maps. ---- */

struct drafted {
    char *line[64];
    size_t n;
};

static int keep_entry(const ps_map_entry_t *e, void *user)
{
    static const char *const match[] = {"exact", "guess", "none"};
    struct drafted *d = user;
    cr_assert_lt(d->n, 64);
    if (e->item)
        cr_assert_geq(asprintf(&d->line[d->n++], "%s.%s <- %s (%s)", ps_instrument_id(e->instrument),
                               ps_item_id(e->item), e->header ? e->header : "-", match[e->match]),
                      0);
    else
        cr_assert_geq(asprintf(&d->line[d->n++], "unused: %s", e->header), 0);
    return 0;
}

static void draft(struct capture *c, const char *file, const char *encoding, const char *id,
                  struct drafted *out, ps_error_t expected)
{
    ps_context_t *context = test_context(c);
    const char *ids[] = {id};
    ps_score_options_t o = {.size = sizeof o, .instruments = ids, .n_instruments = 1,
                            .encoding = encoding};
    cr_assert_eq(ps_map_draft(context, file, &o, keep_entry, out), expected, "%s",
                 c->n_diagnostics ? c->diagnostics[0].message : "");
    ps_context_free(context);
}

Test(draft, every_wemwbs_item_of_a_windows_1252_export_is_guessed_right)
{
    struct capture c = {0};
    struct drafted d = {0};
    draft(&c, test_data("export/wemwbs-export-cp1252.csv"), "windows-1252", "wemwbs", &d, PS_OK);
    static const char *const expected[] = {
        "wemwbs.1 <- I\xE2\x80\x99ve been feeling optimistic about the future (guess)",
        "wemwbs.2 <- I\xE2\x80\x99ve been feeling useful (guess)",
        "wemwbs.3 <- I\xE2\x80\x99ve been feeling relaxed (guess)",
        "wemwbs.4 <- I\xE2\x80\x99ve been feeling interested in other people (guess)",
        "wemwbs.5 <- I\xE2\x80\x99ve had  energy to spare (guess)",
        "wemwbs.6 <- I\xE2\x80\x99ve been dealing with problems well (guess)",
        "wemwbs.7 <- I\xE2\x80\x99ve been thinking clearly (guess)",
        "wemwbs.8 <- I\xE2\x80\x99ve been feeling good about myself (guess)",
        "wemwbs.9 <- I\xE2\x80\x99ve been feeling close to other people (guess)",
        "wemwbs.10 <- I\xE2\x80\x99ve been feeling confident (guess)",
        "wemwbs.11 <- I\xE2\x80\x99ve been able to make up my own mind about things (guess)",
        "wemwbs.12 <- I\xE2\x80\x99ve been feeling loved (guess)",
        "wemwbs.13 <- I\xE2\x80\x99ve been interested in new things (guess)",
        "wemwbs.14 <- I\xE2\x80\x99ve been feeling cheerful (guess)",
        "unused: NHS Number",
        "unused: Client Name",
        "unused: Date of Completion",
        "unused: Service \xE2\x80\x93 site",
        "unused: Comments",
    };
    cr_assert_eq(d.n, sizeof expected / sizeof expected[0]);
    for (size_t i = 0; i < d.n; i++) {
        cr_assert_str_eq(d.line[i], expected[i]);
        free(d.line[i]);
    }
}

Test(draft, exact_columns_guesses_and_items_without_a_header)
{
    struct capture c = {0};
    struct drafted d = {0};
    char *batch = test_file("b.csv",
                            "id,SWEMWBS 1,Feeling useful?,swemwbs3,Thinking clearly,"
                            "Dealing with problems well,Close to other people,"
                            "able to make up my own mind\n",
                            -1);
    draft(&c, batch, NULL, "swemwbs", &d, PS_OK);
    static const char *const expected[] = {
        "swemwbs.1 <- SWEMWBS 1 (guess)",
        "swemwbs.2 <- Feeling useful? (guess)",
        "swemwbs.3 <- swemwbs3 (exact)",
        "swemwbs.4 <- Dealing with problems well (guess)",
        "swemwbs.5 <- Thinking clearly (guess)",
        "swemwbs.6 <- Close to other people (guess)",
        "swemwbs.7 <- able to make up my own mind (guess)",
        "unused: id",
    };
    cr_assert_eq(d.n, sizeof expected / sizeof expected[0]);
    for (size_t i = 0; i < d.n; i++)
        cr_assert_str_eq(d.line[i], expected[i]);
    struct drafted e = {0};
    char *fewer = test_file("b.csv", "id,Feeling useful,Comments\n", -1);
    draft(&c, fewer, NULL, "swemwbs", &e, PS_OK);
    cr_assert_str_eq(e.line[0], "swemwbs.1 <- - (none)");
    cr_assert_str_eq(e.line[1], "swemwbs.2 <- Feeling useful (guess)");
    cr_assert_str_eq(e.line[2], "swemwbs.3 <- - (none)");
    cr_assert_str_eq(e.line[7], "unused: id");
    cr_assert_str_eq(e.line[8], "unused: Comments");
    cr_assert_eq(e.n, 9);
}

static int keep_negation(const ps_map_entry_t *e, void *user)
{
    struct drafted *d = user;
    if (e->item && e->negation)
        cr_assert_geq(asprintf(&d->line[d->n++], "%s <- %s: %s", ps_item_id(e->item), e->header,
                               e->negation),
                      0);
    return 0;
}

Test(draft, a_guess_whose_header_negates_its_label_names_the_word)
{
    struct capture c = {0};
    struct drafted d = {0};
    ps_context_t *context = test_context(&c);
    const char *ids[] = {"wemwbs"};
    ps_score_options_t o = {.size = sizeof o, .instruments = ids, .n_instruments = 1};
    char *batch = test_file("b.csv",
                            "id,Feeling not confident,I haven\xE2\x80\x99t been feeling "
                            "cheerful,Never feeling relaxed,No energy to spare,Feeling loved,"
                            "wemwbs_2 not,Thinking clearly\n",
                            -1);
    cr_assert_eq(ps_map_draft(context, batch, &o, keep_negation, &d), PS_OK);
    static const char *const expected[] = {
        "2 <- wemwbs_2 not: not",
        "3 <- Never feeling relaxed: never",
        "5 <- No energy to spare: no",
        "10 <- Feeling not confident: not",
        "14 <- I haven\xE2\x80\x99t been feeling cheerful: haven't",
    };
    cr_assert_eq(d.n, sizeof expected / sizeof expected[0]);
    for (size_t i = 0; i < d.n; i++) {
        cr_assert_str_eq(d.line[i], expected[i]);
        free(d.line[i]);
    }
    ps_context_free(context);
    free(batch);
}

Test(draft, an_export_naming_a_column_twice_is_refused)
{
    struct capture c = {0};
    struct drafted d = {0};
    draft(&c, test_file("b.csv", "id,Feeling useful,FEELING \xE2\x80\x89useful\n", -1), NULL,
          "swemwbs", &d, PS_ERROR_BATCH);
    cr_assert_str_eq(first_message(&c), "column name 'FEELING \xE2\x80\x89useful' repeats column "
                                        "2 'Feeling useful': each column needs its own name");
    cr_assert_eq(d.n, 0);
}

/* Read with commas, a header of one column holding tabs or ';' is another delimiter's. */
Test(draft, a_header_of_one_column_holding_tabs_or_semicolons_names_the_delimiter)
{
    struct capture c = {0}, d = {0};
    struct drafted t = {0}, s = {0};
    draft(&c, test_file("b.tsv", "id\tFeeling useful\tFeeling relaxed\n", -1), NULL, "swemwbs",
          &t, PS_ERROR_BATCH);
    cr_assert_str_eq(first_message(&c), "the header is one column holding tabs: the file seems "
                                        "to be tab-separated: give --delimiter tab");
    draft(&d, test_file("b.csv", "id;Feeling useful;Feeling relaxed\n", -1), NULL, "swemwbs",
          &s, PS_ERROR_BATCH);
    cr_assert_str_eq(first_message(&d), "the header is one column holding ';': the file seems to "
                                        "be delimited by semicolons: give --delimiter ';'");
    cr_assert_eq(t.n + s.n, 0);
}

Test(draft, needs_known_instruments)
{
    struct capture c = {0};
    struct drafted d = {0};
    draft(&c, test_file("b.csv", "id\n", -1), NULL, "phq9", &d, PS_ERROR_USAGE);
    cr_assert_str_eq(first_message(&c), "unknown instrument 'phq9'");
}

/* ---- Timepoints and groups in any case. ---- */

#define SCORED "participant_id,timepoint,instrument,scale,score,band,answered,status,site\n"

struct cohort_run {
    struct capture capture;
    ps_report_t *report;
    ps_error_t error;
};

static int add(const ps_score_t *score, void *cohort)
{
    return ps_cohort_add(cohort, score) != PS_OK;
}

static void report_on(struct cohort_run *run, const char *scored, const ps_cohort_options_t *o)
{
    ps_context_t *context = test_context(&run->capture);
    ps_cohort_t *cohort;
    run->error = ps_cohort_new(context, o, &cohort);
    if (run->error)
        return;
    char *file = test_file("scored.csv", scored, -1);
    run->error = ps_scored_read(context, file, o->by, o->n_by, add, cohort);
    ps_disclosure_t everything = {0, 7, 0};
    if (!run->error)
        run->error = ps_cohort_report(cohort, &everything, &run->report);
    ps_cohort_free(cohort);
    free(file);
}

static const ps_statistic_t *statistic(const ps_report_t *r, const char *group,
                                       const char *comparison, const char *name)
{
    for (size_t i = 0; i < ps_report_count(r); i++) {
        const ps_statistic_t *s = ps_report_statistic(r, i);
        if (strcmp(s->unit, "metric") == 0 && strcmp(s->group, group) == 0 &&
            strcmp(s->comparison, comparison) == 0 && strcmp(s->name, name) == 0)
            return s;
    }
    return NULL;
}

#define PAIRS                                                                                    \
    "A,Pre,swemwbs,metric,20.73,,7,ok,North\nA,POST,swemwbs,metric,22.35,,7,ok,North\n"          \
    "B,PRE,swemwbs,metric,14.75,,7,ok,North\nB,post,swemwbs,metric,17.43,,7,ok,North\n"

Test(cohort, timepoints_match_in_any_case_named_as_given)
{
    struct cohort_run run = {0};
    const char *by[] = {"SITE"}, *timepoints[] = {"Post"};
    ps_cohort_options_t o = {.size = sizeof o, .baseline = "pre", .timepoints = timepoints,
                             .n_timepoints = 1, .by = by, .n_by = 1};
    report_on(&run, SCORED PAIRS, &o);
    cr_assert_eq(run.error, PS_OK, "%s", run.capture.n_diagnostics ? first_message(&run.capture) : "");
    const ps_statistic_t *paired = statistic(run.report, "all", "pre->Post", "n_paired");
    cr_assert_not_null(paired, "one comparison, named as the options give it");
    cr_assert_eq(paired->value, 2);
    cr_assert_not_null(statistic(run.report, "SITE=North", "pre->Post", "n_paired"));
    ps_report_free(run.report);
}

Test(cohort, timepoints_without_options_are_named_as_first_seen)
{
    struct cohort_run run = {0};
    ps_cohort_options_t o = {.size = sizeof o, .baseline = "PRE"};
    report_on(&run, SCORED PAIRS, &o);
    cr_assert_eq(run.error, PS_OK);
    cr_assert_eq(statistic(run.report, "all", "PRE->POST", "n_paired")->value, 2);
    ps_report_free(run.report);
}

Test(cohort, a_timepoint_listed_twice_in_two_cases_is_refused)
{
    struct cohort_run run = {0};
    const char *timepoints[] = {"post", "POST"};
    ps_cohort_options_t o = {.size = sizeof o, .timepoints = timepoints, .n_timepoints = 2};
    report_on(&run, SCORED, &o);
    cr_assert_eq(run.error, PS_ERROR_USAGE);
    cr_assert_str_eq(first_message(&run.capture),
                     "timepoint 'POST' is named twice, or is the baseline");
}

Test(cohort, no_baseline_row_is_refused_naming_the_timepoints_found)
{
    struct cohort_run run = {0};
    ps_cohort_options_t o = {.size = sizeof o};
    report_on(&run, SCORED PAIRS, &o);
    cr_assert_eq(run.error, PS_ERROR_BATCH);
    cr_assert_null(run.report);
    const char *message = first_message(&run.capture);
    const char *start = "no row has the baseline timepoint 'baseline'; timepoints found: Pre, "
                        "POST (in /tmp/promscore-test-";
    cr_assert(strncmp(message, start, strlen(start)) == 0, "%s", message);
    cr_assert(strstr(message, "/scored.csv); name the baseline with --baseline"), "%s", message);
}

Test(cohort, rows_at_the_baseline_alone_are_refused_unless_timepoints_are_listed)
{
    struct cohort_run run = {0}, listed = {0};
    ps_cohort_options_t o = {.size = sizeof o, .baseline = "pre"};
    const char *scored = SCORED "A,Pre,swemwbs,metric,20.73,,7,ok,North\n";
    report_on(&run, scored, &o);
    cr_assert_eq(run.error, PS_ERROR_BATCH);
    const char *message = first_message(&run.capture);
    const char *start = "no row has a timepoint after the baseline 'pre' (in /tmp/promscore-test-";
    cr_assert(strncmp(message, start, strlen(start)) == 0, "%s", message);
    cr_assert(strstr(message, "/scored.csv): a report compares the baseline with later "
                              "timepoints"),
              "%s", message);
    /* Listed, the later timepoint is reported: everyone lost to follow-up. */
    const char *timepoints[] = {"post"};
    o.timepoints = timepoints;
    o.n_timepoints = 1;
    report_on(&listed, scored, &o);
    cr_assert_eq(listed.error, PS_OK);
    cr_assert_eq(statistic(listed.report, "all", "pre->post", "lost_to_followup")->value, 1);
    ps_report_free(listed.report);
}
