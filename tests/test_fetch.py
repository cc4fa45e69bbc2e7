"""fetch against a local HTTP server on 127.0.0.1: success, resume, failures, proxy, --from,
vintages (the newest file linked from a page, --vintage, per-vintage checksums), a data.gouv.fr
resource that redirects, INSEE's map archive of archives."""

import hashlib
import http.server
import io
import json
import threading
import zipfile
from dataclasses import replace

import pytest

from bassin_lib.errors import EXIT_DATA, DataError, FetchError, ParameterError
from bassin_lib.inputs.fetch import fetch
from bassin_lib.inputs.sources import RemoteFile, Source


def _zip_bytes(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("data.csv", text * 200)
    return buffer.getvalue()


GOOD = _zip_bytes("a;b\n1;2\n")
NEW = _zip_bytes("a;b\n3;4\n")
SHA_GOOD = hashlib.sha256(GOOD).hexdigest()


class Handler(http.server.BaseHTTPRequestHandler):
    requests: list = []
    flaky_calls = {"n": 0}
    files: dict = {}
    """Path → body (bytes), or ``("redirect", location)``, set by the tests."""

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, body: bytes, status: int = 200, length: int | None = None):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        Handler.requests.append((self.path, self.headers.get("Range")))
        served = Handler.files.get(self.path)
        if isinstance(served, tuple):  # ("redirect", location)
            self.send_response(302)
            self.send_header("Location", served[1])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if served is not None:
            self._send(served)
            return
        path = self.path.rsplit("/", 1)[-1]
        if path == "good.zip":
            self._send(GOOD)
        elif path == "new.zip":
            self._send(NEW)
        elif path == "html.zip":
            self._send(b"<html><body>Erreur 500</body></html>")
        elif path == "truncated.zip":
            self._send(GOOD[:1000], length=len(GOOD))
            self.close_connection = True
        elif path == "flaky.zip":
            Handler.flaky_calls["n"] += 1
            range_header = self.headers.get("Range")
            if range_header:
                start = int(range_header.split("=")[1].split("-")[0])
                self.send_response(206)
                self.send_header("Content-Length", str(len(GOOD) - start))
                self.end_headers()
                self.wfile.write(GOOD[start:])
            else:
                self._send(GOOD[:1500], length=len(GOOD))
                self.close_connection = True
        else:
            self._send(b"not found", status=404)


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(autouse=True)
def no_env_proxy(monkeypatch):
    for name in (
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "")


def _source(server, name="good.zip", sha=None):
    return Source(
        name="essai",
        title="Essai",
        publisher="Insee",
        page=server,
        vintage="2024",
        files=(RemoteFile(name="fichier.zip", url=f"{server}/{name}", sha256=sha),),
    )


def test_download_writes_file_and_manifest(server, tmp_path):
    [result] = fetch([_source(server, sha=SHA_GOOD)], tmp_path)
    assert result.status == "downloaded" and result.path.read_bytes() == GOOD
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    entry = manifest["files"]["essai/2024/fichier.zip"]
    assert entry["sha256"] == SHA_GOOD and entry["size"] == len(GOOD)
    assert entry["url"].endswith("/good.zip") and entry["licence"].startswith("Licence Ouverte")
    assert entry["vintage"] == "2024" and entry["retrieved"].endswith("Z")
    # second run: nothing downloaded again
    again = fetch([_source(server, sha=SHA_GOOD)], tmp_path)
    assert again[0].status == "unchanged"


def test_http_404_is_an_error_naming_the_url(server, tmp_path):
    with pytest.raises(FetchError, match=r"/absent\.zip: HTTP 404") as caught:
        fetch([_source(server, "absent.zip")], tmp_path)
    # a data error for the command line (exit code 3)
    assert isinstance(caught.value, DataError) and caught.value.exit_code == EXIT_DATA


