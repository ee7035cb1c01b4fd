"""Mutation testing of the core rules: `python -m tools.mutation [module ...]` from the project root.

Runs each module of the table in targets.py (or the named ones) against its tests, prints a score per module
(killed / (killed + survived), leaving out mutants that only change message text) and every survivor as a
diff, and exits 1 when a module scores below the threshold. See docs/testing.md.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tools.mutation import targets

ROOT = Path(__file__).resolve().parents[2]
KILLED = ("killed", "timeout")
SURVIVED = ("survived", "no tests")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.mutation", description=__doc__.splitlines()[0])
    parser.add_argument(
        "modules", nargs="*", help="modules from the table (pricing.tdi or pricing/tdi.py); all by default"
    )
    parser.add_argument("--threshold", type=float, default=95.0, help="lowest acceptable score in %% (default 95)")
    parser.add_argument("--workers", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument(
        "--timeout-factor", type=float, default=10.0, help="a mutant may take this many times its tests' time"
    )
    parser.add_argument("--numbers", default="", help="only these mutant numbers (one module), e.g. 12,40")
    parser.add_argument("--results", default=str(ROOT / ".mutation"), help="directory for the JSON results")
    parser.add_argument("--tests", nargs="+", help="test paths instead of the table's (a module outside it needs them)")
    parser.add_argument("--functions", default="", help="comma-separated functions instead of the table's")
    parser.add_argument(
        "--postgres", action="store_true", help="run on the DATABASE_URL database (one mutant at a time; slower)"
    )
    parser.add_argument("--report", action="store_true", help="print the last results again instead of running")
    parser.add_argument("--markdown", action="store_true", help="print the score table as Markdown (docs/testing.md)")
    parser.add_argument("--list", action="store_true", help="print the table and stop")
    args = parser.parse_args(argv)

    if args.list:
        for target in targets.TARGETS:
            only = f"  [{', '.join(target.functions)}]" if target.functions else ""
            print(f"{target.module}: {' '.join(target.tests)}{only}")
        return 0
    chosen = []
    for name in args.modules or [target.module for target in targets.TARGETS]:
        try:
            target = targets.find(name)
        except KeyError:
            if not args.tests:
                parser.error(f"{name} is not in the table (tools/mutation/targets.py; --list shows it): give --tests")
            target = targets.Target(name.removesuffix(".py").replace("/", "."), ())
        if args.tests:
            target = targets.Target(target.module, tuple(args.tests), target.functions)
        if args.functions:
            target = targets.Target(target.module, target.tests, tuple(args.functions.split(",")))
        chosen.append(target)

    Path(args.results).mkdir(parents=True, exist_ok=True)
    if args.report:
        results = [last_result(target, args) for target in chosen]
    else:
        results = [run_target(target, args) for target in chosen]
    print()
    for result in results:
        print_survivors(result)
    if args.markdown:
        print_markdown(results)
    else:
        print_table(results, args.threshold)
    return 0 if all(passes(result, args.threshold) for result in results) else 1


def run_target(target: targets.Target, args) -> dict:
    output = Path(args.results) / f"{target.module}.json"
    output.unlink(missing_ok=True)
    env = dict(os.environ)
    if not args.postgres:
        env.pop("DATABASE_URL", None)  # SQLite: each child gets its own copy of the test database
    elif "DATABASE_URL" not in env:
        return {"module": target.module, "error": "--postgres needs DATABASE_URL=postgres://..."}
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "tools.mutation.plugin",
        "-q",
        "-p",
        "no:randomly",
        f"--mutation-module={target.module}",
        f"--mutation-functions={','.join(target.functions)}",
        f"--mutation-output={output}",
        f"--mutation-workers={args.workers}",
        f"--mutation-timeout-factor={args.timeout_factor}",
        f"--mutation-numbers={args.numbers}",
        *[path for path in target.tests if (ROOT / path.split("::")[0]).exists()],
    ]
    with tempfile.TemporaryFile("w+") as log:
        completed = subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
        log.seek(0)
        text = log.read()
    if not output.exists():
        return {"module": target.module, "error": f"pytest exited {completed.returncode}:\n{text[-3000:]}"}
    result = json.loads(output.read_text(encoding="utf-8"))
    print(f"{target.module}: done in {result.get('seconds', '?')} s", file=sys.stderr)
    return result


def last_result(target: targets.Target, args) -> dict:
    output = Path(args.results) / f"{target.module}.json"
    if not output.exists():
        return {"module": target.module, "error": "no results yet"}
    return json.loads(output.read_text(encoding="utf-8"))


def print_markdown(results: list[dict]) -> None:
    print("| module | mutated | database | mutants | message-only | killed | survived | score |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for result in results:
        if result.get("error"):
            print(f"| `{result['module']}` | | | | | | | error |")
            continue
        c = counts(result)
        mutated = ", ".join(f"`{name}`" for name in result.get("functions") or []) or "all"
        score = "-" if c["score"] is None else f"{c['score']:.1f} %"
        print(
            f"| `{result['module']}` | {mutated} | {result.get('database', 'sqlite')} | {c['mutants']} | "
            f"{c['message']} | {c['killed']} | {c['survived']} | {score} |"
        )


def counts(result: dict) -> dict:
    statuses = [mutant["status"] for mutant in result.get("mutants", [])]
    killed = sum(status in KILLED for status in statuses)
    survived = sum(status in SURVIVED for status in statuses)
    return {
        "mutants": len(statuses),
        "message": statuses.count("message"),
        "killed": killed,
        "survived": survived,
        "errors": statuses.count("error"),
        "score": 100.0 * killed / (killed + survived) if killed + survived else None,
    }


def passes(result: dict, threshold: float) -> bool:
    if result.get("error"):
        return False
    score = counts(result)["score"]
    return score is None or score >= threshold


def print_survivors(result: dict) -> None:
    if result.get("error"):
        print(f"== {result['module']}: ERROR\n{result['error']}\n")
        return
    survivors = [mutant for mutant in result["mutants"] if mutant["status"] in SURVIVED]
    errors = [mutant for mutant in result["mutants"] if mutant["status"] == "error"]
    if not survivors and not errors:
        return
    print(f"== {result['module']}: {len(survivors)} survivor(s)")
    for mutant in survivors + errors:
        note = {"no tests": " - no test calls it", "error": f" - not run: {mutant.get('detail')}"}.get(
            mutant["status"], ""
        )
        print(f"#{mutant['number']} line {mutant['line']} in {mutant['unit']} ({mutant['operator']}){note}")
        for line in mutant["before"].splitlines():
            print(f"  - {line}")
        for line in mutant["after"].splitlines():
            print(f"  + {line}")
    print()


def print_table(results: list[dict], threshold: float) -> None:
    header = f"{'module':<22} {'mutants':>7} {'message':>7} {'killed':>6} {'survived':>8} {'errors':>6} {'score':>7}"
    print(header)
    print("-" * len(header))
    for result in results:
        if result.get("error"):
            print(f"{result['module']:<22} ERROR")
            continue
        c = counts(result)
        score = "-" if c["score"] is None else f"{c['score']:.1f} %"
        flag = "" if passes(result, threshold) else f"  < {threshold:g} %"
        print(
            f"{result['module']:<22} {c['mutants']:>7} {c['message']:>7} {c['killed']:>6} {c['survived']:>8} "
            f"{c['errors']:>6} {score:>7}{flag}"
        )


if __name__ == "__main__":
    sys.exit(main())
