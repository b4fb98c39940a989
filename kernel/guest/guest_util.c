// SPDX-License-Identifier: GPL-2.0
/* Helpers the guest tests share (guest_util.h). */
#define _GNU_SOURCE /* sched_setaffinity() */
#include <errno.h>
#include <sched.h>
#include <unistd.h>
#include <string.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "guest_util.h"
#include "guest.h"

static const unsigned char nop5[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };

void make_frame(unsigned char *pkt, size_t len, unsigned short ethertype)
{
	memset(pkt, 0, len);
	memset(pkt, 0xff, ETH_ALEN);			/* destination: broadcast */
	memcpy(pkt + ETH_ALEN, "\x02\x00\x00\x00\x00\x01", ETH_ALEN);
	pkt[12] = ethertype >> 8;
	pkt[13] = ethertype & 0xff;
}

int xdp_test_run(int prog_fd, unsigned short ethertype, unsigned int repeat, __u32 *avg_ns)
{
	unsigned char pkt[64];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = repeat);
	int err;

	make_frame(pkt, sizeof(pkt), ethertype);
	err = bpf_prog_test_run_opts(prog_fd, &opts);
	if (err)
		return FAIL_NOTE("BPF_PROG_TEST_RUN: %s", strerror(-err)), -1;
	if (avg_ns)
		*avg_ns = opts.duration;
	return (int)opts.retval;
}

int prog_dump(int fd, struct bpf_insn *xlated, __u32 *xlated_cnt, unsigned char *jited,
	      __u32 *jited_len)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (xlated) {
		info.xlated_prog_insns = (unsigned long)xlated;
		info.xlated_prog_len = *xlated_cnt * sizeof(*xlated);
	}
	info.jited_prog_insns = (unsigned long)jited;
	info.jited_prog_len = *jited_len;
	if (bpf_prog_get_info_by_fd(fd, &info, &len))
		return FAIL_NOTE("BPF_OBJ_GET_INFO_BY_FD: %s", strerror(errno)), -1;
	if (info.jited_prog_len > *jited_len)
		return FAIL_NOTE("JITed image of %u bytes, buffer of %u", info.jited_prog_len,
				 *jited_len), -1;
	if (xlated)
		*xlated_cnt = info.xlated_prog_len / sizeof(*xlated);
	*jited_len = info.jited_prog_len;
	return 0;
}

int count_nop5(const unsigned char *code, __u32 len)
{
	__u32 i;
	int n = 0;

	for (i = 0; i + sizeof(nop5) <= len; i++)
		if (!memcmp(code + i, nop5, sizeof(nop5)))
			n++;
	return n;
}

static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *cpu1_loop_run(void *p)
{
	struct cpu1_loop *loop = p;

	pin_to_cpu(1);
	while (!loop->stop) {
		if (xdp_test_run(loop->fd, loop->ethertype, 20, NULL) != loop->verdict)
			loop->bad_verdicts++;
		loop->runs += 20;
	}
	return NULL;
}

int cpu1_loop_start(struct cpu1_loop *loop)
{
	pin_to_cpu(0);
	loop->stop = 0;
	if (pthread_create(&loop->thread, NULL, cpu1_loop_run, loop))
		return FAIL_NOTE("pthread_create failed"), -1;
	loop->started = true;
	return 0;
}

int cpu1_loop_stop(struct cpu1_loop *loop)
{
	cpu_set_t set;

	if (!loop->started)
		return 0;
	loop->started = false;
	loop->stop = 1;
	pthread_join(loop->thread, NULL);
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	CPU_SET(1, &set);
	sched_setaffinity(0, sizeof(set), &set);
	if (loop->bad_verdicts)
		return FAIL_NOTE("%d of %lu runs on CPU 1 did not end with verdict %d",
				 loop->bad_verdicts, loop->runs, loop->verdict), -1;
	return 0;
}

void cpu1_loop_end(struct cpu1_loop *loop)
{
	cpu1_loop_stop(loop);
}

void close_fdp(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

struct bpf_object *open_load_attached(const char *file, int target_fd, const char *const *progs,
				      const char *const *funcs, char *log, size_t log_size)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .kernel_log_buf = log,
		    .kernel_log_size = log_size, .kernel_log_level = log ? 1 : 0);
	struct bpf_object *obj = bpf_object__open_file(obj_path(file), &opts);
	struct bpf_program *prog;
	int err, i;

	if (!obj)
		return FAIL_NOTE("open %s: %s", file, strerror(errno)), NULL;
	DEFER(bpf_object__close, obj);
	bpf_object__for_each_program(prog, obj) {
		bool wanted = !progs;

		for (i = 0; progs && progs[i]; i++) {
			if (strcmp(bpf_program__name(prog), progs[i]))
				continue;
			wanted = true;
			err = bpf_program__set_attach_target(prog, target_fd, funcs[i]);
			if (err)
				return FAIL_NOTE("set_attach_target(%s, \"%s\"): %s", progs[i],
						 funcs[i], strerror(-err)), NULL;
		}
		bpf_program__set_autoload(prog, wanted);
	}
	err = bpf_object__load(obj);
	if (err) {
		if (!log)
			FAIL_NOTE("load %s: %s", file, strerror(-err));
		test_cleanup(obj);
		errno = -err;
		return NULL;
	}
	return obj;
}