def test_the_manifest_is_written_whole_even_when_the_disk_is_full(server, tmp_path, monkeypatch):
    import errno
    import os

    fetch([_source(server, sha=SHA_GOOD)], tmp_path)
    before = (tmp_path / "manifest.json").read_bytes()

    def full(src, dst):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), src)

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OSError, match="No space left"):
        fetch([_source(server, sha=SHA_GOOD)], tmp_path, update=True)
    assert (tmp_path / "manifest.json").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_truncated_body_is_refused_and_resumed_next_time(server, tmp_path):
    with pytest.raises(FetchError, match=r"truncated body \(1000 of \d+ bytes\)"):
        fetch([_source(server, "truncated.zip")], tmp_path)
    assert not (tmp_path / "essai" / "2024" / "fichier.zip").exists()


def test_resume_uses_a_range_request(server, tmp_path):
    with pytest.raises(FetchError, match="truncated"):
        fetch([_source(server, "flaky.zip", sha=SHA_GOOD)], tmp_path)
    [result] = fetch([_source(server, "flaky.zip", sha=SHA_GOOD)], tmp_path)
    assert result.path.read_bytes() == GOOD
    assert ("/flaky.zip", "bytes=1500-") in Handler.requests


def test_html_error_page_is_not_accepted_as_a_zip(server, tmp_path):
    with pytest.raises(FetchError, match=r"html\.zip: received content is not a \.zip file"):
        fetch([_source(server, "html.zip")], tmp_path)


def test_changed_checksum_is_refused_unless_update(server, tmp_path):
    with pytest.raises(FetchError, match=r"sha256 .* differs from the expected .*--update"):
        fetch([_source(server, "new.zip", sha=SHA_GOOD)], tmp_path)
    assert (tmp_path / "essai" / "2024" / "fichier.zip.rejected").exists()
    [result] = fetch([_source(server, "new.zip", sha=SHA_GOOD)], tmp_path, update=True)
    assert result.path.read_bytes() == NEW
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["files"]["essai/2024/fichier.zip"]["sha256"] == hashlib.sha256(NEW).hexdigest()


def test_recorded_checksum_protects_against_silent_changes(server, tmp_path):
    fetch([_source(server, "good.zip")], tmp_path)  # not pinned: manifest records it
    (tmp_path / "essai" / "2024" / "fichier.zip").write_bytes(b"PK\x03\x04 altered")
    with pytest.raises(FetchError, match="differs from the expected"):
        fetch([_source(server, "new.zip")], tmp_path)


def test_http_proxy_from_environment_is_used(server, tmp_path, monkeypatch):
    # The local server answers proxy-style requests (absolute URL in the request line).
    monkeypatch.setenv("http_proxy", server)
    Handler.requests.clear()
    [result] = fetch([_source("http://publisher.invalid", "good.zip", sha=SHA_GOOD)], tmp_path)
    assert result.path.read_bytes() == GOOD
    assert Handler.requests[0][0] == "http://publisher.invalid/good.zip"


def test_import_from_local_folder(tmp_path):
    folder = tmp_path / "usb" / "essai" / "2024"
    folder.mkdir(parents=True)
    (folder / "fichier.zip").write_bytes(GOOD)
    source = _source("http://publisher.invalid", sha=SHA_GOOD)
    [result] = fetch([source], tmp_path / "raw", from_dir=tmp_path / "usb")
    assert result.status == "imported" and result.sha256 == SHA_GOOD
    with pytest.raises(FetchError, match="not found under"):
        fetch([source], tmp_path / "raw2", from_dir=tmp_path / "empty")
    # any layout below the folder, as long as the name is found once
    other = tmp_path / "stick" / "deep" / "folder"
    other.mkdir(parents=True)
    (other / "fichier.zip").write_bytes(GOOD)
    [found] = fetch([source], tmp_path / "raw3", from_dir=tmp_path / "stick")
    assert found.status == "imported"
    (tmp_path / "stick" / "fichier.zip").write_bytes(GOOD)  # now twice: ambiguous... but the
    # top-level candidate <dir>/<file> wins before any search
    assert fetch([source], tmp_path / "raw4", from_dir=tmp_path / "stick")[0].status == "imported"


