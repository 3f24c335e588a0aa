#!/usr/bin/env python3
"""Run every ```sql example of docs/*.md and check the values the docs state.

Inside a cluster (PG* set), against a database that already has kam, the
sample CRM and the review views (test/docs/run.sh makes it):

  * each file's examples run in order in one psql session (so a temporary view
    made by one example serves the next), from the repository root (for \\copy
    and \\i), stopping at the first error, which names the example;
  * an example right after a comment "<!-- docs-test: skip: reason -->" is not
    run (it needs Citus, or builds ten million rows); "<!-- docs-test: skip:
    reason; instead: SQL -->" runs SQL in its place (a plain table for the
    Citus examples that follow);
  * stated values are checked, by running the statement again on its own:
      SELECT ...;   -- 2613.33 ...     a number: the result rounded to the
                                       digits shown ("40.1228..." = prefix)
      SELECT ...;   -- yellow          text, for a one-line SELECT without
                                       FROM or a one-word comment: the
                                       comment starts with the result
    (a statement's comment is the one after its closing semicolon)
      SELECT ...                       a line "--  (" or "--  one-word" after
      ...;                             a statement: the result's text, exactly
      --  (starting=500:4,...)
    Any other comment is prose.

With --coverage, every function and aggregate kam owns (from pg_depend; the
support functions of its aggregates, types, operators and operator classes,
and planner support functions, aside) must be called as kam.name( in an
example that runs.

Prints one line per failure and a summary; exits 1 on any failure.
  python3 test/docs/check.py [--coverage] DBNAME [docs/x.md ...]
"""
import decimal
import glob
import os
import re
import subprocess
import sys

SKIP = re.compile(r"<!--\s*docs-test:\s*skip:\s*(.+?)\s*(?:;\s*instead:\s*(.+?)\s*)?-->", re.S)
NUMBER = re.compile(r"^(-?\d+(?:\.\d+)?)(\.\.\.)?(?![\w.])")


def blocks(path):
    """(first line number, text, skip reason, SQL instead) of each ```sql block."""
    out = []
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```sql":
            j = i - 1
            while j >= 0 and not lines[j].strip():
                j -= 1
            k = j
            while k > 0 and "<!--" not in lines[k] and "-->" in lines[j]:
                k -= 1
            m = SKIP.search("\n".join(lines[k:j + 1])) if j >= 0 else None
            body = []
            i += 1
            start = i + 1
            while i < len(lines) and lines[i].strip() != "```":
                body.append(lines[i])
                i += 1
            out.append((start, "\n".join(body), m.group(1) if m else None,
                        m.group(2) if m else None))
        i += 1
    return out


def code_part(line):
    """The line without a trailing -- comment (outside quotes)."""
    q = False
    for k, ch in enumerate(line):
        if ch == "'":
            q = not q
        elif not q and line.startswith("--", k):
            return line[:k], line[k + 2:]
    return line, None


def checks(text, lineno):
    """(line, statement, expected, kind) for each value an example states."""
    out = []
    lines = text.split("\n")
    stmt = []
    first = None
    for k, line in enumerate(lines):
        code, comment = code_part(line)
        if not stmt and (not code.strip() or code.lstrip().startswith("\\")):
            continue
        if not stmt:
            first = k
        stmt.append(line)
        if not code.rstrip().endswith(";"):
            continue
        sql = "\n".join(stmt)
        head = sql.lstrip().upper()
        if head.startswith(("SELECT", "WITH")):
            nxt = lines[k + 1] if k + 1 < len(lines) else ""
            if comment and comment.strip():
                c = comment.strip()
                if NUMBER.match(c):
                    out.append((lineno + first, sql, c, "number"))
                elif re.match(r"^\w+$", c) or (len(stmt) == 1 and not re.search(r"\bFROM\b", code, re.I)):
                    out.append((lineno + first, sql, c, "word"))
            elif re.match(r"^--\s+(\(|\S+$)", nxt):
                out.append((lineno + first, sql, nxt[2:].strip(), "exact"))
        stmt = []
    return out


def matches(result, expected, kind):
    if kind == "exact":
        return result == expected
    if kind == "word":
        return (result != "" and expected.startswith(result)
                and expected[len(result):len(result) + 1] in ("", " ", ":", ",", "="))
    m = NUMBER.match(expected)
    token, prefix = m.group(1), m.group(2)
    if prefix:
        return result.startswith(token)
    try:
        value = decimal.Decimal(result)
    except decimal.InvalidOperation:
        # a text result whose stated value starts with a number
        return matches(result, expected, "word")
    places = decimal.Decimal(1).scaleb(-len(token.partition(".")[2]))
    return value.quantize(places, rounding=decimal.ROUND_HALF_EVEN) == decimal.Decimal(token)


