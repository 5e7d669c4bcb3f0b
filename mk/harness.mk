# What tools/run_tests.sh (make test) needs from the fragments.
#
# Time limits: TEST_TIMEOUT seconds for a target (default 2400), or
# "target=seconds" entries a fragment appends to TEST_TIMEOUTS;
# TEST_TIMEOUT_<target, '-' as '_'> in the environment wins over both.
TEST_TIMEOUTS :=

# $(call test_skippable,COMMAND): a test that cannot run here (a tool it needs
# is missing) exits 77, as automake's tests do. make can only fail with 2, so
# the recipe also creates $TEST_SKIP_FILE (set by tools/run_tests.sh), and
# make test counts the target as skipped, never as passed (TEST_NO_SKIP=1,
# set by .ci/run, makes it a failure). Run alone, a skipped target fails with
# "Error 77".
test_skippable = $(1); rc=$$?; \
	if [ $$rc = 77 ] && [ -n "$${TEST_SKIP_FILE:-}" ]; then : >"$$TEST_SKIP_FILE"; fi; exit $$rc
