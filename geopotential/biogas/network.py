"""Road-network distances for digester siting.

A road layer becomes an undirected weighted graph (:func:`road_graph`): line vertices are
nodes (vertices that round to the same ``snap_tolerance_m`` grid cell are merged, so lines
that share an end are connected), consecutive vertices of a line are joined by an edge
weighted by the segment length [m]. One-way streets and speeds are ignored: the distance is
the shortest road length.

The distance from a site to a supply point is the straight access leg from the site to its
nearest graph node, plus the shortest road length between the two nodes, plus the straight
access leg from the supply point's nearest node to the point. Shortest paths are computed
with :func:`scipy.sparse.csgraph.dijkstra` bounded by the transport radius, from the sites
only (:class:`NetworkReach`), so the cost grows with the number of sites and the size of a
radius-ball of the network, not with the number of supply points.

Because every path length is at least the straight distance, a road distance is never
shorter than the Euclidean one (up to the snapping tolerance): the Euclidean coverage is an
upper bound of the road coverage, which siting uses to pick candidate sites.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from scipy import sparse
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from geopotential.exceptions import InputError

logger = logging.getLogger(__name__)

#: number of float64 cells of one dense Dijkstra block (memory bound of a chunk, ~32 MB).
_BLOCK_CELLS = 4_000_000


@dataclass(frozen=True)
class RoadGraph:
    """Undirected road graph.

    Attributes
    ----------
    graph : scipy.sparse.csr_matrix
        ``(n_nodes, n_nodes)`` edge lengths [m], upper triangle (use ``directed=False``).
    node_xy : numpy.ndarray
        ``(n_nodes, 2)`` node coordinates [m, working CRS].
    snap_tolerance_m : float
        Vertex merge tolerance used [m].
    """

    graph: sparse.csr_matrix
    node_xy: np.ndarray
    snap_tolerance_m: float

    @property
    def n_nodes(self) -> int:
        return int(self.node_xy.shape[0])

    def snap(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest graph node of each point.

        Returns
        -------
        (node, access_m)
            Node index (int64) and straight access-leg length [m] per point.
        """
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        if xy.shape[0] == 0:
            return np.zeros(0, np.int64), np.zeros(0)
        d, j = cKDTree(self.node_xy).query(xy)
        return np.asarray(j, dtype=np.int64), np.asarray(d, dtype=float)


