// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Spelling argument types in C, and refusing types too big to spell. */
#include <bpf/btf.h>
#include <errno.h>
#include <stdlib.h>
#include "discover/discover.h"
#include "test.h"

UNIT_TEST(spells_pointer_to_const_struct)
{
	struct btf *btf = btf__new_empty();
	int s, c, p;
	char *name;

	s = btf__add_struct(btf, "ethhdr", 14);
	c = btf__add_const(btf, s);
	p = btf__add_ptr(btf, c);
	ASSERT_EQ(sdt_type_name(btf, p, &name), 0);
	ASSERT_STREQ(name, "const struct ethhdr *");
	free(name);
	btf__free(btf);
}

UNIT_TEST(refuses_to_spell_an_anonymous_struct_too_large_to_print)
{
	/* legal BTF: btf_dump would print one "long: 64;" per 8 bytes of gap */
	struct btf *btf = btf__new_empty();
	int i32, s, p;
	char *name = NULL;

	i32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	s = btf__add_struct(btf, NULL, 1u << 30);
	ASSERT_EQ(btf__add_field(btf, "last", i32, 8u * ((1u << 30) - 4), 0), 0);
	p = btf__add_ptr(btf, s);
	ASSERT_EQ(sdt_type_name(btf, p, &name), -E2BIG);
	ASSERT_TRUE(name == NULL);
	btf__free(btf);
}

UNIT_TEST(refuses_to_spell_a_cyclic_type)
{
	struct btf *btf = btf__new_empty();
	int ptr, cnst;
	char *name = NULL;

	/* ptr -> const -> ptr -> ... : only hand-made BTF can do this */
	ptr = btf__add_ptr(btf, 2);
	cnst = btf__add_const(btf, ptr);
	ASSERT_EQ(cnst, 2);
	ASSERT_EQ(sdt_type_name(btf, ptr, &name), -ELOOP);
	btf__free(btf);
}

UNIT_TEST(refuses_to_spell_an_anonymous_struct_with_a_void_member)
{
	/* btf_dump would divide by its zero alignment */
	struct btf *btf = btf__new_empty();
	int s, p;
	char *name = NULL;

	s = btf__add_struct(btf, NULL, 8);
	ASSERT_EQ(btf__add_field(btf, "nothing", 0, 0, 0), 0);
	p = btf__add_ptr(btf, s);
	ASSERT_EQ(sdt_type_name(btf, p, &name), -EINVAL);
	btf__free(btf);
}

UNIT_TEST(spells_pointer_to_parameterless_function_with_void)
{
	struct btf *btf = btf__new_empty();
	int i32, proto, ptr;
	char *name;

	i32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	proto = btf__add_func_proto(btf, i32);
	ptr = btf__add_ptr(btf, proto);
	ASSERT_EQ(sdt_type_name(btf, ptr, &name), 0);
	ASSERT_STREQ(name, "int (*)(void)");
	free(name);
	btf__free(btf);
}

UNIT_TEST(refuses_to_spell_a_type_whose_name_is_not_c)
{
	/* fuzzer-found: libbpf prints any name it is given, "" included */
	struct btf *btf = btf__new_empty();
	int bad, e;
	char *name = NULL;

	bad = btf__add_int(btf, "\"\"", 4, BTF_INT_SIGNED);
	ASSERT_EQ(sdt_type_name(btf, bad, &name), -EINVAL);
	ASSERT_TRUE(name == NULL);
	e = btf__add_enum(btf, "has space", 4);
	ASSERT_EQ(btf__add_enum_value(btf, "A", 0), 0);
	ASSERT_EQ(sdt_type_name(btf, e, &name), -EINVAL);
	btf__free(btf);
}

UNIT_TEST(spells_multi_word_integer_names)
{
	struct btf *btf = btf__new_empty();
	int u;
	char *name;

	u = btf__add_int(btf, "unsigned long long", 8, 0);
	ASSERT_EQ(sdt_type_name(btf, u, &name), 0);
	ASSERT_STREQ(name, "unsigned long long");
	free(name);
	btf__free(btf);
}
