"""Benchmark of `omnia-migrate lint` against squawk (issue: lint speed). Prints figures; asserts nothing.

    python bench/lint.py [--count 1000] [--reps 5] [--seed N] [--keep]

A corpus of generated migration files (bench/lint_corpus.py: ~16 statements
each, safe and dangerous mixed, each dangerous pattern recorded with the
codes of our rules it should trigger) is linted by both tools in turn, whole
process timed from spawn to exit, the median of `--reps` runs each:

- ours:    omnia-migrate lint --format json DIR
- squawk:  squawk --reporter json FILE... (the PyPI package `squawk-cli`, pip-installed if missing;
           every file of DIR passed by name, in name order)

Both run in DIR, interleaved with a third program that is not a tool: the
parse floor (PARSE_FLOOR_PROGRAM: Python start-up, then every file read,
parsed by pglast and its parse tree decoded, on the same number of processes
as ours, no rule run), the least any pglast-based Python linter pays. Then, from each tool's JSON: how many of the corpus's
intended findings it reports (a file's intended code counts as found when
the tool reports that rule in that file; squawk's rule names are mapped to
our codes by SQUAWK_TO_OURS, from the `sq` column of reference/lint-rules.md),
and how many findings it reports on the safe files (ours: error and warning
findings only, since info findings are advice; squawk: all of them, every
squawk finding being a warning).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import (
    CACHE_DIR,
    child_env,
    machine_line,
    median,
    omnia_migrate,
    prime_bytecode,
    script_beside_python,
    remove_tree,
    shown,
    table,
)
from lint_corpus import CorpusFile, generate, write

from service.core.sql import split_statements

SPEED_TARGET = 1.5  # ours / squawk, whole process
# squawk rule -> our codes, from the `sq` column of reference/lint-rules.md (section 1).
SQUAWK_TO_OURS: dict[str, frozenset[str]] = {
    "require-concurrent-index-creation": frozenset({"L101"}),
    "require-concurrent-index-deletion": frozenset({"L102"}),
    "require-concurrent-reindex": frozenset({"L103"}),
    "ban-concurrent-index-creation-in-transaction": frozenset({"L104"}),
    "adding-field-with-default": frozenset({"L105"}),
    "changing-column-type": frozenset({"L106"}),
    "adding-not-nullable-field": frozenset({"L107"}),
    "adding-foreign-key-constraint": frozenset({"L108"}),
    "constraint-missing-not-valid": frozenset({"L108", "L109", "L110", "L113"}),
    "disallowed-unique-constraint": frozenset({"L111"}),
    "adding-serial-primary-key-field": frozenset({"L112"}),
    "require-concurrent-partition-detach": frozenset({"L114"}),
    "prefer-repack": frozenset({"L115"}),
    "require-lock-timeout": frozenset({"L116"}),
    "require-statement-timeout": frozenset({"L117"}),
    "ban-create-domain-with-constraint": frozenset({"L118"}),
    "ban-alter-domain-with-add-constraint": frozenset({"L118"}),
    "prefer-text-field": frozenset({"L119"}),
    "ban-drop-table": frozenset({"B201"}),
    "ban-drop-column": frozenset({"B202"}),
    "ban-drop-schema": frozenset({"B203"}),
    "ban-drop-database": frozenset({"B203"}),
    "renaming-table": frozenset({"B204"}),
    "renaming-column": frozenset({"B205"}),
    "renaming-object": frozenset({"B206"}),
    "adding-required-field": frozenset({"B207"}),
    "ban-drop-not-null": frozenset({"B208"}),
    "ban-drop-constraint": frozenset({"B209"}),
    "ban-set-schema": frozenset({"B211"}),
    "ban-truncate-cascade": frozenset({"B212"}),
    "require-enum-value-ordering": frozenset({"B213"}),
    "prefer-bigint-over-int": frozenset({"T301"}),
    "prefer-bigint-over-smallint": frozenset({"T301"}),
    "prefer-identity": frozenset({"T302"}),
    "prefer-timestamp-tz": frozenset({"T303"}),
    "ban-char-field": frozenset({"T304"}),
    "identifier-too-long": frozenset({"T306"}),
    "prefer-robust-stmts": frozenset({"T307"}),
    "ban-duplicate-column-assignments": frozenset({"T309"}),
    "require-table-schema": frozenset({"T310"}),
    "transaction-nesting": frozenset({"X401"}),
    "ban-uncommitted-transaction": frozenset({"X402"}),
}
SQUAWK_DROP_OBJECT = frozenset({"B210"})  # the other ban-drop-* rules (view, function, type...)
SERIOUS = frozenset({"error", "warning"})  # our severities counted as false positives on safe files


def squawk_codes(rule: str) -> frozenset[str]:
    """Our codes a squawk rule stands for (none for a rule of its own)."""
    if rule in SQUAWK_TO_OURS:
        return SQUAWK_TO_OURS[rule]
    return SQUAWK_DROP_OBJECT if rule.startswith("ban-drop-") else frozenset()


def squawk_binary() -> tuple[str, str]:
    """(path, version line) of squawk, pip-installing `squawk-cli` into this environment if it is missing."""
    beside, failure = script_beside_python("squawk-cli", "squawk")
    if failure:
        raise SystemExit(failure)
    version = subprocess.run([str(beside), "--version"], capture_output=True, text=True, check=False)
    return str(beside), version.stdout.strip()


def run(argv: Sequence[str], cwd: Path, output: Path) -> float:
    """Wall seconds of one run, stdout to `output`; exit 0 (nothing found) and 1 (findings) are both fine."""
    with open(output, "wb") as out:
        started = time.perf_counter()
        done = subprocess.run(list(argv), cwd=cwd, env=child_env(), stdout=out, stderr=subprocess.PIPE,
                              check=False)
        elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"exit {done.returncode}: {shown(argv)}\n{done.stderr.decode(errors='replace')[-2000:]}")
    return elapsed


def found_codes(findings: list[tuple[str, set[str]]]) -> dict[str, set[str]]:
    """File name -> the codes reported in it."""
    by_file: dict[str, set[str]] = {}
    for file, codes in findings:
        by_file.setdefault(Path(file).name, set()).update(codes)
    return by_file


def ours_findings(output: Path, *, serious_only: bool) -> list[tuple[str, set[str]]]:
    findings = json.loads(output.read_text())["findings"]
    return [(f["file"], {f["code"]}) for f in findings if not serious_only or f["severity"] in SERIOUS]


def squawk_findings(output: Path) -> tuple[list[tuple[str, set[str]]], Counter[str]]:
    """(file, our codes) of each finding, and the count of each squawk rule reported."""
    findings = json.loads(output.read_text() or "[]")
    rules = Counter(str(f["rule_name"]) for f in findings)
    return [(str(f["file"]), set(squawk_codes(str(f["rule_name"])))) for f in findings], rules


def score(corpus: list[CorpusFile], by_file: dict[str, set[str]]) -> Counter[str]:
    """How many intended findings of each code the tool reports."""
    per_code: Counter[str] = Counter()
    for corpus_file in corpus:
        per_code.update(corpus_file.intended & by_file.get(corpus_file.name, set()))
    return per_code


def false_positives(corpus: list[CorpusFile], findings: list[tuple[str, set[str]]]) -> tuple[int, int]:
    """(findings on safe files, safe files with any)."""
    safe = {corpus_file.name for corpus_file in corpus if corpus_file.safe}
    on_safe = [Path(file).name for file, _ in findings if Path(file).name in safe]
    return len(on_safe), len(set(on_safe))


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


# The parse floor: Python, pglast's parse and the tree's JSON decoded (as ours does), half the files in a worker.
PARSE_FLOOR_PROGRAM = """
import sys, pathlib, orjson
from concurrent.futures import ProcessPoolExecutor
from pglast import parser

