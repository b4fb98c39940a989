// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Floods the XDP program running on IFACE (in this network namespace) from
 * one core: BPF_PROG_TEST_RUN of whatever program the hook holds when it
 * starts (an armed copy, once bpfsdt trace has armed it), batch after
 * batch, for SECONDS; as fast as it goes, or RATE runs a second (a batch
 * each millisecond).
 *
 *   flood IFACE SECONDS [RATE]
 *
 * Prints "runs N seconds S": each run is one packet through the program.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define BATCH 20000

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned char pkt[64] = { [12] = 0x08, [14] = 0x45 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = BATCH);
	double seconds = argc > 2 ? atof(argv[2]) : 0, rate = argc > 3 ? atof(argv[3]) : 0;
	unsigned long long runs = 0;
	double start, t;
	__u32 id = 0;
	int ifindex, fd;

	if (argc < 3 || argc > 4 || seconds <= 0 || rate < 0) {
		fprintf(stderr, "usage: flood IFACE SECONDS [RATE]\n");
		return 2;
	}
	if (rate)
		opts.repeat = rate / 1000 < 1 ? 1 : (__u32)(rate / 1000);
	ifindex = (int)if_nametoindex(argv[1]);
	if (!ifindex || bpf_xdp_query_id(ifindex, 0, &id) || !id) {
		fprintf(stderr, "flood: no XDP program on %s\n", argv[1]);
		return 1;
	}
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0) {
		perror("flood: program");
		return 1;
	}
	start = now();
	do {
		if (bpf_prog_test_run_opts(fd, &opts)) {
			perror("flood: BPF_PROG_TEST_RUN");
			return 1;
		}
		runs += opts.repeat;
		t = now() - start;
		if (rate && runs / rate > t) { /* ahead: wait for the schedule */
			struct timespec ts = { 0, (long)((runs / rate - t) * 1e9) };

			nanosleep(&ts, NULL);
			t = now() - start;
		}
	} while (t < seconds);
	printf("runs %llu seconds %.3f\n", runs, t);
	close(fd);
	return 0;
}
