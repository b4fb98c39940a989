// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* trace --pcap (pcap_writer.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "pcap_writer.h"

#ifdef BPFSDT_NO_LIBPCAP
/*
 * The static guest build (kernel/kernel-test.sh): Debian ships libpcap.a but
 * not the static libsystemd its dbus capture source needs, so that bpfsdt
 * has no --pcap and says so.
 */
struct pcap_writer *pcap_writer_open(const char *path, __u32 snaplen)
{
	cli_error("trace: --pcap %s: this bpfsdt was built without libpcap", path);
	return NULL;
}

unsigned long long pcap_writer_add(struct pcap_writer *w, const struct bpf_sdt_event *ev)
{
	return 0;
}

int pcap_writer_flush(struct pcap_writer *w)
{
	return -EOPNOTSUPP;
}

int pcap_writer_close(struct pcap_writer *w)
{
	return 0;
}
#else
#include <pcap/pcap.h>

struct pcap_writer {
	pcap_t *dead;
	pcap_dumper_t *dump;
	unsigned long long frames;
	bool failed;
};

struct pcap_writer *pcap_writer_open(const char *path, __u32 snaplen)
{
	struct pcap_writer *w = calloc(1, sizeof(*w));

	if (!w) {
		cli_error("trace: --pcap %s: out of memory", path);
		return NULL;
	}
	w->dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, (int)snaplen,
						       PCAP_TSTAMP_PRECISION_NANO);
	if (!w->dead) {
		cli_error("trace: --pcap %s: libpcap cannot make a capture handle", path);
		free(w);
		return NULL;
	}
	w->dump = pcap_dump_open(w->dead, path);
	if (!w->dump) {
		cli_error("trace: --pcap %s: %s", path, pcap_geterr(w->dead));
		pcap_close(w->dead);
		free(w);
		return NULL;
	}
	return w;
}

unsigned long long pcap_writer_add(struct pcap_writer *w, const struct bpf_sdt_event *ev)
{
	struct pcap_pkthdr h = {};

	/* nanosecond precision: tv_usec holds nanoseconds */
	h.ts.tv_sec = (time_t)(ev->wall_ns / 1000000000ULL);
	h.ts.tv_usec = (suseconds_t)(ev->wall_ns % 1000000000ULL);
	h.caplen = ev->packet ? ev->packet_len : 0;
	h.len = ev->packet_wire_len > h.caplen ? ev->packet_wire_len : h.caplen;
	pcap_dump((u_char *)w->dump, &h, ev->packet ? ev->packet : (const void *)"");
	return ++w->frames;
}

int pcap_writer_flush(struct pcap_writer *w)
{
	if (!w->failed && pcap_dump_flush(w->dump))
		w->failed = true;
	return w->failed ? -EIO : 0;
}

int pcap_writer_close(struct pcap_writer *w)
{
	int err;

	if (!w)
		return 0;
	err = pcap_writer_flush(w);
	if (ferror(pcap_dump_file(w->dump)))
		err = -EIO;
	pcap_dump_close(w->dump);
	pcap_close(w->dead);
	free(w);
	return err;
}
#endif /* BPFSDT_NO_LIBPCAP */
