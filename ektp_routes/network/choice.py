"""Which engine computes one matrix, by its estimated cost (``matrix_engine="auto"`` with a hierarchy).

Both engines give the same travel times; their costs grow differently:

- the contraction hierarchy (bucket method) runs one upward search per source and per target, each
  settling about the hierarchy's mean *search space* (measured once per loaded hierarchy, see
  :attr:`~ektp_routes.network.hierarchy.HierarchySearch.search_space`): a few hundred nodes on a
  network with a real road hierarchy, thousands on a plain grid, where every direction is alike;
- the box search runs one Dijkstra per source over the nodes of a box around the points
  (:meth:`~ektp_routes.network.search.NodeSearch.box_nodes`): cheap while the points are few and
  close together, whatever the network.

The cheaper estimate wins. A node settled by the compiled upward search costs about as much as
:data:`HIERARCHY_NODE_COST` nodes of scipy's Dijkstra (its upward graph has more edges per node, and
every target's bucket notes are read again by the sources).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

import numpy as np

from ektp_routes.geodesy import FloatArray, IntArray
from ektp_routes.network.search import NodeSearch

if TYPE_CHECKING:
    from ektp_routes.network.contraction import Hierarchy
    from ektp_routes.network.hierarchy import HierarchySearch

logger = logging.getLogger(__name__)

#: Cost of one node settled by an upward search, in nodes searched by scipy's Dijkstra in a box.
HIERARCHY_NODE_COST = 4.0

Choice = Literal["hierarchy", "box"]


def cheaper_engine(n_sources: int, n_targets: int, *, search_space: float, box_nodes: int) -> Choice:
    """The engine with the lower estimated cost for a ``n_sources`` x ``n_targets`` matrix.

    Parameters
    ----------
    n_sources, n_targets
        Distinct source and target nodes of the matrix.
    search_space
        Mean nodes settled by one upward search of the hierarchy.
    box_nodes
        Nodes in the box the box search looks at first.
    """
    hierarchy = (n_sources + n_targets) * search_space * HIERARCHY_NODE_COST
    box = n_sources * box_nodes
    return "box" if box < hierarchy else "hierarchy"


class CostChooser:
    """A :class:`~ektp_routes.network.search.NodeMatrix` that computes each matrix on the hierarchy or
    in a box, whichever :func:`cheaper_engine` expects to be faster.

    Parameters
    ----------
    hierarchy_search
        The hierarchy's many-to-many engine.
    box_search
        Returns the box search (set up on first use: a network that never needs it never builds it).
    """

    def __init__(self, hierarchy_search: HierarchySearch, box_search: Callable[[], NodeSearch]) -> None:
        self.hierarchy_search = hierarchy_search
        self._box_search = box_search

    @property
    def hierarchy(self) -> Hierarchy:
        """The contraction hierarchy (used whenever it is the cheaper engine)."""
        return self.hierarchy_search.hierarchy

    def choose(self, sources: IntArray, targets: IntArray) -> Choice:
        """The engine :meth:`matrix` uses for these nodes."""
        nodes = self._box_search().box_nodes(np.r_[np.asarray(sources), np.asarray(targets)])
        space = self.hierarchy_search.search_space
        choice = cheaper_engine(len(sources), len(targets), search_space=space, box_nodes=nodes)
        logger.debug(
            "matrix %d x %d: %s (search space %.0f nodes, box %d nodes)",
            len(sources), len(targets), choice, space, nodes,
        )  # fmt: skip
        return choice

    def matrix(self, sources: IntArray, targets: IntArray) -> tuple[FloatArray, FloatArray]:
        """Fastest times (s) and their road lengths (m), sources x targets, on the cheaper engine."""
        if self.choose(sources, targets) == "box":
            return self._box_search().matrix(sources, targets)
        return self.hierarchy_search.matrix(sources, targets)
