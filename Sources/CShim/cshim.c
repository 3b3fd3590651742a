#define _GNU_SOURCE
#include "cshim.h"
#include <crypt.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include <zlib.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

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
#pragma clang diagnostic pop

const unsigned char *swansible_agent_py(size_t *len) {
    *len = sizeof(agent_py);
    return agent_py;
}

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
