"""The production image (Dockerfile, .dockerignore), read without a Docker engine: it installs
requirements-prod.lock with its hashes and the project without dependencies, gets the code by
`COPY . .` minus .dockerignore (so a new package needs no line), and does not run as root."""

import os
import re
import shlex
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's (INSTRUCTION, arguments), continuation lines joined, comments out."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    found = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, args = line.strip().partition(" ")
            found.append((keyword.upper(), " ".join(args.split())))
    # The image is the last stage (an earlier one only compiles the translations).
    last = max(i for i, (keyword, _) in enumerate(found) if keyword == "FROM")
    return found[last:]


def pip_installs() -> list[list[str]]:
    """The arguments after `pip install` in every RUN, one list per command."""
    commands = []
    for keyword, args in instructions():
        if keyword == "RUN":
            for command in re.split(r"&&|;", args):
                if "pip install" not in command:
                    continue  # e.g. the translations stage's sh -c '... && ...'
                words = shlex.split(command)
                if words[:2] == ["pip", "install"]:
                    commands.append(words[2:])
    return commands


def ignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]


def pattern_regex(pattern: str) -> re.Pattern:
    """Docker's matching: from the context's top, `**` any depth, `*` and `?` within a name."""
    out = ""
    for part in re.split(r"(\*\*/?|\*|\?)", pattern.strip("/")):
        if part in ("**", "**/"):
            out += "(?:.*/)?" if part == "**/" else ".*"
        elif part == "*":
            out += "[^/]*"
        elif part == "?":
            out += "[^/]"
        else:
            out += re.escape(part)
    return re.compile(out + r"\Z")


def ignored(path: str, patterns: list[str]) -> bool:
    """Whether .dockerignore leaves `path` (or a folder above it) out; a later `!` re-admits."""
    parents = [path] + ["/".join(path.split("/")[:i]) for i in range(1, path.count("/") + 1)]
    out = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        regex = pattern_regex(pattern.lstrip("!"))
        if any(regex.match(p) for p in parents):
            out = not negate
    return out


def shipped_files() -> set[str]:
    """The checkout's files that `COPY . .` puts in the image."""
    patterns = ignore_patterns()
    shipped = set()
    for folder, dirs, files in os.walk(ROOT):
        rel = Path(folder).relative_to(ROOT).as_posix()
        prefix = "" if rel == "." else rel + "/"
        dirs[:] = [d for d in dirs if not ignored(prefix + d, patterns)]
        shipped.update(prefix + f for f in files if not ignored(prefix + f, patterns))
    return shipped


def packages() -> list[str]:
    """The checkout's top-level Python packages, the tests aside."""
    return sorted(
        p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name not in ("tests",)
    )


def test_the_dependencies_come_from_the_production_lock_with_hashes():
    installs = pip_installs()
    assert ["--require-hashes", "-r", "requirements-prod.lock"] in installs
    copies = [args for keyword, args in instructions() if keyword == "COPY"]
    assert "requirements-prod.lock ./" in copies
    # The dev tools' lock is not used (the comments may name it).
    assert not any("requirements.lock" in args for _, args in instructions())


def test_the_project_installs_without_its_dependencies():
    project = [args for args in pip_installs() if "." in args]
    assert project == [["--no-deps", "--no-build-isolation", "."]]
    # Every pip install is either the hashed lock or --no-deps: nothing resolved at build time.
    for args in pip_installs():
        assert "--no-deps" in args or args[:2] == ["--require-hashes", "-r"], args


def test_the_image_runs_as_a_fixed_non_root_uid():
    steps = instructions()
    keywords = [keyword for keyword, _ in steps]
    users = [args for keyword, args in steps if keyword == "USER"]
    assert users == ["1000:1000"]
    assert keywords.index("USER") < keywords.index("CMD")
    # Root owns /app: no COPY --chown, no chown or chmod handing files to the user.
    for _, args in steps:
        assert "--chown" not in args and "chown" not in args.split() and "chmod" not in args
    runs = [args for keyword, args in steps if keyword == "RUN"]
    assert any(re.search(r"useradd .*--uid 1000 .*osm", args) for args in runs)
    # The one folder the processes write to is outside /app: practices' documents.
    owned = [args for args in runs if " -o 1000 " in f" {args} "]
    assert owned == ["install -d -o 1000 -g 1000 -m 0750 /data/media"]
    assert ("ENV", "MEDIA_ROOT=/data/media") in steps
    # Everything that writes into /app happens before the switch.
    assert max(i for i, k in enumerate(keywords) if k in ("RUN", "COPY")) < keywords.index("USER")


def test_collectstatic_runs_at_build_time():
    runs = [args for keyword, args in instructions() if keyword == "RUN"]
    assert any("manage.py collectstatic --noinput" in args for args in runs)


def test_the_code_is_copied_whole_so_new_packages_need_no_line():
    copies = [args for keyword, args in instructions() if keyword == "COPY"]
    # the lock, the code, then the compiled translations from their stage
    assert copies == ["requirements-prod.lock ./", ". .", "--from=translations /compiled/ ./"]


def test_dockerignore_matching():
    patterns = [".git", "tests", "**/__pycache__", "*.egg-info", "!keep.egg-info"]
    assert ignored(".git/HEAD", patterns)
    assert ignored("tests/osm/test_docker.py", patterns)
    assert not ignored("osm/tests.py", patterns)  # a top-level pattern, not any depth
    assert ignored("__pycache__/x.pyc", patterns)
    assert ignored("osm/settings/__pycache__/base.cpython-311.pyc", patterns)
    assert ignored("osm.egg-info/PKG-INFO", patterns)
    assert not ignored("keep.egg-info", patterns)
    assert not ignored("osm/git.py", patterns)


def test_the_image_gets_the_app_and_not_the_development_files():
    shipped = shipped_files()
    for needed in (
        "manage.py",
        "pyproject.toml",
        "README.md",  # pyproject.toml's readme: the build reads it
        "requirements-prod.lock",
        "osm/settings/production.py",
        "osm/wsgi.py",
        "templates/base.html",
        "static/css/osm.css",
    ):
        assert needed in shipped, needed
    for package in packages():
        assert f"{package}/__init__.py" in shipped, package
    for name in ("tests", "docs", ".ci", "tools", ".git", ".venv", "var"):
        assert not any(path.split("/")[0] == name for path in shipped), name
    for name in ("requirements.lock", "Makefile", ".env", "deploy.env"):
        assert name not in shipped
    assert not any("__pycache__" in path or path.endswith(".pyc") for path in shipped)
    for secret in (".env", "deploy.env", ".venv/bin/python", "var/osm.sqlite3"):
        assert ignored(secret, ignore_patterns()), secret


def test_every_package_is_installed_by_pyproject():
    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = include["packages"]["find"]["include"]
    for package in packages():
        assert f"{package}*" in patterns, package
    for coming in ("core*", "devtools*", "dashboards*"):  # the restructure's new packages
        assert coming in patterns
