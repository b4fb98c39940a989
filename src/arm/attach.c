// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Links: observers attached to probes of a target.
 *
 * The target keeps its attachments in attach order. Any change (attach,
 * destroy) rebuilds the armed copy of every program the change affects from
 * the complete list, so a program's copy always reflects exactly the current
 * attachments; a program left with none goes back to its original. A change
 * is all or nothing: every affected copy is built and verified before any is
 * swapped in.
 *
 * Programs whose sites the kernel holds (tp->native, native.h) are never
 * relinked or swapped: an attachment has its own BPF_TRACE_SDT program and
 * link for each of them, made before any relinking and closed if that
 * fails.
 */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "arm/attach.h"
#include "target/dynamic_sites.h"
#include "arm/native.h"
#include "arm/freplace.h"
#include "check/observer_check.h"
#include "check/observer_maps.h"
#include "relink/relink.h"
#include "check/check_kernel.h"
#include "arm/swap.h"

#define OBSERVER_SEC "bpf_sdt"

/* An attachment's kernel link on one native program. */
struct sdt_native_att {
	int prog_fd;			/* its BPF_TRACE_SDT or extension program */
	int link_fd;
};

struct sdt_attachment {
	struct sdt_attachment *next;
	struct bpf_sdt_link *link;
	const struct bpf_sdt_probe *probe;
	char *target_prog;		/* NULL: every program */
	__u64 cookie;
	char *name;
	struct sdt_prog_capture code;
	struct btf *btf;
	bool gpl;			/* the observer's license is GPL-compatible */
	struct sdt_native_att *native;	/* one per native program it applies to */
	size_t native_cnt;
	bool defunct;			/* disarmed: observes nothing, waits to be
					 * destroyed */
	bool inline_count;		/* an inline counter (relink.h) */
	int counter_fd;
	__u32 (*counter_slot)(void *ctx, const struct bpf_sdt_site *site);
	void *counter_ctx;
	bool counter_percpu;
	const struct sdt_site_cond *cond;
	int *map_fds;			/* the observer's maps, bound (observer_maps.h) */
	size_t map_fd_cnt;
};

/* The holder's handle on an attachment. Closing the target orphans it
 * (att NULL): the holder still destroys it, which then only frees it. */
struct bpf_sdt_link {
	struct bpf_sdt_target *target;
	struct sdt_attachment *att;
};

static bool applies(const struct sdt_attachment *a, const struct sdt_target_prog *tp)
{
	size_t i;

	if (a->target_prog && strcmp(a->target_prog, tp->name))
		return false;
	if (a->probe && a->probe->dynamic) { /* its sites know their program */
		for (i = 0; i < bpf_sdt_probe__site_cnt(a->probe); i++)
			if (bpf_sdt_probe__site(a->probe, i)->owner == tp)
				return true;
		return false;
	}
	for (i = 0; i < tp->site_cnt; i++)
		if (bpf_sdt_site__probe(tp->sites[i].site) == a->probe)
			return true;
	return false;
}

/* Whether a's observer is relinked into tp (or linked by the kernel). */
static bool relinks(const struct sdt_attachment *a, const struct sdt_target_prog *tp)
{
	return !tp->native && applies(a, tp);
}

static bool among(const struct sdt_attachment *a, struct sdt_attachment *const *set, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (set[i] == a)
			return true;
	return false;
}