def parse(paths):
    for path in paths:
        orjson.loads(parser.parse_sql_json(pathlib.Path(path).read_text()))

if __name__ == "__main__":
    paths = sorted(str(path) for path in pathlib.Path(".").glob("*.sql"))
    with ProcessPoolExecutor(1) as pool:
        other = pool.submit(parse, paths[len(paths) // 2:])
        parse(paths[: len(paths) // 2])
        other.result()
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000, help="migration files (default 1000)")
    parser.add_argument("--reps", type=int, default=5, help="timed runs of each tool (default 5); the median counts")
    parser.add_argument("--seed", type=int, default=20261124, help="corpus seed (default 20261124)")
    parser.add_argument("--keep", action="store_true", help="keep the corpus and the tools' outputs")
    arguments = parser.parse_args()

    print(machine_line())
    squawk, squawk_version = squawk_binary()
    omnia = omnia_migrate()
    print(f"squawk: {squawk_version} ({squawk})")
    print(prime_bytecode())

    root = CACHE_DIR / "lint"
    remove_tree(root)
    corpus_dir = root / "corpus"
    corpus = generate(arguments.count, arguments.seed)
    paths = write(corpus_dir, corpus)
    statements = sum(len(split_statements(corpus_file.text)) for corpus_file in corpus)
    intended_total = sum(len(corpus_file.intended) for corpus_file in corpus)
    safe_count = sum(corpus_file.safe for corpus_file in corpus)
    print(f"corpus: {len(corpus)} files in {corpus_dir} (seed {arguments.seed}), {statements} statements; "
          f"{len(corpus) - safe_count} dangerous files with {intended_total} intended findings, "
          f"{safe_count} safe files")

    ours_argv = [omnia, "lint", "--format", "json", "."]
    squawk_argv = [squawk, "--reporter", "json", *(path.name for path in paths)]
    print("\ncommands (each run in the corpus folder, whole process timed, stdout to a file):")
    print(f"  ours:   {shown(ours_argv)}")
    print(f"  squawk: {shown([squawk, '--reporter', 'json'])} {paths[0].name} ... {paths[-1].name}"
          f"  ({len(paths)} files by name, in name order: the same as `squawk --reporter json *.sql` there)")
    print(f"  parse floor: {shown([sys.executable, '-c'])} \"$PARSE_FLOOR_PROGRAM\"  (the program in bench/lint.py)")

    ours_out, squawk_out = root / "ours.json", root / "squawk.json"
    run(ours_argv, corpus_dir, ours_out)  # warm-up, untimed: the file system cache
    run(squawk_argv, corpus_dir, squawk_out)
    floor_argv = [sys.executable, "-c", PARSE_FLOOR_PROGRAM]
    ours_times, squawk_times, floor_times = [], [], []
    for _ in range(arguments.reps):  # interleaved, so a busy moment of the machine hits all three
        ours_times.append(run(ours_argv, corpus_dir, ours_out))
        squawk_times.append(run(squawk_argv, corpus_dir, squawk_out))
        floor_times.append(run(floor_argv, corpus_dir, root / "floor.out"))
    ours_s, squawk_s, floor_s = median(ours_times), median(squawk_times), median(floor_times)
    ratio = ours_s / squawk_s

    print(f"\nwhole process, median of {arguments.reps} (all runs, seconds):")
    print(table(["tool", "median s", "x squawk", "runs"], [
        ["ours", ours_s, ratio, " ".join(f"{t:.3f}" for t in ours_times)],
        ["squawk", squawk_s, 1.0, " ".join(f"{t:.3f}" for t in squawk_times)],
        ["parse floor (no rules)", floor_s, floor_s / squawk_s, " ".join(f"{t:.3f}" for t in floor_times)],
    ]))
    print(f"ratio ours/squawk: {ratio:.2f}x; the parse floor leaves {SPEED_TARGET - floor_s / squawk_s:.2f}x squawk"
          f" ({SPEED_TARGET * squawk_s - floor_s:.3f} s) for every rule, finding and report within the target")

    ours_all = ours_findings(ours_out, serious_only=False)
    ours_serious = ours_findings(ours_out, serious_only=True)
    squawk_all, squawk_rules = squawk_findings(squawk_out)
    ours_per_code = score(corpus, found_codes(ours_all))
    squawk_per_code = score(corpus, found_codes(squawk_all))
    ours_found, squawk_found = ours_per_code.total(), squawk_per_code.total()
    ours_fp, ours_fp_files = false_positives(corpus, ours_serious)
    ours_info_on_safe, _ = false_positives(corpus, ours_all)
    squawk_fp, squawk_fp_files = false_positives(corpus, squawk_all)
    unmapped = sorted(rule for rule in squawk_rules if not squawk_codes(rule))

    print(f"\nintended findings found (of {intended_total}; a file's intended code counts when the tool reports "
          "that rule in that file):")
    print(f"  ours:   {ours_found}    squawk: {squawk_found}  (squawk rules mapped to our codes by the `sq` column "
          "of reference/lint-rules.md)")
    intended_per_code = Counter(code for corpus_file in corpus for code in corpus_file.intended)
    rows = [[code, intended_per_code[code], ours_per_code[code], squawk_per_code[code]]
            for code in sorted(intended_per_code)]
    print(table(["code", "intended", "ours", "squawk"], rows))
    print(f"\nfindings on the {safe_count} safe files (false positives):")
    print(f"  ours:   {ours_fp} in {ours_fp_files} files (error and warning findings only: info findings are "
          f"advice, not counted; with them: {ours_info_on_safe})")
    print(f"  squawk: {squawk_fp} in {squawk_fp_files} files (all findings: squawk reports every finding as a "
          "warning)")
    if squawk_fp:
        on_safe = {corpus_file.name for corpus_file in corpus if corpus_file.safe}
        by_rule = Counter(str(f["rule_name"]) for f in json.loads(squawk_out.read_text())
                          if Path(str(f["file"])).name in on_safe)
        print("  squawk on safe files by rule: " + ", ".join(f"{rule} {n}" for rule, n in by_rule.most_common()))
    if unmapped:
        print(f"  squawk rules reported with no code of ours: {', '.join(unmapped)}")

    print("\ntargets:")
    print(f"  {verdict(ratio <= SPEED_TARGET)}  no slower than {SPEED_TARGET}x squawk "
          f"(ours {ours_s:.3f} s, squawk {squawk_s:.3f} s: {ratio:.2f}x)")
    print(f"  {verdict(ours_found > squawk_found)}  more intended findings than squawk "
          f"(ours {ours_found}, squawk {squawk_found}, of {intended_total})")
    print(f"  {verdict(ours_fp == 0)}  no false positives (ours, error/warning) on the safe files ({ours_fp})")
    if arguments.keep:
        print(f"\nkept: {root}")
    else:
        remove_tree(root)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
