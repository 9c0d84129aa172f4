"""The lock files: pyproject.toml's dependencies resolved to exact versions with hashes.

    python3 tools/lock.py compile [UV ARGS...]   # `make lock`: (re)write both locks
    python3 tools/lock.py check                  # `make install`: are the locks up to date?

`compile` runs uv's `pip compile` for Python 3.11 on Linux x86_64 twice, with pyproject.toml's
build requirements (setuptools, so the project itself installs without fetching an unhashed
build backend) and pip (so the installer is locked too) both times:

- requirements.lock: with the `dev` extra, for `make install` (the venv the tests run in).
  Pins already in it are kept unless pyproject.toml rules them out or `--upgrade` /
  `--upgrade-package NAME` is passed.
- requirements-prod.lock: without it, for the Dockerfile (no dev tools in the image), with
  requirements.lock as constraints, so the image runs the versions the tests ran with.

Both record a digest of the inputs in their header; `check` recomputes it, so a dependency
added to pyproject.toml without `make lock` is noticed (edits elsewhere in pyproject.toml,
e.g. tool settings, do not count). It also fails when a pin of the production lock is not
the same in requirements.lock.

Standard library only: `check` runs before the venv exists.
"""

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "requirements.lock"
PROD_LOCK = ROOT / "requirements-prod.lock"
DIGEST_PREFIX = "# inputs-sha256: "
# The lock is for this machine's kind: CPython 3.11, glibc Linux on x86_64.
PYTHON_VERSION = "3.11"
PLATFORM = "x86_64-unknown-linux-gnu"
EXTRAS = ["dev"]
ALSO_LOCKED = ["pip"]  # the installer itself, besides the build requirements
PROD_NOTE = (
    "# The production image's lock (Dockerfile): no dev extra, every version as in\n"
    "# requirements.lock (its pins are the constraints).\n"
)
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", re.MULTILINE)


def inputs() -> dict:
    """What the lock is generated from: everything in pyproject.toml that a resolver reads."""
    data = tomllib.loads(PYPROJECT.read_text())
    project = data.get("project", {})
    return {
        "requires-python": project.get("requires-python", ""),
        "dependencies": sorted(project.get("dependencies", [])),
        "optional-dependencies": {
            name: sorted(reqs)
            for name, reqs in sorted(project.get("optional-dependencies", {}).items())
        },
        "build-system": sorted(data.get("build-system", {}).get("requires", [])),
        "target": [PYTHON_VERSION, PLATFORM, EXTRAS, ALSO_LOCKED],
    }


def digest() -> str:
    canonical = json.dumps(inputs(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def recorded_digest(lock: Path) -> str | None:
    if not lock.exists():
        return None
    for line in lock.read_text().splitlines():
        if line.startswith(DIGEST_PREFIX):
            return line[len(DIGEST_PREFIX) :].strip()
        if line and not line.startswith("#"):
            break
    return None


def pins(lock: Path) -> dict[str, str]:
    """{package: version} of a lock's `name==version` lines."""
    return {name.lower(): version for name, version in PIN.findall(lock.read_text())}


def check() -> int:
    for lock in (LOCK, PROD_LOCK):
        if not lock.exists():
            print(f"{lock.name} is missing: run `make lock`.", file=sys.stderr)
            return 1
        if recorded_digest(lock) != digest():
            print(
                f"pyproject.toml's dependencies changed since {lock.name} was generated: "
                f"run `make lock` (and commit {LOCK.name} and {PROD_LOCK.name}).",
                file=sys.stderr,
            )
            return 1
    full = pins(LOCK)
    apart = sorted(
        f"{name}=={version}"
        for name, version in pins(PROD_LOCK).items()
        if full.get(name) != version
    )
    if apart:
        print(
            f"{PROD_LOCK.name} pins {', '.join(apart)}, not as in {LOCK.name}: "
            f"run `make lock` (and commit both).",
            file=sys.stderr,
        )
        return 1
    return 0


def uv_path() -> Path:
    """uv from the venv, installed there from the lock's own hashed pin when missing."""
    bindir = Path(sys.executable).parent
    uv = bindir / "uv"
    if uv.exists():
        return uv
    if LOCK.exists():
        pin = uv_entry(LOCK.read_text())
        if pin:
            with tempfile.NamedTemporaryFile("w", suffix=".txt") as only_uv:
                only_uv.write(pin)
                only_uv.flush()
                subprocess.run(
                    [sys.executable, "-m", "pip", "install", "--quiet", "--require-hashes",
                     "--force-reinstall", "--no-deps", "-r", only_uv.name],
                    check=True,
                )  # fmt: skip
            return uv
    found = shutil.which("uv")
    if not found:
        sys.exit("uv is not installed: `pip install uv` in the venv, then run `make lock` again.")
    return Path(found)


def uv_entry(text: str) -> str:
    """The lock's `uv==X \\ --hash=...` entry, continuation lines included."""
    match = re.search(r"^uv==\S+(?:[ \t]*\\\n[ \t]+--hash=\S+)+", text, re.MULTILINE)
    return match.group(0) + "\n" if match else ""


def compile_lock(extra_args: list[str]) -> int:
    data = tomllib.loads(PYPROJECT.read_text())
    also = data.get("build-system", {}).get("requires", []) + ALSO_LOCKED
    with tempfile.TemporaryDirectory() as tmp:
        # The file's name shows in the locks' "# via" comments.
        extra_in = Path(tmp) / "build-system-and-pip.in"
        extra_in.write_text("".join(f"{req}\n" for req in also))
        command = [
            str(uv_path()), "pip", "compile", "--quiet",
            str(PYPROJECT.relative_to(ROOT)), str(extra_in),
            "--generate-hashes",
            "--python-version", PYTHON_VERSION,
            "--python-platform", PLATFORM,
            "--custom-compile-command", "make lock",
        ]  # fmt: skip
        extras = [arg for extra in EXTRAS for arg in ("--extra", extra)]
        full = [*extras, "--output-file", LOCK.name]
        # The full lock first: the production one takes its versions from it.
        prod = ["--constraint", LOCK.name, "--output-file", PROD_LOCK.name]
        for lock, args, note in ((LOCK, full, ""), (PROD_LOCK, prod, PROD_NOTE)):
            done = subprocess.run([*command, *args, *extra_args], cwd=ROOT)
            if done.returncode:
                return done.returncode
            finish(lock, str(extra_in), note)
    return 0


def finish(lock: Path, extra_in: str, note: str) -> None:
    """The digest that `check` compares (and a note) after uv's header comment."""
    text = lock.read_text().replace(extra_in, "build-system-and-pip.in")
    lines = text.splitlines(keepends=True)
    at = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    lines.insert(at, f"{DIGEST_PREFIX}{digest()}\n{note}")
    lock.write_text("".join(lines))
    print(f"{lock.name}: {len(PIN.findall(text))} packages.")


def main(argv: list[str]) -> int:
    if argv[:1] == ["check"]:
        return check()
    if argv[:1] == ["compile"]:
        return compile_lock(argv[1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
