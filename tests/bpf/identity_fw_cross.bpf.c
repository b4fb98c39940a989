/* identity_fw with its last map reference (passed bytes) on the other map: the same tag and the same maps in the same order of first reference, a different map at one instruction. */
#define FIRST_MAP per_verdict_count_pass
#define SECOND_MAP per_verdict_count_drop
#define REF_DROP per_verdict_count_drop
#define REF_PASS_PACKETS per_verdict_count_pass
#define REF_PASS_BYTES per_verdict_count_drop
#include "identity_fw.h"