def test_pinned_official_files_import_from_a_folder_of_real_files(real_dir, tmp_path):
    from bassin_lib.inputs.sources import catalogue

    pinned = [s for s in catalogue() if s.files and all(f.sha256 for f in s.files)]
    assert {s.name for s in pinned} >= {"insee_chomage", "insee_filosofi", "francetravail_bmo"}
    results = fetch(pinned, tmp_path / "raw", from_dir=real_dir)
    assert all(r.status == "imported" for r in results)
    manifest = json.loads((tmp_path / "raw" / "manifest.json").read_text())
    assert "insee_chomage/2023T3/chomage-zone-t1-2003-t3-2023.xlsx" in manifest["files"]


# --- vintages: the newest file linked from the page, --vintage, per-vintage checksums ----------


def _page(*names: str) -> bytes:
    links = "".join(f'<li><a href="/chomage/fichier/{name}">{name}</a></li>' for name in names)
    return (
        f"<html><body><ul>{links}<li><a href='/autre.pdf'>note</a></li></ul></body></html>"
    ).encode()


def _chomage(server, pinned_2023=None):
    from bassin_lib.inputs.sources import FilePattern

    return Source(
        name="chomage",
        title="Taux de chômage",
        publisher="Insee",
        page=f"{server}/chomage/page",
        vintage="2023T3",
        files=(
            RemoteFile(
                "chomage-zone-t1-2003-t3-2023.xlsx",
                f"{server}/chomage/fichier/chomage-zone-t1-2003-t3-2023.xlsx",
                pinned_2023,
            ),
        ),
        newest_from_page=True,
        patterns=(
            FilePattern(
                "chomage-zone-t1-2003-t{quarter}-{year}.xlsx", f"{server}/chomage/fichier/{{name}}"
            ),
        ),
    )


def test_the_newest_file_linked_from_the_page_is_taken_and_its_checksum_recorded(server, tmp_path):
    Handler.files["/chomage/page"] = _page(
        "chomage-zone-t1-2003-t3-2023.xlsx", "chomage-zone-t1-2003-t4-2025.xlsx"
    )
    Handler.files["/chomage/fichier/chomage-zone-t1-2003-t4-2025.xlsx"] = GOOD
    # the pinned 2023 file is gone from the publisher's site: never asked for
    [result] = fetch([_chomage(server, pinned_2023="0" * 64)], tmp_path)
    assert (result.status, result.vintage) == ("downloaded", "2025T4")
    assert result.path == tmp_path / "chomage" / "2025T4" / "chomage-zone-t1-2003-t4-2025.xlsx"
    key = "chomage/2025T4/chomage-zone-t1-2003-t4-2025.xlsx"
    assert json.loads((tmp_path / "manifest.json").read_text())["files"][key]["sha256"] == SHA_GOOD
    assert fetch([_chomage(server)], tmp_path)[0].status == "unchanged"

    # INSEE re-issues the same vintage with other bytes: refused (the manifest knows it)
    result.path.unlink()
    Handler.files["/chomage/fichier/chomage-zone-t1-2003-t4-2025.xlsx"] = NEW
    with pytest.raises(FetchError, match=r"2025T4/chomage-zone-t1-2003-t4-2025\.xlsx: sha256"):
        fetch([_chomage(server)], tmp_path)
    assert (result.path.parent / (result.path.name + ".rejected")).read_bytes() == NEW

    # a new quarter on the page: a new vintage, recorded on its first download
    Handler.files["/chomage/page"] = _page(
        "chomage-zone-t1-2003-t4-2025.xlsx", "chomage-zone-t1-2003-t1-2026.xlsx"
    )
    Handler.files["/chomage/fichier/chomage-zone-t1-2003-t1-2026.xlsx"] = NEW
    [newer] = fetch([_chomage(server)], tmp_path)
    assert (newer.status, newer.vintage) == ("downloaded", "2026T1")
    files = json.loads((tmp_path / "manifest.json").read_text())["files"]
    assert files["chomage/2026T1/chomage-zone-t1-2003-t1-2026.xlsx"]["sha256"] == newer.sha256
    assert files[key]["sha256"] == SHA_GOOD  # the refused file changed nothing