/* The observers of tp, in attach order, without the nskip in `skip`. */
static int collect(const struct bpf_sdt_target *t, const struct sdt_target_prog *tp,
		   struct sdt_attachment *const *skip, size_t nskip, struct sdt_arm_obs **out,
		   size_t *n)
{
	const struct sdt_attachment *a;
	size_t cnt = 0;

	for (a = t->attachments; a; a = a->next)
		cnt++;
	*out = calloc(cnt ? cnt : 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	*n = 0;
	for (a = t->attachments; a; a = a->next)
		if (!a->defunct && !among(a, skip, nskip) && relinks(a, tp))
			(*out)[(*n)++] = (struct sdt_arm_obs){
				.probe = a->probe, .cookie = a->cookie, .name = a->name,
				.code = &a->code, .btf = a->btf, .inline_count = a->inline_count,
				.counter_fd = a->counter_fd, .counter_slot = a->counter_slot,
				.counter_ctx = a->counter_ctx, .counter_percpu = a->counter_percpu,
				.cond = a->cond,
			};
	return 0;
}

/* Rebuilds every program any of the nchanged attachments affects (as if
 * they were gone when detaching): each program swapped once, all or
 * nothing. */
static int rearm(struct bpf_sdt_target *t, struct sdt_attachment *const *changed,
		 size_t nchanged, bool detaching)
{
	int *fds = calloc(t->prog_cnt ? t->prog_cnt : 1, sizeof(*fds));
	const struct bpf_sdt_probe **checked = calloc(nchanged + 1, sizeof(*checked));
	struct sdt_arm_obs *obs = NULL;
	size_t i, n;
	int err = 0;

	if (!fds || !checked) {
		free(fds);
		free(checked);
		return -ENOMEM;
	}
	for (i = 0; i < t->prog_cnt; i++)
		fds[i] = -2; /* unaffected */
	for (i = 0; i < t->prog_cnt && !err; i++) {
		struct sdt_target_prog *tp = &t->progs[i];
		bool affected = false;
		size_t c, nchecked = 0;
		int fd;

		for (c = 0; c < nchanged; c++) {
			if (!relinks(changed[c], tp))
				continue;
			affected = true;
			/* a newly observed probe's sites must pass the argument
			 * check: all of them in one go */
			if (!detaching && changed[c]->probe &&
			    !sdt_probe_is_dynamic(t, changed[c]->probe))
				checked[nchecked++] = changed[c]->probe;
		}
		if (!affected)
			continue;
		if (nchecked)
			err = sdt_check_probe_sites(t, tp, checked, nchecked);
		if (!err)
			err = collect(t, tp, changed, detaching ? nchanged : 0, &obs, &n);
		if (!err && !n)
			fds[i] = -1; /* no observers left: the original */
		if (!err && n) {
			fd = sdt_relink(t, tp, obs, n);
			if (fd < 0)
				err = fd;
			else
				fds[i] = fd;
		}
		free(obs);
		obs = NULL;
	}
	for (i = 0; i < t->prog_cnt; i++) {
		if (fds[i] == -2)
			continue;
		if (!err)
			err = sdt_swap(t, &t->progs[i], fds[i]);
		if (err && fds[i] >= 0 && t->progs[i].armed_fd != fds[i])
			close(fds[i]); /* built but not swapped in */
	}
	free(fds);
	free(checked);
	return err;
}

/* Closes a's kernel links: its observers stop at once. */
static void native_unlink(struct sdt_attachment *a)
{
	size_t i;

	for (i = 0; i < a->native_cnt; i++) {
		close(a->native[i].link_fd);
		close(a->native[i].prog_fd);
	}
	free(a->native);
	a->native = NULL;
	a->native_cnt = 0;
}

/* Links a to each native program it applies to; all or none. */
static int native_link(struct bpf_sdt_target *t, struct sdt_attachment *a)
{
	struct sdt_native_code c = {
		.name = a->name,
		.code = &a->code,
		.has_btf = a->btf != NULL,
		.license = a->gpl ? "GPL" : "Proprietary",
		.cookie = a->cookie,
	};
	size_t i;
	int fd;

	if (!a->btf) /* generated code: the target's license, as when relinked */
		c.license = t->sdt->license ? t->sdt->license : "";
	a->native = calloc(t->prog_cnt ? t->prog_cnt : 1, sizeof(*a->native));
	if (!a->native)
		return -ENOMEM;
	for (i = 0; i < t->prog_cnt; i++) {
		struct sdt_native_att *n = &a->native[a->native_cnt];

		if (!t->progs[i].native || !applies(a, &t->progs[i]))
			continue;
		fd = -EAGAIN;
		if (a->btf && bpf_sdt_probe__is_func(a->probe))
			fd = sdt_freplace_link(t, &t->progs[i], a->probe, &c, a->btf, &n->prog_fd);
		if (fd == -EAGAIN)
			fd = sdt_native_link(t, &t->progs[i], a->probe, &c, &n->prog_fd);
		if (fd < 0) {
			native_unlink(a);
			return fd;
		}
		n->link_fd = fd;
		a->native_cnt++;
	}
	return 0;
}

static void attachment_free(struct sdt_attachment *a)
{
	if (!a)
		return;
	native_unlink(a);
	free(a->target_prog);
	free(a->name);
	sdt_capture_release(&a->code);
	sdt_observer_release_maps(a->map_fds, a->map_fd_cnt);
	btf__free(a->btf);
	free(a->link);
	free(a);
}

static const struct bpf_sdt_probe *resolve_probe(struct bpf_sdt_target *t,
						 const struct bpf_program *observer,
						 const char *probe)
{
	const char *sec = bpf_program__section_name(observer);
	const struct bpf_sdt_probe *p;

	if (!probe && !strncmp(sec, OBSERVER_SEC "/", strlen(OBSERVER_SEC) + 1))
		probe = sec + strlen(OBSERVER_SEC) + 1;
	if (!probe) {
		pr_warn("%s: observer %s: no probe named (SEC(\"%s\") without /<probe>, and none given)",
			t->name, bpf_program__name(observer), sec);
		return NULL;
	}
	p = bpf_sdt_object__find_probe(t->sdt, probe);
	if (!p && !(p = sdt_dynamic_probe(t, probe)) && errno == ENOENT)
		pr_warn("%s: observer %s: the target declares no probe %s", t->name,
			bpf_program__name(observer), probe);
	return p;
}

/* Arguments that always reach the observer as scalars: narrow integers,
 * which the relinker re-extends from their declared type at every site
 * (relink.c) -- the verifier refuses that shift on a pointer. */
static __u32 scalar_args(const struct bpf_sdt_object *sdt, const struct bpf_sdt_probe *p)
{
	const struct btf *btf = bpf_sdt_object__btf(sdt);
	__u32 mask = 0;
	size_t k;
	int i;

	/* a dynamic site's registers are u64s: never counted scalar here */
	for (i = 0; i < bpf_sdt_probe__arg_cnt(p); i++) {
		const struct btf_type *ty = btf__type_by_id(
			btf, btf__resolve_type(btf, bpf_sdt_probe__arg_type_id(p, i)));

		if (ty && (btf_is_int(ty) || btf_is_enum(ty) || btf_is_enum64(ty)) && ty->size < 8)
			mask |= 1u << i;
		for (k = 0; k < bpf_sdt_probe__site_cnt(p); k++)
			if (bpf_sdt_site__arg(bpf_sdt_probe__site(p, k), i)->kind != BPF_SDT_ARG_REG)
				mask &= ~(1u << i);
	}
	return mask;
}

/* The observer's functions, from its func_info. */
static int observer_funcs(const struct bpf_sdt_target *t, const struct sdt_attachment *a,
			  struct sdt_func_span **out)
{
	const struct sdt_prog_capture *c = &a->code;
	__u32 k, off;

	*out = calloc(c->func_info_cnt ? c->func_info_cnt : 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (k = 0; k < c->func_info_cnt; k++) {
		memcpy(&off, (const char *)c->func_info + (size_t)k * c->func_info_rec_size,
		       sizeof(off));
		if (c->func_info_rec_size < sizeof(struct bpf_func_info) || off >= c->insn_cnt ||
		    (k ? off <= (*out)[k - 1].start : off != 0)) {
			pr_warn("%s: observer %s: its func_info does not describe its functions",
				t->name, a->name);
			return -EINVAL;
		}
		(*out)[k].start = off;
	}
	return 0;
}

static int check_observer(const struct bpf_sdt_target *t, struct sdt_attachment *a,
			  const struct bpf_object *obj)
{
	struct sdt_observer_check req = {
		.file = t->name,
		.observer = a->name,
		.probe = bpf_sdt_probe__name(a->probe),
		.insns = a->code.insns,
		.insn_cnt = a->code.insn_cnt,
		.nfuncs = a->code.func_info_cnt,
		.nargs = bpf_sdt_probe__arg_cnt(a->probe),
		.scalar_args = scalar_args(t->sdt, a->probe),
		.own_maps_known = obj != NULL,
	};
	struct sdt_func_span *funcs = NULL;
	__u32 *own = NULL;
	int err;

	err = observer_funcs(t, a, &funcs);
	if (!err)
		err = sdt_observer_bind_maps(a->code.insns, a->code.insn_cnt, &a->map_fds,
					     &a->map_fd_cnt);
	if (!err)
		err = sdt_observer_own_maps(t, obj, &own, &req.own_map_cnt);
	if (!err) {
		req.funcs = funcs;
		req.own_map_ids = own;
		err = sdt_observer_check(&req);
	}
	free(funcs);
	free(own);
	return err;
}

/* Tests only (the library does not export it): attach observers without
 * checking them, to show that an observer the check refuses would have
 * reached the target -- that each refusal guards against something real. */
bool sdt_test_unchecked_observers;

/* Does obj hold prog? */
static bool owns_prog(const struct bpf_object *obj, const struct bpf_program *prog)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, obj)
		if (p == prog)
			return true;
	return false;
}

