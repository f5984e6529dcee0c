"""Orthogonal connectors routed around shapes, as a careful modeler user draws them.

A connector runs on a sparse grid made of the lines through every shape's
centre and of the lines a margin outside every shape's sides (the classic
orthogonal visibility grid).  A* over (grid point, heading) finds the cheapest
path, where the cost is length plus a penalty per bend, a penalty for running
along another connector, a small one for crossing it, and a preference for the
sides a reader expects (out to the right, in from the left).  Connectors never
pass through a shape.
"""

from __future__ import annotations

import heapq
import itertools
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flowgen.geometry import TASK_SIZE, Box

MARGIN = 12.0
"""Distance of a connector from the side of a shape it passes."""
BEND = 30.0
OVERLAP = 400.0
CROSS = 30.0
PORT_REUSE = 70.0
TOUCH = 200.0
CLEARANCE = 5.0
"""Connectors keep at least this far from shapes they pass (no grazing a gateway's corner)."""
OFFSET = 25.0
"""Off-centre docking of message flows on a task's top or bottom."""

Point = tuple[float, float]
# headings: 0 right, 1 down, 2 left, 3 up
_STEP = ((1, 0), (0, 1), (-1, 0), (0, -1))
SIDES = {"R": 0, "D": 1, "L": 2, "U": 3}


@dataclass(frozen=True, slots=True)
class End:
    """One end of a connector: a shape with the sides it may use and their penalties, or a pool border."""

    key: str
    """Shape id (for port reuse)."""
    box: Box
    sides: dict[str, float]
    """Side → penalty.  For an outgoing end the connector leaves through it, for an incoming end it enters."""
    border: bool = False
    """A black-box pool: the connector may meet its top or bottom border anywhere along it."""
    offsets: bool = False
    """Also dock a quarter of the width left or right of the centre on the top and bottom (message flows)."""


