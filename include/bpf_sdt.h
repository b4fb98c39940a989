/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * bpf_sdt.h - static-defined tracing probes for BPF programs (BPF side).
 *
 *   BPF_SDT_DECLARE2(my_trace, int, int);
 *   ...
 *   BPF_SDT_PROBE2(my_trace, len, ret);
 *
 * Each probe site compiles to a `goto +0` (which the verifier deletes, so a
 * dormant site costs nothing) plus one entry in the .bpf_sdt_notes section:
 *
 *   ___sdt_jt_<probe>.<uid>:  local symbol marking the entry
 *   .quad <NOP byte offset>   R_BPF_64_ABS64 against the code section
 *   rD = rS                   one 8-byte BPF_ALU64|BPF_MOV|BPF_X per argument;
 *                             src_reg (S) holds the argument
 *
 * The declaration produces BTF: a FUNC_PROTO of the argument types (returning
 * void) reached from a DECL_TAG "bpf_sdt:<probe>:<nargs>". Probes with up to
 * five arguments are encoded exactly as in the RFC ("bpf: Introduce
 * static-defined tracing probe for BPF"); 6..12 arguments are an extension
 * described in docs/abi.md.
 *
 * Include after vmlinux.h or the linux/bpf.h + bpf_helpers.h pair.
 */
#ifndef __BPF_SDT_H__
#define __BPF_SDT_H__

#define BPF_SDT_MAX_ARGS	12
#define BPF_SDT_NOTES_SEC	".bpf_sdt_notes"
/* Carrier section for the prototypes of probes with more than five
 * arguments: clang 14 refuses BPF function definitions with more than five
 * parameters, so those probes tag a function-pointer variable instead.
 * libbpf skips unknown sections, so it creates no map for it. */
#define BPF_SDT_PROTOS_SEC	".bpf_sdt_protos"
/* Guards (BPF_SDT_ENABLED): the bytes they read, and their notes. */
#define BPF_SDT_GUARDS_SEC	".rodata.bpf_sdt_guards"
#define BPF_SDT_GUARD_NOTES_SEC	".bpf_sdt_guard_notes"

/*
 * Argument type rule: integers (any width up to 64 bits, signed or not),
 * enums, _Bool and pointers. __builtin_classify_type() classes 1..5 are
 * integer, char, enum, bool and pointer; structs, unions, floats and
 * anything wider than a register are refused at compile time.
 */
#define ___bpf_sdt_type_ok(t)						\
	(sizeof(__typeof__(t)) <= 8 &&					\
	 __builtin_classify_type(*(__typeof__(t) *)0) >= 1 &&		\
	 __builtin_classify_type(*(__typeof__(t) *)0) <= 5)

#define ___bpf_sdt_str(x) #x
#define ___bpf_sdt_xstr(x) ___bpf_sdt_str(x)

/* One declared argument: a typedef the probe sites convert through, and the
 * compile-time type rule, with a message that names the probe. */
#define ___bpf_sdt_decl_arg(name, i, t)					\
	typedef __typeof__(t) ___bpf_sdt_##name##__arg##i;		\
	_Static_assert(___bpf_sdt_type_ok(t),				\
		"bpf_sdt: probe '" #name "' argument " #i " ('" #t "'): "	\
		"only integers, enums, _Bool and pointers of at most 64 bits " \
		"can be probe arguments");

#define ___bpf_sdt_decl_args0(n)
#define ___bpf_sdt_decl_args1(n, t1) ___bpf_sdt_decl_arg(n, 1, t1)
#define ___bpf_sdt_decl_args2(n, t1, t2) ___bpf_sdt_decl_args1(n, t1) ___bpf_sdt_decl_arg(n, 2, t2)
#define ___bpf_sdt_decl_args3(n, t1, t2, t3) ___bpf_sdt_decl_args2(n, t1, t2) ___bpf_sdt_decl_arg(n, 3, t3)
#define ___bpf_sdt_decl_args4(n, t1, t2, t3, t4) ___bpf_sdt_decl_args3(n, t1, t2, t3) ___bpf_sdt_decl_arg(n, 4, t4)
#define ___bpf_sdt_decl_args5(n, t1, t2, t3, t4, t5) ___bpf_sdt_decl_args4(n, t1, t2, t3, t4) ___bpf_sdt_decl_arg(n, 5, t5)
#define ___bpf_sdt_decl_args6(n, t1, t2, t3, t4, t5, t6) ___bpf_sdt_decl_args5(n, t1, t2, t3, t4, t5) ___bpf_sdt_decl_arg(n, 6, t6)
#define ___bpf_sdt_decl_args7(n, t1, t2, t3, t4, t5, t6, t7) ___bpf_sdt_decl_args6(n, t1, t2, t3, t4, t5, t6) ___bpf_sdt_decl_arg(n, 7, t7)
#define ___bpf_sdt_decl_args8(n, t1, t2, t3, t4, t5, t6, t7, t8) ___bpf_sdt_decl_args7(n, t1, t2, t3, t4, t5, t6, t7) ___bpf_sdt_decl_arg(n, 8, t8)
#define ___bpf_sdt_decl_args9(n, t1, t2, t3, t4, t5, t6, t7, t8, t9) ___bpf_sdt_decl_args8(n, t1, t2, t3, t4, t5, t6, t7, t8) ___bpf_sdt_decl_arg(n, 9, t9)
#define ___bpf_sdt_decl_args10(n, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10) ___bpf_sdt_decl_args9(n, t1, t2, t3, t4, t5, t6, t7, t8, t9) ___bpf_sdt_decl_arg(n, 10, t10)
#define ___bpf_sdt_decl_args11(n, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11) ___bpf_sdt_decl_args10(n, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10) ___bpf_sdt_decl_arg(n, 11, t11)
#define ___bpf_sdt_decl_args12(n, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12) ___bpf_sdt_decl_args11(n, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11) ___bpf_sdt_decl_arg(n, 12, t12)

/* Parameter lists of the prototype (passed around parenthesised so their
 * commas survive macro argument passing). __typeof__ keeps the BTF type exactly the
 * declared one and lets pointer-to-function or array types be spelled inline. */
#define ___bpf_sdt_params0() void
#define ___bpf_sdt_params1(t1) __typeof__(t1) a1
#define ___bpf_sdt_params2(t1, t2) ___bpf_sdt_params1(t1), __typeof__(t2) a2
#define ___bpf_sdt_params3(t1, t2, t3) ___bpf_sdt_params2(t1, t2), __typeof__(t3) a3
#define ___bpf_sdt_params4(t1, t2, t3, t4) ___bpf_sdt_params3(t1, t2, t3), __typeof__(t4) a4
#define ___bpf_sdt_params5(t1, t2, t3, t4, t5) ___bpf_sdt_params4(t1, t2, t3, t4), __typeof__(t5) a5
#define ___bpf_sdt_params6(t1, t2, t3, t4, t5, t6) ___bpf_sdt_params5(t1, t2, t3, t4, t5), __typeof__(t6) a6
#define ___bpf_sdt_params7(t1, t2, t3, t4, t5, t6, t7) ___bpf_sdt_params6(t1, t2, t3, t4, t5, t6), __typeof__(t7) a7
#define ___bpf_sdt_params8(t1, t2, t3, t4, t5, t6, t7, t8) ___bpf_sdt_params7(t1, t2, t3, t4, t5, t6, t7), __typeof__(t8) a8
#define ___bpf_sdt_params9(t1, t2, t3, t4, t5, t6, t7, t8, t9) ___bpf_sdt_params8(t1, t2, t3, t4, t5, t6, t7, t8), __typeof__(t9) a9
#define ___bpf_sdt_params10(t1, t2, t3, t4, t5, t6, t7, t8, t9, t10) ___bpf_sdt_params9(t1, t2, t3, t4, t5, t6, t7, t8, t9), __typeof__(t10) a10
#define ___bpf_sdt_params11(t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11) ___bpf_sdt_params10(t1, t2, t3, t4, t5, t6, t7, t8, t9, t10), __typeof__(t11) a11
#define ___bpf_sdt_params12(t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12) ___bpf_sdt_params11(t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11), __typeof__(t12) a12

#define ___bpf_sdt_tag(name, n) "bpf_sdt:" #name ":" #n

/* RFC carrier (0..5 arguments): a static, unused, noinline stub in .text.
 * libbpf loads it as an uncalled subprogram, i.e. not at all. */
#define ___bpf_sdt_carrier_func(name, n, params)				\
	static void __attribute__((noinline, used,			\
		btf_decl_tag(___bpf_sdt_tag(name, n))))			\
	___bpf_sdt_proto__##name params { }

/* Extension carrier (6..12 arguments): a tagged pointer-to-FUNC_PROTO
 * variable in a section libbpf ignores. */
#define ___bpf_sdt_carrier_var(name, n, params)				\
	static void (*___bpf_sdt_proto__##name) params			\
	__attribute__((used, section(BPF_SDT_PROTOS_SEC),		\
		btf_decl_tag(___bpf_sdt_tag(name, n))))

/* The probe's guard (BPF_SDT_ENABLED below): one byte of read-only data
 * in a section of its own, 0 in the object. Only a probe whose guard is
 * used gets the byte (unused: the compiler drops it), and only an object
 * with guards gets the section, which libbpf makes a frozen array map. */
#define ___bpf_sdt_guard_var(name)					\
	static const volatile unsigned char ___bpf_sdt_guard__##name	\
	__attribute__((section(BPF_SDT_GUARDS_SEC), unused)) = 0;

#define ___bpf_sdt_declare(name, n, carrier, decl_args, params)		\
	enum { ___bpf_sdt_nargs__##name = n };				\
	decl_args							\
	___bpf_sdt_guard_var(name)					\
	carrier(name, n, params)

#define BPF_SDT_DECLARE0(name) \
	___bpf_sdt_declare(name, 0, ___bpf_sdt_carrier_func, , (___bpf_sdt_params0()))
#define BPF_SDT_DECLARE1(name, t1) \
	___bpf_sdt_declare(name, 1, ___bpf_sdt_carrier_func, ___bpf_sdt_decl_args1(name, t1), (___bpf_sdt_params1(t1)))
#define BPF_SDT_DECLARE2(name, t1, t2) \
	___bpf_sdt_declare(name, 2, ___bpf_sdt_carrier_func, ___bpf_sdt_decl_args2(name, t1, t2), (___bpf_sdt_params2(t1, t2)))
#define BPF_SDT_DECLARE3(name, t1, t2, t3) \
	___bpf_sdt_declare(name, 3, ___bpf_sdt_carrier_func, ___bpf_sdt_decl_args3(name, t1, t2, t3), (___bpf_sdt_params3(t1, t2, t3)))
#define BPF_SDT_DECLARE4(name, t1, t2, t3, t4) \
	___bpf_sdt_declare(name, 4, ___bpf_sdt_carrier_func, ___bpf_sdt_decl_args4(name, t1, t2, t3, t4), (___bpf_sdt_params4(t1, t2, t3, t4)))
#define BPF_SDT_DECLARE5(name, t1, t2, t3, t4, t5) \
	___bpf_sdt_declare(name, 5, ___bpf_sdt_carrier_func, ___bpf_sdt_decl_args5(name, t1, t2, t3, t4, t5), (___bpf_sdt_params5(t1, t2, t3, t4, t5)))
#define BPF_SDT_DECLARE6(name, t1, t2, t3, t4, t5, t6) \
	___bpf_sdt_declare(name, 6, ___bpf_sdt_carrier_var, ___bpf_sdt_decl_args6(name, t1, t2, t3, t4, t5, t6), (___bpf_sdt_params6(t1, t2, t3, t4, t5, t6)))
#define BPF_SDT_DECLARE7(name, t1, t2, t3, t4, t5, t6, t7) \
	___bpf_sdt_declare(name, 7, ___bpf_sdt_carrier_var, ___bpf_sdt_decl_args7(name, t1, t2, t3, t4, t5, t6, t7), (___bpf_sdt_params7(t1, t2, t3, t4, t5, t6, t7)))
#define BPF_SDT_DECLARE8(name, t1, t2, t3, t4, t5, t6, t7, t8) \
	___bpf_sdt_declare(name, 8, ___bpf_sdt_carrier_var, ___bpf_sdt_decl_args8(name, t1, t2, t3, t4, t5, t6, t7, t8), (___bpf_sdt_params8(t1, t2, t3, t4, t5, t6, t7, t8)))
#define BPF_SDT_DECLARE9(name, t1, t2, t3, t4, t5, t6, t7, t8, t9) \
	___bpf_sdt_declare(name, 9, ___bpf_sdt_carrier_var, ___bpf_sdt_decl_args9(name, t1, t2, t3, t4, t5, t6, t7, t8, t9), (___bpf_sdt_params9(t1, t2, t3, t4, t5, t6, t7, t8, t9)))
#define BPF_SDT_DECLARE10(name, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10) \
	___bpf_sdt_declare(name, 10, ___bpf_sdt_carrier_var, ___bpf_sdt_decl_args10(name, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10), (___bpf_sdt_params10(t1, t2, t3, t4, t5, t6, t7, t8, t9, t10)))
#define BPF_SDT_DECLARE11(name, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11) \
	___bpf_sdt_declare(name, 11, ___bpf_sdt_carrier_var, ___bpf_sdt_decl_args11(name, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11), (___bpf_sdt_params11(t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11)))
#define BPF_SDT_DECLARE12(name, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12) \
	___bpf_sdt_declare(name, 12, ___bpf_sdt_carrier_var, ___bpf_sdt_decl_args12(name, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12), (___bpf_sdt_params12(t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12)))

/*
 * Probe sites.
 *
 * Each argument is first converted to its declared type through an
 * initialisation, with the conversions C only warns about (pointer <->
 * integer, incompatible pointers) promoted to errors: an argument that does
 * not convert is a compile error naming the probe's argument typedef.
 */
#define ___bpf_sdt_conv_begin						\
	_Pragma("clang diagnostic push")				\
	_Pragma("clang diagnostic error \"-Wint-conversion\"")		\
	_Pragma("clang diagnostic error \"-Wincompatible-pointer-types\"")
#define ___bpf_sdt_conv_end _Pragma("clang diagnostic pop")

#define ___bpf_sdt_conv(n, i, x) ___bpf_sdt_##n##__arg##i ___sdt_a##i = (x);
#define ___bpf_sdt_convs0(n)
#define ___bpf_sdt_convs1(n, x1) ___bpf_sdt_conv(n, 1, x1)
#define ___bpf_sdt_convs2(n, x1, x2) ___bpf_sdt_convs1(n, x1) ___bpf_sdt_conv(n, 2, x2)
#define ___bpf_sdt_convs3(n, x1, x2, x3) ___bpf_sdt_convs2(n, x1, x2) ___bpf_sdt_conv(n, 3, x3)
#define ___bpf_sdt_convs4(n, x1, x2, x3, x4) ___bpf_sdt_convs3(n, x1, x2, x3) ___bpf_sdt_conv(n, 4, x4)
#define ___bpf_sdt_convs5(n, x1, x2, x3, x4, x5) ___bpf_sdt_convs4(n, x1, x2, x3, x4) ___bpf_sdt_conv(n, 5, x5)
#define ___bpf_sdt_convs6(n, x1, x2, x3, x4, x5, x6) ___bpf_sdt_convs5(n, x1, x2, x3, x4, x5) ___bpf_sdt_conv(n, 6, x6)
#define ___bpf_sdt_convs7(n, x1, x2, x3, x4, x5, x6, x7) ___bpf_sdt_convs6(n, x1, x2, x3, x4, x5, x6) ___bpf_sdt_conv(n, 7, x7)
#define ___bpf_sdt_convs8(n, x1, x2, x3, x4, x5, x6, x7, x8) ___bpf_sdt_convs7(n, x1, x2, x3, x4, x5, x6, x7) ___bpf_sdt_conv(n, 8, x8)
#define ___bpf_sdt_convs9(n, x1, x2, x3, x4, x5, x6, x7, x8, x9) ___bpf_sdt_convs8(n, x1, x2, x3, x4, x5, x6, x7, x8) ___bpf_sdt_conv(n, 9, x9)
#define ___bpf_sdt_convs10(n, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10) ___bpf_sdt_convs9(n, x1, x2, x3, x4, x5, x6, x7, x8, x9) ___bpf_sdt_conv(n, 10, x10)
#define ___bpf_sdt_convs11(n, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11) ___bpf_sdt_convs10(n, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10) ___bpf_sdt_conv(n, 11, x11)
#define ___bpf_sdt_convs12(n, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12) ___bpf_sdt_convs11(n, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11) ___bpf_sdt_conv(n, 12, x12)

/*
 * Note lines. Argument i is described by an instruction whose dst_reg is
 * r(1 + (i-1) % 5): r1..r5 for the RFC's five, then r1..r5 again for 6..10
 * and r1..r2 for 11..12 (the registers each argument takes when the probe is
 * split into calls of at most five arguments).
 *
 * BPF has ten allocatable registers, so at most nine arguments can sit in
 * registers next to one more holding an address. Probes with ten or more
 * arguments therefore pass arguments 10..12 through a u64 block on the stack:
 * their note is BPF_LDX|BPF_MEM|BPF_DW with src_reg = the register holding
 * the block's address and off = the slot's byte offset.
 */
#define ___bpf_sdt_mov(i, d) "r" #d " = %[a" #i "]\n"
#define ___bpf_sdt_ldx(d, off) "r" #d " = *(u64 *)(%[blk] + " #off ")\n"
#define ___bpf_sdt_movs0 ""
#define ___bpf_sdt_movs1 ___bpf_sdt_mov(1, 1)
#define ___bpf_sdt_movs2 ___bpf_sdt_movs1 ___bpf_sdt_mov(2, 2)
#define ___bpf_sdt_movs3 ___bpf_sdt_movs2 ___bpf_sdt_mov(3, 3)
#define ___bpf_sdt_movs4 ___bpf_sdt_movs3 ___bpf_sdt_mov(4, 4)
#define ___bpf_sdt_movs5 ___bpf_sdt_movs4 ___bpf_sdt_mov(5, 5)
#define ___bpf_sdt_movs6 ___bpf_sdt_movs5 ___bpf_sdt_mov(6, 1)
#define ___bpf_sdt_movs7 ___bpf_sdt_movs6 ___bpf_sdt_mov(7, 2)
#define ___bpf_sdt_movs8 ___bpf_sdt_movs7 ___bpf_sdt_mov(8, 3)
#define ___bpf_sdt_movs9 ___bpf_sdt_movs8 ___bpf_sdt_mov(9, 4)
#define ___bpf_sdt_movs10 ___bpf_sdt_movs9 ___bpf_sdt_ldx(5, 0)
#define ___bpf_sdt_movs11 ___bpf_sdt_movs10 ___bpf_sdt_ldx(1, 8)
#define ___bpf_sdt_movs12 ___bpf_sdt_movs11 ___bpf_sdt_ldx(2, 16)

#define ___bpf_sdt_op(i) [a##i] "r"(___sdt_a##i)
#define ___bpf_sdt_ops1 ___bpf_sdt_op(1)
#define ___bpf_sdt_ops2 ___bpf_sdt_ops1, ___bpf_sdt_op(2)
#define ___bpf_sdt_ops3 ___bpf_sdt_ops2, ___bpf_sdt_op(3)
#define ___bpf_sdt_ops4 ___bpf_sdt_ops3, ___bpf_sdt_op(4)
#define ___bpf_sdt_ops5 ___bpf_sdt_ops4, ___bpf_sdt_op(5)
#define ___bpf_sdt_ops6 ___bpf_sdt_ops5, ___bpf_sdt_op(6)
#define ___bpf_sdt_ops7 ___bpf_sdt_ops6, ___bpf_sdt_op(7)
#define ___bpf_sdt_ops8 ___bpf_sdt_ops7, ___bpf_sdt_op(8)
#define ___bpf_sdt_ops9 ___bpf_sdt_ops8, ___bpf_sdt_op(9)

#define ___bpf_sdt_u64(i) (unsigned long long)___sdt_a##i
#define ___bpf_sdt_blk10 ___bpf_sdt_u64(10)
#define ___bpf_sdt_blk11 ___bpf_sdt_blk10, ___bpf_sdt_u64(11)
#define ___bpf_sdt_blk12 ___bpf_sdt_blk11, ___bpf_sdt_u64(12)

/* `%=` makes the entry symbol unique per emitted site (also per inlined
 * copy); it is only substituted in extended asm, hence the "::" even for
 * zero-argument sites. */
#define ___bpf_sdt_site_asm(name, notes)				\
	"1: goto +0\n"							\
	".pushsection " BPF_SDT_NOTES_SEC ",\"a\"\n"			\
	".balign 8\n"							\
	"___sdt_jt_" #name ".%=:\n"					\
	".quad 1b\n"							\
	notes								\
	".popsection\n"

#define ___bpf_sdt_check_nargs(name, n)					\
	_Static_assert(___bpf_sdt_nargs__##name == n,			\
		"bpf_sdt: probe '" #name "' is declared with a different "	\
		"number of arguments than BPF_SDT_PROBE" #n " passes")

#define ___bpf_sdt_probe_regs(name, n, convs, ...)			\
	do {								\
		___bpf_sdt_check_nargs(name, n);				\
		___bpf_sdt_conv_begin convs ___bpf_sdt_conv_end		\
		asm volatile(___bpf_sdt_site_asm(name, ___bpf_sdt_movs##n)	\
			     :: __VA_ARGS__);				\
	} while (0)

#define ___bpf_sdt_probe_blk(name, n, convs)				\
	do {								\
		___bpf_sdt_check_nargs(name, n);				\
		___bpf_sdt_conv_begin convs ___bpf_sdt_conv_end		\
		unsigned long long ___sdt_blk[] = { ___bpf_sdt_blk##n };	\
		asm volatile(___bpf_sdt_site_asm(name, ___bpf_sdt_movs##n)	\
			     :: ___bpf_sdt_ops9, [blk] "r"(___sdt_blk)	\
			     : "memory");				\
	} while (0)

#define BPF_SDT_PROBE0(name)						\
	do {								\
		___bpf_sdt_check_nargs(name, 0);				\
		asm volatile(___bpf_sdt_site_asm(name, "") ::);		\
	} while (0)
#define BPF_SDT_PROBE1(name, x1) \
	___bpf_sdt_probe_regs(name, 1, ___bpf_sdt_convs1(name, x1), ___bpf_sdt_ops1)
#define BPF_SDT_PROBE2(name, x1, x2) \
	___bpf_sdt_probe_regs(name, 2, ___bpf_sdt_convs2(name, x1, x2), ___bpf_sdt_ops2)
#define BPF_SDT_PROBE3(name, x1, x2, x3) \
	___bpf_sdt_probe_regs(name, 3, ___bpf_sdt_convs3(name, x1, x2, x3), ___bpf_sdt_ops3)
#define BPF_SDT_PROBE4(name, x1, x2, x3, x4) \
	___bpf_sdt_probe_regs(name, 4, ___bpf_sdt_convs4(name, x1, x2, x3, x4), ___bpf_sdt_ops4)
#define BPF_SDT_PROBE5(name, x1, x2, x3, x4, x5) \
	___bpf_sdt_probe_regs(name, 5, ___bpf_sdt_convs5(name, x1, x2, x3, x4, x5), ___bpf_sdt_ops5)
#define BPF_SDT_PROBE6(name, x1, x2, x3, x4, x5, x6) \
	___bpf_sdt_probe_regs(name, 6, ___bpf_sdt_convs6(name, x1, x2, x3, x4, x5, x6), ___bpf_sdt_ops6)
#define BPF_SDT_PROBE7(name, x1, x2, x3, x4, x5, x6, x7) \
	___bpf_sdt_probe_regs(name, 7, ___bpf_sdt_convs7(name, x1, x2, x3, x4, x5, x6, x7), ___bpf_sdt_ops7)
#define BPF_SDT_PROBE8(name, x1, x2, x3, x4, x5, x6, x7, x8) \
	___bpf_sdt_probe_regs(name, 8, ___bpf_sdt_convs8(name, x1, x2, x3, x4, x5, x6, x7, x8), ___bpf_sdt_ops8)
#define BPF_SDT_PROBE9(name, x1, x2, x3, x4, x5, x6, x7, x8, x9) \
	___bpf_sdt_probe_regs(name, 9, ___bpf_sdt_convs9(name, x1, x2, x3, x4, x5, x6, x7, x8, x9), ___bpf_sdt_ops9)
#define BPF_SDT_PROBE10(name, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10) \
	___bpf_sdt_probe_blk(name, 10, ___bpf_sdt_convs10(name, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10))
#define BPF_SDT_PROBE11(name, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11) \
	___bpf_sdt_probe_blk(name, 11, ___bpf_sdt_convs11(name, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11))
#define BPF_SDT_PROBE12(name, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12) \
	___bpf_sdt_probe_blk(name, 12, ___bpf_sdt_convs12(name, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12))

/*
 * Guards: debug code that costs nothing while nobody observes its probe.
 *
 *   if (BPF_SDT_ENABLED(my_trace)) {
 *           __u32 h = hash_headers(ctx);	(costly argument preparation)
 *           BPF_SDT_PROBE2(my_trace, h, len);
 *   }
 *
 * The guard is exactly these three instructions, from one asm goto:
 *
 *   1: r0 = <the probe's guard byte> ll	(BPF_PSEUDO_MAP_VALUE once loaded)
 *      r0 = *(u8 *)(r0 + 0)
 *      if r0 != 0 goto <the guarded block>
 *
 * plus an entry in .bpf_sdt_guard_notes (symbol ___sdt_guard_<probe>.<uid>,
 * `.quad 1b`: the byte offset of the ld_imm64). The byte is in a frozen,
 * read-only map (libbpf, iproute2 and bpftool freeze .rodata* maps), so the
 * verifier knows it is 0: it removes the jump and the whole block as dead
 * code, and the loaded program keeps only the first two instructions (three
 * slots). An armed copy (relinking) reads its own copy of that map in which
 * the guards of its armed probes are 1; a kernel with in-kernel SDT
 * (kernel/patches/) turns the jump into a static branch instead, flipped by
 * linking an observer to the probe. r0 is clobbered.
 */
#define BPF_SDT_ENABLED(name) __builtin_expect(({			\
	__label__ ___sdt_on;						\
	int ___sdt_enabled = 1;						\
	asm goto("1: r0 = %c[guard] ll\n"					\
		 "r0 = *(u8 *)(r0 + 0)\n"					\
		 "if r0 != 0 goto %l[___sdt_on]\n"			\
		 ".pushsection " BPF_SDT_GUARD_NOTES_SEC ",\"a\"\n"	\
		 ".balign 8\n"						\
		 "___sdt_guard_" #name ".%=:\n"				\
		 ".quad 1b\n"						\
		 ".popsection\n"					\
		 :: [guard] "i"(&___bpf_sdt_guard__##name)		\
		 : "r0" : ___sdt_on);					\
	___sdt_enabled = 0;						\
___sdt_on:								\
	___sdt_enabled; }), 0)

/*
 * Function probes: Alexei Starovoitov's alternative to SDT, a guarded call
 * of a global no-op function that an freplace program can replace.
 *
 *   BPF_SDT_FUNC2(my_trace, int, int);
 *   ...
 *   BPF_SDT_CALL2(my_trace, len, ret);
 *
 * BPF_SDT_FUNCn declares the probe (as BPF_SDT_DECLAREn) and defines
 * `int my_trace(T1, ..., Tn)`, global and not inlined, returning 0, with
 * DECL_TAG "bpf_sdt_func:<probe>:<n>". BPF_SDT_CALLn is
 *
 *   if (BPF_SDT_ENABLED(my_trace)) {
 *           BPF_SDT_PROBE2(my_trace, len, ret);	(a site, for relinking)
 *           my_trace(len, ret);			(the call freplace observes)
 *   }
 *
 * each argument evaluated once. BPF functions take at most five arguments.
 */
#define ___bpf_sdt_func_tag(name, n) "bpf_sdt_func:" #name ":" #n

/* Each parameter is an input of the body's asm: a function that ignores its
 * arguments may be called without them (clang passes unused arguments of
 * a function it can see as undefined), and an freplace program of it would
 * read garbage. The asm is also a side effect: a call of a function without
 * one would be deleted as dead code. */
#define ___bpf_sdt_func(name, n, params, ...)				\
	__attribute__((noinline, btf_decl_tag(___bpf_sdt_func_tag(name, n)))) \
	int name params							\
	{								\
		asm volatile("" :: __VA_ARGS__ : "memory");			\
		return 0;						\
	}

#define ___bpf_sdt_use(i) "r"(a##i)
#define BPF_SDT_FUNC0(name) BPF_SDT_DECLARE0(name); \
	___bpf_sdt_func(name, 0, (___bpf_sdt_params0()), )
#define BPF_SDT_FUNC1(name, t1) BPF_SDT_DECLARE1(name, t1); \
	___bpf_sdt_func(name, 1, (___bpf_sdt_params1(t1)), ___bpf_sdt_use(1))
#define BPF_SDT_FUNC2(name, t1, t2) BPF_SDT_DECLARE2(name, t1, t2); \
	___bpf_sdt_func(name, 2, (___bpf_sdt_params2(t1, t2)), \
			___bpf_sdt_use(1), ___bpf_sdt_use(2))
#define BPF_SDT_FUNC3(name, t1, t2, t3) BPF_SDT_DECLARE3(name, t1, t2, t3); \
	___bpf_sdt_func(name, 3, (___bpf_sdt_params3(t1, t2, t3)), \
			___bpf_sdt_use(1), ___bpf_sdt_use(2), ___bpf_sdt_use(3))
#define BPF_SDT_FUNC4(name, t1, t2, t3, t4) BPF_SDT_DECLARE4(name, t1, t2, t3, t4); \
	___bpf_sdt_func(name, 4, (___bpf_sdt_params4(t1, t2, t3, t4)), \
			___bpf_sdt_use(1), ___bpf_sdt_use(2), ___bpf_sdt_use(3), \
			___bpf_sdt_use(4))
#define BPF_SDT_FUNC5(name, t1, t2, t3, t4, t5) BPF_SDT_DECLARE5(name, t1, t2, t3, t4, t5); \
	___bpf_sdt_func(name, 5, (___bpf_sdt_params5(t1, t2, t3, t4, t5)), \
			___bpf_sdt_use(1), ___bpf_sdt_use(2), ___bpf_sdt_use(3), \
			___bpf_sdt_use(4), ___bpf_sdt_use(5))

#define ___bpf_sdt_call(name, n, convs, call_args, ...)			\
	do {								\
		if (BPF_SDT_ENABLED(name)) {				\
			___bpf_sdt_check_nargs(name, n);			\
			___bpf_sdt_conv_begin convs ___bpf_sdt_conv_end	\
			asm volatile(___bpf_sdt_site_asm(name, ___bpf_sdt_movs##n) \
				     :: __VA_ARGS__);			\
			name call_args;					\
		}							\
	} while (0)

#define BPF_SDT_CALL0(name)						\
	do {								\
		if (BPF_SDT_ENABLED(name)) {				\
			BPF_SDT_PROBE0(name);				\
			name();						\
		}							\
	} while (0)
#define BPF_SDT_CALL1(name, x1) ___bpf_sdt_call(name, 1, ___bpf_sdt_convs1(name, x1), \
	(___sdt_a1), ___bpf_sdt_ops1)
#define BPF_SDT_CALL2(name, x1, x2) ___bpf_sdt_call(name, 2, ___bpf_sdt_convs2(name, x1, x2), \
	(___sdt_a1, ___sdt_a2), ___bpf_sdt_ops2)
#define BPF_SDT_CALL3(name, x1, x2, x3) ___bpf_sdt_call(name, 3, \
	___bpf_sdt_convs3(name, x1, x2, x3), (___sdt_a1, ___sdt_a2, ___sdt_a3), ___bpf_sdt_ops3)
#define BPF_SDT_CALL4(name, x1, x2, x3, x4) ___bpf_sdt_call(name, 4, \
	___bpf_sdt_convs4(name, x1, x2, x3, x4), \
	(___sdt_a1, ___sdt_a2, ___sdt_a3, ___sdt_a4), ___bpf_sdt_ops4)
#define BPF_SDT_CALL5(name, x1, x2, x3, x4, x5) ___bpf_sdt_call(name, 5, \
	___bpf_sdt_convs5(name, x1, x2, x3, x4, x5), \
	(___sdt_a1, ___sdt_a2, ___sdt_a3, ___sdt_a4, ___sdt_a5), ___bpf_sdt_ops5)

#endif /* __BPF_SDT_H__ */
