"""Import direction and import cycles, checked on every test run.

- The import-linter contracts in .importlinter (apps in layers, rop/ropsim plain Python,
  views and tasks on top inside each app); `lint-imports` in bin/test checks the same.
- No import cycle anywhere in our code: between modules, and between the sibling
  packages or modules at each level (apps at the top, e.g. devices.views vs devices.tasks).
  Imports inside functions count: deferring an import hides a cycle, it does not remove
  it. Imports under `if TYPE_CHECKING:` do not: they never run, and are how an
  annotation names the object that holds it.
"""

import configparser
from collections import deque
from collections.abc import Callable
from pathlib import Path

import grimp
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".importlinter"

type Edges = dict[str, set[str]]


def first_party_packages() -> list[str]:
    config = configparser.ConfigParser()
    config.read(CONFIG)
    return [*config["importlinter"]["root_packages"].split(), "tests"]


def import_graph() -> grimp.ImportGraph:
    return grimp.build_graph(*first_party_packages(), exclude_type_checking_imports=True, cache_dir=None)


def strongly_connected(nodes: list[str], edges: Edges) -> list[list[str]]:
    """Tarjan: the groups of nodes that reach each other (only groups of two or more)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(nodes):
        if node not in index:
            visit(node)
    return groups


def shortest_cycle(group: list[str], edges: Edges) -> list[str]:
    """A shortest cycle through the group's first node, as [a, b, ..., a]."""
    start, members = group[0], set(group)
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for other in sorted(edges.get(node, set()) & members):
            if other == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [start, *reversed(path[:-1]), start]
            if other not in came_from:
                came_from[other] = node
                queue.append(other)
    raise AssertionError(f"no cycle through {start}")  # a strongly connected group always has one


def collapsed(graph: grimp.ImportGraph, key: Callable[[str], str | None]) -> Edges:
    """Imports between groups of modules (key: a module's group, None = not in any)."""
    edges: Edges = {}
    for module in graph.modules:
        source = key(module)
        if source is None:
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            target = key(imported)
            if target is not None and target != source:
                edges.setdefault(source, set()).add(target)
    return edges


def an_import(graph: grimp.ImportGraph, source: str, target: str) -> str:
    """One import statement by which `source` (a module or package) imports `target`."""
    for importer in sorted({source} | graph.find_descendants(source)):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if imported == target or imported.startswith(target + "."):
                details = graph.get_import_details(importer=importer, imported=imported)
                where = f"{details[0]['line_number']}: {details[0]['line_contents']}" if details else "?"
                return f"{importer} line {where}"
    return f"{source} imports {target}"


def find_cycles(graph: grimp.ImportGraph) -> list[str]:
    """Every import cycle, each described with one import statement per step."""
    levels: list[tuple[str, list[str], Callable[[str], str | None]]] = [
        ("modules", sorted(graph.modules), lambda module: module),
        ("top-level packages", sorted({m.split(".")[0] for m in graph.modules}), lambda m: m.split(".")[0]),
    ]
    for parent in sorted(m for m in graph.modules if graph.find_children(m)):

        def child_of(module: str, parent: str = parent) -> str | None:
            if not module.startswith(parent + "."):
                return None
            return f"{parent}.{module[len(parent) + 1 :].split('.')[0]}"

        levels.append((f"the children of {parent}", sorted(graph.find_children(parent)), child_of))
    found = []
    for level, nodes, key in levels:
        edges = collapsed(graph, key)
        for group in strongly_connected(nodes, edges):
            cycle = shortest_cycle(group, edges)
            steps = "\n".join(f"    {an_import(graph, a, b)}" for a, b in zip(cycle, cycle[1:], strict=False))
            found.append(f"cycle between {level}: {' -> '.join(cycle)}\n{steps}")
    return found


def test_it_keeps_the_import_linter_contracts(capsys):
    code = lint_imports(config_filename=str(CONFIG), no_cache=True, no_logo=True)
    assert code == 0, capsys.readouterr().out


def test_it_finds_no_import_cycle():
    cycles = find_cycles(import_graph())
    assert not cycles, "\n\n".join(cycles)


def test_it_finds_a_planted_cycle():
    """The check itself, on an import planted in memory: devices reading alarms (which
    imports devices), as devices/selectors.py once did."""
    graph = import_graph()
    graph.add_import(
        importer="devices.selectors",
        imported="alarms.models",
        line_number=99,
        line_contents="from alarms.models import AlarmEvent",
    )
    described = "\n\n".join(find_cycles(graph))
    assert "cycle between top-level packages: alarms -> devices -> alarms" in described
    assert "devices.selectors line 99: from alarms.models import AlarmEvent" in described