def test_a_vintage_is_taken_from_the_naming_rule(server, tmp_path):
    Handler.files["/chomage/fichier/chomage-zone-t1-2003-t2-2025.xlsx"] = GOOD
    [result] = fetch([_chomage(server)], tmp_path, vintage="2025-T2")  # written as users do
    assert (result.vintage, result.name) == ("2025T2", "chomage-zone-t1-2003-t2-2025.xlsx")
    Handler.files["/chomage/page"] = b"<html><body>Maintenance</body></html>"
    with pytest.raises(FetchError, match=r"/chomage/page: the page links to no file named like"):
        fetch([_chomage(server)], tmp_path)
    with pytest.raises(ParameterError, match="unknown vintage '2025'"):
        fetch([_chomage(server)], tmp_path, vintage="2025")


def test_declared_vintages_and_their_notes_are_listed(capsys):
    from bassin_lib.running import cli

    assert cli.main(["fetch", "--list"]) == 0
    out = capsys.readouterr().out
    assert "insee_chomage: Insee" in out and "the newest file linked from the page" in out
    assert "chomage-zone-t1-2003-t4-2025.xlsx" in out
    assert "2026     ZE2020_au_01-01-2026.zip, fonds_ze2020_2026.zip" in out
    assert "Base_open_data_BMO_2026.xlsx" in out
    assert "licence: Open Data Commons Open Database License (ODbL)" in out  # Urssaf
    assert cli.main(["fetch", "--source", "insee_filosofi", "--vintage", "2031"]) == 2
    assert "unknown vintage '2031'" in capsys.readouterr().err


# --- a data.gouv.fr resource: a stable address that redirects to the file ---------------------

RESOURCE = "/fr/datasets/r/d723d37a-811a-40d9-991c-c7b587e2e4fa"
DARES_HEADER = (
    "Date;Code région;Région;Code zone d'emploi;Zone d'emploi;Type de données;Catégorie;Sexe;"
    "Tranche d'âge;Ancienneté;Nombre de demandeurs d'emploi\n"
)


def _dares_csv() -> bytes:
    rows = []
    for zone, region in (("2705", "27"), ("0051", "28"), ("2851", "28"), ("0051", "52")):
        for category, value in (("A", 100), ("B", 20), ("C", 30)):
            rows.append(f"2026-T1;{region};R;{zone};Z;Brutes;{category};Total;Total;Total;{value}")
    return (DARES_HEADER + "\n".join(rows) + "\n").encode("utf-8")


def test_a_redirecting_data_gouv_resource_is_followed_and_resumed(server, tmp_path):
    Handler.files[RESOURCE] = ("redirect", "/static/resources/inscrits-ze.csv")
    Handler.files["/static/resources/inscrits-ze.csv"] = _dares_csv()
    source = Source(
        name="dares",
        title="Inscrits",
        publisher="Dares",
        page=server,
        vintage="2026T1",
        files=(RemoteFile("dares_defm_zoneeemploi_brut_trim.csv", f"{server}{RESOURCE}"),),
    )
    [result] = fetch([source], tmp_path)
    assert result.path.read_bytes() == _dares_csv()
    entry = json.loads((tmp_path / "manifest.json").read_text())["files"][
        "dares/2026T1/dares_defm_zoneeemploi_brut_trim.csv"
    ]
    assert entry["url"].endswith(RESOURCE)
    assert entry["resolved_url"].endswith("/static/resources/inscrits-ze.csv")

    # an error page served instead of the CSV is refused
    Handler.files["/static/resources/inscrits-ze.csv"] = b"<!DOCTYPE html><html>500</html>"
    with pytest.raises(FetchError, match="received an HTML page"):
        fetch([source], tmp_path / "other")


