/* Shared includes of the corpus programs. */
#ifndef __CORPUS_COMMON_H
#define __CORPUS_COMMON_H
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include "bpf_sdt.h"

/* Packet length, read the way every XDP program does; the verifier rewrites
 * these context loads one for one, so instruction counts stay comparable. */
static __always_inline int xdp_len(struct xdp_md *ctx)
{
	return ctx->data_end - ctx->data;
}

/*
 * A program's expected `bpfsdt check` verdict, next to its sites, in the
 * manner of the kernel selftests' __success/__failure/__msg: BTF decl tags
 * on the program's function, which tests/unit/test_check_verdicts.c reads
 * and checks in both modes with one loop.
 *
 *   __sdt_clean                 no finding, in either mode
 *   __sdt_error(msg)            one error saying msg (a substring), both modes
 *   __sdt_error_kernel(msg)     one error in kernel mode only, or said
 *   __sdt_error_offline(msg)    differently by each mode
 *   __sdt_warning_offline(msg)  one warning offline (the kernel check does
 *                               not look at scalar ranges)
 *   __sdt_unchecked_kernel(msg) the kernel check could not check the site
 *
 * One annotation per finding, in the order of the site's arguments. What
 * the compiler decides is not written out: msg names the register holding
 * the finding's argument {{reg}}, never r1, and a number that depends on
 * code generation (a stack depth) {{n}}.
 */
#define __sdt_str(x) #x
#define __sdt_xstr(x) __sdt_str(x)
#define __sdt_expect(what, msg)							\
	__attribute__((btf_decl_tag("sdt_expect:" __sdt_xstr(__COUNTER__) ":" what ":" msg)))
#define __sdt_clean __sdt_expect("clean", "")
#define __sdt_error(msg) __sdt_expect("error", msg)
#define __sdt_error_kernel(msg) __sdt_expect("error.kernel", msg)
#define __sdt_error_offline(msg) __sdt_expect("error.offline", msg)
#define __sdt_warning_offline(msg) __sdt_expect("warning.offline", msg)
#define __sdt_unchecked_kernel(msg) __sdt_expect("unchecked.kernel", msg)

#endif
