"""The dependency graph of a contract set: unknown dependencies and cycles."""
from __future__ import annotations

from collections.abc import Iterable

from support.contracts.contract import ServiceContract


def dependency_cycles(contracts: Iterable[ServiceContract]) -> list[list[str]]:
    """Every elementary cycle found by depth-first search, each as a path that ends where it starts,
    rotated to start at its smallest name, without duplicates."""
    graph = {c.service_name: list(c.dependencies) for c in contracts}
    cycles: list[list[str]] = []
    seen: set[tuple[str, ...]] = set()

    def visit(node: str, path: list[str]) -> None:
        for nxt in graph.get(node, []):
            if nxt in path:
                loop = path[path.index(nxt):]
                start = loop.index(min(loop))
                key = tuple(loop[start:] + loop[:start])
                if key not in seen:
                    seen.add(key)
                    cycles.append([*key, key[0]])
            elif nxt in graph:
                visit(nxt, [*path, nxt])

    for name in sorted(graph):
        visit(name, [name])
    return cycles


def unknown_dependencies(contracts: Iterable[ServiceContract]) -> dict[str, list[str]]:
    contracts = list(contracts)
    names = {c.service_name for c in contracts}
    return {c.service_name: missing for c in contracts if (missing := sorted(set(c.dependencies) - names))}
