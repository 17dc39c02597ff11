/* strategies/registry.c -- the strategies memstrat knows, in the order they
   are listed and run; the reference series (STRAT_REFERENCE) come last.  Adding a strategy: a file defining
   `const strategy NAME_strategy`, and one X(NAME) line below. */
#include <string.h>
#include "strategy.h"

#define STRATEGIES(X) \
    X(refcount)       \
    X(rc_cycle)       \
    X(pool)           \
    X(marksweep)      \
    X(arena)          \
    X(rc_gil)         \
    X(rc_atomic)      \
    X(rc_biased)      \
    X(boehm)          \
    X(cpython_model)  \
    X(floor)          \
    X(malloc)         \
    X(cpython)

#define DECLARE(name) extern const strategy name##_strategy;
#define ENTRY(name) &name##_strategy,
STRATEGIES(DECLARE)

const strategy *const strategies[] = { STRATEGIES(ENTRY) NULL };

const strategy *strategy_find(const char *name)
{
    for (const strategy *const *s = strategies; *s; s++)
        if (strcmp((*s)->name, name) == 0)
            return *s;
    return NULL;
}
