// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Writing, finding and reading the mark of armed copies (armed_mark.h). */
#include <bpf/btf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "relink/armed_mark.h"

void sdt_tag_hex(const __u8 tag[BPF_TAG_SIZE], char out[2 * BPF_TAG_SIZE + 1])
{
	int i;

	for (i = 0; i < BPF_TAG_SIZE; i++)
		snprintf(out + 2 * i, 3, "%02x", tag[i]);
}

char *sdt_armed_mark_format(const struct sdt_armed_mark *m)
{
	char tag[2 * BPF_TAG_SIZE + 1], *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	__u32 i;

	if (!f)
		return NULL;
	sdt_tag_hex(m->tag, tag);
	fprintf(f, SDT_ARMED_MARK_PREFIX "v=%d:tag=%s:prog=%u:maps=", SDT_ARMED_MARK_VERSION, tag,
		m->prog_id);
	for (i = 0; i < m->map_cnt; i++)
		fprintf(f, "%s%u", i ? "," : "", m->map_ids[i]);
	fprintf(f, ":pid=%u:start=%llu:since=%llu:probes=%s", m->session.pid,
		(unsigned long long)m->session.start, (unsigned long long)m->session.since,
		m->probes ? m->probes : "");
	if (m->guards_copy_id)
		fprintf(f, ":guards=%u,%u", m->guards_id, m->guards_copy_id);
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

static int parse_u64(const char *s, size_t len, __u64 *v)
{
	char buf[24], *end;

	if (!len || len >= sizeof(buf) || *s < '0' || *s > '9')
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	*v = strtoull(buf, &end, 10);
	return *end || errno ? -EINVAL : 0;
}

static int parse_u32(const char *s, size_t len, __u32 *v)
{
	__u64 w;

	if (parse_u64(s, len, &w) || w > UINT32_MAX)
		return -EINVAL;
	*v = (__u32)w;
	return 0;
}

static int parse_tag(const char *s, size_t len, __u8 tag[BPF_TAG_SIZE])
{
	unsigned int byte;
	int i;

	if (len != 2 * BPF_TAG_SIZE)
		return -EINVAL;
	for (i = 0; i < BPF_TAG_SIZE; i++) {
		if (!strchr("0123456789abcdef", s[2 * i]) || !strchr("0123456789abcdef", s[2 * i + 1]) ||
		    sscanf(s + 2 * i, "%2x", &byte) != 1)
			return -EINVAL;
		tag[i] = (__u8)byte;
	}
	return 0;
}

/* "1,22,333" (or nothing) into a fresh array. */
static int parse_ids(const char *s, size_t len, __u32 **ids, __u32 *cnt)
{
	size_t i, start = 0, n = len ? 1 : 0;

	for (i = 0; i < len; i++)
		n += s[i] == ',';
	free(*ids);
	*cnt = 0;
	*ids = calloc(n ? n : 1, sizeof(**ids));
	if (!*ids)
		return -ENOMEM;
	for (i = 0; i <= len && n; i++) {
		if (i < len && s[i] != ',')
			continue;
		if (parse_u32(s + start, i - start, &(*ids)[(*cnt)++]))
			return -EINVAL;
		start = i + 1;
	}
	return 0;
}

/* A probe list holds C identifiers and commas only. */
static int parse_probes(const char *s, size_t len, char **out)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_,", s[i]))
			return -EINVAL;
	free(*out);
	*out = strndup(s, len);
	return *out ? 0 : -ENOMEM;
}

enum { KEY_V = 1, KEY_TAG = 2, KEY_PROG = 4, KEY_MAPS = 8, KEY_PID = 16, KEY_SINCE = 32 };
#define KEYS_REQUIRED (KEY_V | KEY_TAG | KEY_PROG | KEY_MAPS | KEY_PID | KEY_SINCE)

static int parse_field(const char *key, size_t klen, const char *val, size_t vlen,
		       struct sdt_armed_mark *m, int *seen)
{
	__u32 version;

#define IS(k) (klen == strlen(k) && !strncmp(key, k, klen))
	if (IS("v")) {
		*seen |= KEY_V;
		return parse_u32(val, vlen, &version) || !version ? -EINVAL : 0;
	}
	if (IS("tag")) {
		*seen |= KEY_TAG;
		return parse_tag(val, vlen, m->tag);
	}
	if (IS("prog")) {
		*seen |= KEY_PROG;
		return parse_u32(val, vlen, &m->prog_id);
	}
	if (IS("maps")) {
		*seen |= KEY_MAPS;
		return parse_ids(val, vlen, &m->map_ids, &m->map_cnt);
	}
	if (IS("pid")) {
		*seen |= KEY_PID;
		return parse_u32(val, vlen, &m->session.pid);
	}
	if (IS("start"))
		return parse_u64(val, vlen, &m->session.start);
	if (IS("since")) {
		*seen |= KEY_SINCE;
		return parse_u64(val, vlen, &m->session.since);
	}
	if (IS("probes"))
		return parse_probes(val, vlen, &m->probes);
	if (IS("guards")) {
		const char *comma = memchr(val, ',', vlen);

		if (!comma || parse_u32(val, comma - val, &m->guards_id) ||
		    parse_u32(comma + 1, vlen - (comma - val) - 1, &m->guards_copy_id))
			return -EINVAL;
		return 0;
	}
#undef IS
	return 0; /* a later version's key */
}

