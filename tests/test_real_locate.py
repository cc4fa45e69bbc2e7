"""Official files are found by name or pattern below a folder; the newest vintage wins."""

from bassin_lib.inputs.real import locate


def test_the_newest_unemployment_workbook_is_taken(tmp_path):
    (tmp_path / "ZE2020_au_01-01-2023.xlsx").write_bytes(b"")
    for name in (
        "chomage-zone-t1-2003-t3-2023.xlsx",
        "chomage-zone-t1-2003-t4-2025.xlsx",
        "chomage-zone-t1-2003-t1-2025.xlsx",
        "chomage-zone-t1-2003-t4-2024.xlsx",
    ):
        (tmp_path / "old" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "old" / name).write_bytes(b"")
    found = locate(tmp_path)
    assert found["unemployment_rate"].name == "chomage-zone-t1-2003-t4-2025.xlsx"
    assert "employment" not in found  # absent datasets are left out
