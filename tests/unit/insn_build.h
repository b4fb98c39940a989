/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Instruction constructors for hand-assembled test programs. */
#ifndef __BPFSDT_TEST_INSN_BUILD_H
#define __BPFSDT_TEST_INSN_BUILD_H

#include <linux/bpf.h>

#define I_MOV64_IMM(d, i) ((struct bpf_insn){ BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i })
#define I_MOV64_REG(d, s) ((struct bpf_insn){ BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0 })
#define I_ADD64_REG(d, s) ((struct bpf_insn){ BPF_ALU64 | BPF_ADD | BPF_X, d, s, 0, 0 })
#define I_JA(o) ((struct bpf_insn){ BPF_JMP | BPF_JA, 0, 0, o, 0 })
#define I_GOTOL(i) ((struct bpf_insn){ BPF_JMP32 | BPF_JA, 0, 0, 0, i })
#define I_JGT_IMM(d, i, o) ((struct bpf_insn){ BPF_JMP | BPF_JGT | BPF_K, d, 0, o, i })
#define I_CALL_HELPER(id) ((struct bpf_insn){ BPF_JMP | BPF_CALL, 0, 0, 0, id })
#define I_CALL_PSEUDO(rel) ((struct bpf_insn){ BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, rel })
#define I_LD_FUNC(d, rel) ((struct bpf_insn){ BPF_LD | BPF_IMM | BPF_DW, d, BPF_PSEUDO_FUNC, 0, rel })
#define I_LD_IMM64_HI(i) ((struct bpf_insn){ 0, 0, 0, 0, i })
#define I_STX_DW(d, s, o) ((struct bpf_insn){ BPF_STX | BPF_MEM | BPF_DW, d, s, o, 0 })
#define I_ADD64_IMM(d, i) ((struct bpf_insn){ BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i })
#define I_AND64_IMM(d, i) ((struct bpf_insn){ BPF_ALU64 | BPF_AND | BPF_K, d, 0, 0, i })
#define I_JEQ_IMM(d, i, o) ((struct bpf_insn){ BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i })
#define I_JNE_IMM(d, i, o) ((struct bpf_insn){ BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i })
#define I_JLT_REG(d, s, o) ((struct bpf_insn){ BPF_JMP | BPF_JLT | BPF_X, d, s, o, 0 })
#define I_JGT_REG(d, s, o) ((struct bpf_insn){ BPF_JMP | BPF_JGT | BPF_X, d, s, o, 0 })
#define I_LDX_W(d, s, o) ((struct bpf_insn){ BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0 })
#define I_LDX_DW(d, s, o) ((struct bpf_insn){ BPF_LDX | BPF_MEM | BPF_DW, d, s, o, 0 })
#define I_ST_W(d, o, i) ((struct bpf_insn){ BPF_ST | BPF_MEM | BPF_W, d, 0, o, i })
#define I_LD_MAP_IDX(d, m) ((struct bpf_insn){ BPF_LD | BPF_IMM | BPF_DW, d, BPF_PSEUDO_MAP_IDX, 0, m })
#define I_EXIT() ((struct bpf_insn){ BPF_JMP | BPF_EXIT, 0, 0, 0, 0 })
#define I_NOP() I_JA(0)

#endif
