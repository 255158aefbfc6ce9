#!/bin/sh
# cet.sh CC SRC_DIR WORK_DIR — the x86-64 switch under Intel CET markings.
#
# Builds the runtime and some of its tests with CC -fcf-protection=full (the
# compiler then marks its own objects IBT and SHSTK and puts endbr64 at
# function entries), links and runs them, and checks what the markings say:
#  - the switch's object claims IBT and not SHSTK (see switch_x86_64.S: the
#    switch moves to another stack, so a shadow stack would fault);
#  - the runtime as a whole, once its objects are linked together (the linker
#    ANDs the notes), is IBT-only: linking it turns SHSTK off, as it must;
#  - the entry points that indirect branches reach start with endbr64, and
#    every indirect jmp of the switch carries notrack (its targets are return
#    addresses in C code, which have no endbr64).
# This machine's CPU or kernel may not enforce CET at all: what runs here is
# the code as built for CET, not the enforcement. Exit 77 (skipped) on a
# non-x86-64 host or a compiler without -fcf-protection.
set -eu
cc=$1
src=$2
work=$3
[ "$(uname -m)" = x86_64 ] || { echo "SKIP: not an x86-64 host"; exit 77; }
echo 'int main(void){return 0;}' > "${TMPDIR:-/tmp}/cet_probe.$$.c"
if ! $cc -fcf-protection=full -o /dev/null "${TMPDIR:-/tmp}/cet_probe.$$.c" 2>/dev/null; then
	rm -f "${TMPDIR:-/tmp}/cet_probe.$$.c"
	echo "SKIP: $cc does not accept -fcf-protection=full"
	exit 77
fi
rm -f "${TMPDIR:-/tmp}/cet_probe.$$.c"
command -v readelf >/dev/null 2>&1 || { echo "SKIP: readelf not installed"; exit 77; }
command -v objdump >/dev/null 2>&1 || { echo "SKIP: objdump not installed"; exit 77; }
rm -rf "$work"
mkdir -p "$work/obj"
flags="-std=c11 -O2 -Wall -Wextra -Werror -fcf-protection=full -D_GNU_SOURCE -DCORO_SWITCH_ASM=1 -I$src/coro -I$src/tests/coro"
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# The runtime, object by object.
for f in "$src"/coro/*.c "$src"/coro/arch/ctx_make.c "$src"/coro/arch/switch_x86_64.S; do
	o="$work/obj/$(basename "$f").o"
	# shellcheck disable=SC2086
	$cc $flags -c -o "$o" "$f"
done

# x86 feature line of an object's property note ("" when it has none).
feature() { readelf -n "$1" | sed -n 's/.*x86 feature: *//p'; }

sw=$(feature "$work/obj/switch_x86_64.S.o")
echo "switch_x86_64.S.o: x86 feature: ${sw:-none}"
[ "$sw" = IBT ] || bad "the switch's note should say exactly IBT, says '${sw:-nothing}'"
for o in "$work"/obj/*.c.o; do
	case "$(feature "$o")" in
	*IBT*) ;;
	*) bad "$(basename "$o") not marked IBT by -fcf-protection=full" ;;
	esac
done
# shellcheck disable=SC2046
ld -r -o "$work/runtime.o" $(ls "$work"/obj/*.o)
all=$(feature "$work/runtime.o")
echo "runtime linked together: x86 feature: ${all:-none}"
[ "$all" = IBT ] || bad "the linked runtime should be IBT-only, is '${all:-nothing}'"

# Landing pads and notrack, read back from the machine code.
dis=$(objdump -d --no-show-raw-insn "$work/obj/switch_x86_64.S.o")
for fn in coro_rawctx_switch coro__rawctx_switch_nofp coro_rawctx_entry; do
	first=$(echo "$dis" | sed -n "/<$fn>:/{n;p;}" | awk '{print $2}')
	[ "$first" = endbr64 ] || bad "$fn starts with '$first', not endbr64"
done
jumps=$(echo "$dis" | grep -c 'jmp *\*' || true)
# coro_rawctx_entry enters fn with a tracked `jmp *%r12` (in place of a call):
# fn is C code, which the compiler gives its endbr64 under -fcf-protection.
tracked=$(echo "$dis" | grep 'jmp *\*' | grep -v notrack | grep -vc 'jmp *\*%r12' || true)
entry_jmp=$(echo "$dis" | sed -n '/<coro_rawctx_entry>:/,/^$/p' | grep -c 'jmp *\*%r12' || true)
[ "$entry_jmp" -eq 1 ] || bad "coro_rawctx_entry should enter fn by one jmp *%r12, has $entry_jmp"
echo "indirect jmps in the switch: $jumps, without notrack: $tracked"
[ "$jumps" -gt 0 ] || bad "no indirect jmp found: the objdump check reads nothing"
[ "$tracked" -eq 0 ] || bad "an indirect jmp of the switch is tracked: its target has no endbr64"

# Programs built the same way link and run: the raw switch and the scheduler
# above it (t_switch also checks the registers and FP state a switch keeps).
for t in t_order t_switch t_queue t_io t_mn; do
	# shellcheck disable=SC2086
	$cc $flags -o "$work/$t" "$src/tests/coro/$t.c" "$work"/obj/*.o -lm -pthread
	echo "== $t (-fcf-protection=full)"
	"$work/$t" || bad "$t failed"
done
[ $fail -eq 0 ] || exit 1
echo "OK"
