"""Does a card's kecamatan, kode pos and NIK agree with its desa (ektp_routes.regions.checks)."""

from __future__ import annotations

from ektp_routes import Gazetteer
from ektp_routes.regions import Desa, Kecamatan, Resolution
from ektp_routes.regions.checks import kecamatan_issue, kodepos_issue, nik_region_issue


def test_check_consistency(gaz: Gazetteer) -> None:
    d = gaz.get("32.16.10.2005")  # Karangbahagia, kode pos 17535
    assert gaz.check(desa=d, kecamatan="Karang Bahagia", kodepos="17535", nik="3216101201900001") == []
    issues = {
        i.reason: i.field
        for i in gaz.check(desa=d, kecamatan="Tambun Selatan", kodepos="17510", nik="3216061201900001")
    }
    assert issues == {
        "kecamatan_mismatch": "kecamatan",
        "kodepos_mismatch": "kodepos",
        "nik_kecamatan_mismatch": "nik",
    }
    assert gaz.check(desa=d, kodepos="99999")[0].reason == "kodepos_invalid"
    assert gaz.check(desa=d, nik="3275101201900001")[0].reason == "nik_region"
    assert gaz.check(desa=d, kecamatan="Kec. Antah")[0].reason == "kecamatan_unknown"


DESA = Desa("32.16.10.2005", "Karangbahagia", "desa", "32.16.10", "Karang Bahagia", "17535", 107.1, -6.2)


def test_each_check_judges_its_part_alone() -> None:
    # Each check is a function of the desa and the one part it judges, testable without a gazetteer.
    assert kecamatan_issue(DESA, None) is None
    assert kecamatan_issue(DESA, Kecamatan("32.16.10", "Karang Bahagia")) is None
    wrong = kecamatan_issue(DESA, Kecamatan("32.16.01", "Setu"))
    assert wrong is not None and wrong.reason == "kecamatan_mismatch"
    assert wrong.message == "desa Karangbahagia lies in kecamatan Karang Bahagia, not Setu"
    unknown = kecamatan_issue(DESA, Resolution("Kec. Antah", "unknown", 0.0))
    assert unknown is not None and (unknown.field, unknown.reason) == ("kecamatan", "kecamatan_unknown")
    assert kodepos_issue(DESA, "", in_use=False, region_code="32.16") is None
    assert kodepos_issue(DESA, "17535", in_use=True, region_code="32.16") is None
    invalid = kodepos_issue(DESA, "99999", in_use=False, region_code="32.16")
    assert invalid is not None and invalid.message == "kode pos 99999 is not used in 32.16"


def test_a_nik_too_short_or_not_ascii_digits_is_not_judged_here() -> None:
    assert nik_region_issue(DESA, None, region_code="32.16") is None
    assert nik_region_issue(DESA, "32161", region_code="32.16") is None
    assert nik_region_issue(DESA, "\u0663\u0662\u0661\u0666\u0660\u0661", region_code="32.16") is None
    assert nik_region_issue(DESA, " 321610 ", region_code="32.16") is None
    other = nik_region_issue(DESA, "3275101201900001", region_code="32.16")
    assert other is not None and other.message == "NIK region 3275 is not 32.16"


def test_a_name_or_nik_in_the_kode_pos_column_is_not_quoted() -> None:
    # Columns swapped in an export put names or NIKs where the kode pos belongs: the message (which
    # reaches the rejects file and assignments.csv) says the kode pos is invalid without quoting it.
    for cell in ("Rina Firmansyah", "3216054207750474", "<b>Budi</b>"):
        issue = kodepos_issue(DESA, cell, in_use=False, region_code="32.16")
        assert issue is not None and issue.reason == "kodepos_invalid"
        assert cell not in issue.message and "Rina" not in issue.message
        assert issue.message == "kode pos (not a number of 5 digits) is not used in 32.16"