/* The observer's license as the kernel judged it when libbpf loaded it:
 * its BPF_TRACE_SDT program declares the same. */
static bool gpl_compatible(const struct bpf_program *observer)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return !bpf_obj_get_info_by_fd(bpf_program__fd(observer), &info, &len) &&
	       info.gpl_compatible;
}

/* Adds n (checked) attachments and re-arms once: every affected program
 * is swapped a single time, with all of them or with none. Takes them. */
static int attach_checked_all(struct bpf_sdt_target *t, struct sdt_attachment **as, size_t n)
{
	struct sdt_attachment **tail;
	size_t i, k;
	int err = 0;

	if (t->offline) {
		pr_warn("%s: opened offline (not loaded): its probes can be checked, not attached",
			t->name);
		err = -EOPNOTSUPP;
		goto fail;
	}
	for (k = 0; k < n; k++) {
		struct sdt_attachment *a = as[k];

		for (i = 0; i < t->prog_cnt && !applies(a, &t->progs[i]); i++)
			;
		if (i == t->prog_cnt) {
			pr_warn("%s: probe %s has no sites in %s%s", t->name,
				bpf_sdt_probe__name(a->probe), a->target_prog ? "program " : "any program",
				a->target_prog ? a->target_prog : "");
			err = -ENOENT;
			goto fail;
		}
	}
	for (k = 0; k < n; k++) {
		err = native_link(t, as[k]);
		if (err)
			goto fail; /* attachment_free() closes the links made */
	}
	for (tail = &t->attachments; *tail; tail = &(*tail)->next)
		;
	for (k = 0; k < n; k++) {
		as[k]->next = k + 1 < n ? as[k + 1] : NULL;
	}
	*tail = as[0];
	err = rearm(t, as, n, false);
	if (err) {
		*tail = NULL;
		goto fail;
	}
	return 0;
fail:
	for (k = 0; k < n; k++)
		attachment_free(as[k]);
	return err;
}

