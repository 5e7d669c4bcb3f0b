# tests/harness: tools/run_tests.sh (make test itself) on targets with known
# outcomes: a hang ended by its time limit, a skip never counted as a pass.

.PHONY: test-harness
test-harness: ## Test: make test's runner: a hang fails by its time limit (process group killed, run goes on), skips counted apart (a failure under TEST_NO_SKIP)
	@sh tests/harness/run.sh $(BUILD)/tests/harness
TEST_TARGETS += test-harness
