"""What a plan records of its travel network, and that network loaded back from the record.

A plan's outputs say which travel model it was made on: straight lines (profile and circuity) or a road
network (the file or prepared folder it was read from and its snapping rules), with the network's
fingerprint. :func:`ektp_routes.evaluate.replay` loads the same model from the record, so a plan is
judged with the travel times it was planned with; a network that is gone or changed since is refused,
never replaced by straight lines.

Example
-------
>>> rec = NetworkRecord.of(StraightLineNetwork(profile="bicycle"))
>>> rec.kind, rec.profile, rec.load().fingerprint() == rec.fingerprint
('straight', 'bicycle', True)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ektp_routes._errors import EktpRoutesError, InputFileError
from ektp_routes.network.road import NetworkOptions, RoadNetwork
from ektp_routes.network.snapping import Connectivity
from ektp_routes.network.straight import DEFAULT_CIRCUITY, StraightLineNetwork
from ektp_routes.network.travel import TravelNetwork

_PASS_NETWORK = "pass network= to replay"


@dataclass(frozen=True)
class NetworkRecord:
    """A travel network as a plan records it (no personal data: a path, settings and a fingerprint).

    Attributes
    ----------
    kind
        "straight" (great-circle distance times ``circuity``) or "road".
    fingerprint
        The network's :meth:`~ektp_routes.network.TravelNetwork.fingerprint`.
    profile
        The courier profile's name.
    circuity
        Road distance / straight distance of the straight-line legs.
    source
        A road network's file or prepared folder, absolute ("" where it was not read from a file).
    max_snap_m, connectivity, strict
        A road network's snapping rules (see :class:`~ektp_routes.network.NetworkOptions`; None on
        straight lines, and where the network does not say: the loader's defaults).
    """

    kind: Literal["straight", "road"]
    fingerprint: str
    profile: str = "motorbike"
    circuity: float = DEFAULT_CIRCUITY
    source: str = ""
    max_snap_m: float | None = None
    connectivity: Connectivity | None = None
    strict: bool | None = None

    @classmethod
    def of(cls, net: TravelNetwork) -> NetworkRecord:
        """The record of ``net`` (a network of another type is a road network with no source)."""
        profile = getattr(getattr(net, "profile", None), "name", "motorbike")
        circuity = float(getattr(net, "circuity", DEFAULT_CIRCUITY))
        if net.is_straight_line:
            return cls("straight", net.fingerprint(), profile, circuity)
        if not isinstance(net, RoadNetwork):
            return cls("road", net.fingerprint(), profile, circuity)
        source = str(net.source_path or "")
        rules = (net.max_snap_m, net.connectivity, net.strict)
        return cls("road", net.fingerprint(), profile, circuity, source, *rules)

    def load(self) -> TravelNetwork:
        """The recorded network, loaded again and checked against the fingerprint.

        Raises
        ------
        InputFileError
            The road network's file or folder is gone, cannot be read, or is not the one the plan was
            made on (another fingerprint); the message says to pass the network explicitly.
        """
        net = self._straight() if self.kind == "straight" else self._road()
        if net.fingerprint() != self.fingerprint:
            where = self.source or f"straight lines, {self.profile}"
            raise InputFileError(
                f"the plan's travel network ({where}) changed since the plan: {_PASS_NETWORK}"
            )
        return net

    def _straight(self) -> TravelNetwork:
        try:
            return StraightLineNetwork(profile=self.profile, circuity=self.circuity)
        except EktpRoutesError as exc:  # a custom profile the library does not know by name
            raise InputFileError(
                f"the plan's straight lines cannot be made again ({exc}): {_PASS_NETWORK}"
            ) from exc

    def _road(self) -> TravelNetwork:
        if not self.source:
            raise InputFileError(f"the plan's road network was not read from a file: {_PASS_NETWORK}")
        if not Path(self.source).exists():
            raise InputFileError(f"the plan's road network {self.source} no longer exists: {_PASS_NETWORK}")
        options: NetworkOptions = {}
        if self.max_snap_m is not None:
            options["max_snap_m"] = float(self.max_snap_m)
        if self.connectivity is not None:
            options["connectivity"] = self.connectivity
        if self.strict is not None:
            options["strict"] = bool(self.strict)
        try:
            return RoadNetwork.from_file(self.source, profile=self.profile, **options)
        except (EktpRoutesError, OSError, ValueError) as exc:
            raise InputFileError(f"the plan's road network {self.source} cannot be read ({exc})") from exc