def test_the_zone_file_keeps_the_zones_of_the_zoning_and_names_the_others(tmp_path):
    import warnings

    from bassin_lib.errors import BassinWarning
    from bassin_lib.inputs.sources import dares_demandeurs

    path = tmp_path / "inscrits.csv"
    path.write_bytes(_dares_csv())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = dares_demandeurs.read_zone_quarterly(path, zones=["0051", "2705", "2714"])
    [warning] = [w for w in caught if issubclass(w.category, BassinWarning)]
    message = str(warning.message)
    assert "1 code(s)" in message and "2851" in message and "regional parts" in message
    assert sorted(set(table["code"])) == ["0051", "2705"]
    # the trans-regional zone is the sum of its two regions' rows, its "part" not added
    zone_a = table[(table["code"] == "0051") & (table["category"] == "A")]["value"]
    assert zone_a.tolist() == [200.0]
    # without the zoning the reader stays strict: every code is read as a zone
    assert "2851" in set(dares_demandeurs.read_zone_quarterly(path)["code"])


def test_url_of_an_unconfirmed_vintage_takes_the_name_the_redirect_gives(server, tmp_path):
    from bassin_lib.inputs.sources import Vintage

    Handler.files["/fr/datasets/r/0000-bmo-2027"] = ("redirect", "/s/Base_open_data_BMO_2027.xlsx")
    Handler.files["/s/Base_open_data_BMO_2027.xlsx"] = GOOD
    source = replace(_source(server, sha=SHA_GOOD), vintages=(Vintage("2027"),))
    with pytest.raises(FetchError):  # declared without address: --url is needed
        fetch([source], tmp_path, vintage="2027")
    [result] = fetch(
        [source], tmp_path, vintage="2027", url=f"{server}/fr/datasets/r/0000-bmo-2027"
    )
    assert result.path == tmp_path / "essai" / "2027" / "Base_open_data_BMO_2027.xlsx"


# --- INSEE's map archive of archives (2026 edition) -------------------------------------------


def _shapefile_zip(folder, stem: str, codes: list[str]) -> bytes:
    import geopandas as gpd
    from shapely.geometry import box

    folder.mkdir(parents=True, exist_ok=True)
    gpd.GeoDataFrame(
        {"ze2020": codes, "libze2020": [f"Zone {c}" for c in codes], "nb_com": [1] * len(codes)},
        geometry=[box(i, 0, i + 1, 1) for i in range(len(codes))],
        crs="EPSG:4326",
    ).to_file(folder / f"{stem}.shp")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in sorted(folder.glob(f"{stem}.*")):
            archive.write(part, part.name)
    return buffer.getvalue()