PUBLIC_FUNCTIONS = """
SELECT DISTINCT p.proname
FROM pg_catalog.pg_depend d
JOIN pg_catalog.pg_extension e ON d.refobjid = e.oid AND e.extname = 'kam'
JOIN pg_catalog.pg_proc p ON d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid
WHERE d.deptype = 'e'
  AND p.prorettype <> 'pg_catalog.trigger'::pg_catalog.regtype  -- run by the server, not called
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_aggregate a
                  WHERE p.oid IN (a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn))
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type t
                  WHERE p.oid IN (t.typinput, t.typoutput, t.typreceive, t.typsend))
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_operator o WHERE o.oprcode = p.oid)
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_amproc a WHERE a.amproc = p.oid)
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_proc s WHERE s.prosupport = p.oid)
ORDER BY 1
"""


def uncovered(db, files):
    """Public kam functions no example that runs calls."""
    p = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", PUBLIC_FUNCTIONS],
                       capture_output=True, text=True, check=True)
    names = p.stdout.split()
    text = "\n".join(t for f in files for _, t, reason, _ in blocks(f) if not reason)
    return len(names), [n for n in names if not re.search(r"\bkam\." + n + r"\s*\(", text)]


def run_file(db, path):
    """Returns (examples run, skipped [(line, reason)], checks, failures)."""
    failures = []
    script = ["\\set ON_ERROR_STOP 1", "\\pset format unaligned",
              "\\pset tuples_only on", "\\pset footer off", "\\pset null '(null)'"]
    run, skipped, todo = 0, [], []
    for line, text, reason, instead in blocks(path):
        if reason:
            skipped.append((line, reason))
            if instead:
                script += ["\\echo @@BLOCK %d" % line, instead]
            continue
        run += 1
        script += ["\\echo @@BLOCK %d" % line, text]
        todo += checks(text, line)
    for n, (line, sql, expected, kind) in enumerate(todo):
        script += ["\\echo @@CHECK %d" % n, sql]
    p = subprocess.run(["psql", "-X", "-q", "-d", db, "-f", "-"], input="\n".join(script) + "\n",
                       capture_output=True, text=True)
    marks = re.findall(r"^@@BLOCK (\d+)$", p.stdout, re.M)
    if p.returncode != 0:
        where = marks[-1] if marks else "?"
        err = " ".join(p.stderr.strip().split("\n")[:3])
        failures.append("%s:%s: the example fails: %s" % (path, where, err))
        return run, skipped, len(todo), failures
    parts = re.split(r"^@@CHECK (\d+)\n", p.stdout, flags=re.M)
    results = {int(parts[i]): parts[i + 1].rstrip("\n") for i in range(1, len(parts) - 1, 2)}
    for n, (line, sql, expected, kind) in enumerate(todo):
        got = results.get(n)
        if got is None or not matches(got, expected, kind):
            failures.append("%s:%d: the docs say %r, kam gives %r" % (path, line, expected, got))
    return run, skipped, len(todo), failures


def main():
    args = sys.argv[1:]
    coverage = args[:1] == ["--coverage"]
    if coverage:
        args = args[1:]
    db = args[0]
    files = args[1:] or sorted(glob.glob("docs/*.md"))
    total_run = total_checks = 0
    all_skipped, all_failures = [], []
    for path in files:
        run, skipped, nchecks, failures = run_file(db, path)
        total_run += run
        total_checks += nchecks
        all_skipped += ["%s:%d (%s)" % (path, line, reason) for line, reason in skipped]
        all_failures += failures
    if coverage:
        nfunc, missing = uncovered(db, files)
        all_failures += ["kam.%s has no example that runs" % n for n in missing]
    for f in all_failures:
        print("docs: " + f)
    print("docs: %d examples run from %d files, %d stated values checked, %d failures"
          % (total_run, len(files), total_checks, len(all_failures)))
    if coverage:
        print("docs: %d of %d public functions and aggregates called in examples that run"
              % (nfunc - len(missing), nfunc))
    for s in all_skipped:
        print("docs: not run: " + s)
    sys.exit(1 if all_failures else 0)


if __name__ == "__main__":
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    main()