static struct bpf_sdt_link *attach_checked(struct bpf_sdt_target *t, struct sdt_attachment *a)
{
	int err = attach_checked_all(t, &a, 1);

	if (err) {
		errno = -err;
		return NULL;
	}
	return a->link;
}

static struct sdt_attachment *attachment_new(struct bpf_sdt_target *t, const char *name,
					     __u64 cookie, const char *target_prog)
{
	struct sdt_attachment *a = calloc(1, sizeof(*a));

	if (!a || !(a->link = calloc(1, sizeof(*a->link))) || !(a->name = strdup(name)) ||
	    (target_prog && !(a->target_prog = strdup(target_prog)))) {
		attachment_free(a);
		return NULL;
	}
	a->link->target = t;
	a->link->att = a;
	a->cookie = cookie;
	return a;
}

struct bpf_sdt_link *bpf_sdt_target__attach(struct bpf_sdt_target *t,
					    const struct bpf_program *observer,
					    const char *probe,
					    const struct bpf_sdt_attach_opts *opts)
{
	const struct bpf_object *obs_obj;
	struct sdt_attachment *a = NULL;
	int err = -EINVAL;

	if (!SDT_OPTS_VALID(opts, bpf_sdt_attach_opts) || !t || !observer)
		goto fail;
	a = attachment_new(t, bpf_program__name(observer), SDT_OPTS_GET(opts, cookie, 0),
			   SDT_OPTS_GET(opts, target_prog, NULL));
	if (!a) {
		err = -ENOMEM;
		goto fail;
	}
	a->probe = resolve_probe(t, observer, probe);
	if (!a->probe)
		goto fail;
	if (sdt_capture_copy(observer, &a->code) || !a->code.func_info_cnt || !a->code.btf_id) {
		pr_warn("%s: observer %s: not a loaded SEC(\"%s\") program with BTF (load it after libbpfsdt_init(), compiled with -g)",
			t->name, a->name, OBSERVER_SEC);
		goto fail;
	}
	a->btf = btf__load_from_kernel_by_id(a->code.btf_id);
	if (!a->btf) {
		err = -errno;
		pr_warn("%s: observer %s: cannot read its BTF back: %s", t->name, a->name,
			strerror(-err));
		goto fail;
	}
	a->gpl = gpl_compatible(observer);
	obs_obj = SDT_OPTS_GET(opts, observer_obj, NULL);
	if (obs_obj && !owns_prog(obs_obj, observer)) {
		pr_warn("%s: observer %s: observer_obj is not the object it belongs to", t->name,
			a->name);
		goto fail;
	}
	err = sdt_test_unchecked_observers ? 0 : check_observer(t, a, obs_obj);
	if (err)
		goto fail;
	return attach_checked(t, a);
fail:
	attachment_free(a);
	errno = -err;
	return NULL;
}

