/*
 * harness/schedule.c -- the order of the trials.
 *
 * Why rounds, shuffled: the machine drifts (a neighbour's load, the page
 * cache, the host's frequency), and a cell's trials run back to back would
 * all see the same moment of it.  Round r runs every cell once, in an order
 * of its own; so drift spreads over all cells as noise instead of landing
 * on some as a bias (Abedi & Brecht, ICPE 2017: randomized multiple
 * interleaved trials).  The order depends on the seed and the round alone:
 * --seed S replays it, and --resume, which skips what is done, keeps it.
 */
#include "run.h"
#include "stats.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

void schedule_round(uint64_t seed, int round, size_t n, size_t *order)
{
    uint64_t s = seed ^ ((uint64_t)round * 0xd1342543de82ef95ull);
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    /* Fisher-Yates; the modulo's bias is below 2^-40 for any matrix here. */
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(stats_splitmix64(&s) % i);
        size_t t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
}

uint64_t schedule_new_seed(void)
{
    uint64_t s = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, &s, sizeof s) != (ssize_t)sizeof s)
        s = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    if (fd >= 0)
        close(fd);
    /* Small enough to type back: --seed takes a decimal number. */
    return s % 1000000000000ull;
}
