// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Listing the BPF programs on a tc hook of this network namespace. tcx
 * links come from BPF_PROG_QUERY on the interface; cls_bpf filters from an
 * RTM_GETTFILTER dump of the clsact qdisc's ingress or egress block, the one
 * query libbpf's netlink API lacks.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "util/util.h"
#include "live/tc_filters.h"
#include "util/uapi_compat.h"

struct tc_list {
	struct sdt_tc_prog *progs;
	int cnt, cap;
};

static struct sdt_tc_prog *tc_list_add(struct tc_list *l)
{
	if (l->cnt == l->cap) {
		int cap = l->cap ? 2 * l->cap : 4;
		struct sdt_tc_prog *p = realloc(l->progs, cap * sizeof(*p));

		if (!p)
			return NULL;
		l->progs = p;
		l->cap = cap;
	}
	memset(&l->progs[l->cnt], 0, sizeof(l->progs[0]));
	return &l->progs[l->cnt++];
}

/* BPF_PROG_QUERY's attributes as kernel 6.6 has them: libbpf 1.1's
 * bpf_prog_query_opts lacks link_ids. */
struct tcx_query_attr {
	__u32 target_ifindex;
	__u32 attach_type;
	__u32 query_flags;
	__u32 attach_flags;
	__u64 prog_ids;
	__u32 count;
	__u32 :32;
	__u64 prog_attach_flags;
	__u64 link_ids;
	__u64 link_attach_flags;
	__u64 revision;
};

static int tcx_query(int ifindex, __u32 attach_type, __u32 *prog_ids, __u32 *link_ids,
		     __u32 *count)
{
	struct tcx_query_attr attr = {
		.target_ifindex = (__u32)ifindex,
		.attach_type = attach_type,
		.prog_ids = (__u64)(unsigned long)prog_ids,
		.link_ids = (__u64)(unsigned long)link_ids,
		.count = *count,
	};

	if (syscall(__NR_bpf, BPF_PROG_QUERY, &attr, sizeof(attr)) < 0)
		return -errno;
	*count = attr.count;
	return 0;
}

/* The tcx links on the hook, asked of the kernel by ifindex: the kernel
 * resolves it in this process's network namespace (the system-wide link
 * table only says ifindex, which other namespaces reuse). */
static int list_tcx_links(int ifindex, bool egress, struct tc_list *l)
{
	__u32 type = egress ? SDT_TCX_EGRESS : SDT_TCX_INGRESS, cnt = 0, i;
	__u32 *prog_ids = NULL, *link_ids = NULL;
	int err;

	err = tcx_query(ifindex, type, NULL, NULL, &cnt);
	while (!err && cnt) {
		__u32 want = cnt;

		free(prog_ids);
		free(link_ids);
		prog_ids = calloc(want, sizeof(*prog_ids));
		link_ids = calloc(want, sizeof(*link_ids));
		if (!prog_ids || !link_ids) {
			err = -ENOMEM;
			break;
		}
		err = tcx_query(ifindex, type, prog_ids, link_ids, &cnt);
		if (err == -ENOSPC) /* more were attached meanwhile */
			err = 0;
		else if (!err)
			break;
	}
	if (err == -EINVAL) /* a kernel without tcx */
		err = 0;
	for (i = 0; !err && i < cnt; i++) {
		struct sdt_tc_prog *p = tc_list_add(l);

		if (!p) {
			err = -ENOMEM;
			break;
		}
		p->tcx = true;
		p->prog_id = prog_ids[i];
		p->link_id = link_ids[i];
	}
	free(prog_ids);
	free(link_ids);
	return err;
}

/* The attribute of type `type` in [attr, attr + len), or NULL. */
static struct rtattr *find_attr(struct rtattr *attr, int len, unsigned short type)
{
	for (; RTA_OK(attr, len); attr = RTA_NEXT(attr, len))
		if ((attr->rta_type & NLA_TYPE_MASK) == type)
			return attr;
	return NULL;
}

