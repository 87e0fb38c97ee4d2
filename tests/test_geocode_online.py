from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from geopy.exc import GeocoderUnavailable
from geopy.location import Location

from ektp_routes import Gazetteer, GeocodingError
from ektp_routes.geocode_online import GeocodeCache, OnlineGeocoder, RateLimiter
from ektp_routes.i18n import error_text, messages

DATA = Path(__file__).parent / "data"


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.t

    def sleep(self, s: float) -> None:
        self.sleeps.append(round(s, 6))
        self.t += s


def test_rate_limiter_with_fake_clock() -> None:
    fc = FakeClock()
    rl = RateLimiter(1.0, clock=fc.clock, sleep=fc.sleep)
    rl.wait()
    fc.t += 0.25
    rl.wait()
    fc.t += 3.0
    rl.wait()
    assert fc.sleeps == [0.75]


class RecordedNominatim:
    """Stands in for geopy's Nominatim: answers from the recorded file, remembers every query."""

    def __init__(self, fail: int = 0) -> None:
        self.answers = json.loads((DATA / "recorded" / "nominatim_bekasi.json").read_text())
        self.queries: list[str] = []
        self.fail = fail

    def geocode(self, query: str, **kw: Any) -> Location | None:
        self.queries.append(query)
        if self.fail:
            self.fail -= 1
            raise GeocoderUnavailable("connection refused")
        a = self.answers.get(query)
        if a is None:
            return None
        return Location(a["display_name"], (float(a["lat"]), float(a["lon"])), a)


def _cards() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "nik": ["3216181201900001", "3216101201900002", "3216101201900003", "3216101201900004"],
            "nama": ["Siti Rahayu", "Budi Santoso", "Budi Santoso", "Dewi"],
            "alamat": [
                "Jl. Raya Setu No. 4",
                "Kp. Babakan RT 1/RW 2",
                "Kp. Babakan RT 3/RW 2",
                "Jl. Salah Tempat 3",
            ],
            "desa_kode": ["32.16.18.2005", "32.16.10.2005", "32.16.10.2005", "32.16.10.2005"],
            "desa": ["Cibening", "Karangbahagia", "Karangbahagia", "Karangbahagia"],
            "kecamatan": ["Setu", "Karang Bahagia", "Karang Bahagia", "Karang Bahagia"],
            "kodepos": ["17320", "17535", "17535", "17535"],
            "lon": np.nan,
            "lat": np.nan,
        }
    )


def test_online_geocoder_cache_and_no_personal_fields(gaz: Gazetteer, tmp_path: Path) -> None:
    fake = RecordedNominatim()
    fc = FakeClock()
    geo = OnlineGeocoder(gaz, geocoder=fake, cache_path=tmp_path / "c.sqlite", clock=fc.clock, sleep=fc.sleep)
    res = geo.geocode(_cards())
    assert res[0] is not None and res[0].precision == "street"
    assert res[1] is not None and res[1].precision == "settlement"
    assert res[3] is None  # the answer lies outside the stated desa: not trusted
    # Cards 2 and 3 differ only in RT: same query, asked once (cache hit).
    assert len(fake.queries) == 3 and geo.cache.hits == 1
    assert fc.sleeps == [1.0, 1.0]  # 1 request per second
    for q in fake.queries:
        for personal in ("Siti", "Budi", "Dewi", "3216"):
            assert personal not in q
    # A second geocoder on the same cache file sends nothing.
    fake2 = RecordedNominatim()
    geo2 = OnlineGeocoder(
        gaz, geocoder=fake2, cache_path=tmp_path / "c.sqlite", clock=fc.clock, sleep=fc.sleep
    )
    assert [r.lon if r else None for r in geo2.geocode(_cards())] == [r.lon if r else None for r in res]
    assert fake2.queries == []


def test_online_geocoder_retries_then_reports_offline(gaz: Gazetteer, tmp_path: Path) -> None:
    fc = FakeClock()
    flaky = RecordedNominatim(fail=2)
    geo = OnlineGeocoder(
        gaz, geocoder=flaky, cache_path=tmp_path / "a.sqlite", clock=fc.clock, sleep=fc.sleep, retries=3
    )
    assert geo.geocode(_cards().head(1))[0] is not None
    assert 1.0 in fc.sleeps and 2.0 in fc.sleeps  # backoff between retries
    dead = RecordedNominatim(fail=100)
    geo = OnlineGeocoder(
        gaz, geocoder=dead, cache_path=tmp_path / "b.sqlite", clock=fc.clock, sleep=fc.sleep, retries=2
    )
    with pytest.raises(GeocodingError, match="offline") as caught:
        geo.geocode(_cards().head(1))
    said = error_text(caught.value, messages("id"))  # the command line's words, Bahasa by default
    assert (
        said.startswith("nominatim tidak dapat dihubungi (") and "jalankan tanpa --online" in said.lower()
    ), said


def test_a_cache_file_that_is_no_cache_of_answers_is_refused_untouched(tmp_path: Path) -> None:
    # `geocode --online nominatim --cache kartu.csv` (or the ops ledger) was an "unexpected
    # DatabaseError", or a table written into the ledger; now one line, the file left as it was.
    card_list = tmp_path / "kartu.csv"
    card_list.write_text("NIK,NAMA\n3216102001038038,Opik\n")
    ledger = tmp_path / "ledger.db"
    with sqlite3.connect(ledger) as db:
        db.execute("CREATE TABLE cards (card_id INTEGER)")
    for path in (card_list, ledger):
        before = path.read_bytes()
        with pytest.raises(GeocodingError, match="is not a cache of online answers") as caught:
            GeocodeCache(path)
        assert "berkas cache" in error_text(caught.value, messages("id"))
        assert path.read_bytes() == before
    fresh = tmp_path / "cache" / "geocode.sqlite"
    GeocodeCache(fresh).put("nominatim", "Kp. Gabus, Sukaraya", None)
    assert GeocodeCache(fresh).get("nominatim", "Kp. Gabus, Sukaraya") is None  # a cached "not found"
