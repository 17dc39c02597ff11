/* harness/files.c -- paths, small files and the run directory's lock. */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* snprintf for paths: a path that does not fit is an error, not a silently
   truncated file name. */
void pathf(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    if (len < 0 || (size_t)len >= n)
        run_usage("path too long: %s...", buf);
}

char *read_small_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    char *buf = NULL;
    size_t cap = 0;
    ssize_t len = getdelim(&buf, &cap, '\0', f);
    fclose(f);
    if (len < 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

void utc_now(char *buf, size_t n, const char *fmt)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, fmt, &tm);
}

void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(f, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(f, "\\u%04x", *s);
        else
            fputc(*s, f);
    }
    fputc('"', f);
}

void json_value(const char *meta, const char *key, char *out, size_t n)
{
    char pat[128];
    size_t len = 0;
    snprintf(pat, sizeof pat, "\"%s\": \"", key);
    const char *p = meta ? strstr(meta, pat) : NULL;
    for (p = p ? p + strlen(pat) : ""; *p && *p != '"' && len + 1 < n; p++)
        out[len++] = *p == '\\' && p[1] ? *++p : *p;
    out[len] = '\0';
}

/* mkdir -p; 0, or -1 with errno from the level that failed. */
int mkdirs(const char *path)
{
    char buf[4200];
    PATHF(buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        return -1;
    struct stat st;
    if (stat(buf, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

/* results/latest -> the newest run, replaced atomically. */
void update_latest(const char *dir)
{
    char parent[4200], tmp[4300], link[4300];
    PATHF(parent, "%s", dir);
    char *slash = strrchr(parent, '/');
    const char *base = slash ? slash + 1 : parent;
    if (slash)
        *slash = '\0';
    else
        PATHF(parent, ".");
    PATHF(tmp, "%s/.latest.tmp", parent);
    PATHF(link, "%s/latest", parent);
    remove(tmp);
    if (symlink(base, tmp) == 0)
        rename(tmp, link);
}

/* flock, not a pid file: the kernel releases it when the runner dies, so a
   crashed runner never leaves a directory locked.  The file also names the
   holder, for the message a second runner prints. */
int lock_run_dir(const char *dir, long *holder)
{
    char path[4200];
    PATHF(path, "%s/.lock", dir);
    *holder = 0;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        char buf[32] = "";
        ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
        if (n > 0)
            *holder = strtol(buf, NULL, 10);
        close(fd);
        errno = err;
        return -1;
    }
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
        /* The lock holds without the pid; only the message loses it. */
    }
    return 0;                   /* fd stays open: the lock lives as long as we do */
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* rm -rf, not following links. */
void remove_tree(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A hard link where the file system allows (the runs stay as they are, and
   nothing is copied), else a copy. */
int link_or_copy(const char *from, const char *to)
{
    if (link(from, to) == 0)
        return 0;
    char *data = read_small_file(from);
    struct stat st;
    int rc = data && stat(from, &st) == 0 ? write_file_atomic(to, data, (size_t)st.st_size) : -1;
    free(data);
    return rc;
}
