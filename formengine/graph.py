"""The order in which computed fields are evaluated, and the cycles that forbid one.

A computed field depends on the form fields its expression names, on the table columns it
aggregates (``sum(lines.total)``) and, inside a table or tree, on its row's columns. A
depth-first walk gives an order where every computed value sees its inputs computed.
"""

from __future__ import annotations

from .errors import Problem
from .spec import Field, Grid, Table, Tree

Node = tuple[str | None, str]  # (table/tree id or None, field id)


def compute_order(members: list[Field | Table | Grid | Tree]) -> tuple[tuple[Node, ...], list[Problem]]:
    nodes: dict[Node, tuple[Field, set[Node]]] = {}
    computed_columns: dict[str, list[str]] = {}
    for m in members:
        for c in m.columns if isinstance(m, (Table, Tree)) else ():
            if c.compute is not None:
                computed_columns.setdefault(m.id, []).append(c.id)
    for m in members:
        if isinstance(m, Field) and m.compute is not None:
            deps: set[Node] = {(None, n) for n in m.compute.names}
            deps |= {(t, c) for t, c in m.compute.columns}
            deps |= {(n, c) for n in m.compute.names for c in computed_columns.get(n, ())}
            nodes[(None, m.id)] = (m, deps)
        elif isinstance(m, (Table, Tree)):
            for c in m.columns:
                if c.compute is not None:
                    deps = {(m.id, n) for n in c.compute.row_names} | {(None, n) for n in c.compute.names}
                    nodes[(m.id, c.id)] = (c, deps)
    order: list[Node] = []
    problems: list[Problem] = []
    state: dict[Node, int] = {}  # 1: on the current path, 2: done

    def visit(key: Node, trail: list[Node]) -> None:
        if state.get(key) == 2:
            return
        if state.get(key) == 1:
            cycle = trail[trail.index(key):] + [key]
            f = nodes[key][0]
            chain = " → ".join(f"{t}.{n}" if t else n for t, n in cycle)
            problems.append(Problem.make("compute.cycle", file=f.where.file, line=f.where.line,
                                         column=f.where.column, path=f.id, chain=chain))
            return
        state[key] = 1
        for dep in sorted(nodes[key][1], key=str):
            if dep in nodes:
                visit(dep, trail + [key])
        state[key] = 2
        order.append(key)

    for key in nodes:
        visit(key, [])
    return tuple(order), problems