int sdt_armed_mark_parse(const char *text, struct sdt_armed_mark *m)
{
	const char *p, *end, *eq;
	int seen = 0, err = 0;

	memset(m, 0, sizeof(*m));
	if (strncmp(text, SDT_ARMED_MARK_PREFIX, strlen(SDT_ARMED_MARK_PREFIX)))
		return -EINVAL;
	for (p = text + strlen(SDT_ARMED_MARK_PREFIX); *p && !err; p = *end ? end + 1 : end) {
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		eq = memchr(p, '=', end - p);
		err = eq ? parse_field(p, eq - p, eq + 1, end - eq - 1, m, &seen) : -EINVAL;
	}
	if (!err && (seen & KEYS_REQUIRED) != KEYS_REQUIRED)
		err = -EINVAL;
	if (!err && !m->probes && !(m->probes = strdup("")))
		err = -ENOMEM;
	if (err)
		sdt_armed_mark_free(m);
	return err;
}

void sdt_armed_mark_free(struct sdt_armed_mark *m)
{
	free(m->map_ids);
	free(m->probes);
	memset(m, 0, sizeof(*m));
}

void sdt_armed_mark_destroy(struct sdt_armed_mark *m)
{
	if (m)
		sdt_armed_mark_free(m);
	free(m);
}

/* The FUNC of the program's main function, from its first func_info. */
static int main_func_id(int prog_fd, __u32 *btf_id, __u32 *func_id)
{
	struct bpf_func_info fi = {};
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	if (!info.btf_id || !info.nr_func_info)
		return -ENOENT;
	*btf_id = info.btf_id;
	memset(&info, 0, sizeof(info));
	info.nr_func_info = 1;
	info.func_info_rec_size = sizeof(fi);
	info.func_info = (__u64)(unsigned long)&fi;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	*func_id = fi.type_id;
	return 0;
}

int sdt_armed_mark_read(int prog_fd, struct sdt_armed_mark *m)
{
	const char *found = NULL;
	__u32 btf_id = 0, func_id = 0, i, n;
	struct btf *btf;
	int err;

	memset(m, 0, sizeof(*m));
	err = main_func_id(prog_fd, &btf_id, &func_id);
	if (err)
		return err;
	btf = btf__load_from_kernel_by_id(btf_id);
	if (!btf)
		return -errno;
	n = btf__type_cnt(btf);
	for (i = 1; i < n; i++) { /* the last mark on the main FUNC: ours is added last */
		const struct btf_type *t = btf__type_by_id(btf, i);
		const char *value = btf__name_by_offset(btf, t->name_off);

		if (btf_is_decl_tag(t) && t->type == func_id &&
		    btf_decl_tag(t)->component_idx == -1 && value &&
		    !strncmp(value, SDT_ARMED_MARK_PREFIX, strlen(SDT_ARMED_MARK_PREFIX)))
			found = value;
	}
	err = found ? sdt_armed_mark_parse(found, m) : -ENOENT;
	btf__free(btf);
	return err;
}

/* The distinct probes of obs, in attach order, comma-separated. */
static char *probe_list(const struct sdt_arm_obs *obs, size_t nobs)
{
	char *text = NULL;
	size_t size = 0, k, j;
	FILE *f = open_memstream(&text, &size);
	bool first = true;

	if (!f)
		return NULL;
	for (k = 0; k < nobs; k++) {
		for (j = 0; j < k && obs[j].probe != obs[k].probe; j++)
			;
		if (j < k)
			continue;
		fprintf(f, "%s%s", first ? "" : ",", bpf_sdt_probe__name(obs[k].probe));
		first = false;
	}
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

static __u32 map_id(int fd)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) ? info.id : 0;
}

int sdt_armed_mark_add(struct btf *btf, const struct bpf_sdt_target *t,
		       const struct sdt_target_prog *tp, const struct sdt_arm_obs *obs,
		       size_t nobs, int guards_copy_fd)
{
	const struct bpf_func_info *main_fi = tp->cap.func_info;
	struct sdt_armed_mark m;
	char *text;
	int id;

	if (!t->hook.mark || t->hook.prog != tp)
		return 0;
	if (!main_fi)
		return -EINVAL; /* open_live refuses such programs */
	m = *t->hook.mark;
	m.probes = probe_list(obs, nobs);
	if (guards_copy_fd >= 0) {
		m.guards_id = map_id(tp->guards_map_fd);
		m.guards_copy_id = map_id(guards_copy_fd);
		if (!m.guards_id || !m.guards_copy_id) {
			free(m.probes);
			return -errno ? -errno : -EINVAL;
		}
	}
	text = m.probes ? sdt_armed_mark_format(&m) : NULL;
	id = text ? btf__add_decl_tag(btf, text, (int)main_fi->type_id, -1) : -ENOMEM;
	free(text);
	free(m.probes);
	return id < 0 ? id : 0;
}
