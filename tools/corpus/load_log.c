// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Why a load failed, in one line, from what libbpf prints while it loads:
 * when the verifier refused a program, libbpf loads it once more with a
 * log and prints that log whole (one message between "-- BEGIN PROG LOAD
 * LOG --" and "-- END PROG LOAD LOG --"), whose last line before the
 * verifier's summary is the error; otherwise its first warning says what
 * was missing (an extern kfunc not in the kernel's BTF, a map the kernel
 * would not create, ...).
 */
#define _GNU_SOURCE /* vasprintf, memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "classify.h"

#define CAPTURE_SIZE (64 * 1024)
#define NAME_SIZE 128
#define LOG_BEGIN "-- BEGIN PROG LOAD LOG --"
#define LOG_END "-- END PROG LOAD LOG --"

static char captured[CAPTURE_SIZE];	/* warnings, logs left out */
static size_t captured_len;
static char failed_prog[NAME_SIZE];	/* libbpf: "prog 'X': failed to load" */
static char refused_prog[NAME_SIZE];	/* the program whose log was printed */
static char refusal[512];		/* the verifier's error line in that log */

void load_log_begin(void)
{
	captured_len = 0;
	captured[0] = '\0';
	failed_prog[0] = refused_prog[0] = refusal[0] = '\0';
}

static bool starts(const char *s, size_t len, const char *pfx)
{
	size_t n = strlen(pfx);

	return len >= n && !strncmp(s, pfx, n);
}

/* The verifier's summary lines, printed after the error. */
static bool verifier_trailer(const char *s, size_t len)
{
	return !len || starts(s, len, "processed ") || starts(s, len, "verification time") ||
	       starts(s, len, "stack depth") || starts(s, len, "max_states_per_insn");
}

static void copy_line(const char *s, size_t len, char *buf, size_t size)
{
	size_t i;

	if (starts(s, len, "libbpf: ")) {
		s += 8;
		len -= 8;
	}
	if (len >= size)
		len = size - 1;
	for (i = 0; i < len; i++)
		buf[i] = s[i] == '\t' || s[i] == '\n' ? ' ' : s[i];
	buf[len] = '\0';
}

/* "prog 'NAME': ..." -> NAME */
static void prog_name_of(const char *msg, char *name)
{
	const char *p = strstr(msg, "prog '"), *q;

	name[0] = '\0';
	if (!p)
		return;
	p += 6;
	q = strchr(p, '\'');
	if (q && (size_t)(q - p) < NAME_SIZE) {
		memcpy(name, p, q - p);
		name[q - p] = '\0';
	}
}

/* "12: (85) call bpf_obj_drop_impl#65119": an instruction the verifier
 * walked; its error follows the last one. */
static bool insn_line(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	return i && i + 3 < len && s[i] == ':' && s[i + 1] == ' ' && s[i + 2] == '(';
}

/* A register state ("53: R0=3 ...") or source line ("; if (x) @ f.c:3"). */
static bool state_line(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	return starts(s, len, "; ") || (i && i + 1 < len && s[i] == ':' && s[i + 1] == ' ');
}

/* The error's first line: the first line after the last instruction the
 * verifier walked that is no state, source or summary line ("same call
 * cannot be used with different types", not its advice two lines later).
 * A log without instructions (refused before the walk: "combined stack
 * size of 3 calls is 544. Too large") ends with its error. */
static void verifier_error(const char *begin, const char *end)
{
	const char *line, *next, *after_insn = NULL, *last = NULL;
	size_t last_len = 0;

	for (line = begin; line < end; line = next + 1) {
		next = memchr(line, '\n', end - line);
		if (!next)
			next = end;
		if (insn_line(line, next - line)) {
			after_insn = next + 1;
		} else if (!verifier_trailer(line, next - line)) {
			last = line;
			last_len = next - line;
		}
	}
	for (line = after_insn; line && line < end; line = next + 1) {
		next = memchr(line, '\n', end - line);
		if (!next)
			next = end;
		if (!state_line(line, next - line) && !verifier_trailer(line, next - line)) {
			copy_line(line, next - line, refusal, sizeof(refusal));
			return;
		}
	}
	if (last)
		copy_line(last, last_len, refusal, sizeof(refusal));
	else
		snprintf(refusal, sizeof(refusal), "refused, the verifier's log is empty");
}

int load_log_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	const char *log, *end;
	char *msg = NULL;

	if (level != LIBBPF_WARN || vasprintf(&msg, fmt, args) < 0)
		return 0;
	log = strstr(msg, LOG_BEGIN);
	if (log) {
		prog_name_of(msg, refused_prog);
		log += strlen(LOG_BEGIN);
		if (*log == '\n')
			log++;
		end = strstr(log, LOG_END);
		verifier_error(log, end ? end : log + strlen(log));
	} else {
		if (strstr(msg, "failed to load: -"))
			prog_name_of(msg, failed_prog);
		snprintf(captured + captured_len, CAPTURE_SIZE - captured_len, "%s", msg);
		captured_len += strlen(captured + captured_len);
	}
	free(msg);
	return 0;
}

const char *load_log_failed_prog(void)
{
	return failed_prog[0] ? failed_prog : NULL;
}

const char *load_log_refusal(const char *prog)
{
	return refusal[0] && !strcmp(prog, refused_prog) ? refusal : NULL;
}

/* libbpf's wrap-up lines, which say that a load failed but not why. */
static bool wrapup(const char *s, size_t len)
{
	static const char *const lines[] = {
		"failed to load object", "failed to load: -", "BPF program load failed",
	};
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (memmem(s, len, lines[i], strlen(lines[i])))
			return true;
	return !len;
}

const char *load_log_reason(char *buf, size_t size)
{
	const char *line, *p, *fallback = NULL;
	size_t fallback_len = 0;

	for (line = captured; *line; line = *p ? p + 1 : p) {
		p = strchr(line, '\n');
		if (!p)
			p = line + strlen(line);
		if (!wrapup(line, p - line)) {
			copy_line(line, p - line, buf, size);
			return buf;
		}
		/* "BPF program load failed: Argument list too long" beats nothing */
		if (!fallback && memmem(line, p - line, "BPF program load failed", 23)) {
			fallback = line;
			fallback_len = p - line;
		}
	}
	if (fallback)
		copy_line(fallback, fallback_len, buf, size);
	else
		snprintf(buf, size, "load failed, nothing logged");
	return buf;
}
