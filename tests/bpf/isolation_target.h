/* The types isolation_target's probes hand their observers pointers to:
 * one definition for the target and the observers written against it. */
#ifndef __BPFSDT_TEST_ISOLATION_TARGET_H
#define __BPFSDT_TEST_ISOLATION_TARGET_H

#include <linux/bpf.h>
#include <linux/types.h>

/* On the target's stack: state_probe's argument. */
struct state {
	__u64 action;
	__u64 bytes;
};

/* A map value behind a spin lock: what locked_probe's void * points to. */
struct locked {
	struct bpf_spin_lock lock;
	__u64 packets;
};

#endif
