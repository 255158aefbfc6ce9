#!/bin/sh
# run.sh SRC_DIR WORK_DIR — builds the runtime and its tests for aarch64 with
# Debian's cross compiler (static, so qemu-user needs no sysroot) and runs
# them under qemu-aarch64: the AAPCS64 switch and everything above it.
# Exit 77 (skipped) when the cross tools are missing.
set -eu
src=$1
work=$2
cc=aarch64-linux-gnu-gcc
qemu=qemu-aarch64
command -v $cc >/dev/null 2>&1 || { echo "SKIP: $cc not installed (scripts/bootstrap test installs it)"; exit 77; }
command -v $qemu >/dev/null 2>&1 || { echo "SKIP: $qemu not installed"; exit 77; }
mkdir -p "$work"
flags="-std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -I$src/coro -I$src/tests/coro"
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
