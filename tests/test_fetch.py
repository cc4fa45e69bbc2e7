"""fetch against a local HTTP server on 127.0.0.1: success, resume, failures, proxy, --from."""

import hashlib
import http.server
import io
import json
import threading
import zipfile

import pytest

from bassin_lib.errors import EXIT_DATA, DataError, FetchError
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

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, body: bytes, status: int = 200, length: int | None = None):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        Handler.requests.append((self.path, self.headers.get("Range")))
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
