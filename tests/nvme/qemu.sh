# Sourced by the NVMe cross-check scripts: runs a test program on QEMU's
# riscv32 virt with an NVMe drive over IMG, console into LOG; returns
# QEMU's exit status (the program's exit code through the test finisher).
# usage: run_qemu ELF IMG LOG SERIAL
run_qemu() {
	timeout 300 "${QEMU:-qemu-system-riscv32}" -machine virt -nographic -bios none -m 64M \
		-kernel "$1" -drive file="$2",if=none,id=nvm,format=raw,discard=unmap \
		-device nvme,serial="$4",drive=nvm -monitor none -serial stdio > "$3" 2>&1
}