def road_graph(
    roads: gpd.GeoDataFrame | gpd.GeoSeries | np.ndarray,
    snap_tolerance_m: float = 1.0,
    max_segment_m: float | None = None,
) -> RoadGraph:
    """Build the road graph from line geometries (vectorised).

    Parameters
    ----------
    roads
        LineString / MultiLineString geometries in a metric CRS (other geometry types are
        ignored with a warning).
    snap_tolerance_m : float [m]
        Vertices whose coordinates round to the same multiple of this value become one node.
    max_segment_m : float [m], optional
        Densify lines so that consecutive vertices are at most this far apart (shorter
        access legs); ``None`` keeps the original vertices.

    Returns
    -------
    RoadGraph

    Raises
    ------
    InputError
        No line geometry, or ``snap_tolerance_m`` not positive.
    """
    if not snap_tolerance_m > 0:
        raise InputError(f"snap_tolerance_m must be > 0, got {snap_tolerance_m}", field="road_snap_tolerance_m")
    geoms = roads.geometry.to_numpy() if hasattr(roads, "geometry") else np.asarray(roads, dtype=object)
    geoms = np.asarray(geoms, dtype=object)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) if len(geoms) else np.zeros(0, bool)
    ok &= np.isin(shapely.get_type_id(geoms), (1, 5)) if len(geoms) else ok
    if (~ok).any():
        logger.warning("road graph: %d non-line or empty geometr(y/ies) ignored", int((~ok).sum()))
    parts = shapely.get_parts(geoms[ok])
    if parts.size == 0:
        raise InputError("the road layer has no line geometry", field="geometry")
    if shapely.has_z(parts).any():
        parts = shapely.force_2d(parts)
    if max_segment_m:
        parts = shapely.segmentize(parts, max_segment_m)
    xy, line = shapely.get_coordinates(parts, return_index=True)
    keys = np.round(xy / snap_tolerance_m).astype(np.int64)
    _, first, node = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    node = node.ravel().astype(np.int64)
    node_xy = xy[first]
    same = line[1:] == line[:-1]
    u, v = node[:-1][same], node[1:][same]
    w = np.hypot(*(xy[1:][same] - xy[:-1][same]).T)
    keep = u != v
    u, v, w = np.minimum(u, v)[keep], np.maximum(u, v)[keep], w[keep]
    # parallel edges: keep the shortest (a sparse matrix would sum duplicates)
    order = np.lexsort((w, v, u))
    u, v, w = u[order], v[order], w[order]
    first_e = np.ones(u.size, bool)
    first_e[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    u, v, w = u[first_e], v[first_e], np.maximum(w[first_e], 1e-9)  # 0 would mean "no edge"
    n = node_xy.shape[0]
    g = sparse.csr_matrix((w, (u, v)), shape=(n, n))
    logger.info("road graph: %d nodes, %d edges, %.1f km of road", n, u.size, w.sum() / 1000.0)
    return RoadGraph(g, node_xy, float(snap_tolerance_m))


class NetworkReach:
    """Road distances within a radius from a set of sources (sites) to a set of targets.

    Dijkstra runs once per distinct source node, bounded by ``radius_m``; only the distances
    to nodes carrying targets are kept (sparse). Targets are grouped by node and sorted by
    access leg, so that sums over the targets within the radius of every source are
    vectorised (:meth:`coverage`) and one source's reach is a few slices (:meth:`reach`).

    Parameters
    ----------
    graph
        Road graph.
    source_xy, target_xy : numpy.ndarray
        ``(n, 2)`` coordinates [m, working CRS].
    radius_m : float [m]
        Transport radius (access legs included).
    """

    def __init__(self, graph: RoadGraph, source_xy: np.ndarray, target_xy: np.ndarray, radius_m: float):
        self.radius_m = float(radius_m)
        R = self.radius_m
        s_node, self.source_access_m = graph.snap(source_xy)
        t_node, t_acc = graph.snap(target_xy)
        self.n_sources, self.n_targets = s_node.size, t_node.size
        # targets sorted by (node, access leg)
        order = np.lexsort((t_acc, t_node))
        self.t_order = order
        self.t_node_sorted = t_node[order]
        self.t_acc_sorted = t_acc[order]
        tn_unique, tn_start = np.unique(self.t_node_sorted, return_index=True)
        self.tn_start = tn_start.astype(np.int64)
        self.tn_end = np.append(tn_start[1:], t_node.size).astype(np.int64)
        # Dijkstra from the distinct source nodes that can reach anything
        live = self.source_access_m <= R
        sn_unique, s_row = np.unique(s_node, return_inverse=True)
        self.s_row = s_row.ravel().astype(np.int64)
        self.s_live = live
        n_nodes = graph.n_nodes
        col_of_node = np.full(n_nodes, -1, dtype=np.int64)
        col_of_node[tn_unique] = np.arange(tn_unique.size)
        rows, cols, vals = [], [], []
        need = np.zeros(sn_unique.size, bool)
        need[np.unique(self.s_row[live])] = True
        todo = np.flatnonzero(need)
        chunk = max(1, _BLOCK_CELLS // max(n_nodes, 1))
        for a in range(0, todo.size, chunk):
            blk = todo[a:a + chunk]
            D = dijkstra(graph.graph, directed=False, indices=sn_unique[blk], limit=R)
            D = D[:, tn_unique] if tn_unique.size else D[:, :0]
            r, c = np.nonzero(np.isfinite(D))
            rows.append(blk[r].astype(np.int32))
            cols.append(c.astype(np.int32))
            vals.append(D[r, c].astype(np.float32))  # [m], 1 mm precision at 15 km
        rows = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        cols = np.concatenate(cols) if cols else np.zeros(0, np.int64)
        vals = np.concatenate(vals) if vals else np.zeros(0)
        # CSR by source-node row: entry = (target-node column, network distance)
        o = np.lexsort((cols, rows))
        self.e_col, self.e_dist = cols[o], vals[o]
        self.e_ptr = np.searchsorted(rows[o], np.arange(sn_unique.size + 1)).astype(np.int64)
        # transposed: per target-node column, the source-node rows reaching it; per row, its sources
        o = np.lexsort((rows, cols))
        self.c_row, self.c_dist = rows[o], vals[o]
        self.c_ptr = np.searchsorted(cols[o], np.arange(tn_unique.size + 1)).astype(np.int64)
        o = np.argsort(self.s_row, kind="stable")
        self.r_src = o.astype(np.int64)
        self.r_ptr = np.searchsorted(self.s_row[o], np.arange(sn_unique.size + 1)).astype(np.int64)
        self.t_col = np.searchsorted(tn_unique, t_node).astype(np.int64)
        self.t_acc = t_acc
        logger.info("road reach: %d sources (%d distinct nodes), %d targets on %d nodes, %d node pairs within %.0f m",
                    self.n_sources, todo.size, self.n_targets, tn_unique.size, self.e_col.size, R)

    def _entries(self, src: np.ndarray):
        """Per (source, target-node) pair: source, start, end of the node's targets, remaining budget [m]."""
        src = np.asarray(src, dtype=np.int64)
        src = src[self.s_live[src]]
        row = self.s_row[src]
        cnt = self.e_ptr[row + 1] - self.e_ptr[row]
        s_rep = np.repeat(src, cnt)
        pos = np.repeat(self.e_ptr[row] - np.cumsum(cnt) + cnt, cnt) + np.arange(cnt.sum())
        col = self.e_col[pos]
        budget = self.radius_m - self.source_access_m[s_rep] - self.e_dist[pos]
        start, end = self.tn_start[col], self.tn_end[col]
        # targets of the node with access leg <= budget (sorted by access leg within the node)
        key = self.t_acc_sorted
        stop = start + _count_le(key, start, end, budget)
        return s_rep, start, stop, self.radius_m - budget  # last: distance to the node [m]

    def reach(self, source: int) -> tuple[np.ndarray, np.ndarray]:
        """Targets within the radius of one source and their road distances.

        Returns
        -------
        (target, distance_m)
            Target indices (positions in ``target_xy``) and distances [m] (access legs included).
        """
        if not self.s_live[source]:
            return np.zeros(0, np.int64), np.zeros(0)
        row = self.s_row[source]
        a, b = self.e_ptr[row], self.e_ptr[row + 1]
        col = self.e_col[a:b]
        start, end = self.tn_start[col], self.tn_end[col]
        pos = _expand(start, end - start)
        d = np.repeat(self.source_access_m[source] + self.e_dist[a:b], end - start) + self.t_acc_sorted[pos]
        ok = d <= self.radius_m
        return self.t_order[pos[ok]], d[ok]

    def removed(self, targets: np.ndarray, weight: np.ndarray, cone_radius_m: float | None = None
                ) -> tuple[np.ndarray, np.ndarray]:
        """Decrease of :meth:`coverage` of every source when ``targets`` are taken away.

        Parameters
        ----------
        targets
            Target indices (positions in ``target_xy``), each once.
        weight
            Their weights (same length).
        cone_radius_m : float [m], optional
            As in :meth:`coverage`.

        Returns
        -------
        (total, cone)
            Arrays of length ``n_sources`` to subtract from the coverage.
        """
        L = cone_radius_m or self.radius_m
        targets = np.asarray(targets, dtype=np.int64)
        weight = np.asarray(weight, dtype=float)
        col = self.t_col[targets]
        cnt = self.c_ptr[col + 1] - self.c_ptr[col]
        tt = np.repeat(np.arange(targets.size), cnt)
        pos = _expand(self.c_ptr[col], cnt)
        row, dist = self.c_row[pos], self.c_dist[pos]
        scnt = self.r_ptr[row + 1] - self.r_ptr[row]
        k = np.repeat(np.arange(row.size), scnt)
        src = self.r_src[_expand(self.r_ptr[row], scnt)]
        tk = tt[k]
        d = self.source_access_m[src] + dist[k] + self.t_acc[targets[tk]]
        ok = d <= self.radius_m
        src, w, d = src[ok], weight[tk[ok]], d[ok]
        return (np.bincount(src, weights=w, minlength=self.n_sources),
                np.bincount(src, weights=w * (1.0 - d / L), minlength=self.n_sources))

    def coverage(self, weight: np.ndarray, cone_radius_m: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Sum of target weights within the radius of every source (vectorised).

        Parameters
        ----------
        weight
            Weight per target (e.g. Nm3 CH4/yr; 0 for targets already taken).
        cone_radius_m : float [m], optional
            Also return ``sum(weight x (1 - d / cone_radius_m))`` (default ``radius_m``).

        Returns
        -------
        (total, cone)
            Arrays of length ``n_sources``.
        """
        w = np.asarray(weight, dtype=float)[self.t_order]
        cw = np.concatenate([[0.0], np.cumsum(w)])
        cwa = np.concatenate([[0.0], np.cumsum(w * self.t_acc_sorted)])
        L = cone_radius_m or self.radius_m
        total = np.zeros(self.n_sources)
        cone = np.zeros(self.n_sources)
        src = np.arange(self.n_sources)
        step = max(1, 2_000_000 // max(1, int(np.diff(self.e_ptr).mean()) if self.e_ptr.size > 1 else 1))
        for a in range(0, src.size, step):
            s, start, stop, to_node = self._entries(src[a:a + step])
            W = cw[stop] - cw[start]
            WA = cwa[stop] - cwa[start]
            total += np.bincount(s, weights=W, minlength=self.n_sources)
            cone += np.bincount(s, weights=W - (to_node * W + WA) / L, minlength=self.n_sources)
        return total, cone


def _expand(start: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(start[i], start[i] + count[i])`` (vectorised)."""
    count = np.asarray(count, dtype=np.int64)
    return np.repeat(np.asarray(start, dtype=np.int64) - np.cumsum(count) + count, count) + np.arange(count.sum())


def _count_le(key: np.ndarray, start: np.ndarray, end: np.ndarray, budget: np.ndarray) -> np.ndarray:
    """Number of ``key[start:end]`` values <= budget per range (keys sorted within each range)."""
    n = end - start
    out = np.zeros(n.size, dtype=np.int64)
    lo = start.copy()
    hi = end.copy()
    # vectorised binary search over all ranges at once
    while True:
        act = lo < hi
        if not act.any():
            break
        mid = (lo + hi) // 2
        le = np.zeros(lo.size, bool)
        le[act] = key[mid[act]] <= budget[act]
        lo = np.where(act & le, mid + 1, lo)
        hi = np.where(act & ~le, mid, hi)
    out[:] = lo - start
    return out


def network_distances(graph: RoadGraph, source_xy: np.ndarray, target_xy: np.ndarray, radius_m: float) -> np.ndarray:
    """Dense matrix of road distances (access legs included), ``inf`` beyond ``radius_m``.

    For moderate sizes (inspection, tests); siting uses :class:`NetworkReach`.

    Returns
    -------
    numpy.ndarray
        ``(n_sources, n_targets)`` distances [m].
    """
    nr = NetworkReach(graph, source_xy, target_xy, radius_m)
    out = np.full((nr.n_sources, nr.n_targets), np.inf)
    for i in range(nr.n_sources):
        t, d = nr.reach(i)
        out[i, t] = d
    return out
