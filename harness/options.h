/*
 * harness/options.h -- parsing and checking what users type, in one place.
 * Every error is one line naming the bad value and the valid choices, and the
 * caller exits with status 2 (EXIT_USAGE) before writing anything.
 */
#ifndef MEMSTRAT_OPTIONS_H
#define MEMSTRAT_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "exits.h"            /* EXIT_USAGE */
#define MAX_SIZE   1000000000ull     /* ints stay below 2**30: one digit */

/* "1000", "1e6", "100k", "1M", "2.5G": a positive integer count.
   Returns 0, or -1 with a message in err. */
int parse_count(const char *s, uint64_t *out, char *err, size_t n);

/* A comma list of counts and ranges "A..BxF" (A, A*F, ... up to B).
   Appends to out (at most max); returns the number parsed, or -1. */
int parse_sizes(const char *s, uint64_t *out, size_t max, char *err, size_t n);

/* A finite number, with a lower bound that must be exceeded (strict) or
   reached. */
int parse_number(const char *what, const char *s, double lo, int strict,
                 double *out, char *err, size_t n);

/* rc_cycle's generation thresholds, "700,10,10": three whole numbers >= 0,
   as gc.set_threshold() takes them (0 disables collection). */
int parse_thresholds(const char *s, unsigned out[3], char *err, size_t n);

/* --big-blocks: "keep" or "free" (strategies/strategy.h BIG_BLOCKS_*),
   named by big_blocks_names[]. */
extern const char *const big_blocks_names[2];
int parse_big_blocks(const char *s, int *out, char *err, size_t n);

/* Split a comma list in place into at most max items; returns the count. */
size_t split_list(char *s, char **items, size_t max);

/* "refcount, pool, marksweep" from a NULL-terminated array of structs whose
   first member is the name. */
void names_of(const void *const *table, char *buf, size_t n);

#endif
