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
#define I_EXIT() ((struct bpf_insn){ BPF_JMP | BPF_EXIT, 0, 0, 0, 0 })
#define I_NOP() I_JA(0)

#endif
