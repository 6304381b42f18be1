/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Pseudonymisation: HMAC-SHA256 against RFC 4231, NHS numbers, keys. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "helpers.h"

static void hmac_hex(const unsigned char *key, size_t key_length, const char *data, size_t n,
                     char hex[65])
{
    cr_assert_eq(ps_pseudonym(key, key_length, data, n, hex), PS_OK);
}

/* RFC 4231, test cases 1-4, 6 and 7 (HMAC-SHA-256). */
Test(hmac, rfc4231_vectors)
{
    unsigned char k1[20], k3[20], k4[25], k6[131];
    char d3[50], d4[50], hex[65];
    memset(k1, 0x0b, sizeof k1);
    memset(k3, 0xaa, sizeof k3);
    memset(d3, 0xdd, sizeof d3);
    for (int i = 0; i < 25; i++)
        k4[i] = (unsigned char)(i + 1);
    memset(d4, 0xcd, sizeof d4);
    memset(k6, 0xaa, sizeof k6);
    hmac_hex(k1, 20, "Hi There", 8, hex);
    cr_assert_str_eq(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    hmac_hex((const unsigned char *)"Jefe", 4, "what do ya want for nothing?", 28, hex);
    cr_assert_str_eq(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    hmac_hex(k3, 20, d3, 50, hex);
    cr_assert_str_eq(hex, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    hmac_hex(k4, 25, d4, 50, hex);
    cr_assert_str_eq(hex, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
    const char *t6 = "Test Using Larger Than Block-Size Key - Hash Key First";
    hmac_hex(k6, 131, t6, strlen(t6), hex);
    cr_assert_str_eq(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    const char *t7 = "This is a test using a larger than block-size key and a larger than "
                     "block-size data. The key needs to be hashed before being used by the HMAC "
                     "algorithm.";
    hmac_hex(k6, 131, t7, strlen(t7), hex);
    cr_assert_str_eq(hex, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

/* 943 476 5919 is the NHS Data Dictionary's example of a valid NHS number. */
Test(nhs_number, valid_forms)
{
    char digits[11];
    cr_assert(ps_nhs_number_valid("9434765919", digits));
    cr_assert_str_eq(digits, "9434765919");
    cr_assert(ps_nhs_number_valid("943 476 5919", digits));
    cr_assert(ps_nhs_number_valid("943-476-5919", digits));
    cr_assert_str_eq(digits, "9434765919");
    cr_assert(ps_nhs_number_valid("4010232137", digits));
}

Test(nhs_number, invalid_forms)
{
    char digits[11];
    cr_assert_not(ps_nhs_number_valid("9434765918", digits), "wrong check digit");
    cr_assert_not(ps_nhs_number_valid("1234567890", digits), "check digit would be 10");
    cr_assert_not(ps_nhs_number_valid("1234567891", digits), "check digit would be 10");
    cr_assert_not(ps_nhs_number_valid("943476591", digits), "9 digits");
    cr_assert_not(ps_nhs_number_valid("94347659190", digits), "11 digits");
    cr_assert_not(ps_nhs_number_valid(" 9434765919", digits), "leading separator");
    cr_assert_not(ps_nhs_number_valid("943476591X", digits));
    cr_assert_not(ps_nhs_number_valid("", digits));
}

static char *key_file(const unsigned char *bytes, size_t n, mode_t mode)
{
    char *path = test_file("key", (const char *)bytes, (long)n);
    cr_assert_eq(chmod(path, mode), 0);
    return path;
}

Test(keys, read_and_refused)
{
    struct capture c = {0};
    ps_context_t *context;
    cr_assert_eq(ps_context_new(&context), PS_OK);
    test_capture_diagnostics(context, &c);
    unsigned char bytes[40];
    memset(bytes, 7, sizeof bytes);
    unsigned char *key;
    size_t n;
    cr_assert_eq(ps_key_read(context, key_file(bytes, 40, 0600), &key, &n), PS_OK);
    cr_assert_eq(n, 40);
    cr_assert_eq(memcmp(key, bytes, 40), 0);
    ps_key_free(key, n);
    cr_assert_eq(ps_key_read(context, key_file(bytes, 40, 0640), &key, &n), PS_ERROR_USAGE);
    cr_assert(strstr(c.diagnostics[0].message, "group or others"));
    cr_assert_eq(ps_key_read(context, key_file(bytes, 40, 0604), &key, &n), PS_ERROR_USAGE);
    cr_assert_eq(ps_key_read(context, key_file(bytes, 31, 0600), &key, &n), PS_ERROR_USAGE);
    cr_assert(strstr(c.diagnostics[2].message, "32"));
    ps_context_free(context);
}

Test(keys, generated_keys_are_private_random_and_never_overwritten)
{
    ps_context_t *context;
    cr_assert_eq(ps_context_new(&context), PS_OK);
    char *a = test_path("a.key"), *b = test_path("b.key");
    cr_assert_eq(ps_key_generate(context, a), PS_OK);
    cr_assert_eq(ps_key_generate(context, b), PS_OK);
    cr_assert_eq(ps_key_generate(context, a), PS_ERROR_WRITE, "an existing key is kept");
    struct stat st;
    cr_assert_eq(stat(a, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600);
    cr_assert_eq(st.st_size, PS_KEY_MIN_BYTES);
    unsigned char *ka, *kb;
    size_t na, nb;
    cr_assert_eq(ps_key_read(context, a, &ka, &na), PS_OK);
    cr_assert_eq(ps_key_read(context, b, &kb, &nb), PS_OK);
    cr_assert_neq(memcmp(ka, kb, na), 0, "two keys differ");
    ps_key_free(ka, na);
    ps_key_free(kb, nb);
    ps_context_free(context);
}

/* ---- ps_pseudonymise_file: what must never leave in clear. ---- */

struct pseudonymised {
    char *rows[16];
    size_t n_rows;
    char *reasons[16];
    size_t n_reasons;
};

static int keep_row(const char *const *fields, size_t n, void *user)
{
    struct pseudonymised *out = user;
    char *line = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&line, &size);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%s", i ? "," : "", fields[i]);
    fclose(f);
    cr_assert_lt(out->n_rows, 16);
    out->rows[out->n_rows++] = line;
    return 0;
}

static int keep_reason(const ps_reject_t *reject, void *user)
{
    struct pseudonymised *out = user;
    cr_assert_lt(out->n_reasons, 16);
    out->reasons[out->n_reasons++] = strdup(reject->reason);
    return 0;
}

static ps_error_t pseudonymise_dropping(struct capture *c, const char *csv,
                                        struct pseudonymised *out, const char *const *drop,
                                        size_t n_drop)
{
    ps_context_t *context;
    cr_assert_eq(ps_context_new(&context), PS_OK);
    test_capture_diagnostics(context, c);
    unsigned char key[32];
    memset(key, 0x0b, sizeof key);
    ps_pseudonymise_handlers_t handlers = {keep_row, keep_reason, out};
    ps_batch_summary_t summary;
    ps_pseudonymise_options_t options;
    ps_pseudonymise_options_init(&options, sizeof options);
    options.column = "nhs_number";
    options.kind = PS_IDENTIFIER_NHS_NUMBER;
    options.drop = drop;
    options.n_drop = n_drop;
    char *path = test_file("ids.csv", csv, -1);
    ps_error_t err = ps_pseudonymise_file(context, path, &options, key, sizeof key, &handlers,
                                          &summary);
    ps_context_free(context);
    free(path);
    return err;
}

static ps_error_t pseudonymise(struct capture *c, const char *csv, struct pseudonymised *out)
{
    return pseudonymise_dropping(c, csv, out, NULL, 0);
}

/* No row handed on holds the ten digits of 943 476 5919, however written. */
static void assert_no_number_left(const struct pseudonymised *out)
{
    for (size_t i = 0; i < out->n_rows; i++) {
        char digits[64];
        size_t n = 0;
        for (const char *t = out->rows[i]; *t && n + 1 < sizeof digits; t++)
            if (*t >= '0' && *t <= '9')
                digits[n++] = *t;
        digits[n] = '\0';
        cr_assert_null(strstr(digits, "9434765919"), "%s", out->rows[i]);
        cr_assert_null(strstr(out->rows[i], "943 476 5919"), "%s", out->rows[i]);
        cr_assert_null(strstr(out->rows[i], "943-476-5919"), "%s", out->rows[i]);
    }
    for (size_t i = 0; i < out->n_reasons; i++)
        cr_assert_null(strstr(out->reasons[i], "943"), "%s", out->reasons[i]);
}

/*
 * The identifier under a name that only looks like its column's (a no-break or
 * zero-width space, a Cyrillic letter, a line break inside a quoted header, another
 * name altogether) is still an NHS number: the row is refused, naming the column.
 */
Test(pseudonymise, an_nhs_number_in_another_column_never_leaves_in_clear)
{
    static const char *const headers[] = {
        "nhs_number,site,\xc2\xa0nhs_number",      /* no-break space */
        "nhs_number,site,nhs_number\xe2\x80\x8b", /* zero-width space */
        "nhs_number,site,\xd0\x9dHS_number",       /* Cyrillic capital en */
        "nhs_number,site,patient",
        "nhs_number,site,comments",
    };
    static const char *const cells[] = {
        "9434765919", "943 476 5919", "943-476-5919", "seen 943 476 5919 today",
        "ref:9434765919.", "943- 476 -5919", "943  476  5919", "943\t476\t5919",
        "943\xc2\xa0" "476\xc2\xa0" "5919", "943\xe2\x80\x93" "476\xe2\x80\x93" "5919",
        "943.476.5919", "(943) 476 5919", "\"943\n476\n5919\"", "9.434765919E9",
        "\"9,434,765,919\"", "\"943 476 5919, 2 visits\"", "9434765919 1"};
    for (size_t h = 0; h < sizeof headers / sizeof *headers; h++)
        for (size_t v = 0; v < sizeof cells / sizeof *cells; v++) {
            struct capture c = {0};
            struct pseudonymised out = {0};
            char *csv;
            cr_assert_geq(asprintf(&csv, "%s\n4010232137,Dalston,%s\n4010232137,Hackney,none\n",
                                   headers[h], cells[v]), 0);
            cr_assert_eq(pseudonymise(&c, csv, &out), PS_OK, "%zu %zu", h, v);
            cr_assert_eq(out.n_rows, 2, "the header and the row without it: %zu %zu", h, v);
            cr_assert_eq(out.n_reasons, 1);
            cr_assert(strstr(out.reasons[0], "column 3 ("), "%s", out.reasons[0]);
            cr_assert(strstr(out.reasons[0], "holds an NHS number in clear"), "%s",
                      out.reasons[0]);
            assert_no_number_left(&out);
        }
}

/* Numbers that are not NHS numbers pass: too many digits, a failed check, a placeholder. */
Test(pseudonymise, other_numbers_in_other_columns_pass)
{
    struct capture c = {0};
    struct pseudonymised out = {0};
    cr_assert_eq(pseudonymise(&c, "nhs_number,phone,ref,note\n"
                                  "4010232137,0121 496 0000,9434765918,0000000000\n"
                                  "4010232137,94347659190,x,12 January 2026\n"
                                  "4010232137,19434765919,x,943 476     5919\n"
                                  "4010232137,943 476     5919,x,a1b2c3d4e5f6g7h8i9j0\n",
                                  &out), PS_OK);
    cr_assert_eq(out.n_rows, 5, "%s", out.n_reasons ? out.reasons[0] : "");
    cr_assert_eq(out.n_reasons, 0);
}

/* Dropped columns are left out of every row, the header's included, and are not checked. */
/* A header that is an NHS number would go out in clear too: the batch is refused. */
Test(pseudonymise, an_nhs_number_as_a_column_name_refuses_the_batch)
{
    struct capture c = {0};
    struct pseudonymised out = {0};
    cr_assert_eq(pseudonymise(&c, "nhs_number,943 476 5919,note\n4010232137,a,b\n", &out),
                 PS_ERROR_BATCH);
    cr_assert_eq(out.n_rows, 0);
    cr_assert_eq(c.diagnostics[0].column, 2);
    cr_assert(strstr(c.diagnostics[0].message, "the name of column 2 holds an NHS number"), "%s",
              c.diagnostics[0].message);
    cr_assert_null(strstr(c.diagnostics[0].message, "943"), "%s", c.diagnostics[0].message);
    static const char *const drop[] = {"943 476 5919"};
    struct capture d = {0};
    struct pseudonymised kept = {0};
    cr_assert_eq(pseudonymise_dropping(&d, "nhs_number,943 476 5919,note\n4010232137,a,b\n",
                                       &kept, drop, 1), PS_OK);
    cr_assert_str_eq(kept.rows[0], "nhs_number,note");
}

Test(pseudonymise, dropped_columns_are_left_out_and_not_checked)
{
    struct capture c = {0};
    struct pseudonymised out = {0};
    static const char *const drop[] = {"Comments", "NAME"};
    cr_assert_eq(pseudonymise_dropping(&c, "name,nhs_number,comments,site,\" comments\"\n"
                                           "Ann Smith,4010232137,called 943 476 5919,Dalston,x\n",
                                       &out, drop, 2), PS_OK);
    cr_assert_eq(out.n_rows, 2);
    cr_assert_eq(out.n_reasons, 0);
    cr_assert_str_eq(out.rows[0], "nhs_number,site");
    cr_assert(strstr(out.rows[1], ",Dalston"), "%s", out.rows[1]);
    cr_assert_null(strstr(out.rows[1], "Ann"), "%s", out.rows[1]);
    cr_assert_null(strstr(out.rows[1], "called"), "%s", out.rows[1]);
    assert_no_number_left(&out);
}

Test(pseudonymise, dropping_an_unknown_column_or_the_identifier_is_refused)
{
    struct capture c = {0};
    struct pseudonymised out = {0};
    static const char *const unknown[] = {"comment"};
    cr_assert_eq(pseudonymise_dropping(&c, "nhs_number,comments\n4010232137,x\n", &out,
                                       unknown, 1), PS_ERROR_BATCH);
    cr_assert_eq(out.n_rows, 0, "not even the header is handed on");
    cr_assert(strstr(c.diagnostics[0].message, "no column 'comment' to drop"), "%s",
              c.diagnostics[0].message);
    static const char *const identifier[] = {" NHS_Number "};
    struct capture d = {0};
    cr_assert_eq(pseudonymise_dropping(&d, "nhs_number,comments\n4010232137,x\n", &out,
                                       identifier, 1), PS_ERROR_USAGE);
    cr_assert_eq(out.n_rows, 0);
    cr_assert(strstr(d.diagnostics[0].message, "would drop the identifier column"), "%s",
              d.diagnostics[0].message);
}

Test(pseudonymise, an_identifier_column_named_twice_refuses_the_batch_before_any_row)
{
    static const char *const headers[] = {
        "NHS_Number,site,nhs_number\n",
        "nhs_number,site,\"  NHS_NUMBER\t\"\n",
        "nhs_number,site,\"\nnhs_number\r\n\"\n",
    };
    for (size_t h = 0; h < 3; h++) {
        struct capture c = {0};
        struct pseudonymised out = {0};
        char *csv;
        cr_assert_geq(asprintf(&csv, "%s9434765919,Dalston,9434765919\n", headers[h]), 0);
        cr_assert_eq(pseudonymise(&c, csv, &out), PS_ERROR_BATCH, "header %zu", h);
        cr_assert_eq(out.n_rows, 0, "not even the header is handed on");
        cr_assert_eq(out.n_reasons, 0);
        cr_assert_eq(c.n_diagnostics, 1);
        cr_assert(strstr(c.diagnostics[0].file, "ids.csv"), "%s", c.diagnostics[0].file);
        cr_assert_eq(c.diagnostics[0].line, 1);
        cr_assert_eq(c.diagnostics[0].column, 3);
        cr_assert(strstr(c.diagnostics[0].message, "appears twice"), "%s",
                  c.diagnostics[0].message);
        cr_assert(strstr(c.diagnostics[0].message, "columns 1 and 3"), "%s",
                  c.diagnostics[0].message);
    }
}

/*
 * Malformed quoting refuses the batch here, not the row: the lines after it may
 * be pieces of the broken row, with an identifier in another column.
 */
Test(pseudonymise, malformed_quoting_refuses_the_batch)
{
    struct capture c = {0};
    struct pseudonymised out = {0};
    cr_assert_eq(pseudonymise(&c,
                              "note,nhs_number\n"
                              "\"seen\" by,\"9434765919\n"
                              "9434765919 again\",9434765919\n",
                              &out),
                 PS_ERROR_BATCH);
    cr_assert_eq(out.n_rows, 1, "the header alone");
    cr_assert_eq(c.n_diagnostics, 1);
    cr_assert_eq(c.diagnostics[0].line, 2);
    cr_assert_eq(c.diagnostics[0].column, 1);
    cr_assert(strstr(c.diagnostics[0].message, "malformed quoting"), "%s",
              c.diagnostics[0].message);
}

Test(pseudonymise, a_header_cell_with_spaces_around_the_name_is_the_identifier)
{
    struct capture c = {0};
    struct pseudonymised out = {0};
    cr_assert_eq(pseudonymise(&c, "site,\" nhs_number \"\nDalston,9434765919\n", &out), PS_OK);
    cr_assert_eq(out.n_rows, 2);
    cr_assert_null(strstr(out.rows[1], "9434765919"), "%s", out.rows[1]);
}

/* d repeated ten times weighs d * 54 and 54 = -1 (mod 11): the check digit is d itself. */
Test(pseudonymise, placeholder_nhs_numbers_pass_the_check_but_are_refused)
{
    char digits[11];
    struct capture c = {0};
    struct pseudonymised out = {0};
    char *csv = strdup("nhs_number,site\n");
    for (char d = '0'; d <= '9'; d++) {
        char number[11];
        memset(number, d, 10);
        number[10] = '\0';
        cr_assert(ps_nhs_number_valid(number, digits), "%s passes modulus 11", number);
        char *more;
        cr_assert_geq(asprintf(&more, "%s%s,x\n", csv, number), 0);
        csv = more;
    }
    char *more;
    cr_assert_geq(asprintf(&more, "%s999 999 9999,x\n9434765919,y\n", csv), 0);
    cr_assert_eq(pseudonymise(&c, more, &out), PS_OK);
    cr_assert_eq(out.n_rows, 2, "the header and the one real number");
    cr_assert_eq(out.n_reasons, 11);
    for (size_t i = 0; i < out.n_reasons; i++) {
        cr_assert(strstr(out.reasons[i], "placeholder"), "%s", out.reasons[i]);
        cr_assert_null(strpbrk(out.reasons[i], "0123456789"), "no digit repeated: %s",
                       out.reasons[i]);
    }
}

Test(keys, a_fifo_is_refused_without_waiting, .timeout = 10)
{
    struct capture c = {0};
    ps_context_t *context;
    cr_assert_eq(ps_context_new(&context), PS_OK);
    test_capture_diagnostics(context, &c);
    char *path = test_path("fifo.key");
    cr_assert_eq(mkfifo(path, 0600), 0);
    unsigned char *key = NULL;
    size_t n = 0;
    cr_assert_eq(ps_key_read(context, path, &key, &n), PS_ERROR_USAGE);
    cr_assert_null(key);
    cr_assert(strstr(c.diagnostics[0].message, "not a regular file (a pipe)"), "%s",
              c.diagnostics[0].message);
    ps_context_free(context);
}

Test(keys, a_symbolic_link_to_a_key_is_not_followed)
{
    struct capture c = {0};
    ps_context_t *context;
    cr_assert_eq(ps_context_new(&context), PS_OK);
    test_capture_diagnostics(context, &c);
    unsigned char bytes[32];
    memset(bytes, 7, sizeof bytes);
    char *target = key_file(bytes, 32, 0600);
    char *link;
    cr_assert_geq(asprintf(&link, "%.*s/link.key", (int)(strrchr(target, '/') - target), target), 0);
    cr_assert_eq(symlink(target, link), 0);
    unsigned char *key = NULL;
    size_t n = 0;
    cr_assert_eq(ps_key_read(context, link, &key, &n), PS_ERROR_READ);
    cr_assert(strstr(c.diagnostics[0].message, "symbolic link"), "%s", c.diagnostics[0].message);
    ps_context_free(context);
}

/* Anyone could rename the key away and put one they know in its place. */
Test(keys, a_key_in_a_directory_anyone_may_write_is_refused)
{
    unsigned char bytes[32];
    memset(bytes, 7, sizeof bytes);
    char *path = key_file(bytes, 32, 0600), *dir = strdup(path);
    *strrchr(dir, '/') = '\0';
    static const struct {
        mode_t mode;
        ps_error_t want;
    } cases[] = {{0777, PS_ERROR_USAGE}, {0773, PS_ERROR_USAGE}, {01777, PS_OK}, {0775, PS_OK},
                 {0700, PS_OK}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct capture c = {0};
        ps_context_t *context;
        cr_assert_eq(ps_context_new(&context), PS_OK);
        test_capture_diagnostics(context, &c);
        cr_assert_eq(chmod(dir, cases[i].mode), 0);
        unsigned char *key = NULL;
        size_t n = 0;
        cr_assert_eq(ps_key_read(context, path, &key, &n), cases[i].want, "mode %o: %s",
                     cases[i].mode, c.n_diagnostics ? c.diagnostics[0].message : "");
        if (cases[i].want) {
            cr_assert_null(key);
            char *words;
            cr_assert_geq(asprintf(&words, "the key's directory %s is writable by others (mode "
                                           "%04o, owner %lu): anyone who can change it could put "
                                           "a key they know in the key's place",
                                   dir, cases[i].mode, (unsigned long)geteuid()), 0);
            cr_assert(strstr(c.diagnostics[0].message, words), "%s", c.diagnostics[0].message);
        }
        ps_key_free(key, n);
        ps_context_free(context);
    }
    cr_assert_eq(chmod(dir, 0700), 0);
}

/* Reads the key at 'path'; returns the outcome and leaves the first diagnostic in *message. */
static ps_error_t read_key(const char *path, char **message)
{
    struct capture c = {0};
    ps_context_t *context;
    cr_assert_eq(ps_context_new(&context), PS_OK);
    test_capture_diagnostics(context, &c);
    unsigned char *key = NULL;
    size_t n = 0;
    ps_error_t err = ps_key_read(context, path, &key, &n);
    *message = c.n_diagnostics ? c.diagnostics[0].message : "";
    ps_key_free(key, n);
    ps_context_free(context);
    return err;
}

/*
 * Above the key's own directory too: a directory others may write (not sticky and
 * root's), one that belongs to another user, or a linked directory that leads to
 * one, would let them move the key's directory away and put their own in its place.
 */
Test(keys, a_key_below_a_directory_others_control_is_refused)
{
    unsigned char bytes[32];
    memset(bytes, 7, sizeof bytes);
    char *top = test_path("top"), *mine, *path, *message;
    cr_assert_eq(mkdir(top, 0700), 0);
    cr_assert_geq(asprintf(&mine, "%s/mine", top), 0);
    cr_assert_eq(mkdir(mine, 0700), 0);
    cr_assert_geq(asprintf(&path, "%s/k.key", mine), 0);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(bytes, 1, 32, f), 32);
    cr_assert_eq(fclose(f), 0);
    cr_assert_eq(chmod(path, 0600), 0);
    cr_assert_eq(read_key(path, &message), PS_OK, "%s", message);
    /* The parent writable by others, sticky or not (it is not root's)... */
    for (int sticky = 0; sticky < 2 && geteuid() != 0; sticky++) {
        cr_assert_eq(chmod(top, sticky ? 01777 : 0777), 0);
        cr_assert_eq(read_key(path, &message), PS_ERROR_USAGE);
        cr_assert(strstr(message, "parent directory") && strstr(message, "writable by others"),
                  "%s", message);
    }
    cr_assert_eq(chmod(top, 0777), 0);
    cr_assert_eq(read_key(path, &message), PS_ERROR_USAGE);
    cr_assert(strstr(message, "parent directory") && strstr(message, "is writable by others"),
              "%s", message);
    cr_assert_eq(chmod(top, 0700), 0);
    /* ...and, where this test may give files away, another user's directory or key. */
    if (geteuid() == 0) {
        cr_assert_eq(chown(mine, 65534, 65534), 0);
        cr_assert_eq(read_key(path, &message), PS_ERROR_USAGE);
        cr_assert(strstr(message, "belongs to another user"), "%s", message);
        cr_assert_eq(chown(mine, 0, 0), 0);
        cr_assert_eq(chown(path, 65534, 65534), 0);
        cr_assert_eq(read_key(path, &message), PS_ERROR_USAGE);
        cr_assert(strstr(message, "the key belongs to another user (uid 65534)"), "%s", message);
        cr_assert_eq(chown(path, 0, 0), 0);
        /* A linked directory is followed to where it leads, and that is checked. */
        char *theirs, *link, *through;
        cr_assert_geq(asprintf(&theirs, "%s/theirs", top), 0);
        cr_assert_geq(asprintf(&link, "%s/link", top), 0);
        cr_assert_geq(asprintf(&through, "%s/k.key", link), 0);
        cr_assert_eq(mkdir(theirs, 0700), 0);
        char *their_key;
        cr_assert_geq(asprintf(&their_key, "%s/k.key", theirs), 0);
        cr_assert_eq(rename(path, their_key), 0);
        cr_assert_eq(chown(theirs, 65534, 65534), 0);
        cr_assert_eq(symlink(theirs, link), 0);
        cr_assert_eq(read_key(through, &message), PS_ERROR_USAGE);
        cr_assert(strstr(message, "belongs to another user"), "%s", message);
    }
}

Test(keys, a_key_is_never_made_where_others_could_replace_it)
{
    char *dir = test_path("open");
    cr_assert_eq(mkdir(dir, 0700), 0);
    cr_assert_eq(chmod(dir, 0777), 0);
    char *path;
    cr_assert_geq(asprintf(&path, "%s/new.key", dir), 0);
    struct capture c = {0};
    ps_context_t *context;
    cr_assert_eq(ps_context_new(&context), PS_OK);
    test_capture_diagnostics(context, &c);
    cr_assert_eq(ps_key_generate(context, path), PS_ERROR_USAGE);
    cr_assert(strstr(c.diagnostics[0].message, "writable by others"), "%s",
              c.diagnostics[0].message);
    struct stat st;
    cr_assert_neq(stat(path, &st), 0, "no key was made");
    ps_context_free(context);
}

Test(keys, a_key_with_more_than_one_hard_link_is_refused)
{
    unsigned char bytes[32];
    memset(bytes, 7, sizeof bytes);
    char *path = key_file(bytes, 32, 0600), *other;
    cr_assert_geq(asprintf(&other, "%.*s/other.key", (int)(strrchr(path, '/') - path), path), 0);
    cr_assert_eq(link(path, other), 0);
    struct capture c = {0};
    ps_context_t *context;
    cr_assert_eq(ps_context_new(&context), PS_OK);
    test_capture_diagnostics(context, &c);
    unsigned char *key = NULL;
    size_t n = 0;
    cr_assert_eq(ps_key_read(context, path, &key, &n), PS_ERROR_USAGE);
    cr_assert_null(key);
    cr_assert(strstr(c.diagnostics[0].message, "the key has 2 hard links"), "%s",
              c.diagnostics[0].message);
    cr_assert_eq(unlink(other), 0);
    cr_assert_eq(ps_key_read(context, path, &key, &n), PS_OK, "one name again");
    ps_key_free(key, n);
    ps_context_free(context);
}

/* ---- What the input is written in: its encoding and delimiter. ---- */

/* HMAC-SHA256 under 32 bytes of 0x0b, from Python's hmac module, as above. */
static const char pseudonym_4010232137[] =
    "5ed47038d123de9fbff1f464f8d06113c4f5eddbdbfc130a9d1f6558dd1ada00";

/* What the handlers and the progress callback saw: 'out' first, for keep_row and keep_reason. */
struct watched {
    struct pseudonymised out;
    ps_progress_t seen[8];
    size_t n_seen;
    unsigned long stop_at; /* the progress callback stops the read at this row; 0 never */
};

static int watch_progress(const ps_progress_t *progress, void *user)
{
    struct watched *w = user;
    cr_assert_lt(w->n_seen, 8);
    w->seen[w->n_seen++] = *progress;
    return progress->rows == w->stop_at;
}

/* Pseudonymises 'path' under the 0x0b key with 'options' (column nhs_number unless set). */
static ps_error_t pseudonymise_file(struct capture *c, const char *path,
                                    ps_pseudonymise_options_t *options, struct watched *w)
{
    ps_context_t *context;
    cr_assert_eq(ps_context_new(&context), PS_OK);
    test_capture_diagnostics(context, c);
    unsigned char key[32];
    memset(key, 0x0b, sizeof key);
    ps_pseudonymise_handlers_t handlers = {keep_row, keep_reason, w};
    ps_batch_summary_t summary;
    if (!options->column)
        options->column = "nhs_number";
    options->progress = watch_progress;
    ps_error_t err = ps_pseudonymise_file(context, path, options, key, sizeof key, &handlers,
                                          &summary);
    ps_context_free(context);
    return err;
}

static void free_watched(struct watched *w)
{
    for (size_t i = 0; i < w->out.n_rows; i++)
        free(w->out.rows[i]);
    for (size_t i = 0; i < w->out.n_reasons; i++)
        free(w->out.reasons[i]);
}

/* A spreadsheet's Windows-1252 export is handed on in UTF-8: £, curly quotes, an en dash. */
Test(pseudonymise, windows_1252_input_is_handed_on_in_utf_8)
{
    struct capture c = {0};
    struct watched w = {0};
    ps_pseudonymise_options_t options;
    ps_pseudonymise_options_init(&options, sizeof options);
    options.encoding = "windows-1252";
    char *path = test_file("export.csv",
                           "nhs_number,Service \x96 site,Comments\r\n"
                           "401 023 2137,Dudley North,\x93\xa3" "10 bus fare\x94\r\n",
                           -1);
    cr_assert_eq(pseudonymise_file(&c, path, &options, &w), PS_OK);
    cr_assert_eq(w.out.n_rows, 2);
    cr_assert_str_eq(w.out.rows[0], "nhs_number,Service \xe2\x80\x93 site,Comments");
    char *row;
    cr_assert_geq(asprintf(&row, "%s,Dudley North,\xe2\x80\x9c\xc2\xa3" "10 bus fare\xe2\x80\x9d",
                           pseudonym_4010232137), 0);
    cr_assert_str_eq(w.out.rows[1], row);
    free(row);
    free_watched(&w);
}

/* Without its encoding, such a file is refused, not passed on as bytes the output cannot hold. */
Test(pseudonymise, text_that_is_not_utf_8_is_refused)
{
    ps_pseudonymise_options_t options;
    ps_pseudonymise_options_init(&options, sizeof options);
    struct capture c = {0};
    struct watched w = {0};
    cr_assert_eq(pseudonymise_file(&c, test_file("h.csv", "nhs_number,Service \x96 site\n", -1),
                                   &options, &w),
                 PS_ERROR_BATCH);
    cr_assert_eq(w.out.n_rows, 0, "not even the header is handed on");
    cr_assert_eq(c.n_diagnostics, 1);
    cr_assert_eq(c.diagnostics[0].line, 1);
    cr_assert_eq(c.diagnostics[0].column, 2);
    cr_assert_str_eq(c.diagnostics[0].message,
                     "the name of column 2 is not UTF-8 text: give the file's encoding with "
                     "--encoding (a spreadsheet saves CSV as windows-1252, for one)");

    /* In a row: that row is refused, naming the column; a dropped column is not looked at. */
    static const char *const drop[] = {"name"};
    ps_pseudonymise_options_init(&options, sizeof options);
    options.drop = drop;
    options.n_drop = 1;
    struct capture d = {0};
    struct watched v = {0};
    cr_assert_eq(pseudonymise_file(&d,
                                   test_file("r.csv",
                                             "nhs_number,comment,name\n"
                                             "4010232137,caf\xe9,Jos\xe9\n"
                                             "4010232137,ok,Jos\xe9\n",
                                             -1),
                                   &options, &v),
                 PS_OK);
    cr_assert_eq(v.out.n_rows, 2, "the header and the second row");
    cr_assert_eq(v.out.n_reasons, 1);
    cr_assert_str_eq(v.out.reasons[0],
                     "column 2 ('comment') is not UTF-8 text: give the file's encoding with "
                     "--encoding (a spreadsheet saves CSV as windows-1252, for one)");

    /* An identifier hashed as text: its pseudonym would not pair with the same one in UTF-8. */
    ps_pseudonymise_options_init(&options, sizeof options);
    options.column = "name";
    options.kind = PS_IDENTIFIER_TEXT;
    struct capture e = {0};
    struct watched t = {0};
    cr_assert_eq(pseudonymise_file(&e, test_file("t.csv", "name\nJos\xe9\n", -1), &options, &t),
                 PS_OK);
    cr_assert_eq(t.out.n_rows, 1);
    cr_assert_eq(t.out.n_reasons, 1);
    cr_assert_str_eq(t.out.reasons[0],
                     "identifier is not UTF-8 text: give the file's encoding with --encoding "
                     "(a spreadsheet saves CSV as windows-1252, for one)");
    free_watched(&w);
    free_watched(&v);
    free_watched(&t);
}

/* Given its encoding, the same name pairs: hashed as its UTF-8, whatever the file held. */
Test(pseudonymise, a_text_identifier_gets_one_pseudonym_in_any_encoding)
{
    static const char *const files[][2] = {
        {"utf-8", "name\nJos\xc3\xa9\n"},
        {"latin1", "name\nJos\xe9\n"},
        {"utf-16", "\xff\xfen\0a\0m\0e\0\n\0J\0o\0s\0\xe9\0\n\0"},
    };
    static const size_t lengths[] = {11, 10, 22};
    for (size_t i = 0; i < 3; i++) {
        ps_pseudonymise_options_t options;
        ps_pseudonymise_options_init(&options, sizeof options);
        options.column = "name";
        options.kind = PS_IDENTIFIER_TEXT;
        options.encoding = files[i][0];
        struct capture c = {0};
        struct watched w = {0};
        cr_assert_eq(pseudonymise_file(&c, test_file("n.csv", files[i][1], (long)lengths[i]),
                                       &options, &w),
                     PS_OK, "%s", files[i][0]);
        cr_assert_eq(w.out.n_rows, 2, "%s", files[i][0]);
        /* hmac.new(b'\x0b' * 32, 'José'.encode(), hashlib.sha256).hexdigest() */
        cr_assert_str_eq(w.out.rows[1],
                         "32df5af5adc8401fd0692118c1df49fc7963f54fa2968a60d94278444e880eb2",
                         "%s", files[i][0]);
        free_watched(&w);
    }
}

Test(pseudonymise, a_semicolon_delimited_input_is_read_with_its_delimiter)
{
    const char *csv = "nhs_number;site;note\n4010232137;Dalston;\"a, b\"\n";
    ps_pseudonymise_options_t options;
    ps_pseudonymise_options_init(&options, sizeof options);
    options.delimiter = ';';
    struct capture c = {0};
    struct watched w = {0};
    cr_assert_eq(pseudonymise_file(&c, test_file("semi.csv", csv, -1), &options, &w), PS_OK);
    cr_assert_eq(w.out.n_rows, 2);
    cr_assert_str_eq(w.out.rows[0], "nhs_number,site,note");
    char *row;
    cr_assert_geq(asprintf(&row, "%s,Dalston,a, b", pseudonym_4010232137), 0);
    cr_assert_str_eq(w.out.rows[1], row);
    free(row);

    /* Read with commas, the header is one name: the message says which delimiter to give. */
    ps_pseudonymise_options_init(&options, sizeof options);
    struct capture d = {0};
    struct watched v = {0};
    cr_assert_eq(pseudonymise_file(&d, test_file("semi.csv", csv, -1), &options, &v),
                 PS_ERROR_BATCH);
    cr_assert_eq(v.out.n_rows, 0);
    cr_assert_str_eq(d.diagnostics[0].message,
                     "no column 'nhs_number' in the header, which seems delimited by "
                     "semicolons: give --delimiter ';'");
    free_watched(&w);
    free_watched(&v);
}

Test(pseudonymise, an_encoding_or_delimiter_the_reader_cannot_use_is_a_usage_error)
{
    const char *path = test_file("ids.csv", "nhs_number\n4010232137\n", -1);
    ps_pseudonymise_options_t options;
    ps_pseudonymise_options_init(&options, sizeof options);
    options.encoding = "klingon";
    struct capture c = {0};
    struct watched w = {0};
    cr_assert_eq(pseudonymise_file(&c, path, &options, &w), PS_ERROR_USAGE);
    cr_assert_eq(w.out.n_rows, 0);
    cr_assert_eq(w.n_seen, 0);
    cr_assert_str_eq(c.diagnostics[0].message,
                     "unknown encoding 'klingon' (e.g. windows-1252, latin1, utf-16)");
    ps_pseudonymise_options_init(&options, sizeof options);
    options.delimiter = '"';
    struct capture d = {0};
    cr_assert_eq(pseudonymise_file(&d, path, &options, &w), PS_ERROR_USAGE);
    cr_assert_eq(w.out.n_rows, 0);
}

/*
 * Progress: after each row is read and before it is handed on, the rows read and the
 * bytes up to the end of that row (the BOM and CR LF counted), of a file of known size.
 */
Test(pseudonymise, progress_counts_rows_and_bytes_read)
{
    const char *csv = "\xef\xbb\xbfnhs_number\r\n4010232137\r\n943 476 5919\r\n";
    const char *path = test_file("ids.csv", csv, -1);
    ps_pseudonymise_options_t options;
    ps_pseudonymise_options_init(&options, sizeof options);
    struct capture c = {0};
    struct watched w = {0};
    cr_assert_eq(pseudonymise_file(&c, path, &options, &w), PS_OK);
    cr_assert_eq(w.n_seen, 2);
    cr_assert_str_eq(w.seen[0].file, path);
    cr_assert_eq(w.seen[0].rows, 1);
    cr_assert_eq(w.seen[0].bytes, 3 + 12 + 12);
    cr_assert_eq(w.seen[0].size, strlen(csv));
    cr_assert_eq(w.seen[1].rows, 2);
    cr_assert_eq(w.seen[1].bytes, strlen(csv));
    cr_assert_eq(w.seen[1].size, strlen(csv));
    free_watched(&w);

    /* Converted from another encoding: the bytes of the file, never past its size. */
    ps_pseudonymise_options_init(&options, sizeof options);
    options.encoding = "windows-1252";
    struct watched v = {0};
    const char *cp1252 = "nhs_number,note\n4010232137,\xa3" "1\n4010232137,\xa3" "2\n";
    cr_assert_eq(pseudonymise_file(&c, test_file("cp.csv", cp1252, -1), &options, &v), PS_OK);
    cr_assert_eq(v.n_seen, 2);
    cr_assert_leq(v.seen[0].bytes, v.seen[1].bytes);
    cr_assert_eq(v.seen[1].bytes, strlen(cp1252));
    cr_assert_eq(v.seen[1].size, strlen(cp1252));
    free_watched(&v);

    /* Nonzero from the callback stops the read before that row is handed on. */
    ps_pseudonymise_options_init(&options, sizeof options);
    struct watched s = {.stop_at = 2};
    cr_assert_eq(pseudonymise_file(&c, path, &options, &s), PS_ERROR_ABORTED);
    cr_assert_eq(s.out.n_rows, 2, "the header and the first row");
    free_watched(&s);
}

/* ---- NHS numbers in other scripts and encodings. ---- */

static void free_out(struct pseudonymised *out)
{
    for (size_t i = 0; i < out->n_rows; i++)
        free(out->rows[i]);
    for (size_t i = 0; i < out->n_reasons; i++)
        free(out->reasons[i]);
}

/* 943 476 5919 written with the digits of another script: zero is 'zero', in UTF-8. */
static char *in_script(uint32_t zero, const char *between)
{
    static const char number[] = "943 476 5919";
    char *out = calloc(1, 128);
    cr_assert_not_null(out);
    size_t n = 0;
    for (const char *c = number; *c; c++) {
        if (*c == ' ') {
            n += (size_t)sprintf(out + n, "%s", between);
            continue;
        }
        const uint32_t cp = zero + (uint32_t)(*c - '0');
        if (cp < 0x800) {
            out[n++] = (char)(0xC0 | cp >> 6);
            out[n++] = (char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out[n++] = (char)(0xE0 | cp >> 12);
            out[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            out[n++] = (char)(0x80 | (cp & 0x3F));
        } else {
            out[n++] = (char)(0xF0 | cp >> 18);
            out[n++] = (char)(0x80 | ((cp >> 12) & 0x3F));
            out[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            out[n++] = (char)(0x80 | (cp & 0x3F));
        }
    }
    return out;
}

Test(pseudonymise, an_nhs_number_in_the_digits_of_any_script_never_leaves_in_clear)
{
    /* Fullwidth, Arabic-Indic, extended Arabic-Indic, Devanagari, Bengali, Thai, math bold. */
    static const uint32_t zeros[] = {0xFF10, 0x660, 0x6F0, 0x966, 0x9E6, 0xE50, 0x1D7CE};
    static const char *const betweens[] = {" ", "", " \xe2\x80\x93 ", "\xe3\x80\x80"};
    for (size_t z = 0; z < sizeof zeros / sizeof zeros[0]; z++)
        for (size_t b = 0; b < sizeof betweens / sizeof betweens[0]; b++) {
            char *number = in_script(zeros[z], betweens[b]);
            char *csv;
            cr_assert_geq(asprintf(&csv, "nhs_number,comments\n4010232137,ref %s\n", number), 0);
            struct capture c = {0};
            struct pseudonymised out = {0};
            cr_assert_eq(pseudonymise(&c, csv, &out), PS_OK);
            cr_assert_eq(out.n_rows, 1, "only the header: U+%04X '%s'", zeros[z], betweens[b]);
            cr_assert_eq(out.n_reasons, 1);
            cr_assert_str_eq(out.reasons[0], "column 2 ('comments') holds an NHS number in "
                                             "clear: leave the column out (drop it) or "
                                             "pseudonymise it");
            free_out(&out);
            free(csv);
            free(number);
        }
    /* Digits of two scripts read as one number too; one digit less is no NHS number. */
    struct capture c = {0};
    struct pseudonymised out = {0};
    cr_assert_eq(pseudonymise(&c,
                              "nhs_number,a,b\n"
                              "4010232137,943 \xef\xbc\x94\xef\xbc\x97\xef\xbc\x96 5919,x\n"
                              "4010232137,\xd9\xa9\xd9\xa4\xd9\xa3 476 591,x\n",
                              &out),
                 PS_OK);
    cr_assert_eq(out.n_rows, 2);
    cr_assert_eq(out.n_reasons, 1);
    free_out(&out);
}

/* The gap between the groups is counted in characters, not in the bytes UTF-8 gives them. */
Test(pseudonymise, a_windows_1252_en_dash_between_groups_is_one_character)
{
    ps_pseudonymise_options_t options;
    ps_pseudonymise_options_init(&options, sizeof options);
    options.encoding = "windows-1252";
    struct capture c = {0};
    struct watched w = {0};
    char *path = test_file("export.csv",
                           "nhs_number,Comments\r\n"
                           "401 023 2137,ref 943 \x96 476 \x96 5919\r\n"
                           "401 023 2137,ref 943\xa0\x96\xa0" "476\xa0\x96\xa0" "5919\r\n"
                           "401 023 2137,ref 943 - 476 - 5919\r\n"
                           "401 023 2137,none\r\n",
                           -1);
    cr_assert_eq(pseudonymise_file(&c, path, &options, &w), PS_OK);
    cr_assert_eq(w.out.n_rows, 2, "the header and the last row");
    cr_assert_eq(w.out.n_reasons, 3);
    assert_no_number_left(&w.out);
    free_watched(&w);
    free(path);

    /* In UTF-16, fullwidth digits with an ideographic space between the groups. */
    ps_pseudonymise_options_init(&options, sizeof options);
    options.encoding = "utf-16";
    struct capture d = {0};
    struct watched v = {0};
    static const char utf16[] = "\xff\xfen\0h\0s\0_\0n\0u\0m\0b\0e\0r\0,\0x\0\n\0"
                                "4\0" "0\0" "1\0" "0\0" "2\0" "3\0" "2\0" "1\0" "3\0" "7\0,\0"
                                "\x19\xff\x14\xff\x13\xff\x00\x30"
                                "\x14\xff\x17\xff\x16\xff\x00\x30"
                                "\x15\xff\x19\xff\x11\xff\x19\xff\n\0";
    char *utf16_path = test_file("u.csv", utf16, sizeof utf16 - 1);
    cr_assert_eq(pseudonymise_file(&d, utf16_path, &options, &v), PS_OK);
    cr_assert_eq(v.out.n_rows, 1, "the header alone");
    cr_assert_eq(v.out.n_reasons, 1);
    free_watched(&v);
    free(utf16_path);
}

/* Appends the UTF-8 of 'cp' at out + *n. */
static void append_utf8(char *out, size_t *n, uint32_t cp)
{
    if (cp < 0x80) {
        out[(*n)++] = (char)cp;
    } else if (cp < 0x800) {
        out[(*n)++] = (char)(0xC0 | cp >> 6);
        out[(*n)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out[(*n)++] = (char)(0xE0 | cp >> 12);
        out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*n)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        out[(*n)++] = (char)(0xF0 | cp >> 18);
        out[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*n)++] = (char)(0x80 | (cp & 0x3F));
    }
}

/* 'number' (digits and spaces) with each digit d written as forms[d], each space as 'between'. */
static char *in_forms(const char *number, const uint32_t forms[10], const char *between)
{
    char *out = calloc(1, 256);
    cr_assert_not_null(out);
    size_t n = 0;
    for (const char *c = number; *c; c++) {
        if (*c == ' ') {
            n += (size_t)sprintf(out + n, "%s", between);
            continue;
        }
        append_utf8(out, &n, forms[*c - '0']);
    }
    return out;
}

/* The rows of "nhs_number,comments" with each comment, pseudonymised: how many were refused. */
static size_t comments_refused(const char *const *comments, size_t n)
{
    char *csv = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&csv, &size);
    fprintf(f, "nhs_number,comments\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "4010232137,\"ref %s\"\n", comments[i]);
    fclose(f);
    struct capture c = {0};
    struct pseudonymised out = {0};
    cr_assert_eq(pseudonymise(&c, csv, &out), PS_OK);
    cr_assert_eq(out.n_rows + out.n_reasons, n + 1);
    for (size_t i = 0; i < out.n_reasons; i++)
        cr_assert_str_eq(out.reasons[i], "column 2 ('comments') holds an NHS number in clear: "
                                         "leave the column out (drop it) or pseudonymise it");
    assert_no_number_left(&out);
    const size_t refused = out.n_reasons;
    free_out(&out);
    free(csv);
    return refused;
}

/*
 * Digits a person reads as digits though Unicode has them as other numbers
 * (superscript, circled...): 943 476 5919 in any of them is an NHS number.
 */
Test(pseudonymise, an_nhs_number_in_superscript_circled_or_other_digit_forms_never_leaves_in_clear)
{
    static const uint32_t forms[][10] = {
        /* superscripts: ⁰ ¹ ² ³ ⁴ ... ⁹ */
        {0x2070, 0xB9, 0xB2, 0xB3, 0x2074, 0x2075, 0x2076, 0x2077, 0x2078, 0x2079},
        /* subscripts */
        {0x2080, 0x2081, 0x2082, 0x2083, 0x2084, 0x2085, 0x2086, 0x2087, 0x2088, 0x2089},
        /* circled: ⓪ ① ... ⑨ */
        {0x24EA, 0x2460, 0x2461, 0x2462, 0x2463, 0x2464, 0x2465, 0x2466, 0x2467, 0x2468},
        /* parenthesised ⑴ ..., with a full stop ⒈ ... (no zero: 943 476 5919 has none) */
        {'0', 0x2474, 0x2475, 0x2476, 0x2477, 0x2478, 0x2479, 0x247A, 0x247B, 0x247C},
        {'0', 0x2488, 0x2489, 0x248A, 0x248B, 0x248C, 0x248D, 0x248E, 0x248F, 0x2490},
        /* double circled, negative circled (three sets of dingbats) */
        {0x24FF, 0x24F5, 0x24F6, 0x24F7, 0x24F8, 0x24F9, 0x24FA, 0x24FB, 0x24FC, 0x24FD},
        {'0', 0x2776, 0x2777, 0x2778, 0x2779, 0x277A, 0x277B, 0x277C, 0x277D, 0x277E},
        {'0', 0x2780, 0x2781, 0x2782, 0x2783, 0x2784, 0x2785, 0x2786, 0x2787, 0x2788},
        {'0', 0x278A, 0x278B, 0x278C, 0x278D, 0x278E, 0x278F, 0x2790, 0x2791, 0x2792},
        /* with a comma: 🄁 ... 🄊 */
        {0x1F101, 0x1F102, 0x1F103, 0x1F104, 0x1F105, 0x1F106, 0x1F107, 0x1F108, 0x1F109,
         0x1F10A},
    };
    static const char *const betweens[] = {"", " ", "-"};
    for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++)
        for (size_t b = 0; b < sizeof betweens / sizeof betweens[0]; b++) {
            char *number = in_forms("943 476 5919", forms[f], betweens[b]);
            char *short_number = in_forms("943 476 591", forms[f], betweens[b]);
            const char *comments[] = {number, short_number};
            cr_assert_eq(comments_refused(comments, 2), 1, "%s / %s", number, short_number);
            free(number);
            free(short_number);
        }
    /* The ones that are not digits 0 to 9 stay what they are: ⑩ and ⁱ are no digits. */
    const char *others[] = {"94347659\xe2\x91\xa9", "943 476 5919\xe2\x81\xb1"};
    cr_assert_eq(comments_refused(others, 1), 0);
    cr_assert_eq(comments_refused(others + 1, 1), 1, "the digits before ⁱ are a number");
}

/*
 * Characters that show nothing count as nothing between digits: neither a
 * digit nor a separator, whatever their number. 943, five zero-width spaces,
 * 476 reads on screen as 943476.
 */
Test(pseudonymise, invisible_characters_between_the_digits_of_an_nhs_number_count_as_nothing)
{
    static const char zwsp[] = "\xe2\x80\x8b", zwnj[] = "\xe2\x80\x8c", zwj[] = "\xe2\x80\x8d",
                      word_joiner[] = "\xe2\x81\xa0", bom[] = "\xef\xbb\xbf", shy[] = "\xc2\xad";
    char five[6][32], mixed[64], inside[64];
    const char *const each[] = {zwsp, zwnj, zwj, word_joiner, bom, shy};
    const char *comments[8];
    for (size_t k = 0; k < 6; k++) {
        snprintf(five[k], sizeof five[k], "943%s%s%s%s%s476 5919", each[k], each[k], each[k],
                 each[k], each[k]);
        comments[k] = five[k];
    }
    snprintf(mixed, sizeof mixed, "943 %s%s%s%s%s%s 476 5919", zwsp, zwnj, zwj, word_joiner, bom,
             shy);
    snprintf(inside, sizeof inside, "9%s4%s34765919", zwsp, shy);
    comments[6] = mixed;
    comments[7] = inside;
    cr_assert_eq(comments_refused(comments, 8), 8);
    /* Nine digits with invisible characters among them are no NHS number. */
    char nine[64];
    snprintf(nine, sizeof nine, "943%s%s%s%s%s476 591", zwsp, zwsp, zwsp, zwsp, zwsp);
    const char *short_number[] = {nine};
    cr_assert_eq(comments_refused(short_number, 1), 0);
}

/* Read with commas, a tab-separated header is one name: the message says to give tabs. */
Test(pseudonymise, a_tab_separated_input_read_with_commas_says_to_give_its_delimiter)
{
    ps_pseudonymise_options_t options;
    ps_pseudonymise_options_init(&options, sizeof options);
    struct capture c = {0};
    struct watched w = {0};
    char *path = test_file("tab.tsv", "nhs_number\tsite\n4010232137\tDalston\n", -1);
    cr_assert_eq(pseudonymise_file(&c, path, &options, &w), PS_ERROR_BATCH);
    cr_assert_eq(w.out.n_rows, 0);
    cr_assert_str_eq(c.diagnostics[0].message,
                     "no column 'nhs_number' in the header, which seems tab-separated: give "
                     "--delimiter tab");
    for (size_t i = 0; i < c.n_diagnostics; i++) {
        free(c.diagnostics[i].file);
        free(c.diagnostics[i].message);
    }
    free_watched(&w);
    free(path);
}
