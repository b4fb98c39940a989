// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ELF files whose headers lie about where their bytes are: truncated files,
 * section tables or section data past the end, sections whose contents are
 * the point (.bpf_sdt_notes, .BTF) but which have none. libelf reads all of
 * these as fewer sections or no data, that is "0 probes"; each must be
 * refused with one line and exit 2, by every command.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "elf_mutate.h"
#include "helpers.h"
#include "libbpfsdt.h"
#include "mutate_elf.h"
#include "test.h"

#define NOTES ".bpf_sdt_notes"
#define E_SHOFF offsetof(Elf64_Ehdr, e_shoff)
#define E_SHENTSIZE offsetof(Elf64_Ehdr, e_shentsize)

static void load(struct mutant *m, const char *corpus)
{
	ASSERT_EQ(mutant_load(m, corpus_path(corpus)), 0);
}

/* Refused by the library with errno EINVAL and exactly one line. */
static bool refused_with_one_line(const void *buf, size_t size)
{
	struct bpf_sdt_object *obj;
	const char *said, *nl;
	int err;

	diag_capture_begin();
	errno = 0;
	obj = bpf_sdt_object__open_mem(buf, size, NULL);
	err = errno;
	diag_capture_end();
	said = diag_captured();
	nl = strchr(said, '\n');
	bpf_sdt_object__close(obj);
	return !obj && err == EINVAL && nl && !nl[1];
}

UNIT_TEST(open_refuses_an_object_cut_at_any_length)
{
	const char *corpora[] = { "basic", "multi_prog" };
	size_t i, len, size;

	for (i = 0; i < sizeof(corpora) / sizeof(corpora[0]); i++) {
		unsigned char *buf = read_whole_file(corpus_path(corpora[i]), &size);

		ASSERT_TRUE(buf != NULL);
		for (len = 0; len < size; len++) {
			if (!refused_with_one_line(buf, len)) {
				free(buf);
				FAIL("%s cut to %zu of %zu bytes was not refused with one line",
				     corpora[i], len, size);
			}
		}
		free(buf);
	}
}

static const char *write_prefix(const char *corpus, size_t len, const char *name)
{
	size_t size = 0;
	unsigned char *buf = read_whole_file(corpus_path(corpus), &size);
	const char *path;

	if (!buf || len > size) {
		free(buf);
		test_fail(__FILE__, __LINE__, "cannot take %zu bytes of %s", len, corpus);
		return "/nonexistent";
	}
	path = scratch_file(name, buf, len);
	free(buf);
	return path;
}

static void expect_cli_refusal(const char *cmd, const char *path, const char *extra,
			       const char *message)
{
	char *argv[8] = { (char *)bpfsdt_bin(), (char *)cmd, (char *)path };
	char expected[512];
	struct cmd_result r;
	int n = 3;

	if (!strcmp(cmd, "run")) {
		argv[n++] = "xdp_prog";
		argv[n++] = "--data-in";
		argv[n++] = (char *)extra;
	}
	argv[n] = NULL;
	ASSERT_EQ(run_cmd(argv, &r), 0);
	snprintf(expected, sizeof(expected), "bpfsdt: %s: %s\n", path, message);
	ASSERT_EQ(r.status, 2);
	ASSERT_STREQ(r.out, "");
	ASSERT_STREQ(r.err, expected);
	cmd_result_free(&r);
}

TEST(every_command_refuses_a_truncated_object_with_one_line)
{
	struct mutant m;
	char msg[256];
	const char *path;
	unsigned long long shoff;
	unsigned int shnum;

	ASSERT_OK_HELPER(load(&m, "basic"));
	shoff = mutant_get64(&m, E_SHOFF);
	shnum = mutant_get32(&m, offsetof(Elf64_Ehdr, e_shnum)) & 0xffff;
	mutant_free(&m);
	path = write_prefix("basic", 64, "cut64.o");
	snprintf(msg, sizeof(msg), "corrupt ELF: section table (%u entries at offset %llu) runs "
		 "past the end of the file (64 bytes)", shnum, shoff);
	ASSERT_OK_HELPER(expect_cli_refusal("list", path, NULL, msg));
	ASSERT_OK_HELPER(expect_cli_refusal("check", path, NULL, msg));
	if (!geteuid())
		ASSERT_OK_HELPER(expect_cli_refusal("run", path, path, msg));
}

