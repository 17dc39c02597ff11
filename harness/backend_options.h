/*
 * harness/backend_options.h -- allocator options as backend variants.
 *
 *   --backend mimalloc@reset_delay=10000
 *   --backend 'jemalloc@dirty_decay_ms=-1@muzzy_decay_ms=-1'
 *
 * An allocator's options change its numbers as much as a strategy does
 * (refcount list_append 1e6 on jemalloc: 80-86 ns/op with the defaults,
 * 43-46 with decay off), so a variant is a backend of its own: its name is
 * part of the cell id, and every cell records the effective values of the
 * options that matter (backend_options), defaults included.
 *
 * Each option is set the library's own way before its first allocation --
 * in the environment the cell process starts with: mimalloc's and
 * gperftools' variables, jemalloc's MALLOC_CONF, glibc's GLIBC_TUNABLES --
 * then read back from the running library by the cell, which fails if a
 * value did not take.  This table is the one place options are declared.
 */
#ifndef MEMSTRAT_BACKEND_OPTIONS_H
#define MEMSTRAT_BACKEND_OPTIONS_H

#include <stddef.h>

typedef enum { OPT_INT, OPT_SIZE, OPT_BOOL, OPT_DOUBLE } opt_type;
typedef enum { VIA_ENV, VIA_MALLOC_CONF, VIA_GLIBC_TUNABLES } opt_via;

typedef struct backend_option {
    const char *backend;
    const char *name;           /* as the user writes it */
    const char *alias;          /* an older name, or NULL */
    opt_type type;
    opt_via via;
    const char *how;            /* the variable, the MALLOC_CONF key, the tunable */
    const char *help;
} backend_option;

extern const backend_option backend_options[];

#define VARIANT_MAX_OPTS 8

/* A parsed --backend item: the library and the options set on it. */
typedef struct variant {
    char base[32];
    const backend_option *opt[VARIANT_MAX_OPTS];
    char value[VARIANT_MAX_OPTS][32];
    int n;
} variant;

/* "mimalloc@reset_delay=10000" -> v.  Returns 0, or -1 with one line in
   err naming the bad part and the valid choices.  known: the comma list of
   backends this build has. */
int variant_parse(const char *spec, const char *known, variant *v, char *err, size_t n);

/* In a child about to exec the cell: put v's options in the environment
   the library reads them from. */
void variant_apply_env(const variant *v);

/* "k=v,k=v" for the cell's --backend-options, and back. */
void variant_format(const variant *v, char *buf, size_t n);

/* The cell's check, after the library started: every option read back from
   it (backend_option_get), written as "name=value;..." into eff (defaults
   included, "name=value (set; not verifiable)" where the library cannot be
   asked).  Returns 0, or -1 with err naming an option whose value did not
   take. */
int variant_verify(const char *base, const char *requested, char *eff, size_t effn, char *err,
                   size_t n);

/* Provided by each backend file: the running value of an option, as text.
   0: in buf; 1: the library cannot be asked; -1: no such option. */
int backend_option_get(const backend_option *o, char *buf, size_t n);

#endif