class Router:
    """Routes connectors one after another on one diagram, remembering what is already drawn."""

    def __init__(self, obstacles: dict[str, Box], extra_xs: Iterable[float] = (), extra_ys: Iterable[float] = ()):
        self.obstacles = obstacles
        xs: set[float] = set(extra_xs)
        ys: set[float] = set(extra_ys)
        for box in obstacles.values():
            xs.update((box.cx, box.x - MARGIN, box.right + MARGIN))
            if box.w == TASK_SIZE[0]:
                xs.update((box.cx - OFFSET, box.cx + OFFSET))
            ys.update((box.cy, box.y - MARGIN, box.bottom + MARGIN))
        self.xs = sorted(round(x, 1) for x in xs)
        self.ys = sorted(round(y, 1) for y in ys)
        self.used: dict[tuple[int, int, int, int], set[str]] = defaultdict(set)
        """Unit grid segments already drawn → connector ids."""
        self.through: dict[tuple[int, int], set[str]] = defaultdict(set)
        """Grid points a connector passes straight through, with its orientation ('h' or 'v')."""
        self.visitors: dict[tuple[int, int], set[str]] = defaultdict(set)
        """Connectors through each grid point."""
        self.bends: dict[tuple[int, int], set[str]] = defaultdict(set)
        """Connectors that turn at each grid point."""
        self.ports: dict[tuple[str, str], int] = defaultdict(int)
        self.ends: dict[str, tuple[str, str]] = {}
        """Connector → (source key, target key): siblings may share a trunk."""
        self._blocked_h: set[tuple[int, int]] = set()
        self._blocked_v: set[tuple[int, int]] = set()
        self._inside: set[tuple[int, int]] = set()
        boxes = [b.inflate(CLEARANCE) for b in obstacles.values()]
        for i, x in enumerate(self.xs):
            for j, y in enumerate(self.ys):
                if any(b.contains_point(x, y) for b in boxes):
                    self._inside.add((i, j))
        for j, y in enumerate(self.ys):
            for i in range(len(self.xs) - 1):
                a, b = (self.xs[i], y), (self.xs[i + 1], y)
                if any(box.hit_by_segment(a, b) for box in boxes):
                    self._blocked_h.add((i, j))
        for i, x in enumerate(self.xs):
            for j in range(len(self.ys) - 1):
                a, b = (x, self.ys[j]), (x, self.ys[j + 1])
                if any(box.hit_by_segment(a, b) for box in boxes):
                    self._blocked_v.add((i, j))

    # -- grid helpers ----------------------------------------------------------------

    def _ix(self, x: float) -> int:
        i = bisect_left(self.xs, round(x, 1) - 0.05)
        if i >= len(self.xs) or abs(self.xs[i] - x) > 0.1:
            raise ValueError(f"x={x} is not a grid line")
        return i

    def _iy(self, y: float) -> int:
        j = bisect_left(self.ys, round(y, 1) - 0.05)
        if j >= len(self.ys) or abs(self.ys[j] - y) > 0.1:
            raise ValueError(f"y={y} is not a grid line")
        return j

    def _ports(self, end: End) -> list[tuple[str, Point, Point]]:
        """(side, point on the shape, stub point one margin outside)."""
        b = end.box
        found = []
        for side in end.sides:
            if side == "R":
                found.append((side, (b.right, b.cy), (b.right + MARGIN, b.cy)))
            elif side == "L":
                found.append((side, (b.x, b.cy), (b.x - MARGIN, b.cy)))
            elif side in ("U", "D"):
                y, stub = (b.y, b.y - MARGIN) if side == "U" else (b.bottom, b.bottom + MARGIN)
                xs = [b.cx, b.cx - OFFSET, b.cx + OFFSET] if end.offsets and b.w == TASK_SIZE[0] else [b.cx]
                found.extend((side, (x, y), (x, stub)) for x in xs)
        return found

    def _border_points(self, end: End, side: str, area: Box) -> list[tuple[str, Point, Point]]:
        """Every place along a black-box pool's border where a message flow may meet it."""
        b = end.box
        y, stub = (b.y, b.y - MARGIN) if side == "U" else (b.bottom, b.bottom + MARGIN)
        return [
            (side, (x, y), (x, stub)) for x in self.xs
            if b.x + 20 <= x <= b.right - 20 and area.x <= x <= area.right
        ]  # fmt: skip

    # -- search ----------------------------------------------------------------------

    def route(self, connector: str, start: End, goal: End, area: Box) -> list[Point]:
        """Waypoints from ``start`` to ``goal`` inside ``area``; raises when there is no way."""
        self.ends[connector] = (start.key, goal.key)
        kin = {c for c, (a, b) in self.ends.items() if a == start.key or b == goal.key}
        starts = self._candidates(start, area, outgoing=True)
        goals = self._candidates(goal, area, outgoing=False)
        goal_at: dict[tuple[int, int], list[tuple[str, Point, float]]] = defaultdict(list)
        for side, port, stub, penalty in goals:
            goal_at[(self._ix(stub[0]), self._iy(stub[1]))].append((side, port, penalty))
        goal_points = [(self.xs[i], self.ys[j]) for i, j in goal_at]

        def heuristic(i: int, j: int) -> float:
            x, y = self.xs[i], self.ys[j]
            return min(abs(x - gx) + abs(y - gy) for gx, gy in goal_points)

        counter = itertools.count()
        frontier: list[tuple[float, float, int, tuple[int, int, int]]] = []
        best: dict[tuple[int, int, int], float] = {}
        parent: dict[tuple[int, int, int], tuple[int, int, int] | None] = {}
        origin: dict[tuple[int, int, int], Point] = {}
        for side, port, stub, penalty in starts:
            i, j = self._ix(stub[0]), self._iy(stub[1])
            if (i, j) in self._inside or not self._in_area(i, j, area):
                continue
            state = (i, j, SIDES[side])
            cost = penalty + MARGIN
            if cost < best.get(state, float("inf")):
                best[state] = cost
                parent[state] = None
                origin[state] = port
                heapq.heappush(frontier, (cost + heuristic(i, j), cost, next(counter), state))
        finish: tuple[float, tuple[int, int, int], str, Point] | None = None
        while frontier:
            estimate, cost, _, state = heapq.heappop(frontier)
            if finish is not None and estimate >= finish[0]:
                break
            if cost > best.get(state, float("inf")):
                continue
            i, j, heading = state
            for side, port, penalty in goal_at.get((i, j), ()):
                needed = (SIDES[side] + 2) % 4  # entering moves against the side's outward direction
                if heading == (needed + 2) % 4:
                    continue
                total = cost + penalty + MARGIN + (0.0 if heading == needed else BEND)
                if finish is None or total < finish[0]:
                    finish = (total, state, side, port)
            for turn in (0, 1, 3):
                new_heading = (heading + turn) % 4
                di, dj = _STEP[new_heading]
                ni, nj = i + di, j + dj
                if not (0 <= ni < len(self.xs) and 0 <= nj < len(self.ys)):
                    continue
                if (ni, nj) in self._inside or not self._in_area(ni, nj, area):
                    continue
                if di:
                    if (min(i, ni), j) in self._blocked_h:
                        continue
                elif (i, min(j, nj)) in self._blocked_v:
                    continue
                length = abs(self.xs[ni] - self.xs[i]) + abs(self.ys[nj] - self.ys[j])
                step = length + (BEND if turn else 0.0)
                if turn and self.visitors.get((i, j), set()) - kin:
                    step += TOUCH  # turning on another connector's line reads as one line
                if self.bends.get((ni, nj), set()) - kin:
                    step += TOUCH  # running into another connector's corner
                segment = (min(i, ni), min(j, nj), max(i, ni), max(j, nj))
                drawn = self.used.get(segment, set())
                if drawn - kin:
                    step += OVERLAP + 3 * length
                elif drawn - {connector}:
                    step += 0.5 * length  # a shared trunk, but keep it short
                orientation = "h" if di else "v"
                crossing = self.through.get((ni, nj))
                if crossing and any(o != orientation for o in crossing):
                    step += CROSS
                new_state = (ni, nj, new_heading)
                new_cost = cost + step
                if new_cost < best.get(new_state, float("inf")):
                    best[new_state] = new_cost
                    parent[new_state] = state
                    heapq.heappush(frontier, (new_cost + heuristic(ni, nj), new_cost, next(counter), new_state))
        if finish is None:
            raise RuntimeError(f"no route for {connector} from {start.key} to {goal.key}")
        _, last, goal_side, goal_port = finish
        cells: list[tuple[int, int, int]] = []
        walk: tuple[int, int, int] | None = last
        while walk is not None:
            cells.append(walk)
            walk = parent[walk]
        cells.reverse()
        first_port = origin[cells[0]]
        points = [first_port] + [(self.xs[i], self.ys[j]) for i, j, _ in cells] + [goal_port]
        self._remember(connector, cells)
        first_side = "RDLU"[cells[0][2]]
        self.ports[(start.key, first_side)] += 1
        self.ports[(goal.key, goal_side)] += 1
        return simplify(points)

    def _candidates(self, end: End, area: Box, *, outgoing: bool) -> list[tuple[str, Point, Point, float]]:
        found: list[tuple[str, Point, Point, float]] = []
        for side, penalty in end.sides.items():
            if end.border:
                found.extend((s, port, stub, penalty) for s, port, stub in self._border_points(end, side, area))
                continue
            for s, port, stub in self._ports(End(end.key, end.box, {side: penalty}, offsets=end.offsets)):
                reuse = self.ports.get((end.key, s), 0)
                found.append((s, port, stub, penalty + (PORT_REUSE if reuse else 0.0)))
        return found

    def _in_area(self, i: int, j: int, area: Box) -> bool:
        x, y = self.xs[i], self.ys[j]
        return area.x <= x <= area.right and area.y <= y <= area.bottom

    def _remember(self, connector: str, cells: Sequence[tuple[int, int, int]]) -> None:
        for (i, j, _), (ni, nj, _) in itertools.pairwise(cells):
            self.used[(min(i, ni), min(j, nj), max(i, ni), max(j, nj))].add(connector)
        for i, j, heading in cells:
            self.through[(i, j)].add("h" if heading in (0, 2) else "v")
            self.visitors[(i, j)].add(connector)
        for (_, _, h1), (i, j, h2) in itertools.pairwise(cells):
            if h1 != h2:
                self.bends[(i, j)].add(connector)

    def segments(self) -> list[tuple[Point, Point]]:
        """Every unit segment drawn so far (for label placement)."""
        return [((self.xs[i], self.ys[j]), (self.xs[ni], self.ys[nj])) for (i, j, ni, nj) in self.used]


def simplify(points: Sequence[Point]) -> list[Point]:
    """Drop repeated and collinear middle points."""
    result: list[Point] = []
    for point in points:
        if result and result[-1] == point:
            continue
        if len(result) >= 2:
            (x1, y1), (x2, y2) = result[-2], result[-1]
            x3, y3 = point
            if (x1 == x2 == x3) or (y1 == y2 == y3):
                result[-1] = point
                continue
        result.append(point)
    return result