int sdt_target_attach_generated_all(struct bpf_sdt_target *t, const struct sdt_generated *g,
				    size_t n, struct bpf_sdt_link **links)
{
	struct sdt_attachment **as = calloc(n ? n : 1, sizeof(*as));
	size_t k;
	int err;

	if (!as || !n) {
		free(as);
		return n ? -ENOMEM : -EINVAL;
	}
	for (k = 0; k < n; k++) {
		struct sdt_attachment *a = attachment_new(t, g[k].name, 0, g[k].target_prog);

		if (!a || !(a->code.insns = malloc((g[k].insn_cnt ? g[k].insn_cnt : 1) *
						   sizeof(*g[k].insns)))) {
			attachment_free(a);
			while (k-- > 0)
				attachment_free(as[k]);
			free(as);
			return -ENOMEM;
		}
		if (g[k].insn_cnt)
			memcpy(a->code.insns, g[k].insns, g[k].insn_cnt * sizeof(*g[k].insns));
		a->code.insn_cnt = g[k].insn_cnt;
		a->probe = g[k].probe;
		a->inline_count = g[k].inline_count;
		a->counter_fd = g[k].counter_fd;
		a->counter_slot = g[k].counter_slot;
		a->counter_ctx = g[k].counter_ctx;
		a->counter_percpu = g[k].counter_percpu;
		a->cond = g[k].cond;
		as[k] = a;
	}
	err = attach_checked_all(t, as, n);
	for (k = 0; !err && k < n; k++)
		links[k] = as[k]->link;
	free(as);
	return err;
}

struct bpf_sdt_link *sdt_target_attach_generated(struct bpf_sdt_target *t,
						 const struct bpf_sdt_probe *probe,
						 const char *name, const struct bpf_insn *insns,
						 __u32 insn_cnt, const char *target_prog)
{
	struct sdt_generated g = { .probe = probe, .name = name, .insns = insns,
				   .insn_cnt = insn_cnt, .target_prog = target_prog };
	struct bpf_sdt_link *link;
	int err = sdt_target_attach_generated_all(t, &g, 1, &link);

	if (err) {
		errno = -err;
		return NULL;
	}
	return link;
}

