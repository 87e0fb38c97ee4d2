"""Asking an online geocoder (geopy; Nominatim by default) for card addresses: cached, rate limited, retried.

Only address fields are ever sent, never a name or a NIK. An answer outside the card's stated desa is not
trusted over the desa point. :class:`OnlineGeocoder` is one more link of a
:class:`~ektp_routes.geocode.GeocoderChain`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from ektp_routes._errors import GeocodingError
from ektp_routes.address import parse_address
from ektp_routes.geocode import GeocodeResult
from ektp_routes.i18n import error
from ektp_routes.regions import Gazetteer

logger = logging.getLogger(__name__)


class RateLimiter:
    """At most one call per ``min_interval_s`` (public Nominatim: 1 request/s); clock injectable."""

    def __init__(
        self,
        min_interval_s: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.min_interval_s = min_interval_s
        self.clock = clock
        self.sleep = sleep
        self._last: float | None = None

    def wait(self) -> None:
        now = self.clock()
        if self._last is not None:
            gap = self._last + self.min_interval_s - now
            if gap > 0:
                self.sleep(gap)
                now = self.clock()
        self._last = now


class GeocodeCache:
    """Persistent on-disk cache (SQLite) of online answers, keyed by provider and normalised query."""

    def __init__(self, path: str | Path) -> None:
        import sqlite3

        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path)
        try:
            # A file that is not such a cache (a card list, the ops ledger picked by mistake) is
            # refused untouched, never written into.
            tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if tables - {"answers"}:
                raise sqlite3.DatabaseError("another database")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS answers (provider TEXT, query TEXT, answer TEXT, "
                "PRIMARY KEY (provider, query))"
            )
        except sqlite3.DatabaseError:
            self._db.close()
            raise error(GeocodingError, "error.geocode_cache_foreign", name=self.path.name) from None
        self.hits = 0
        self.misses = 0

    def get(self, provider: str, query: str) -> dict[str, Any] | Literal[False] | None:
        """The cached answer (None = cached "not found"), or False when not cached."""
        row = self._db.execute(
            "SELECT answer FROM answers WHERE provider=? AND query=?", (provider, query)
        ).fetchone()
        if row is None:
            self.misses += 1
            return False
        self.hits += 1
        return json.loads(row[0])  # type: ignore[no-any-return]

    def put(self, provider: str, query: str, answer: dict[str, Any] | None) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO answers VALUES (?, ?, ?)", (provider, query, json.dumps(answer))
        )
        self._db.commit()


#: Nominatim result types mapped to precision levels.
_NOMINATIM_PRECISION = {
    "house": "address",
    "building": "address",
    "residential": "street",
    "road": "street",
    "street": "street",
    "hamlet": "settlement",
    "neighbourhood": "settlement",
    "isolated_dwelling": "settlement",
    "quarter": "settlement",
    "village": "desa",
    "suburb": "desa",
    "city_district": "kecamatan",
    "postcode": "kodepos",
}


class OnlineGeocoder:
    """An online geocoder through geopy (Nominatim by default), cached, rate limited, retried.

    Only address fields are ever sent: the parsed street/kampung, RT/RW-free address text, desa,
    kecamatan, kabupaten, province and kode pos; never a name or a NIK.

    Parameters
    ----------
    provider
        A geopy geocoder name ("nominatim", "photon", "arcgis", ...).
    user_agent
        Identifies the application to Nominatim (required by its usage policy).
    cache_path
        SQLite file of cached answers (a second run sends no request for a cached query).
    min_interval_s
        Seconds between requests (Nominatim's public policy: at most 1 per second).
    geocoder
        A geopy-compatible object with ``geocode(query, **kw)``; injected in tests.
    """

    name = "online"

    def __init__(
        self,
        gazetteer: Gazetteer,
        *,
        provider: str = "nominatim",
        user_agent: str = "ektp_routes/0.1 (e-KTP delivery planning)",
        cache_path: str | Path = "cache/geocode.sqlite",
        min_interval_s: float = 1.0,
        retries: int = 3,
        geocoder: Any = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        region: str = "Kabupaten Bekasi, Jawa Barat",
    ) -> None:
        self.gaz = gazetteer
        self.provider = provider
        self.limiter = RateLimiter(min_interval_s, clock=clock, sleep=sleep)
        self.retries = retries
        self.sleep = sleep
        self.region = region
        if geocoder is None:
            from geopy.geocoders import SERVICE_TO_GEOCODER, get_geocoder_for_service

            try:
                cls = get_geocoder_for_service(provider)
            except Exception as exc:  # geopy's own text is English and lists a dict_keys(...)
                known = ", ".join(sorted(SERVICE_TO_GEOCODER))
                raise error(
                    GeocodingError, "error.geocoder_unknown", provider=repr(provider), known=known
                ) from exc
            geocoder = cls(user_agent=user_agent, timeout=10)
        self.geocoder = geocoder
        self.cache = GeocodeCache(cache_path)  # after the provider is known: a refused run makes no file
        self.requests = 0
        #: Called with (cards done, cards total) during long online runs (the CLI shows a bar).
        self.progress: Callable[[int, int], None] | None = None

    def query_for(self, card: Mapping[str, Any]) -> str:
        """The query sent for a card: address fields only."""
        a = parse_address(str(card.get("alamat", "")))
        place = a.street_query() or ""
        parts = [
            place,
            str(card.get("desa", "")),
            str(card.get("kecamatan", "")),
            self.region,
            str(card.get("kodepos", "")),
            "Indonesia",
        ]
        return ", ".join(p.strip() for p in parts if p and p.strip())

    def _ask(self, query: str) -> dict[str, Any] | None:
        from geopy.exc import GeocoderQueryError, GeocoderServiceError, GeocoderTimedOut, GeocoderUnavailable

        cached = self.cache.get(self.provider, query)
        if cached is not False:
            return cached
        delay = 1.0
        for attempt in range(self.retries + 1):
            self.limiter.wait()
            self.requests += 1
            try:
                loc = self.geocoder.geocode(query, exactly_one=True, addressdetails=True, country_codes="id")
                break
            except GeocoderQueryError as exc:
                raise error(
                    GeocodingError, "error.geocoder_refused", provider=self.provider, why=exc
                ) from exc
            except (GeocoderTimedOut, GeocoderUnavailable, GeocoderServiceError, OSError) as exc:
                if attempt == self.retries:
                    why = type(exc).__name__
                    raise error(
                        GeocodingError, "error.geocoder_unreachable", provider=self.provider, why=why
                    ) from exc
                self.sleep(delay)
                delay *= 2
        answer = None
        if loc is not None:
            raw = getattr(loc, "raw", {}) or {}
            answer = {
                "lon": float(loc.longitude),
                "lat": float(loc.latitude),
                "type": raw.get("addresstype") or raw.get("type") or "",
            }
        self.cache.put(self.provider, query, answer)
        return answer

    def geocode(self, cards: pd.DataFrame) -> list[GeocodeResult | None]:
        out: list[GeocodeResult | None] = []
        records = cards.to_dict("records")
        for k, card in enumerate(records):
            if self.progress is not None:
                self.progress(k, len(records))
            ans = self._ask(self.query_for(card))
            if ans is None:
                out.append(None)
                continue
            precision = _NOMINATIM_PRECISION.get(str(ans["type"]), "desa")
            loc = self.gaz.locate([ans["lon"]], [ans["lat"]])
            stated = str(card.get("desa_kode", ""))
            flag = (
                ""
                if loc.kode[0] == stated
                else f"outside_desa: the answer lies in {loc.kode[0] or 'no desa'}"
            )
            if flag:
                out.append(None)  # an answer outside the stated desa is not trusted over the desa point
                logger.debug("online answer outside its desa ignored (%s)", stated)
                continue
            out.append(
                GeocodeResult(ans["lon"], ans["lat"], precision, stated, 0.9, f"online:{self.provider}")
            )
        if self.progress is not None:
            self.progress(len(records), len(records))
        return out
