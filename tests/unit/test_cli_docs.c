// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The documentation cannot drift from the CLI: every subcommand that
 * `bpfsdt --help` lists, and every long option each subcommand's --help
 * lists, appears in the man page's SYNOPSIS (for that command) and in the
 * bash completion (on that command's opts line); README names every
 * subcommand. Derived from the binary's own help, so a new option without
 * documentation fails here.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "helpers.h"
#include "test.h"

#define MAN "docs/bpfsdt.8"
#define COMPLETION "share/bash-completion/bpfsdt"
#define MAX_WORDS 64

struct words {
	char *w[MAX_WORDS];
	int n;
};

static void words_add(struct words *ws, const char *s, size_t len)
{
	int i;

	for (i = 0; i < ws->n; i++)
		if (strlen(ws->w[i]) == len && !strncmp(ws->w[i], s, len))
			return;
	if (ws->n < MAX_WORDS)
		ws->w[ws->n++] = strndup(s, len);
}

static void words_free(struct words *ws)
{
	while (ws->n)
		free(ws->w[--ws->n]);
}

static char *help_of(const char *cmd)
{
	char *argv[] = { (char *)bpfsdt_bin(), (char *)cmd, "--help", NULL };
	char *argv_top[] = { (char *)bpfsdt_bin(), "--help", NULL };
	struct cmd_result r;

	if (run_cmd(cmd ? argv : argv_top, &r) || r.status) {
		cmd_result_free(&r);
		return NULL;
	}
	free(r.err);
	return r.out;
}

/* Long options in text: every "--name" (man page text unescaped first). */
static void long_options(const char *text, struct words *ws)
{
	regex_t re;
	regmatch_t m;
	const char *p = text;

	regcomp(&re, "--[a-z][a-z0-9-]*", REG_EXTENDED);
	while (!regexec(&re, p, 1, &m, 0)) {
		words_add(ws, p + m.rm_so, (size_t)(m.rm_eo - m.rm_so));
		p += m.rm_eo;
	}
	regfree(&re);
}

/* The subcommands `bpfsdt --help` lists under "Commands:". */
static void subcommands(struct words *ws)
{
	char *help = help_of(NULL), *line, *save = NULL;
	bool in = false;

	for (line = help ? strtok_r(help, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strcmp(line, "Commands:")) {
			in = true;
		} else if (in && !strncmp(line, "  ", 2) && line[2] != ' ') {
			words_add(ws, line + 2, strcspn(line + 2, " "));
		} else if (in) {
			break;
		}
	}
	free(help);
}

/* The man page's SYNOPSIS, "\-" read as "-": the text of the lines for
 * cmd (each of its ".B bpfsdt cmd" entries up to the next ".br"), or of
 * the general line for NULL. */
static char *synopsis_of(const char *cmd)
{
	char *man = read_text_file(MAN), *from, *to, *out, *line, *save = NULL, *o;
	char head[64];
	bool in = false;

	if (!man)
		return NULL;
	from = strstr(man, ".SH SYNOPSIS\n");
	to = from ? strstr(from, "\n.SH ") : NULL;
	if (!to) {
		free(man);
		return NULL;
	}
	*to = '\0';
	out = calloc(1, strlen(from) + 1);
	snprintf(head, sizeof(head), cmd ? ".B bpfsdt %s" : ".B bpfsdt", cmd);
	for (line = strtok_r(from, "\n", &save), o = out; line; line = strtok_r(NULL, "\n", &save)) {
		if (!strcmp(line, ".br")) {
			in = false;
			continue;
		}
		if (!strcmp(line, head))
			in = true;
		if (!in)
			continue;
		for (; *line; line++)
			if (!(line[0] == '\\' && line[1] == '-'))
				*o++ = *line;
		*o++ = '\n';
	}
	free(man);
	return out;
}

/* The options of cmd's line in the completion file: `\tcmd) opts="..."`. */
static char *completion_of(const char *cmd)
{
	char *text = read_text_file(COMPLETION), key[64], *at, *end, *out = NULL;

	snprintf(key, sizeof(key), "\n\t%s) opts=\"", cmd);
	at = text ? strstr(text, key) : NULL;
	end = at ? strchr(at + strlen(key), '"') : NULL;
	if (end)
		out = strndup(at + strlen(key), (size_t)(end - at - strlen(key)));
	free(text);
	return out;
}

static bool has_word(const char *text, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = text ? strstr(text, word) : NULL; p; p = strstr(p + 1, word))
		if (!(p[n] == '-' || (p[n] >= 'a' && p[n] <= 'z')))
			return true;
	return false;
}