static void unlist(struct bpf_sdt_target *t, struct sdt_attachment *a)
{
	struct sdt_attachment **pp;

	for (pp = &t->attachments; *pp != a; pp = &(*pp)->next)
		;
	*pp = a->next;
}

/* Observes nothing any more (its kernel links closed, left out of every
 * rebuild) but stays listed until destroyed, so its link stays valid. */
static void retire(struct sdt_attachment *a)
{
	native_unlink(a);
	a->defunct = true;
}

/* Says that a's observer goes on running in the copies that call it
 * until the next change of each (a failed rebuild without it). */
static void warn_still_called(const struct bpf_sdt_target *t, const struct sdt_attachment *a,
			      int err)
{
	if (t->hook.lost)
		return; /* said already: the hook is no longer ours */
	pr_warn("%s: observer %s of probe %s: detached, but its armed copies could not be rebuilt without it (%s): they call it until their next change",
		t->name, a->name, a->probe ? bpf_sdt_probe__name(a->probe) : "?", strerror(-err));
}

/* Gone from the target, whatever the rebuild without it did. */
static void drop(struct bpf_sdt_target *t, struct sdt_attachment *a)
{
	native_unlink(a);
	unlist(t, a);
	attachment_free(a); /* and its link */
}

/*
 * Like libbpf's bpf_link__destroy(), the link is gone afterwards, whatever
 * is returned: a failed rebuild leaves the current copies calling the
 * observer until their next change (said in one line), and the error is
 * returned. A link whose target was closed is only freed.
 */
int bpf_sdt_link__destroy(struct bpf_sdt_link *link)
{
	struct bpf_sdt_target *t;
	struct sdt_attachment *a;
	int err = 0;

	if (!link)
		return 0;
	if (!link->att) {
		free(link);
		return 0;
	}
	t = link->target;
	a = link->att;
	if (!a->defunct)
		err = rearm(t, &a, 1, true);
	if (err)
		warn_still_called(t, a, err);
	drop(t, a);
	return err;
}

int sdt_target_detach_links(struct bpf_sdt_target *t, struct bpf_sdt_link *const *links,
			    size_t n)
{
	struct sdt_attachment **live = calloc(n ? n : 1, sizeof(*live));
	size_t i, nlive = 0;
	int err = 0;

	for (i = 0; i < n; i++)
		if (live && links[i]->att && !links[i]->att->defunct)
			live[nlive++] = links[i]->att;
	if (!live)
		err = -ENOMEM;
	else if (nlive)
		err = rearm(t, live, nlive, true);
	/* gone either way: on failure the running copy may still call them
	 * (their maps live as long as it does) until the next swap */
	for (i = 0; i < n; i++) {
		if (!links[i]->att) {
			free(links[i]); /* its target is closed */
			continue;
		}
		if (err && !links[i]->att->defunct)
			warn_still_called(t, links[i]->att, err);
		drop(t, links[i]->att);
	}
	free(live);
	return err;
}

int sdt_target_disarm(struct bpf_sdt_target *t)
{
	struct sdt_attachment *a;
	size_t i;
	int err = 0, e;

	for (a = t->attachments; a; a = a->next)
		retire(a);
	for (i = 0; i < t->prog_cnt; i++) {
		if (t->progs[i].armed_fd < 0)
			continue;
		e = sdt_swap(t, &t->progs[i], -1);
		if (e && !err)
			err = e;
	}
	return err ?: t->hook.lost;
}

int bpf_sdt_target__disarm(struct bpf_sdt_target *t)
{
	return t ? sdt_target_disarm(t) : -EINVAL;
}

int sdt_target_detach_all(struct bpf_sdt_target *t)
{
	struct sdt_attachment *a, *next;
	int err = sdt_target_disarm(t);

	for (a = t->attachments; a; a = next) {
		next = a->next;
		/* the link stays its holder's to destroy */
		a->link->att = NULL;
		a->link->target = NULL;
		a->link = NULL;
		attachment_free(a);
	}
	t->attachments = NULL;
	return err;
}
