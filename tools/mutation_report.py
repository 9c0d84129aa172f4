"""Each mutated module's mutation score, from mutmut's results under mutants/.

    python3 tools/mutation_report.py              # `make mutation` prints this after the run
    python3 tools/mutation_report.py --survivors  # and names the mutants that survived

mutmut (3.x) keeps one `mutants/<module path>.meta` file (JSON) per mutated module, with an
exit code per mutant: the tests' exit code when run against that mutant, or one of
mutmut's own codes. A mutant is killed when the tests fail (exit code 1, or 3 for an error
inside pytest) or time out; it survives when they pass (0). The score is the share of
mutants killed (timeouts included, as mutmut's own badge counts them) of all mutants,
so a mutant that no test reaches ("no tests") or that was never run counts against it.

Standard library only; the modules are pyproject.toml's `[tool.mutmut] only_mutate`.
"""

import argparse
import json
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"

KILLED = {1: "killed", 3: "killed"}  # tests failed, or an internal error in pytest
TIMEOUT = {36, 24, -24, 152, 255}  # mutmut's timeout, SIGXCPU
SURVIVED = {0}
NO_TESTS = {5, 33}


def status(code: int | None) -> str:
    if code is None:
        return "not run"
    if code in KILLED:
        return "killed"
    if code in TIMEOUT:
        return "timeout"
    if code in SURVIVED:
        return "survived"
    if code in NO_TESTS:
        return "no tests"
    return "other"  # skipped, suspicious, segfault, type check: none expected here


def modules() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    return list(config["only_mutate"])


def results(module: str) -> dict[str, int | None]:
    meta = MUTANTS / (module + ".meta")
    if not meta.exists():
        return {}
    return json.loads(meta.read_text())["exit_code_by_key"]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--survivors", action="store_true", help="list the surviving mutants")
    args = parser.parse_args(argv)

    columns = ("killed", "timeout", "survived", "no tests", "not run", "other")
    header = f"{'module':<24} {'score':>16} " + " ".join(f"{c:>9}" for c in columns)
    print(header)
    print("-" * len(header))
    grand = dict.fromkeys(columns, 0)
    survivors: dict[str, list[str]] = {}
    missing = []
    for module in modules():
        codes = results(module)
        if not codes:
            missing.append(module)
            print(f"{module:<24} {'no results':>16}")
            continue
        counts = dict.fromkeys(columns, 0)
        for name, code in codes.items():
            counts[status(code)] += 1
            if status(code) == "survived":
                survivors.setdefault(module, []).append(name)
        for column in columns:
            grand[column] += counts[column]
        print(line(module, counts, columns))
    if len(modules()) - len(missing) > 1:
        print("-" * len(header))
        print(line("all", grand, columns))
    if args.survivors:
        for module, names in survivors.items():
            print(f"\nSurvived in {module} ({len(names)}):")
            for name in names:
                print(f"  {name}")
    if missing:
        print(f"\nNo results for {', '.join(missing)}: run `make mutation`.", file=sys.stderr)
        return 1
    return 0


def line(name: str, counts: dict[str, int], columns: tuple[str, ...]) -> str:
    total = sum(counts.values())
    killed = counts["killed"] + counts["timeout"]
    score = f"{killed}/{total} {100 * killed / total:5.1f}%" if total else "-"
    return f"{name:<24} {score:>16} " + " ".join(f"{counts[c]:>9}" for c in columns)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