def _map_archive(tmp_path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # the communes' map repeats zone codes: reading it instead would fail
        archive.writestr(
            "com_ze2020_2026.zip",
            _shapefile_zip(tmp_path / "shp", "com_ze2020_2026", ["0051", "0051", "2705"]),
        )
        archive.writestr(
            "ze2020_2026.zip", _shapefile_zip(tmp_path / "shp", "ze2020_2026", ["0051", "2705"])
        )
    return buffer.getvalue()


def test_the_2026_map_archive_of_archives_is_fetched_and_read(server, tmp_path):
    from bassin_lib.inputs.sources import FilePattern, insee_ze2020

    Handler.files["/cartes/fonds_ze2020_2026.zip"] = _map_archive(tmp_path)
    source = replace(
        _source(server),
        name="zonage",
        vintage="2023",
        patterns=(FilePattern("fonds_ze2020_{year}.zip", f"{server}/cartes/{{name}}"),),
    )
    [result] = fetch([source], tmp_path / "raw", vintage="2026")
    assert result.path.name == "fonds_ze2020_2026.zip" and result.vintage == "2026"
    shapes = insee_ze2020.read_geometry(result.path)
    assert shapes["zone"].tolist() == ["0051", "2705"] and shapes.crs.to_epsg() == 4326


def test_an_unreadable_map_is_a_warning_and_a_line_of_the_report_sources(tmp_path):
    import warnings

    from bassin_lib.errors import BassinWarning
    from bassin_lib.inputs.real import build_real

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "zones_emloi_ZE2020_2023.csv").write_text(
        "CODGEO,LIBGEO,ZE2020,LIBZE2020,ZE2020_PARTIE_REG,DEP,REG\n"
        "90010,Belfort,2705,Belfort,,90,27\n"
        "25388,Montbéliard,2714,Montbéliard,,25,27\n",
        encoding="utf-8",
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:  # two inner archives, none of the zones
        archive.writestr("a.zip", _zip_bytes("x"))
        archive.writestr("b.zip", _zip_bytes("y"))
    (raw / "fonds_ze2020_2023.zip").write_bytes(buffer.getvalue())
    groups = tmp_path / "groups.yaml"
    groups.write_text("groups: {}\n", encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cube = build_real(raw, groups)
    assert any(
        issubclass(w.category, BassinWarning) and "map not drawn" in str(w.message) for w in caught
    )
    line = cube.meta["sources"]["geometry"]
    assert "fonds_ze2020_2023.zip" in line and "cartes ne sont pas dessinées" in line
    assert cube.geometry is None


# --- --from: every dataset found is imported, the others listed -------------------------------


def test_from_a_folder_imports_what_it_finds_and_lists_the_rest(tmp_path, capsys):
    from bassin_lib.running import cli

    usb = tmp_path / "usb"
    (usb / "insee").mkdir(parents=True)
    (usb / "insee" / "ZE2020_au_01-01-2023.zip").write_bytes(GOOD)
    (usb / "chomage-zone-t1-2003-t4-2025.xlsx").write_bytes(NEW)  # a newer quarter
    raw = tmp_path / "raw"
    assert cli.main(["fetch", "--from", str(usb), "--raw", str(raw)]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert (
        f"imported\tinsee_ze2020\t2023\t{raw / 'insee_ze2020/2023/ZE2020_au_01-01-2023.zip'}"
        in lines
    )
    assert any(line.startswith("imported\tinsee_chomage\t2025T4\t") for line in lines)
    assert "absent\tinsee_ze2020\t2023\tfonds_ze2020_2023.zip" in lines  # the map: listed
    assert "absent\tfrancetravail_bmo\t2024\tBase_open_data_BMO_2024.xlsx" in lines
    assert "not found under" in captured.err and "francetravail_bmo" in captured.err
    files = json.loads((raw / "manifest.json").read_text())["files"]
    assert files["insee_chomage/2025T4/chomage-zone-t1-2003-t4-2025.xlsx"]["sha256"] == (
        hashlib.sha256(NEW).hexdigest()
    )

    # without the zoning: the rest is imported, and it is a data error
    (usb / "insee" / "ZE2020_au_01-01-2023.zip").unlink()
    assert cli.main(["fetch", "--from", str(usb), "--raw", str(tmp_path / "raw2")]) == EXIT_DATA
    assert "the zoning (ZE2020_au_01-01-2023.zip) is not found under" in capsys.readouterr().err
    assert (tmp_path / "raw2" / "insee_chomage" / "2025T4").is_dir()


def test_from_a_folder_a_refused_file_does_not_stop_the_others(tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    (usb / "fichier.zip").write_bytes(NEW)
    (usb / "autre.zip").write_bytes(GOOD)
    pinned = _source("http://publisher.invalid", sha=SHA_GOOD)  # NEW is not the pinned file
    other = replace(
        _source("http://publisher.invalid"), name="autre", files=(RemoteFile("autre.zip"),)
    )
    with pytest.raises(FetchError, match="differs from the expected"):
        fetch([pinned, other], tmp_path / "raw", from_dir=usb)
    assert (tmp_path / "raw" / "autre" / "2024" / "autre.zip").read_bytes() == GOOD
