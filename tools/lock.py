"""The lock file: pyproject.toml's dependencies resolved to exact versions with hashes.

    python3 tools/lock.py compile [UV ARGS...]   # `make lock`: (re)write requirements.lock
    python3 tools/lock.py check                  # `make install`: is the lock up to date?

`compile` runs uv's `pip compile` for Python 3.11 on Linux x86_64 with the `dev` extra and
pyproject.toml's build requirements (setuptools, so the project itself installs without
fetching an unhashed build backend) and pip (so the venv's installer is locked too). Pins
already in the lock are kept unless pyproject.toml rules them out or `--upgrade` /
`--upgrade-package NAME` is passed. It records a digest of the inputs in the lock's header;
`check` recomputes it, so a dependency added to pyproject.toml without `make lock` is
noticed (edits elsewhere in pyproject.toml, e.g. tool settings, do not count).

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
DIGEST_PREFIX = "# inputs-sha256: "
# The lock is for this machine's kind: CPython 3.11, glibc Linux on x86_64.
PYTHON_VERSION = "3.11"
PLATFORM = "x86_64-unknown-linux-gnu"
EXTRAS = ["dev"]
ALSO_LOCKED = ["pip"]  # the installer itself, besides the build requirements


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


def recorded_digest() -> str | None:
    if not LOCK.exists():
        return None
    for line in LOCK.read_text().splitlines():
        if line.startswith(DIGEST_PREFIX):
            return line[len(DIGEST_PREFIX) :].strip()
        if line and not line.startswith("#"):
            break
    return None


def check() -> int:
    if not LOCK.exists():
        print(f"{LOCK.name} is missing: run `make lock`.", file=sys.stderr)
        return 1
    if recorded_digest() != digest():
        print(
            f"pyproject.toml's dependencies changed since {LOCK.name} was generated: "
            f"run `make lock` (and commit {LOCK.name}).",
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
        # The file's name shows in the lock's "# via" comments.
        extra_in = Path(tmp) / "build-system-and-pip.in"
        extra_in.write_text("".join(f"{req}\n" for req in also))
        command = [
            str(uv_path()), "pip", "compile", "--quiet",
            str(PYPROJECT.relative_to(ROOT)), str(extra_in),
            *[arg for extra in EXTRAS for arg in ("--extra", extra)],
            "--generate-hashes",
            "--python-version", PYTHON_VERSION,
            "--python-platform", PLATFORM,
            "--custom-compile-command", "make lock",
            "--output-file", LOCK.name,
            *extra_args,
        ]  # fmt: skip
        done = subprocess.run(command, cwd=ROOT)
        if done.returncode:
            return done.returncode
    text = LOCK.read_text().replace(str(extra_in), "build-system-and-pip.in")
    lines = text.splitlines(keepends=True)
    # After uv's header comment: the digest that `check` compares.
    at = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    lines.insert(at, f"{DIGEST_PREFIX}{digest()}\n")
    LOCK.write_text("".join(lines))
    print(f"{LOCK.name}: {sum(1 for ln in lines if re.match(r'^[A-Za-z0-9]', ln))} packages.")
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["check"]:
        return check()
    if argv[:1] == ["compile"]:
        return compile_lock(argv[1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
