/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tests/corpus/subset.txt: the kernel selftests programs `make check` loads
 * and runs (and sweep arms), each with the programs it needs beside it,
 * its map contents and its packets with their verdicts. The format is
 * described at the top of that file.
 */
#ifndef __BPFSDT_CORPUS_SUBSET_H
#define __BPFSDT_CORPUS_SUBSET_H

#include <stddef.h>
#include <linux/bpf.h>

#define CORPUS_NAME_MAX 96
#define CORPUS_BYTES_MAX 64
#define CORPUS_LIST_MAX 8

struct corpus_map_entry {
	char map[CORPUS_NAME_MAX];
	unsigned char key[CORPUS_BYTES_MAX];
	size_t key_size;
	unsigned char value[CORPUS_BYTES_MAX];
	size_t value_size;
	char value_prog[CORPUS_NAME_MAX];	/* "prog:NAME": that program's fd */
};

struct corpus_run {
	char packet[CORPUS_NAME_MAX];		/* tests/corpus/packets/NAME.bin */
	long long retval;
	long size_out;				/* -1: not checked */
	unsigned char out_prefix[CORPUS_BYTES_MAX];	/* the output's first bytes */
	size_t out_prefix_size;			/* 0: not checked */
};

struct corpus_prog {
	int line;				/* of its "prog" line */
	char object[CORPUS_NAME_MAX];
	char program[CORPUS_NAME_MAX];
	enum bpf_prog_type type;		/* UNSPEC: libbpf's, from the section */
	char with[CORPUS_LIST_MAX][CORPUS_NAME_MAX];
	int with_cnt;
	struct corpus_map_entry maps[CORPUS_LIST_MAX];
	int map_cnt;
	struct corpus_run runs[CORPUS_LIST_MAX];
	int run_cnt;
};

/* Reads the subset at path into a malloc'ed array (*progs, *cnt). On a
 * malformed line returns -EINVAL with "FILE:LINE: why" in err. */
int corpus_subset_read(const char *path, struct corpus_prog **progs, size_t *cnt,
		       char *err, size_t err_size);

#endif
