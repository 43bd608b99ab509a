"""The ``mutants/`` copy of the project's packages that the run imports instead of the originals.

Every top-level package holding a target file is copied whole (so ``import app.x`` finds the same package
layout), then each target file is replaced by mutmut's rewritten version. The folder goes first on
``sys.path`` before Django is set up, so the run imports the trampolined code. Generating mutants costs
seconds per file (libcst), so each file's result is cached by the hash of its source.
"""
from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import json
import multiprocessing
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support.mutation.mutants import Mutant, MutatedModule, mutate_source

CACHE_VERSION = "4"  # bump when the generated code or the mutants listed change


@dataclass(frozen=True)
class Workspace:
    root: Path  # the project
    folder: Path  # the mutants/ copy
    modules: tuple[MutatedModule, ...]

    @property
    def mutants(self) -> list[Mutant]:
        return [m for module in self.modules for m in module.mutants]

    def mutated_path(self, relative_file: str) -> Path:
        return self.folder / relative_file

    def activate(self) -> None:
        """Import the target packages from the mutated copy. Call before anything imports them.

        First on sys.path, and also a finder ahead of all others: behave puts the project's folder at the
        front of sys.path when it loads the steps, which would otherwise win.
        """
        already = [name for name in self.top_packages if name in sys.modules
                   and not str(getattr(sys.modules[name], "__file__", "") or "").startswith(str(self.folder))]
        if already:
            raise RuntimeError(f"package(s) {', '.join(already)} were imported before the mutated copy was "
                               "put on sys.path; the run would test the original code")
        import_from(self.folder, self.top_packages)

    @property
    def top_packages(self) -> list[str]:
        return sorted({Path(m.file).parts[0].removesuffix(".py") for m in self.modules})


class _MutantsFinder(importlib.abc.MetaPathFinder):
    """Top-level packages of the targets come from the mutants/ copy, whatever sys.path says."""

    def __init__(self, folder: str, packages: frozenset[str]) -> None:
        self.folder = folder
        self.packages = packages

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname not in self.packages:
            return None  # submodules follow their package's __path__, which is in the copy
        return importlib.machinery.PathFinder.find_spec(fullname, [self.folder])


def import_from(folder: Path, packages: Sequence[str]) -> None:
    """From now on, these top-level packages are imported from `folder` (the mutated copy)."""
    sys.path.insert(0, str(folder))
    sys.meta_path.insert(0, _MutantsFinder(str(folder), frozenset(packages)))


def _cache_key(relative: str, source: str) -> str:
    import mutmut

    text = f"{CACHE_VERSION}\0{getattr(mutmut, '__version__', '?')}\0{relative}\0{source}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def load_cached(path: Path) -> MutatedModule | None:
    try:
        data = json.loads(path.read_text("utf-8"))
        mutants = tuple(Mutant(**{**m, "only_on": tuple(m.get("only_on", ()))}) for m in data["mutants"])
        return MutatedModule(data["file"], data["module"], data["code"], mutants, data["source_hash"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _save_cached(path: Path, module: MutatedModule) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"file": module.file, "module": module.module, "code": module.code,
            "mutants": [m.to_dict() for m in module.mutants], "source_hash": module.source_hash}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data), "utf-8")
    tmp.replace(path)


def _mutate_one(args: tuple[str, str]) -> MutatedModule:
    relative, source = args
    return mutate_source(relative, source)


def generate(root: Path, targets: Sequence[str], cache_dir: Path, jobs: int = 1) -> list[MutatedModule]:
    """Mutated modules for the targets, from the cache where the source is unchanged (in parallel otherwise)."""
    sources = {t: (root / t).read_text("utf-8") for t in targets}
    modules: dict[str, MutatedModule] = {}
    missing: list[str] = []
    for target in targets:
        cached = load_cached(cache_dir / f"{_cache_key(target, sources[target])}.json")
        if cached is not None:
            modules[target] = cached
        else:
            missing.append(target)
    if missing:
        work = [(t, sources[t]) for t in missing]
        if jobs > 1 and len(work) > 1:
            with multiprocessing.get_context("fork").Pool(min(jobs, len(work))) as pool:
                made = pool.map(_mutate_one, work, chunksize=1)
        else:
            made = [_mutate_one(w) for w in work]
        for target, module in zip(missing, made, strict=True):
            _save_cached(cache_dir / f"{_cache_key(target, sources[target])}.json", module)
            modules[target] = module
    return [modules[t] for t in targets]


def build(root: Path, folder: Path, modules: Sequence[MutatedModule]) -> Workspace:
    """(Re)write the mutants/ copy: the packages holding the targets, with the targets rewritten."""
    packages = sorted({Path(m.file).parts[0] for m in modules})
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for package in packages:
        source = root / package
        if source.is_dir():
            shutil.copytree(source, folder / package,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.sqlite3"))
        else:
            shutil.copy2(source, folder / package)
    for module in modules:
        (folder / module.file).write_text(module.code, "utf-8")
    return Workspace(root, folder, tuple(modules))
