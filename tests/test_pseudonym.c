/* Pseudonymisation: HMAC-SHA256 against RFC 4231, NHS numbers, keys. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
    char *path = test_file("placeholder", "", 0);
    char *a = strdup(path), *b = strdup(path);
    strcpy(strrchr(a, '/') + 1, "a.key");
    strcpy(strrchr(b, '/') + 1, "b.key");
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