TEST(man_synopsis_and_completion_name_every_option_each_command_lists)
{
	struct words cmds = {}, general = {};
	char *top = synopsis_of(NULL);
	int c, o, missing = 0;

	ASSERT_TRUE(top != NULL);
	long_options(top, &general);
	subcommands(&cmds);
	ASSERT_TRUE(cmds.n >= 8);
	for (c = 0; c < cmds.n; c++) {
		char *help = help_of(cmds.w[c]), *syn = synopsis_of(cmds.w[c]);
		char *comp = completion_of(cmds.w[c]);
		struct words opts = {};

		if (!help || !syn || !*syn || !comp) {
			printf("    %s: %s\n", cmds.w[c], !help ? "no --help" : !syn || !*syn ?
			       "not in the man page's SYNOPSIS" : "no opts line in " COMPLETION);
			missing++;
		}
		long_options(help ? help : "", &opts);
		for (o = 0; help && syn && comp && o < opts.n; o++) {
			bool global = false;
			int g;

			for (g = 0; g < general.n; g++)
				global |= !strcmp(general.w[g], opts.w[o]);
			if (!global && !has_word(syn, opts.w[o])) {
				printf("    %s %s: not in the man page's SYNOPSIS\n", cmds.w[c], opts.w[o]);
				missing++;
			}
			if (!has_word(comp, opts.w[o]) && strcmp(opts.w[o], "--help")) {
				printf("    %s %s: not in %s\n", cmds.w[c], opts.w[o], COMPLETION);
				missing++;
			}
		}
		words_free(&opts);
		free(help);
		free(syn);
		free(comp);
	}
	words_free(&cmds);
	words_free(&general);
	free(top);
	ASSERT_EQ(missing, 0);
}

TEST(readme_and_completion_name_every_subcommand)
{
	char *readme = read_text_file("README.md"), *comp = read_text_file(COMPLETION);
	struct words cmds = {};
	char quoted[64];
	int c, missing = 0;

	ASSERT_TRUE(readme && comp);
	subcommands(&cmds);
	for (c = 0; c < cmds.n; c++) {
		snprintf(quoted, sizeof(quoted), "`%s`", cmds.w[c]);
		if (!strstr(readme, quoted)) {
			printf("    %s: not in README.md\n", cmds.w[c]);
			missing++;
		}
		if (!has_word(comp, cmds.w[c])) {
			printf("    %s: not in %s\n", cmds.w[c], COMPLETION);
			missing++;
		}
	}
	words_free(&cmds);
	free(readme);
	free(comp);
	ASSERT_EQ(missing, 0);
}

TEST(verbose_is_accepted_after_every_command)
{
	struct words cmds = {};
	int c;

	subcommands(&cmds);
	for (c = 0; c < cmds.n; c++) {
		char *argv[] = { (char *)bpfsdt_bin(), cmds.w[c], "-v", "--help", NULL };
		struct cmd_result r;

		ASSERT_EQ(run_cmd(argv, &r), 0);
		if (r.status)
			printf("    %s -v: %s", cmds.w[c], r.err);
		ASSERT_EQ(r.status, 0);
		cmd_result_free(&r);
	}
	words_free(&cmds);
}
