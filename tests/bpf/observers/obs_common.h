/* Shared includes of the test observers. */
#ifndef __OBS_COMMON_H
#define __OBS_COMMON_H
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#endif
