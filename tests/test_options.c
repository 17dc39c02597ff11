/* tests/test_options.c -- size parsing and checking. */
#include <string.h>
#include "check.h"
#include "../harness/options.h"

static void ok_count(const char *s, uint64_t want)
{
    uint64_t v = 0;
    char err[256] = "";
    int r = parse_count(s, &v, err, sizeof err);
    CHECK(r == 0 && v == want, "'%s' -> %llu (%s), expected %llu", s, (unsigned long long)v,
          err, (unsigned long long)want);
}

static void bad_count(const char *s)
{
    uint64_t v = 0;
    char err[256] = "";
    int r = parse_count(s, &v, err, sizeof err);
    CHECK(r < 0 && strstr(err, s) != NULL, "'%s' accepted or error does not name it: %s", s, err);
}

int main(void)
{
    ok_count("1000", 1000);
    ok_count("1e6", 1000000);
    ok_count("100k", 100000);
    ok_count("1M", 1000000);
    ok_count("2.5k", 2500);
    ok_count("1G", 1000000000);
    bad_count("0");
    bad_count("-5");
    bad_count("abc");
    bad_count("1.5");
    bad_count("10x");
    bad_count("2G");
    bad_count("");

    uint64_t s[64];
    char err[256] = "";
    int n = parse_sizes("1e3..1e7x10", s, 64, err, sizeof err);
    CHECK(n == 5 && s[0] == 1000 && s[4] == 10000000, "range gave %d sizes (%s)", n, err);
    n = parse_sizes("1k,1e3..4e3x2,5", s, 64, err, sizeof err);
    CHECK(n == 5 && s[0] == 1000 && s[1] == 1000 && s[2] == 2000 && s[3] == 4000 && s[4] == 5,
          "mixed list gave %d sizes (%s)", n, err);
    n = parse_sizes("1e3..1e2x10", s, 64, err, sizeof err);
    CHECK(n < 0 && strstr(err, "1e3..1e2x10"), "backwards range accepted: %s", err);
    n = parse_sizes("1e3..1e6", s, 64, err, sizeof err);
    CHECK(n < 0 && strstr(err, "FACTOR"), "range without factor accepted: %s", err);
    n = parse_sizes("1e3..1e6x1", s, 64, err, sizeof err);
    CHECK(n < 0, "factor 1 accepted");

    double d;
    CHECK(parse_number("heap factor", "1", 1, 1, &d, err, sizeof err) < 0 &&
          strstr(err, "'1'") && strstr(err, "> 1"), "heap factor 1: %s", err);
    CHECK(parse_number("heap factor", "1.25", 1, 1, &d, err, sizeof err) == 0 && d == 1.25,
          "heap factor 1.25 rejected");
    CHECK(parse_number("heap factor", "x", 1, 1, &d, err, sizeof err) < 0, "'x' accepted");

    unsigned t[3];
    CHECK(parse_thresholds("700,10,10", t, err, sizeof err) == 0 && t[0] == 700 && t[1] == 10 &&
          t[2] == 10, "700,10,10: %s", err);
    CHECK(parse_thresholds("0,0,0", t, err, sizeof err) == 0 && t[0] == 0, "0,0,0 rejected");
    const char *bad[] = { "700", "700,10", "700,10,10,1", "700,-1,10", "7x,10,10", "", ",,", NULL };
    for (const char **b = bad; *b; b++)
        CHECK(parse_thresholds(*b, t, err, sizeof err) < 0 && strstr(err, *b) &&
              strstr(err, "700,10,10"), "gc threshold '%s' accepted or error unclear: %s", *b, err);
    return check_summary("options");
}
