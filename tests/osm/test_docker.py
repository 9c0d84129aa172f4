"""The production image (Dockerfile, .dockerignore), read without a Docker engine.

A builder stage makes a venv from requirements-prod.lock with its hashes and the project
without dependencies, and collects the static files; the image (the last stage, on the same
python:3.11-slim) gets only that venv, the code by `COPY . .` minus .dockerignore (so a new
package needs no line), the compiled translations and the static files, and does not run as
root. The lock has every package the shipped code imports.
"""

import ast
import os
import re
import shlex
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASE = "python:3.11-slim"


def stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile's stages, each a list of (INSTRUCTION, arguments) starting with its
    FROM; continuation lines joined, comments out."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    found: list[list[tuple[str, str]]] = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, args = line.strip().partition(" ")
            if keyword.upper() == "FROM":
                found.append([])
            found[-1].append((keyword.upper(), " ".join(args.split())))
    return found


def instructions() -> list[tuple[str, str]]:
    """The image's own instructions: the last stage."""
    return stages()[-1]


def stage(name: str) -> list[tuple[str, str]]:
    """The stage `FROM ... AS name`."""
    (found,) = [s for s in stages() if s[0][1].lower().endswith(f" as {name}")]
    return found


def pip_installs(steps=None) -> list[list[str]]:
    """The arguments after `pip install` in every RUN of `steps` (all stages by default),
    one list per command."""
    if steps is None:
        steps = [step for each in stages() for step in each]
    commands = []
    for keyword, args in steps:
        if keyword == "RUN":
            for command in re.split(r"&&|;", args):
                if "pip install" not in command:
                    continue  # e.g. the translations stage's sh -c '... && ...'
                words = shlex.split(command)
                if words[:2] == ["pip", "install"]:
                    commands.append(words[2:])
    return commands


def env(steps) -> dict[str, str]:
    """The ENV settings of `steps` (the KEY=VALUE form)."""
    found = {}
    for keyword, args in steps:
        if keyword == "ENV":
            found.update(pair.split("=", 1) for pair in shlex.split(args))
    return found


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
    builder = stage("builder")
    assert ["--require-hashes", "-r", "requirements-prod.lock"] in pip_installs(builder)
    copies = [args for keyword, args in builder if keyword == "COPY"]
    assert "requirements-prod.lock ./" in copies
    # The dev tools' lock is not used anywhere (the comments may name it).
    steps = [step for each in stages() for step in each]
    assert not any("requirements.lock" in args for _, args in steps)


def test_every_pip_install_is_the_hashed_lock_or_the_project_alone():
    installs = pip_installs()
    project = [args for args in installs if "." in args]
    assert project == [["--no-deps", "--no-build-isolation", "."]]
    # Nothing resolved at build time: every install is the hashed lock or --no-deps.
    for args in installs:
        assert args in (["--require-hashes", "-r", "requirements-prod.lock"], project[0]), args


def test_the_image_is_a_venv_built_in_another_stage():
    names = [each[0][1] for each in stages()]
    assert names == [f"{BASE} AS translations", f"{BASE} AS builder", BASE]
    builder, image = stage("builder"), instructions()
    assert ("RUN", "python -m venv /opt/venv") in builder
    # The same base image: the venv's python is the base's /usr/local/bin/python3.11.
    assert env(builder)["PATH"].startswith("/opt/venv/bin:")
    assert env(image)["PATH"].startswith("/opt/venv/bin:")
    # The image installs nothing with pip and gets no compiler and no gettext.
    assert pip_installs(image) == []
    runs = " ".join(args for keyword, args in image if keyword == "RUN")
    for tool in ("pip", "gettext", "gcc", "build-essential", "-dev "):
        assert tool not in runs, tool
    copies = [args for keyword, args in image if keyword == "COPY"]
    assert copies == [
        "--from=builder /opt/venv /opt/venv",
        ". .",  # the code, whole: a new package needs no line
        "--from=translations /compiled/ ./",
        "--from=builder /opt/staticfiles ./staticfiles",
    ]
    assert env(image)["PYTHONPATH"] == "/app"  # the code in /app, not the venv's copy


def test_the_builder_keeps_its_tools_and_leftovers():
    builder = stage("builder")
    assert env(builder)["PIP_NO_CACHE_DIR"] == "1"
    runs = [args for keyword, args in builder if keyword == "RUN"]
    # The packages' own test suites and the installers stay behind.
    assert any("-name tests -prune -exec rm -rf {} +" in args for args in runs)
    assert any("pip uninstall -y pip setuptools" in args for args in runs)


