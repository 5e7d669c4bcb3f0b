# tests/crash: power cuts over a volatile write cache (world/ssd/vcache.c):
# one recorded run per workload, cut at seeded write events, each cut image
# replayed by firmware/fs, checked against what fsync/syncfs made durable,
# and e2fsck'd; a sample replayed by Linux (user-mode Linux) too.
# CRASH_SEED picks the seed (the failing seed and cut index are printed).

CRASH_TEST := $(BUILD)/tests/crash/crash_test
CRASH_SEED ?= 1

$(CRASH_TEST): tests/crash/crash_test.c tests/include/figures.h world/ssd/vcache.c world/ssd/vcache.h $(BUILD)/host/libvfs.a
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(FS_CFLAGS) -Iworld/ssd -Itests/include tests/crash/crash_test.c world/ssd/vcache.c \
	  $(BUILD)/host/libvfs.a -o $@

# The model itself: fates, torn writes, order, FUA, reproducibility.
VCACHE_TEST := $(BUILD)/tests/crash/vcache_test
$(VCACHE_TEST): tests/crash/vcache_test.c world/ssd/vcache.c world/ssd/vcache.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -O1 $(FW_SAN_FLAGS) -Iworld/ssd tests/crash/vcache_test.c world/ssd/vcache.c -o $@

.PHONY: test-crash test-crash-long
test-crash: $(CRASH_TEST) $(VCACHE_TEST) ## Test: power cuts over a volatile write cache (lost/kept/torn/reordered writes): fsync'd data, synced names, atomic renames, e2fsck; a sample replayed by Linux
	@$(VCACHE_TEST)
	@$(call test_skippable,sh tests/crash/run.sh $(CRASH_TEST) $(BUILD)/tests/crash short $(CRASH_SEED))
TEST_TARGETS += test-crash

test-crash-long: $(CRASH_TEST) ## Test (long, not in make test): the same campaigns, many thousands of cut points over several seeds and block sizes
	@$(call test_skippable,sh tests/crash/run.sh $(CRASH_TEST) $(BUILD)/tests/crash-long long $(CRASH_SEED))
