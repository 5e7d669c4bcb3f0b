#!/usr/bin/env python3
"""The register tables in docs/ are generated (tools/gen_soc_map.py writes
GENDIR/regs/BLOCK.md); a document holds one between the markers

    <!-- regs:BLOCK:begin -->
    ...
    <!-- regs:BLOCK:end -->

usage: docs_regs.py check|update GENDIR DOC...
check:  fails (exit 1, with a diff) when a marked section differs from
        GENDIR/regs/BLOCK.md, or when a generated block is in none of the DOCs.
update: rewrites the marked sections of the DOCs (run by `make docs-regs`;
        no build step calls it).
"""
import difflib
import os
import re
import sys

MARK = re.compile(r"(<!-- regs:([A-Z0-9_]+):begin -->\n)(.*?)(<!-- regs:\2:end -->)", re.S)


def fail(msg):
    sys.stderr.write("docs_regs: %s\n" % msg)
    sys.exit(1)


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in ("check", "update"):
        fail("usage: docs_regs.py check|update GENDIR DOC...")
    mode, gendir, docs = sys.argv[1], sys.argv[2], sys.argv[3:]
    regdir = os.path.join(gendir, "regs")
    blocks = {}
    for name in sorted(os.listdir(regdir)):
        if name.endswith(".md"):
            with open(os.path.join(regdir, name)) as f:
                blocks[name[:-3]] = f.read()
    used, stale = set(), []
    for doc in docs:
        with open(doc) as f:
            text = f.read()
        if text.count("<!-- regs:") != 2 * len(MARK.findall(text)):
            fail("%s: unpaired <!-- regs:BLOCK:begin/end --> markers" % doc)

        def repl(m):
            block = m.group(2)
            if block not in blocks:
                fail("%s: no generated table for block %s (%s)" % (doc, block, regdir))
            used.add(block)
            if m.group(3) != blocks[block]:
                stale.append((doc, block, m.group(3), blocks[block]))
            return m.group(1) + blocks[block] + m.group(4)

        new = MARK.sub(repl, text)
        if mode == "update" and new != text:
            tmp = doc + ".tmp"
            with open(tmp, "w") as f:
                f.write(new)
            os.replace(tmp, doc)
            print("docs_regs: updated %s" % doc)
    missing = sorted(set(blocks) - used)
    if missing:
        fail("blocks %s are in none of %s (add <!-- regs:BLOCK:begin/end --> markers)"
             % (", ".join(missing), " ".join(docs)))
    if mode == "check":
        for doc, block, got, want in stale:
            sys.stderr.write("docs_regs: %s: the %s table differs from %s/%s.md (run 'make docs-regs'):\n"
                             % (doc, block, regdir, block))
            sys.stderr.writelines(difflib.unified_diff(got.splitlines(True), want.splitlines(True),
                                                       doc, "generated"))
        if stale:
            sys.exit(1)
        print("%d passed, 0 failed" % len(used))


if __name__ == "__main__":
    main()
