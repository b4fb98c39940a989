/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Shared test utilities: build-tree paths, running commands, capturing
 * library diagnostics. */
#ifndef __BPFSDT_TEST_HELPERS_H
#define __BPFSDT_TEST_HELPERS_H

#include <stddef.h>
#include <unistd.h>

#ifndef TEST_BUILD_DIR
#define TEST_BUILD_DIR "build"
#endif

/* Path of a built corpus object, e.g. corpus_path("basic") ->
 * build/tests/bpf/basic.bpf.o; variant "v1"/"v2" or NULL (v3). The result
 * lives until the next few calls (rotating static buffers). */
const char *corpus_path(const char *name);
const char *corpus_variant_path(const char *variant, const char *name);
const char *bpfsdt_bin(void);

struct cmd_result {
	int status;	/* exit code, or 128 + signal */
	char *out;	/* captured stdout, NUL-terminated */
	char *err;	/* captured stderr */
};

/* Runs argv (NULL-terminated) with no stdin; returns -1 if it can't start.
 * One still running after CMD_FINISH_TIMEOUT_MS is killed (status 128 +
 * SIGKILL): a test expecting a quick refusal must not hang the suite. */
int run_cmd(char *const argv[], struct cmd_result *res);
void cmd_result_free(struct cmd_result *res);
/* The kernel's mean run durations in `bpfsdt run` output ("duration_ns":
 * 812, 812 ns per run) made N, in place: they differ from run to run. */
void mask_run_durations(char *out);

/* A command running in the background, its output going to scratch files. */
struct cmd_proc {
	int pid;
	char out_path[256], err_path[256];
};

int cmd_start(char *const argv[], struct cmd_proc *p);
/* The same with stdout going to out_path (e.g. /dev/full)... */
int cmd_start_to(char *const argv[], struct cmd_proc *p, const char *out_path);
/* ...or into a pipe whose read end is *out_read_fd (the caller closes it). */
int cmd_start_piped(char *const argv[], struct cmd_proc *p, int *out_read_fd);
/* Sends sig (0: none), waits for the command and collects its output. */
/* Sends sig (0: none) and waits for the command; one still running after
 * CMD_FINISH_TIMEOUT_MS is killed (status 128 + SIGKILL). */
#define CMD_FINISH_TIMEOUT_MS 60000
int cmd_finish(struct cmd_proc *p, int sig, struct cmd_result *res);
/* Ends every command started and not finished (the runner calls it after
 * each test). */
void cmd_reap_leftovers(void);
/* Waits until the command's standard error contains needle: 0, or -1
 * after timeout_ms. */
int cmd_wait_err(const struct cmd_proc *p, const char *needle, int timeout_ms);
/* The guardian process a live bpfsdt command forked (its only child), or
 * -1. */
int cmd_guardian_pid(const struct cmd_proc *p);
/* SIGKILLs the command's guardian, then the command: the armed copy stays
 * on the hook, as after a SIGKILL of the whole process group. */
int cmd_kill_with_guardian(struct cmd_proc *p, struct cmd_result *res);
/* Orphans of the commands started from now on (a killed bpfsdt's guardian)
 * become this process's children (PR_SET_CHILD_SUBREAPER)... */
void orphans_adopt(void);
/* ...and are reaped here: waits up to timeout_ms for every child that is
 * not a started command nor spare, kills the rest, and stops adopting.
 * How many. */
int orphans_reap(int timeout_ms, pid_t spare);

/* Tests that load programs into the kernel need root. */
#define REQUIRE_ROOT() do { if (geteuid()) SKIP("needs root to load BPF programs"); } while (0)

/* Library diagnostics captured while a test runs: begin, call, read. */
void diag_capture_begin(void);
const char *diag_captured(void);
void diag_capture_end(void);

/* The number of the first line of source file path holding text (found,
 * not assumed: the tests' sources change); -1 if none. */
int source_line_of(const char *path, const char *text);

/* Whole file into memory (caller frees); NULL on error. */
void *read_whole_file(const char *path, size_t *size);
/* A text file NUL-terminated (caller frees; "" when unreadable). */
char *read_text_file(const char *path);
/* A fresh path under the test scratch directory. */
const char *scratch_path(const char *name);
/* The path of scratch file name holding data, or (failing the test) of a
 * file that does not exist. */
const char *scratch_file(const char *name, const void *data, size_t len);
/* The same holding an Ethernet frame of len bytes: the IPv4 ethertype, all
 * else zero. */
const char *scratch_frame(const char *name, size_t len);

/* A bpffs of the tests' own under the scratch directory (`ip netns exec`
 * remounts /sys, hiding pins in /sys/fs/bpf from the commands it runs);
 * NULL if it cannot be mounted. Release unmounts it. */
const char *scratch_bpffs(void);
void scratch_bpffs_release(void);

/* Removes what every JSON event line ends in and varies from run to run
 * (", \"site\": N, \"cpu\": N, \"time_ns\": N, \"wall_ns\": N" and a
 * frame), in place; returns s. */
char *strip_event_stamps(char *s);

#endif

/* Sites as the compiler laid them out, derived without libbpfsdt
 * (tests/oracle/site_at.py: the ELF oracle plus the object's DWARF), so
 * tests hold for clang 14 and clang 19 alike. The insn of the one site of
 * probe that marker (text found once in source) produces, or -1. */
int oracle_site_insn(const char *object, const char *probe, const char *source,
		     const char *marker);
/* "insn regs\n" for every site of probe, in the oracle's order ("17 r1, r2");
 * NULL if the oracle fails. Caller frees. */
char *oracle_probe_sites(const char *object, const char *probe);
