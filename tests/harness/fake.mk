# Targets with known outcomes for tests/harness/run.sh, which runs
# tools/run_tests.sh on them. test_skippable is the top Makefile's.
include mk/harness.mk
.PHONY: ok bad hang skip
ok:
	@echo "ok ran"
bad:
	@echo "bad ran"; exit 1
# Sleeps in a child of a child: the time limit must end the whole group.
hang:
	@sh -c 'sleep 300 & echo $$! >$(PIDFILE); wait'
skip:
	@$(call test_skippable,sh -c 'echo "SKIP: nothing to run here"; exit 77')
