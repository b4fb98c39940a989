/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Loading test observers and targets, running programs on packets. */
#ifndef __BPFSDT_TEST_OBSERVER_HELPERS_H
#define __BPFSDT_TEST_OBSERVER_HELPERS_H

#include <bpf/libbpf.h>
#include <stddef.h>

/* Opens and loads build/tests/bpf/observers/<name>.bpf.o (after
 * libbpfsdt_init()); NULL on failure. */
struct bpf_object *observer_open(const char *name);
/* First program of obj. */
struct bpf_program *observer_prog(struct bpf_object *obj);
struct bpf_sdt_attach_opts;
/* Attach options naming obj as the observer's object, so that it may use
 * the maps it created (its globals); valid until the next call. */
const struct bpf_sdt_attach_opts *observer_opts(const struct bpf_object *obj);
/* Copies global variable `name` of a loaded object (found through its
 * BTF, wherever the compiler placed it) into buf; 0 on success. */
int observer_read_var(struct bpf_object *obj, const char *name, void *buf, size_t size);
/* The same for an integer variable of up to 8 bytes; -1 if absent. */
long long observer_var(struct bpf_object *obj, const char *name);

/* Runs prog_fd once on a packet of pkt_len bytes (an Ethernet frame with
 * payload bytes 0, 1, 2, ...); returns the program's return value or -1. */
int run_packet(int prog_fd, size_t pkt_len);

#endif
