/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers the guest tests share: running an XDP program on a frame and
 * reading back what the kernel made of a program (guest_util.c). Each
 * returns -1 after failing the test (FAIL_NOTE) with the reason. */
#ifndef GUEST_UTIL_H
#define GUEST_UTIL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>

/* A 64-byte-or-so Ethernet frame to broadcast with the given EtherType. */
void make_frame(unsigned char *pkt, size_t len, unsigned short ethertype);

/* Runs the XDP program prog_fd `repeat` times on a 64-byte frame of that
 * EtherType; returns its verdict, or -1 (with a reason) on error.  avg_ns,
 * if given, gets the kernel's average duration of one run. */
int xdp_test_run(int prog_fd, unsigned short ethertype, unsigned int repeat, __u32 *avg_ns);

/* The program as the kernel keeps it: its translated instructions (xlated
 * may be NULL) and JITed bytes; the counts are in/out. */
int prog_dump(int fd, struct bpf_insn *xlated, __u32 *xlated_cnt, unsigned char *jited,
	      __u32 *jited_len);

/* Runs prog_fd on a frame of `ethertype` in a loop on CPU 1 (20 runs per
 * BPF_PROG_TEST_RUN) until stopped, counting runs and verdicts other than
 * `verdict`; the caller is pinned to CPU 0 meanwhile. Stopping fails (with a
 * reason) if any run ended with another verdict. */
struct cpu1_loop {
	int fd;
	unsigned short ethertype;
	int verdict;
	volatile int stop;
	unsigned long runs;
	int bad_verdicts;
	pthread_t thread;
	bool started;
};

int cpu1_loop_start(struct cpu1_loop *loop);
int cpu1_loop_stop(struct cpu1_loop *loop);
/* Stops it if it runs: for __cleanup(), when a test stops halfway. */
void cpu1_loop_end(struct cpu1_loop *loop);

/* Closes *fd if open: int fd __cleanup(close_fdp) = -1; */
void close_fdp(int *fd);

struct bpf_object;
/* Opens and loads file (closed after the test), loading only progs (all
 * when NULL), each attached to funcs[i] of target_fd. NULL if it does not
 * load: the test failed, unless log is given (the verifier's log is there). */
struct bpf_object *open_load_attached(const char *file, int target_fd, const char *const *progs,
				      const char *const *funcs, char *log, size_t log_size);

/* How many x86 5-byte NOPs (0f 1f 44 00 00, the ones SDT sites become) the code holds. */
int count_nop5(const unsigned char *code, __u32 len);

#endif