static __u32 attr_u32(struct rtattr *attr)
{
	__u32 v = 0;

	if (attr && RTA_PAYLOAD(attr) >= sizeof(v))
		memcpy(&v, RTA_DATA(attr), sizeof(v));
	return v;
}

/* One RTM_NEWTFILTER of the dump: a cls_bpf filter goes into l. The dump
 * also has one message per filter list (handle 0, no options): skipped. */
static int add_filter(struct nlmsghdr *nh, struct tc_list *l)
{
	struct tcmsg *tcm = NLMSG_DATA(nh);
	int len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*tcm));
	struct rtattr *attrs = (struct rtattr *)((char *)tcm + NLMSG_ALIGN(sizeof(*tcm)));
	struct rtattr *kind, *opts, *id;
	struct sdt_tc_prog *p;
	int opts_len;

	if (len < 0 || !tcm->tcm_handle)
		return 0;
	kind = find_attr(attrs, len, TCA_KIND);
	opts = find_attr(attrs, len, TCA_OPTIONS);
	if (!kind || !opts || strncmp(RTA_DATA(kind), "bpf", RTA_PAYLOAD(kind)))
		return 0;
	opts_len = RTA_PAYLOAD(opts);
	id = find_attr(RTA_DATA(opts), opts_len, TCA_BPF_ID);
	if (!id)
		return 0; /* a classic-BPF filter */
	p = tc_list_add(l);
	if (!p)
		return -ENOMEM;
	p->prog_id = attr_u32(id);
	p->handle = tcm->tcm_handle;
	p->priority = TC_H_MAJ(tcm->tcm_info) >> 16;
	p->direct_action = attr_u32(find_attr(RTA_DATA(opts), opts_len, TCA_BPF_FLAGS)) &
			   TCA_BPF_FLAG_ACT_DIRECT;
	p->has_classid = find_attr(RTA_DATA(opts), opts_len, TCA_BPF_CLASSID) != NULL;
	p->all_protocols = TC_H_MIN(tcm->tcm_info) == htons(ETH_P_ALL);
	return 0;
}

static int dump_cls_bpf(int ifindex, bool egress, struct tc_list *l)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg tcm;
	} req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg)),
		.nh.nlmsg_type = RTM_GETTFILTER,
		.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.nh.nlmsg_seq = 1,
		.tcm.tcm_family = AF_UNSPEC,
		.tcm.tcm_ifindex = ifindex,
		.tcm.tcm_parent = TC_H_MAKE(TC_H_CLSACT,
					    egress ? TC_H_MIN_EGRESS : TC_H_MIN_INGRESS),
	};
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	int sock, err = 0;
	bool done = false;

	sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (sock < 0)
		return -errno;
	if (send(sock, &req, req.nh.nlmsg_len, 0) < 0) {
		err = -errno;
		goto out;
	}
	while (!done && !err) {
		ssize_t n = recv(sock, buf, sizeof(buf), 0);
		struct nlmsghdr *nh;

		if (n < 0) {
			err = errno == EINTR ? 0 : -errno;
			continue;
		}
		for (nh = (struct nlmsghdr *)buf; !err && NLMSG_OK(nh, n); nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_seq != req.nh.nlmsg_seq)
				continue;
			if (nh->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (nh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nh);

				err = e->error;
				/* no clsact qdisc: no filters */
				if (err == -EINVAL || err == -ENOENT)
					err = 0;
				done = true;
				break;
			}
			if (nh->nlmsg_type == RTM_NEWTFILTER)
				err = add_filter(nh, l);
		}
		if (n == 0)
			done = true;
	}
out:
	close(sock);
	return err;
}

int sdt_tc_list(int ifindex, bool egress, struct sdt_tc_prog **progs)
{
	struct tc_list l = {};
	int err;

	err = list_tcx_links(ifindex, egress, &l);
	if (!err)
		err = dump_cls_bpf(ifindex, egress, &l);
	if (err) {
		free(l.progs);
		return err;
	}
	*progs = l.progs;
	return l.cnt;
}
