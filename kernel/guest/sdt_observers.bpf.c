// SPDX-License-Identifier: GPL-2.0
/* Observers of sdt_target.bpf.c's and sdt_cost.bpf.c's probes.  Each test
 * loads only the observers it links (the others' autoload is off); all
 * record what they saw in the one-entry map `seen`.
 */
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "sdt_seen.h"
#include "sdt_target.h"

/* The kernel's view of an XDP context, which an SDT argument of type
 * struct xdp_md * is to an observer (as to fentry programs). */
struct xdp_buff {
	void *data;
	void *data_end;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sdt_seen);
} seen SEC(".maps");

static struct sdt_seen *get_seen(void)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&seen, &key);
}

SEC("bpf_sdt")
int BPF_PROG(on_pkt_seen_a, int where, int len)
{
	struct sdt_seen *s = get_seen();

	if (!s)
		return 0;
	s->hits[where & 3]++;
	s->len = len;
	s->a_order = ++s->seq;
	return 0;
}

/* the site's id follows the probe's arguments */
SEC("bpf_sdt")
int BPF_PROG(on_pkt_seen_id, int where, int len, __u64 site_id)
{
	struct sdt_seen *s = get_seen();

	if (s) {
		s->site_ids[where & 3] = site_id;
		s->cookie = bpf_get_attach_cookie(ctx);
	}
	return 0;
}

SEC("bpf_sdt")
int BPF_PROG(on_pkt_seen_b, int where, int len)
{
	struct sdt_seen *s = get_seen();

	if (s) {
		s->b_hits++;
		s->b_order = ++s->seq;
	}
	return 0;
}

SEC("bpf_sdt")
int BPF_PROG(on_lap, __u32 i)
{
	struct sdt_seen *s = get_seen();

	if (s) {
		__sync_fetch_and_add(&s->lap_hits, 1);
		__sync_fetch_and_add(&s->lap_sum, i);
	}
	return 0;
}

SEC("bpf_sdt")
int BPF_PROG(on_ints, __u8 u8v, __s16 s16v, __u32 u32v, __s64 s64v, bool boolv)
{
	struct sdt_seen *s = get_seen();

	if (s) {
		s->u8v = u8v;
		s->s16v = s16v;
		s->u32v = u32v;
		s->s64v = s64v;
		s->boolv = boolv;
	}
	return 0;
}

SEC("bpf_sdt")
int BPF_PROG(on_ptrs, struct xdp_buff *xdp, unsigned char *data, struct flow *f, __u64 *run)
{
	struct sdt_seen *s = get_seen();
	struct flow fl = {};
	unsigned char byte = 0;
	__u64 r = 0;

	if (!s)
		return 0;
	s->xdp_len = BPF_CORE_READ(xdp, data_end) - BPF_CORE_READ(xdp, data);
	bpf_probe_read_kernel(&byte, 1, data + 12);
	s->byte12 = byte;
	bpf_probe_read_kernel(&fl, sizeof(fl), f);
	s->flow_proto = fl.proto;
	s->flow_len = fl.len;
	bpf_probe_read_kernel(&r, sizeof(r), run);
	s->run = r;
	return 0;
}

SEC("bpf_sdt")
int BPF_PROG(on_verdict, enum xdp_action v)
{
	struct sdt_seen *s = get_seen();

	if (s)
		s->verdict = v;
	return 0;
}

SEC("bpf_sdt")
int BPF_PROG(on_step, __u32 i, __u64 acc)
{
	struct sdt_seen *s = get_seen();

	if (s)
		s->steps++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
