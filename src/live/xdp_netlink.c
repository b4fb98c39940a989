// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The probe of xdp_netlink.h, as a raw RTM_SETLINK: libbpf's
 * bpf_xdp_attach() would print the kernel's refusal, which is the answer
 * here, not an error.
 */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "live/xdp_netlink.h"

struct xdp_req {
	struct nlmsghdr nh;
	struct ifinfomsg ifi;
	char attrs[64];
};

static struct rtattr *add_attr(struct xdp_req *req, unsigned short type, const void *data,
			       size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)req + NLMSG_ALIGN(req->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	req->nh.nlmsg_len = NLMSG_ALIGN(req->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
	return rta;
}

int sdt_xdp_held_by_link(int ifindex, int prog_fd, __u32 mode)
{
	struct xdp_req req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
		.nh.nlmsg_type = RTM_SETLINK,
		.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
		.nh.nlmsg_seq = 1,
		.ifi.ifi_family = AF_UNSPEC,
		.ifi.ifi_index = ifindex,
	};
	char buf[4096] __attribute__((aligned(NLMSG_ALIGNTO)));
	__u32 flags = XDP_FLAGS_REPLACE | mode;
	struct nlmsghdr *nh;
	struct rtattr *xdp;
	int sock, err;
	ssize_t n;

	xdp = add_attr(&req, IFLA_XDP | NLA_F_NESTED, NULL, 0);
	add_attr(&req, IFLA_XDP_FD, &prog_fd, sizeof(prog_fd));
	add_attr(&req, IFLA_XDP_FLAGS, &flags, sizeof(flags));
	add_attr(&req, IFLA_XDP_EXPECTED_FD, &prog_fd, sizeof(prog_fd));
	xdp->rta_len = (unsigned short)((char *)&req + req.nh.nlmsg_len - (char *)xdp);

	sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (sock < 0)
		return -errno;
	if (send(sock, &req, req.nh.nlmsg_len, 0) < 0) {
		err = -errno;
		goto out;
	}
	do {
		n = recv(sock, buf, sizeof(buf), 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		err = -errno;
		goto out;
	}
	err = -EPROTO;
	for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, n); nh = NLMSG_NEXT(nh, n)) {
		if (nh->nlmsg_type != NLMSG_ERROR)
			continue;
		err = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
		break;
	}
	if (err == -EBUSY)
		err = 1;
out:
	close(sock);
	return err;
}
