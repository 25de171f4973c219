/* The kernel side of the lab's throughput and connection-rate benchmarks: small, fast TCP
 * programs on Linux's own stack (so the kernel-to-kernel reference is not limited by a script).
 * Built on the fly by test/interop/kernel-tools.ts (cc -O2); each prints one JSON line.
 *
 *   send HOST PORT SECS     connect, write 256 KiB blocks for SECS seconds, shut down, read to EOF
 *   sendn HOST PORT BYTES   the same, but exactly BYTES bytes
 *   sink ADDR PORT          accept one connection, read it to EOF, close
 *   accept-loop ADDR PORT   accept connections forever; read each to EOF, close (killed by the caller)
 *   connrate HOST PORT SECS serial connections: connect, send 1 byte, close
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static struct sockaddr_in addr_of(const char *host, const char *port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)atoi(port));
  if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
    fprintf(stderr, "bad address %s\n", host);
    exit(2);
  }
  return a;
}

static int listener(const char *host, const char *port) {
  struct sockaddr_in a = addr_of(host, port);
  int one = 1;
  int s = socket(AF_INET, SOCK_STREAM, 0);
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 4096) < 0) {
    perror("bind/listen");
    exit(1);
  }
  printf("{\"listening\":%s}\n", port);
  fflush(stdout);
  return s;
}

static char buf[1 << 18];

static long long drain(int c) {
  long long total = 0;
  for (;;) {
    ssize_t n = read(c, buf, sizeof buf);
    if (n > 0) total += n;
    else if (n == 0 || errno != EINTR) return total;
  }
}

static int cmd_send(const char *host, const char *port, double secs, long long limit) {
  struct sockaddr_in a = addr_of(host, port);
  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) {
    printf("{\"error\":\"%s\"}\n", strerror(errno));
    return 1;
  }
  memset(buf, 'x', sizeof buf);
  double t0 = now(), end = t0 + secs;
  long long sent = 0;
  while (limit >= 0 ? sent < limit : now() < end) {
    size_t want = sizeof buf;
    if (limit >= 0 && limit - sent < (long long)want) want = (size_t)(limit - sent);
    ssize_t n = write(s, buf, want);
    if (n < 0) {
      if (errno == EINTR) continue;
      printf("{\"error\":\"%s\",\"sent\":%lld}\n", strerror(errno), sent);
      return 1;
    }
    sent += n;
  }
  double t1 = now();
  shutdown(s, SHUT_WR);
  drain(s);
  double t2 = now();
  close(s);
  printf("{\"sent\":%lld,\"secs\":%.6f,\"secsToEof\":%.6f}\n", sent, t1 - t0, t2 - t0);
  return 0;
}

static int cmd_sink(const char *host, const char *port) {
  int l = listener(host, port);
  int c = accept(l, NULL, NULL);
  double t0 = now();
  long long got = drain(c);
  double t1 = now();
  close(c);
  printf("{\"got\":%lld,\"secs\":%.6f}\n", got, t1 - t0);
  return 0;
}

__attribute__((noreturn)) static void cmd_accept_loop(const char *host, const char *port) {
  int l = listener(host, port);
  for (;;) {
    int c = accept(l, NULL, NULL);
    if (c < 0) continue;
    drain(c);
    close(c);
  }
}

static int cmd_connrate(const char *host, const char *port, double secs) {
  struct sockaddr_in a = addr_of(host, port);
  double t0 = now(), end = t0 + secs;
  long long n = 0, errors = 0;
  while (now() < end) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(s, (struct sockaddr *)&a, sizeof a) == 0 && write(s, "x", 1) == 1) n++;
    else errors++;
    close(s);
  }
  double el = now() - t0;
  printf("{\"connections\":%lld,\"errors\":%lld,\"secs\":%.6f,\"perSec\":%.1f}\n", n, errors, el, n / el);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 5 && strcmp(argv[1], "send") == 0) return cmd_send(argv[2], argv[3], atof(argv[4]), -1);
  if (argc >= 5 && strcmp(argv[1], "sendn") == 0) return cmd_send(argv[2], argv[3], 0, atoll(argv[4]));
  if (argc >= 4 && strcmp(argv[1], "sink") == 0) return cmd_sink(argv[2], argv[3]);
  if (argc >= 4 && strcmp(argv[1], "accept-loop") == 0) cmd_accept_loop(argv[2], argv[3]);
  if (argc >= 5 && strcmp(argv[1], "connrate") == 0) return cmd_connrate(argv[2], argv[3], atof(argv[4]));
  fprintf(stderr, "usage: tcp-tool send HOST PORT SECS | sendn HOST PORT BYTES | sink ADDR PORT | accept-loop ADDR PORT | connrate HOST PORT SECS\n");
  return 2;
}
