// The few Linux calls Glibc's Swift overlay lacks (epoll, eventfd, pipe2, spawning with
// our own fds), and the embedded agent.py.
#ifndef CSHIM_H
#define CSHIM_H
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/types.h>

int cshim_pipe2_cloexec(int fds[2]);
int cshim_set_nonblocking(int fd);
// Starts argv[0] (searched in PATH) with stdin/stdout/stderr on the given fds, in its own
// process group when new_pgroup is set. Returns the pid or -errno.
pid_t cshim_spawn(const char *const argv[], int in_fd, int out_fd, int err_fd, int new_pgroup);
/// A pseudo-terminal, both ends close-on-exec and neither the caller's controlling terminal; 0 or -1.
int cshim_openpty(int *master, int *terminal);
int cshim_epoll_wait(int epfd, struct epoll_event *events, int max, int timeout_ms);
const unsigned char *swansible_agent_py(size_t *len);
/// helper.py: what the controller's own helper agent runs before agent.py (Python plugins).
const unsigned char *swansible_helper_py(size_t *len);
// zlib's compress2 at the best level; returns the compressed size or -1.
long cshim_deflate(const unsigned char *in, size_t len, unsigned char *out, size_t cap);
// Per-frame compression on a persistent raw-deflate stream (see cshim.c). run returns a malloc'd
// buffer the caller frees, or NULL on a corrupt stream or an output above max bytes.
void *cshim_zstream_new(int deflating);
void cshim_zstream_free(void *stream, int deflating);
unsigned char *cshim_zstream_run(void *stream, int deflating, const unsigned char *in, size_t len, size_t max, size_t *out_len);
struct tm;
// strptime(3): returns how many characters were parsed, or -1.
int cshim_strptime(const char *s, const char *format, struct tm *out);
// crypt(3) into a caller buffer (thread-safe crypt_r); returns 0 on success.
int cshim_crypt(const char *key, const char *salt, char *out, size_t out_len);
// wcwidth(3) of a code point as a UTF-8 locale has it (C.UTF-8, whatever the process's locale).
int cshim_wcwidth(unsigned int c);
#endif