UNIT_TEST(list_rejects_a_section_table_past_the_end)
{
	struct mutant m;
	char msg[256];
	unsigned int shnum;

	ASSERT_OK_HELPER(load(&m, "basic"));
	shnum = mutant_get32(&m, offsetof(Elf64_Ehdr, e_shnum)) & 0xffff;
	mutant_put64(&m, E_SHOFF, m.size - 64);
	snprintf(msg, sizeof(msg), "corrupt ELF: section table (%u entries at offset %zu) runs past "
		 "the end of the file (%zu bytes)", shnum, m.size - 64, m.size);
	mutant_expect_refused(&m, "shoff_past_end.o", msg);
}

UNIT_TEST(list_rejects_section_headers_of_the_wrong_size)
{
	struct mutant m;

	ASSERT_OK_HELPER(load(&m, "basic"));
	mutant_put16(&m, E_SHENTSIZE, 32);
	mutant_expect_refused(&m, "shentsize.o",
			      "corrupt ELF: section headers of 32 bytes, expected 64");
}

UNIT_TEST(list_rejects_code_section_data_past_the_end)
{
	struct mutant m;
	char msg[256];
	long idx, size;

	ASSERT_OK_HELPER(load(&m, "basic"));
	idx = mutant_section_index(&m, "xdp");
	size = mutant_section_size(&m, "xdp");
	ASSERT_TRUE(idx > 0 && size > 0);
	ASSERT_TRUE(mutant_set_shdr64(&m, "xdp", offsetof(Elf64_Shdr, sh_offset), m.size - 8));
	snprintf(msg, sizeof(msg), "corrupt ELF: section %ld (xdp) of %ld bytes at offset %zu runs "
		 "past the end of the file (%zu bytes)", idx, size, m.size - 8, m.size);
	mutant_expect_refused(&m, "xdp_past_end.o", msg);
}

UNIT_TEST(list_rejects_a_notes_section_of_size_zero)
{
	struct mutant m;

	ASSERT_OK_HELPER(load(&m, "basic"));
	ASSERT_TRUE(mutant_set_shdr64(&m, NOTES, offsetof(Elf64_Shdr, sh_size), 0));
	mutant_expect_refused(&m, "notes_empty.o", "corrupt ELF: section " NOTES " is empty");
}

UNIT_TEST(list_rejects_a_nobits_notes_section)
{
	struct mutant m;

	ASSERT_OK_HELPER(load(&m, "basic"));
	ASSERT_TRUE(mutant_set_shdr32(&m, NOTES, offsetof(Elf64_Shdr, sh_type), SHT_NOBITS));
	mutant_expect_refused(&m, "notes_nobits.o",
			      "corrupt ELF: section " NOTES " has no bytes in the file (SHT_NOBITS)");
}

UNIT_TEST(list_rejects_a_nobits_btf_section)
{
	struct mutant m;

	ASSERT_OK_HELPER(load(&m, "basic"));
	ASSERT_TRUE(mutant_set_shdr32(&m, ".BTF", offsetof(Elf64_Shdr, sh_type), SHT_NOBITS));
	mutant_expect_refused(&m, "btf_nobits.o",
			      "corrupt ELF: section .BTF has no bytes in the file (SHT_NOBITS)");
}

UNIT_TEST(list_rejects_a_file_with_no_section_table)
{
	struct mutant m;

	ASSERT_OK_HELPER(load(&m, "basic"));
	mutant_put64(&m, E_SHOFF, 0);
	mutant_expect_refused(&m, "no_shdrs.o", "corrupt ELF: no section table");
}

/* SHT_NOBITS is how .bss is meant to be: no bytes, whatever its size. */
UNIT_TEST(list_accepts_a_nobits_bss_with_any_size)
{
	GElf_Shdr shdr;
	struct mutant m;

	ASSERT_OK_HELPER(load(&m, "loop_callback"));
	ASSERT_TRUE(mutant_find_section(&m, ".bss", &shdr) != NULL);
	ASSERT_EQ(shdr.sh_type, SHT_NOBITS);
	ASSERT_TRUE(mutant_set_shdr64(&m, ".bss", offsetof(Elf64_Shdr, sh_size), m.size * 2));
	ASSERT_TRUE(mutant_set_shdr64(&m, ".bss", offsetof(Elf64_Shdr, sh_offset), m.size * 4));
	ASSERT_TRUE(refused_with_one_line(m.buf, m.size) == false);
	mutant_free(&m);
}
