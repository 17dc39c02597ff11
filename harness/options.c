/* harness/options.c -- see options.h. */
#include "options.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int parse_count(const char *s, uint64_t *out, char *err, size_t n)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno != 0 || !isfinite(v)) {
        snprintf(err, n, "bad size '%s': expected a positive integer such as 1000, 1e6, 100k or 1M", s);
        return -1;
    }
    switch (*end) {
    case 'k': case 'K': v *= 1e3; end++; break;
    case 'm': case 'M': v *= 1e6; end++; break;
    case 'g': case 'G': v *= 1e9; end++; break;
    default: break;
    }
    if (*end != '\0' || v != floor(v) || v < 1) {
        snprintf(err, n, "bad size '%s': expected a positive integer such as 1000, 1e6, 100k or 1M", s);
        return -1;
    }
    if (v > (double)MAX_SIZE) {
        snprintf(err, n, "bad size '%s': at most 1e9 (ints must fit one 30-bit digit)", s);
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

static int parse_range(const char *s, uint64_t *out, size_t max, char *err, size_t n)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", s);
    char *dots = strstr(buf, "..");
    char *x = dots ? strrchr(dots, 'x') : NULL;
    uint64_t from, to, factor;
    if (x == NULL) {
        snprintf(err, n, "bad size range '%s': expected FROM..TOxFACTOR such as 1e3..1e7x10", s);
        return -1;
    }
    *dots = *x = '\0';
    if (parse_count(buf, &from, err, n) < 0 || parse_count(dots + 2, &to, err, n) < 0 ||
        parse_count(x + 1, &factor, err, n) < 0)
        return -1;
    if (factor < 2 || to < from) {
        snprintf(err, n, "bad size range '%s': need FROM <= TO and a factor of at least 2", s);
        return -1;
    }
    int k = 0;
    for (uint64_t v = from; v <= to; v *= factor) {
        if ((size_t)k == max) {
            snprintf(err, n, "bad size range '%s': more than %zu sizes", s, max);
            return -1;
        }
        out[k++] = v;
        if (v > to / factor)
            break;
    }
    return k;
}

int parse_sizes(const char *s, uint64_t *out, size_t max, char *err, size_t n)
{
    char buf[1024];
    char *items[64];
    snprintf(buf, sizeof buf, "%s", s);
    size_t m = split_list(buf, items, 64);
    size_t k = 0;
    if (m == 0) {
        snprintf(err, n, "bad size '': expected a positive integer such as 1000, 1e6, 100k or 1M");
        return -1;
    }
    for (size_t i = 0; i < m; i++) {
        if (strstr(items[i], "..")) {
            int r = parse_range(items[i], out + k, max - k, err, n);
            if (r < 0)
                return -1;
            k += (size_t)r;
        } else {
            if (k == max) {
                snprintf(err, n, "too many sizes in '%s' (at most %zu)", s, max);
                return -1;
            }
            if (parse_count(items[i], &out[k], err, n) < 0)
                return -1;
            k++;
        }
    }
    return (int)k;
}

int parse_number(const char *what, const char *s, double lo, int strict,
                 double *out, char *err, size_t n)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno != 0 || !isfinite(v) ||
        (strict ? v <= lo : v < lo)) {
        snprintf(err, n, "bad %s '%s': expected a number %s %g", what, s,
                 strict ? ">" : ">=", lo);
        return -1;
    }
    *out = v;
    return 0;
}

size_t split_list(char *s, char **items, size_t max)
{
    size_t k = 0;
    for (char *tok = strtok(s, ","); tok && k < max; tok = strtok(NULL, ","))
        if (*tok)
            items[k++] = tok;
    return k;
}

void names_of(const void *const *table, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; table[i] && used < n; i++) {
        const char *name = *(const char *const *)table[i];
        int w = snprintf(buf + used, n - used, "%s%s", i ? ", " : "", name);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* In the order of BIG_BLOCKS_KEEP, BIG_BLOCKS_FREE. */
const char *const big_blocks_names[2] = { "keep", "free" };

int parse_big_blocks(const char *s, int *out, char *err, size_t n)
{
    for (int i = 0; i < 2; i++)
        if (strcmp(s, big_blocks_names[i]) == 0) {
            *out = i;
            return 0;
        }
    snprintf(err, n, "bad big-blocks '%s' (valid: keep, free)", s);
    return -1;
}

int parse_thresholds(const char *s, unsigned out[3], char *err, size_t n)
{
    char buf[128];
    char *items[4];
    snprintf(buf, sizeof buf, "%s", s);
    size_t m = split_list(buf, items, 4);
    for (size_t i = 0; i < m && m == 3; i++) {
        char *end;
        errno = 0;
        unsigned long v = strtoul(items[i], &end, 10);
        if (*items[i] == '\0' || *items[i] == '-' || *end != '\0' || errno || v > 1000000000ul)
            m = 0;
        else
            out[i] = (unsigned)v;
    }
    if (m != 3) {
        snprintf(err, n, "bad gc threshold '%s': expected three whole numbers, e.g. 700,10,10", s);
        return -1;
    }
    return 0;
}
