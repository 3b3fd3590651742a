#define _GNU_SOURCE
#include "cshim.h"
#include <crypt.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>
#include <locale.h>
#include <pthread.h>
#include <wchar.h>

extern char **environ;

int cshim_pipe2_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int cshim_set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

pid_t cshim_spawn(const char *const argv[], int in_fd, int out_fd, int err_fd, int new_pgroup) {
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
    posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
    posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    if (new_pgroup) {
        flags |= POSIX_SPAWN_SETPGROUP;
        posix_spawnattr_setpgroup(&attr, 0);
    }
    posix_spawnattr_setflags(&attr, flags);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, &attr, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    return rc == 0 ? pid : -rc;
}

int cshim_openpty(int *master, int *terminal) {
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0) return -1;
    char name[128];
    if (grantpt(m) != 0 || unlockpt(m) != 0 || ptsname_r(m, name, sizeof name) != 0) { close(m); return -1; }
    int t = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (t < 0) { close(m); return -1; }
    *master = m;
    *terminal = t;
    return 0;
}

int cshim_epoll_wait(int epfd, struct epoll_event *events, int max, int timeout_ms) {
    int n;
    do { n = epoll_wait(epfd, events, max, timeout_ms); } while (n < 0 && errno == EINTR);
    return n;
}

#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wc23-extensions"
static const unsigned char agent_py[] = {
#embed "agent.py"
};
static const unsigned char helper_py[] = {
#embed "helper.py"
};
#pragma clang diagnostic pop

const unsigned char *swansible_agent_py(size_t *len) { *len = sizeof(agent_py); return agent_py; }
const unsigned char *swansible_helper_py(size_t *len) { *len = sizeof(helper_py); return helper_py; }

int cshim_crypt(const char *key, const char *salt, char *out, size_t out_len) {
    struct crypt_data data;
    memset(&data, 0, sizeof data);
    const char *r = crypt_r(key, salt, &data);
    if (!r || r[0] == '*' || strlen(r) + 1 > out_len) return -1;
    memcpy(out, r, strlen(r) + 1);
    return 0;
}

int cshim_strptime(const char *s, const char *format, struct tm *out) {
    memset(out, 0, sizeof *out);
    const char *end = strptime(s, format, out);
    return end ? (int)(end - s) : -1;
}

long cshim_deflate(const unsigned char *in, size_t len, unsigned char *out, size_t cap) {
    uLongf outLen = (uLongf)cap;
    if (compress2(out, &outLen, in, (uLong)len, 9) != Z_OK) return -1;
    return (long)outLen;
}

// Frame compression: one raw-deflate stream per direction and agent, flushed with Z_SYNC_FLUSH
// after every frame so each frame can be read at once while later frames still refer back to
// earlier ones (repeated task messages shrink to their differences). The 4-byte empty block the
// flush ends with is left off the wire and put back before inflating.
static const unsigned char sync_tail[4] = {0, 0, 0xff, 0xff};

void *cshim_zstream_new(int deflating) {
    z_stream *z = calloc(1, sizeof *z);
    if (!z) return NULL;
    int rc = deflating ? deflateInit2(z, 6, Z_DEFLATED, -13, 5, Z_DEFAULT_STRATEGY) : inflateInit2(z, -15);
    if (rc != Z_OK) { free(z); return NULL; }
    return z;
}

void cshim_zstream_free(void *stream, int deflating) {
    if (!stream) return;
    if (deflating) deflateEnd(stream); else inflateEnd(stream);
    free(stream);
}

static unsigned char *grow(unsigned char *buf, size_t *cap, size_t used, size_t max) {
    if (*cap >= max) return NULL;
    size_t next = *cap * 2 < max ? *cap * 2 : max;
    unsigned char *b = realloc(buf, next);
    if (b) *cap = next;
    return b;
}

unsigned char *cshim_zstream_run(void *stream, int deflating, const unsigned char *in, size_t len, size_t max, size_t *out_len) {
    z_stream *z = stream;
    size_t cap = len / 2 + 64, used = 0;
    unsigned char *out = malloc(cap);
    if (!out) return NULL;
    // Inflating reads the frame, then the tail the sender left off.
    const unsigned char *parts[2] = {in, sync_tail};
    size_t sizes[2] = {len, sizeof sync_tail};
    for (int p = 0; p < (deflating ? 1 : 2); p++) {
        z->next_in = (unsigned char *)parts[p];
        z->avail_in = (uInt)sizes[p];
        do {
            if (used == cap) {
                unsigned char *b = grow(out, &cap, used, max + 4);
                if (!b) { free(out); return NULL; }
                out = b;
            }
            z->next_out = out + used;
            z->avail_out = (uInt)(cap - used);
            int rc = deflating ? deflate(z, Z_SYNC_FLUSH) : inflate(z, Z_SYNC_FLUSH);
            if (rc != Z_OK && rc != Z_BUF_ERROR) { free(out); return NULL; }
            used = cap - z->avail_out;
        } while (z->avail_in > 0 || z->avail_out == 0);
    }
    if (deflating) {
        if (used < 4 || memcmp(out + used - 4, sync_tail, 4) != 0) { free(out); return NULL; }
        used -= 4;
    }
    if (used > max) { free(out); return NULL; }
    *out_len = used;
    return out;
}

static locale_t utf8_locale = (locale_t)0;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;
static void make_utf8_locale(void) { utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0); }

int cshim_wcwidth(unsigned int c) {
    pthread_once(&utf8_once, make_utf8_locale);
    locale_t utf8 = utf8_locale;
    if (utf8 == (locale_t)0) return -1;
    locale_t before = uselocale(utf8);
    int w = wcwidth((wchar_t)c);
    uselocale(before);
    return w;
}