def test_collectstatic_runs_at_build_time():
    runs = [args for keyword, args in stage("builder") if keyword == "RUN"]
    collect = [args for args in runs if "manage.py collectstatic --noinput" in args]
    assert len(collect) == 1 and "STATIC_ROOT=/opt/staticfiles" in collect[0]
    assert env(instructions())["STATIC_ROOT"] == "/app/staticfiles"


def test_the_image_runs_as_a_fixed_non_root_uid():
    steps = instructions()
    keywords = [keyword for keyword, _ in steps]
    users = [args for keyword, args in steps if keyword == "USER"]
    assert users == ["1000:1000"]
    assert keywords.index("USER") < keywords.index("CMD")
    # Root owns /app and the venv: no COPY --chown, no chown or chmod handing files over.
    for _, args in steps:
        assert "--chown" not in args and "chown" not in args.split() and "chmod" not in args
    runs = [args for keyword, args in steps if keyword == "RUN"]
    assert any(re.search(r"useradd .*--uid 1000 .*osm", args) for args in runs)
    # The one folder the processes write to is outside /app: practices' documents.
    owned = [args for args in runs if " -o 1000 " in f" {args} "]
    assert owned == ["install -d -o 1000 -g 1000 -m 0750 /data/media"]
    assert env(steps)["MEDIA_ROOT"] == "/data/media"
    # Everything that writes into /app happens before the switch.
    assert max(i for i, k in enumerate(keywords) if k in ("RUN", "COPY")) < keywords.index("USER")


def test_gunicorn_believes_forwarded_headers_from_loopback_only():
    """gunicorn reads FORWARDED_ALLOW_IPS itself; docker-compose.yml names its proxy."""
    assert env(instructions())["FORWARDED_ALLOW_IPS"] == "127.0.0.1"
    (cmd,) = [args for keyword, args in instructions() if keyword == "CMD"]
    words = ast.literal_eval(cmd)
    assert words[:2] == ["gunicorn", "osm.wsgi"]
    assert words[words.index("--timeout") + 1] == "60"
    assert "--forwarded-allow-ips" not in words  # one place: the environment


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
    for name in ("tests", "docs", ".ci", "tools", ".git", ".venv", "var", "deploy"):
        assert not any(path.split("/")[0] == name for path in shipped), name
    for name in ("requirements.lock", "Makefile", ".env", "deploy.env", "docker-compose.yml"):
        assert name not in shipped
    assert not any("__pycache__" in path or path.endswith(".pyc") for path in shipped)
    secrets = (".env", "deploy.env", ".venv/bin/python", "var/osm.sqlite3")
    for secret in (*secrets, "deploy/nginx/certs/privkey.pem"):
        assert ignored(secret, ignore_patterns()), secret


def test_every_package_is_installed_by_pyproject():
    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = include["packages"]["find"]["include"]
    for package in packages():
        assert f"{package}*" in patterns, package
    for coming in ("core*", "devtools*", "dashboards*"):  # the restructure's new packages
        assert coming in patterns


def module_level_imports(path: str) -> set[str]:
    """The top-level names a shipped module imports when it is imported (not the imports
    inside functions, which run only when called, nor optional ones under try or if)."""
    tree = ast.parse((ROOT / path).read_text())
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name.lower())


def test_the_production_lock_has_every_package_the_code_imports():
    """A package the code imports but only the development lock brings in (a dev tool
    depending on it) passes every test and breaks the image at its first request."""
    lock = (ROOT / "requirements-prod.lock").read_text()
    pinned = {normalized(m) for m in re.findall(r"^([A-Za-z0-9][\w.-]*)==", lock, re.M)}
    files = sorted(path for path in shipped_files() if path.endswith(".py"))
    own = set(packages()) | {Path(path).stem for path in files if "/" not in path}
    distributions = packages_distributions()
    missing = {}
    for path in files:
        for name in module_level_imports(path) - own - set(sys.stdlib_module_names):
            if name == "__future__":
                continue
            if not any(normalized(d) in pinned for d in distributions.get(name, [])):
                missing.setdefault(name, path)
    assert missing == {}, (
        f"imported but not in requirements-prod.lock (module: a file importing it): {missing}; "
        "add the distribution to pyproject.toml's dependencies and run `make lock`"
    )
