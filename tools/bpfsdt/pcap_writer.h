/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * trace --pcap: the packets events carry, written with libpcap.
 *
 * libpcap 1.10 (Debian 12) writes only the classic pcap format: it reads
 * pcapng but has no writer for it, and so no per-packet comments. The file
 * is therefore pcap (nanosecond timestamps, Ethernet link type), and what a
 * pcapng comment would have said -- probe, site, arguments -- is the
 * event's line on standard output, which names the packet's frame number
 * in the file ("frame 3"; JSON "frame": 3) and carries the same timestamp.
 */
#ifndef __BPFSDT_PCAP_WRITER_H
#define __BPFSDT_PCAP_WRITER_H

#include "libbpfsdt.h"

struct pcap_writer;

/* path "-": standard output. NULL after one line saying why. */
struct pcap_writer *pcap_writer_open(const char *path, __u32 snaplen);
/* Appends ev's packet; returns its frame number (1, 2, ...). */
unsigned long long pcap_writer_add(struct pcap_writer *w, const struct bpf_sdt_event *ev);
/* 0, or -EIO once a write failed. */
int pcap_writer_flush(struct pcap_writer *w);
int pcap_writer_close(struct pcap_writer *w);

#endif
