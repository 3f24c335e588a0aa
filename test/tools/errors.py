#!/usr/bin/env python3
"""List every error kam raises: SQLSTATE, message and where, from the ereport()
calls in src/*.c, as the Markdown table of docs/errors.md.

  python3 test/tools/errors.py > docs/errors.md        (regenerate)
  python3 test/tools/errors.py --check                  (fail when docs/errors.md is stale)
"""
import glob
import os
import re
import sys

# SQLSTATEs of the ERRCODE_ names kam uses (PostgreSQL's src/backend/utils/errcodes.txt)
CODES = {
    "ERRCODE_INVALID_PARAMETER_VALUE": "22023",
    "ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE": "22003",
    "ERRCODE_INVALID_TEXT_REPRESENTATION": "22P02",
    "ERRCODE_NULL_VALUE_NOT_ALLOWED": "22004",
    "ERRCODE_ARRAY_SUBSCRIPT_ERROR": "2202E",
    "ERRCODE_PROGRAM_LIMIT_EXCEEDED": "54000",
    "ERRCODE_STRING_DATA_RIGHT_TRUNCATION": "22001",
    "ERRCODE_INVALID_DATETIME_FORMAT": "22007",
    "ERRCODE_DATETIME_VALUE_OUT_OF_RANGE": "22008",
    "ERRCODE_FEATURE_NOT_SUPPORTED": "0A000",
    "ERRCODE_INVALID_BINARY_REPRESENTATION": "22P03",
    "ERRCODE_DIVISION_BY_ZERO": "22012",
    "ERRCODE_UNDEFINED_FUNCTION": "42883",
    "ERRCODE_INSUFFICIENT_PRIVILEGE": "42501",
    "ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED": "39P01",
    "ERRCODE_DATATYPE_MISMATCH": "42804",
}
NAMES = {
    "22023": "invalid_parameter_value", "22003": "numeric_value_out_of_range",
    "22P02": "invalid_text_representation", "22004": "null_value_not_allowed",
    "2202E": "array_subscript_error", "54000": "program_limit_exceeded",
    "22001": "string_data_right_truncation", "22007": "invalid_datetime_format",
    "22008": "datetime_field_overflow", "0A000": "feature_not_supported",
    "22P03": "invalid_binary_representation", "22012": "division_by_zero", "42883": "undefined_function",
    "42501": "insufficient_privilege", "39P01": "trigger_protocol_violated",
    "42804": "datatype_mismatch",
}
FILES = {
    "kam.c": "shared checks", "retention.c": "kam.retention", "accounts.c": "per-account aggregates",
    "window.c": "snapshot and interval forms", "history.c": "waterfall, cohorts", "ltv.c": "formula LTV",
    "survival.c": "Kaplan-Meier", "rfm.c": "kam.rfm", "bgnbd.c": "BG/NBD, Gamma-Gamma, CLV",
    "optim.c": "fits", "scoring.c": "scores, scorecards", "concentration.c": "concentration, ABC",
    "portfolio.c": "classes, load, forecasts, Wilson", "health.c": "health scores, band schemes",
    "surveys.c": "NPS, CSAT, CES", "trends.c": "trend, sparkline", "stats.c": "arrays, weights, intervals",
    "aggstate.c": "aggregate states",
}


def errors(root):
    rows = set()
    for path in sorted(glob.glob(os.path.join(root, "src", "*.c"))):
        src = open(path, encoding="utf-8").read()
        # each ereport(ERROR, ...) up to its closing "));"
        for m in re.finditer(r"ereport\(ERROR,(.*?)\)\);", src, re.S):
            body = m.group(1)
            code = re.search(r"errcode\((ERRCODE_[A-Z_]+)\)", body)
            msg = re.search(r'errmsg\("((?:[^"\\]|\\.)*)"', body)
            if not code or not msg:
                continue
            sqlstate = CODES.get(code.group(1), code.group(1))
            text = msg.group(1).replace('\\"', '"')
            text = re.sub(r"%(\.\*)?[sdgi]|%\.0f|%ld|%\d*d", "…", text)
            text = text.replace('" INT64_FORMAT "', "…").replace("INT64_FORMAT", "…")
            rows.add((sqlstate, text, os.path.basename(path)))
        # the syntax-error macros of the text forms
        for m in re.finditer(r'kam_syntax_error\("(kam\.[a-z_]+)"', src):
            rows.add(("22P02", "invalid input syntax for type %s: \"…\"" % m.group(1), os.path.basename(path)))
    return sorted(rows, key=lambda r: (r[0], r[1], r[2]))


def render(rows):
    out = ["# Errors", "",
           "Every error kam raises, generated from the `ereport()` calls in `src/` by",
           "`python3 test/tools/errors.py` (the README test command checks that this page is current).",
           "`…` stands for a value filled in at run time; the `DETAIL` of each error names the offending",
           "value. Internal errors (`elog`, SQLSTATE XX000) are for conditions that cannot happen and are",
           "not listed; the garden test checks that no call ends in one.", "",
           "| SQLSTATE | condition | message | raised in |", "|---|---|---|---|"]
    for sqlstate, text, f in rows:
        out.append("| %s | %s | %s | `src/%s` (%s) |" % (sqlstate, NAMES.get(sqlstate, ""), text.replace("|", "\\|"), f, FILES.get(f, "")))
    out.append("")
    out.append("%d distinct errors." % len(rows))
    return "\n".join(out) + "\n"


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    text = render(errors(root))
    if "--check" in sys.argv:
        path = os.path.join(root, "docs", "errors.md")
        current = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
        if current != text:
            print("docs/errors.md is stale: run python3 test/tools/errors.py > docs/errors.md", file=sys.stderr)
            sys.exit(1)
        print("errors: docs/errors.md lists all %d errors" % text.count("\n| ") )
        return
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
