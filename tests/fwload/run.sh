#!/bin/sh
# vfsctl load against the simulated card started with its load strap set and
# no firmware: `load CARD.ELF init` loads the firmware through BAR0, starts
# it and negotiates FUSE_INIT with it; `load` alone reports what it wrote;
# ELFs the card cannot take are refused before the card is touched, with
# the reason and exit status 2.
# usage: run.sh VFSCTL CARD_FIRMWARE OUTDIR
ctl="$1"; fw="$2"; out="$3"
mkdir -p "$out"
pass=0; fail=0

expect() { # name status wanted-status file pattern...
	name="$1"; st="$2"; want="$3"; file="$4"; shift 4
	if [ "$st" != "$want" ]; then
		fail=$((fail + 1)); echo "FAIL $name: exit status $st, not $want:"; sed 's/^/    /' "$file"; return
	fi
	for p in "$@"; do
		if ! grep -q -- "$p" "$file"; then
			fail=$((fail + 1)); echo "FAIL $name: no '$p' in:"; sed 's/^/    /' "$file"; return
		fi
	done
	pass=$((pass + 1)); echo "PASS $name"
}

"$ctl" --sim load "$fw" init > "$out/load_init.out" 2>&1
expect "load then init" $? 0 "$out/load_init.out" "load: 0x80000000 " "load: 0x80040000 " \
	"words, CRC-32 0x[0-9a-f]\{8\}, core started; the window is closed" \
	"negotiated features" "FUSE protocol: 7.38" "max_write: 24576"
"$ctl" --sim load "$fw" info > "$out/load_info.out" 2>&1
expect "load then info" $? 0 "$out/load_info.out" "core started" "device 1af4:105a" 'tag: "vfpga"' \
	"firmware load window (BAR0 0x7000): closed, the host's firmware runs; [0-9]* words taken, 0 writes refused"
"$ctl" --sim --firmware "$fw" info > "$out/info_rom.out" 2>&1
expect "info, firmware from the simulator's loader" $? 0 "$out/info_rom.out" \
	"firmware load window (BAR0 0x7000): closed, the firmware came with the card; 0 words taken"
"$ctl" --sim load > "$out/load_noarg.out" 2>&1
expect "load without an ELF" $? 2 "$out/load_noarg.out" "usage:"

# ELFs the card cannot take
printf 'not an elf at all\n' > "$out/text.elf"
"$ctl" --sim load "$out/text.elf" init > "$out/bad1.out" 2>&1
expect "a text file refused" $? 2 "$out/bad1.out" "load: .*text.elf: not a little-endian 32-bit ELF file"
head -c 200 "$fw" > "$out/trunc.elf"
"$ctl" --sim load "$out/trunc.elf" > "$out/bad2.out" 2>&1
expect "a truncated ELF refused" $? 2 "$out/bad2.out" "load: .*trunc.elf: .*truncated"
# e_machine (offset 18) set to x86-64 (62)
cp "$fw" "$out/x86.elf"
printf '\076\000' | dd of="$out/x86.elf" bs=1 seek=18 conv=notrunc 2>/dev/null
"$ctl" --sim load "$out/x86.elf" > "$out/bad3.out" 2>&1
expect "another machine's ELF refused" $? 2 "$out/bad3.out" "not a RISC-V executable (e_machine 62"
# the second PT_LOAD's address (card memory, .text's) moved to DDR: contents outside the TCMs
cp "$fw" "$out/ddr.elf"
phoff=$(od -An -t u4 -j 28 -N 4 "$fw" | tr -d ' ')
n=0; while [ $n -lt 8 ]; do
	off=$((phoff + 32 * n))
	type=$(od -An -t u4 -j $off -N 4 "$fw" | tr -d ' ')
	filesz=$(od -An -t u4 -j $((off + 16)) -N 4 "$fw" | tr -d ' ')
	if [ "$type" = 1 ] && [ "$filesz" -gt 0 ]; then
		# p_vaddr and p_paddr = 0x40000000 (little-endian)
		printf '\000\000\000\100\000\000\000\100' | dd of="$out/ddr.elf" bs=1 seek=$((off + 8)) conv=notrunc 2>/dev/null
		break
	fi
	n=$((n + 1))
done
"$ctl" --sim load "$out/ddr.elf" > "$out/bad4.out" 2>&1
expect "contents outside the TCMs refused" $? 2 "$out/bad4.out" "segment .* at 0x40000000 .* the load window writes only those"
"$ctl" --sim load "$out/missing.elf" > "$out/bad5.out" 2>&1
expect "a missing file refused" $? 2 "$out/bad5.out" "missing.elf: No such file"

echo "vfsctl load: $pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]
