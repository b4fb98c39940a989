/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The packet at a site, for `trace --pcap`: where a probe's arguments let
 * generated code find it, and the code that copies it into an event.
 */
#ifndef __BPFSDT_PACKET_COPY_H
#define __BPFSDT_PACKET_COPY_H

#include "discover/discover.h"
#include "insn/emit.h"

enum sdt_packet_kind {
	SDT_PKT_XDP = 1,	/* argument arg is the XDP context */
	SDT_PKT_SKB,		/* argument arg is the __sk_buff context */
	SDT_PKT_RANGE,		/* arguments arg .. end_arg bound the bytes */
};

struct sdt_packet_source {
	enum sdt_packet_kind kind;
	int arg, end_arg;
};

/* The first context argument of probe, else the first pointer argument
 * followed by another pointer. 0, or -EINVAL with why filled. */
int sdt_packet_source_find(const struct btf *btf, const struct bpf_sdt_probe *probe,
			   struct sdt_packet_source *src, char *why, size_t why_size);

/* Bytes an event's packet trailer takes for snaplen. */
#define SDT_PACKET_TRAILER(snaplen) (8 + (((snaplen) + 7) & ~7u))

/*
 * Copies the packet into the event at r7 (a ring buffer reservation): u32
 * captured length at off, u32 whole length at off + 4, the bytes from
 * off + 8 (room for snaplen). r6 holds the argument array; uses r0..r5, r8,
 * r9. A copy that fails leaves captured length 0.
 */
void sdt_emit_packet_copy(struct sdt_insn_buf *b, const struct sdt_packet_source *src,
			  __s16 off, __u32 snaplen);

#endif
