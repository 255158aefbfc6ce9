#!/bin/sh
# run.sh SRC_DIR WORK_DIR — builds the runtime and its tests for aarch64 with
# Debian's cross compiler (static, so qemu-user needs no sysroot) and runs
# them under qemu-aarch64: the AAPCS64 switch and everything above it.
# Everything is built with -mbranch-protection=standard (BTI landing pads,
# return-address signing), as a distribution that turns it on would.
# Then the BTI checks:
#  - the switch's object claims BTI and nothing else (no PAC, no GCS: see
#    switch_aarch64.S);
#  - bti.c, freestanding so that the whole program is marked BTI, runs the
#    switch on guarded pages, where qemu-aarch64 enforces landing pads; the
#    same program calling one function without a landing pad must die of
#    SIGILL, which shows that enforcement is on.
# The tests linked with Debian's static libc (not marked BTI) run with BTI
# off: they check that marked code runs, not the enforcement.
# Exit 77 (skipped) when the cross tools are missing.
set -eu
src=$1
work=$2
cc=aarch64-linux-gnu-gcc
qemu="qemu-aarch64"
command -v $cc >/dev/null 2>&1 || { echo "SKIP: $cc not installed (scripts/bootstrap test installs it)"; exit 77; }
command -v $qemu >/dev/null 2>&1 || { echo "SKIP: $qemu not installed"; exit 77; }
readelf=readelf
command -v $readelf >/dev/null 2>&1 || readelf=aarch64-linux-gnu-readelf
mkdir -p "$work"
flags="-std=c11 -O2 -Wall -Wextra -Werror -mbranch-protection=standard -D_GNU_SOURCE -DT_RAWCTX_NOFP=1 -I$src/coro -I$src/tests/coro"
lib="$(echo "$src"/coro/*.c) $src/coro/arch/ctx_make.c $src/coro/arch/switch_aarch64.S"
for t in t_order t_switch t_queue t_io t_overflow; do
	# shellcheck disable=SC2086
	$cc $flags -static -o "$work/$t" "$src/tests/coro/$t.c" $lib -lm
	echo "== $t (aarch64 under qemu)"
	$qemu "$work/$t"
done
# It really ran the aarch64 switch:
cat > "$work/impl.c" <<'C'
#include "coro.h"
#include <stdio.h>
#include <string.h>
int main(void) { puts(coro_switch_impl()); return strcmp(coro_switch_impl(), "asm-aarch64") != 0; }
C
# shellcheck disable=SC2086
$cc $flags -static -o "$work/impl" "$work/impl.c" $lib
$qemu "$work/impl"

# The switch's property note says BTI, and only BTI.
$cc -c -o "$work/switch_aarch64.o" "$src/coro/arch/switch_aarch64.S"
note=$($readelf -n "$work/switch_aarch64.o" | sed -n 's/.*AArch64 feature: *//p')
echo "switch_aarch64.o: AArch64 feature: ${note:-none}"
[ "$note" = BTI ] || { echo "FAIL: the switch's note should say exactly BTI, says '${note:-nothing}'"; exit 1; }

# The switch on guarded pages, and the proof that they are guarded.
bflags="-std=c11 -O2 -Wall -Wextra -Werror -mbranch-protection=standard -ffreestanding -fno-builtin
	-fno-tree-loop-distribute-patterns -nostdlib -static -I$src/coro"
for v in bti bti_unpadded; do
	def=
	[ $v = bti_unpadded ] && def=-DCALL_UNPADDED
	# shellcheck disable=SC2086
	$cc $bflags $def -o "$work/$v" "$src/tests/aarch64/bti.c" "$src/coro/arch/ctx_make.c" \
		"$src/coro/arch/switch_aarch64.S"
	$readelf -n "$work/$v" | grep -q 'AArch64 feature: BTI' ||
		{ echo "FAIL: $v is not marked BTI: its pages would not be guarded"; exit 1; }
done
echo "== bti (switch on guarded pages)"
$qemu "$work/bti"
echo "== bti_unpadded (must die of SIGILL)"
rc=0
# (no core file: qemu-user writes one for a fatal signal when the limit allows)
# shellcheck disable=SC3045 # dash and bash have ulimit -c
(ulimit -c 0 2>/dev/null; $qemu "$work/bti_unpadded" 2>/dev/null) || rc=$?
# qemu-user re-raises the guest's fatal signal: 128 + SIGILL (4).
[ $rc -eq 132 ] || { echo "FAIL: bti_unpadded exited $rc, not SIGILL (132): BTI not enforced"; exit 1; }
echo "OK: died of SIGILL as expected"
