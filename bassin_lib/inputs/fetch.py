"""Download official files into ``data/raw/<source>/<vintage>/`` and keep a manifest.

``data/raw/manifest.json`` has one entry per file: source, vintage, licence, URL, file path
(relative to ``data/raw``), size, sha256 and retrieval date. Raw files are never edited.

- **Resume**: a partial download (``<file>.part``) is continued with an HTTP ``Range`` request
  when the server supports it, restarted otherwise.
- **Checksums**: a file whose sha256 differs from the pinned one (:class:`RemoteFile.sha256`),
  or from the one already in the manifest, is refused and left aside as ``<file>.rejected``
  unless ``update=True``; the manifest then records the new checksum.
- **Proxy**: the standard ``http_proxy`` / ``https_proxy`` / ``no_proxy`` variables are honoured
  (urllib's environment proxy handling).
- **Offline**: ``from_dir`` imports the same files from a local folder (searched as
  ``<dir>/<source>/<vintage>/<file>``, ``<dir>/<source>/<file>``, ``<dir>/<file>``, then anywhere
  below ``<dir>`` when the name is found once) instead of the network, with the same checks and
  manifest.
- A body shorter than its announced ``Content-Length``, an HTTP error, or a file that is not what
  the name says (an HTML error page for an ``.xlsx``/``.zip``) is an error naming the URL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bassin_lib.errors import FetchError
from bassin_lib.files import write_atomic
from bassin_lib.inputs.sources import RemoteFile, Source
from bassin_lib.paths import DATA_DIR

RAW_DIR = DATA_DIR / "raw"
CHUNK = 1 << 16
_MAGIC = {".zip": b"PK\x03\x04", ".xlsx": b"PK\x03\x04", ".xls": b"\xd0\xcf\x11\xe0"}


@dataclass
class FetchResult:
    """Outcome for one file: ``status`` is ``downloaded``, ``imported``, ``unchanged``."""

    source: str
    name: str
    path: Path
    status: str
    sha256: str
    size: int


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def load_manifest(raw_dir: Path) -> dict:
    path = Path(raw_dir) / "manifest.json"
    if not path.exists():
        return {"files": {}}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise FetchError(f"{path}: not valid JSON ({exc}); fix or delete it") from exc


def _save_manifest(raw_dir: Path, manifest: dict) -> None:
    write_atomic(
        Path(raw_dir) / "manifest.json",
        json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True),
    )


def _check_content(path: Path, suffix: str, url: str) -> None:
    expected = _MAGIC.get(suffix.lower())
    with path.open("rb") as handle:
        head = handle.read(512)
    if not head:
        raise FetchError(f"{url}: empty file received")
    if expected and not head.startswith(expected):
        hint = " (an HTML page, probably an error page)" if b"<html" in head.lower() else ""
        raise FetchError(f"{url}: received content is not a {suffix} file{hint}")


def _download(url: str, part: Path, timeout: float) -> None:
    """Download ``url`` into ``part``, resuming from its current size when possible."""
    start = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"User-Agent": "bassin_lib"})
    if start:
        request.add_header("Range", f"bytes={start}-")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler())  # env proxies
    try:
        with opener.open(request, timeout=timeout) as response:
            status = getattr(response, "status", 200)
            mode = "ab" if start and status == 206 else "wb"
            announced = response.headers.get("Content-Length")
            received = 0
            with part.open(mode) as handle:
                while True:
                    block = response.read(CHUNK)
                    if not block:
                        break
                    handle.write(block)
                    received += len(block)
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(
            f"{url}: download interrupted or impossible ({reason}); run fetch "
            "again to resume, or use --from DIR"
        ) from None
    if announced is not None and received < int(announced):
        raise FetchError(
            f"{url}: truncated body ({received} of {announced} bytes); run fetch again to resume"
        )


def _find_local(from_dir: Path, source: Source, remote: RemoteFile) -> Path:
    candidates = [
        from_dir / source.name / source.vintage / remote.name,
        from_dir / source.name / remote.name,
        from_dir / remote.name,
    ]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    anywhere = sorted(from_dir.rglob(remote.name)) if from_dir.is_dir() else []
    if len(anywhere) == 1:
        return anywhere[0]
    if len(anywhere) > 1:
        raise FetchError(
            f"{remote.name} of {source.name} found {len(anywhere)} times under "
            f"{from_dir}: {', '.join(str(p) for p in anywhere)}; keep one"
        )
    raise FetchError(
        f"{remote.name} of {source.name} not found under {from_dir} "
        f"(looked for {', '.join(str(c) for c in candidates)})"
    )


def fetch(
    sources: list[Source],
    raw_dir: str | Path = RAW_DIR,
    *,
    update: bool = False,
    from_dir: str | Path | None = None,
    timeout: float = 60.0,
    log=lambda _line: None,
) -> list[FetchResult]:
    """Download (or import) every file of ``sources`` and update the manifest.

    Parameters
    ----------
    sources : list of Source
    raw_dir : path, default ``data/raw``
    update : bool
        Accept a file whose checksum differs from the pinned or recorded one.
    from_dir : path, optional
        Import from this folder instead of the network.
    timeout : float
        Seconds before a silent connection is abandoned.

    Returns
    -------
    list of FetchResult

    Raises
    ------
    FetchError
        On the first file that cannot be had or accepted (files already done are kept and
        recorded in the manifest).
    """
    raw_dir = Path(raw_dir)
    raw_dir.mkdir(parents=True, exist_ok=True)
    manifest = load_manifest(raw_dir)
    results = []
    try:
        for source in sources:
            for remote in source.files:
                results.append(
                    _fetch_one(
                        source,
                        remote,
                        raw_dir,
                        manifest,
                        update,
                        Path(from_dir) if from_dir else None,
                        timeout,
                        log,
                    )
                )
    finally:
        _save_manifest(raw_dir, manifest)
    return results


def _fetch_one(source, remote, raw_dir, manifest, update, from_dir, timeout, log):
    target = raw_dir / source.name / source.vintage / remote.name
    key = f"{source.name}/{source.vintage}/{remote.name}"
    target.parent.mkdir(parents=True, exist_ok=True)
    known = manifest["files"].get(key, {})
    pinned = remote.sha256 or known.get("sha256")
    if target.exists() and not update and known.get("sha256") == sha256_of(target):
        log(f"inchangé : {key}")
        return FetchResult(
            source.name, remote.name, target, "unchanged", known["sha256"], target.stat().st_size
        )
    part = target.with_name(target.name + ".part")
    if from_dir is not None:
        shutil.copyfile(_find_local(from_dir, source, remote), part)
        origin, status = str(from_dir), "imported"
    else:
        log(f"téléchargement : {remote.url}")
        _download(remote.url, part, timeout)
        origin, status = remote.url, "downloaded"
    try:
        _check_content(part, target.suffix, remote.url if from_dir is None else origin)
    except FetchError:
        part.unlink(missing_ok=True)
        raise
    digest = sha256_of(part)
    if pinned and digest != pinned and not update:
        rejected = target.with_name(target.name + ".rejected")
        part.replace(rejected)
        raise FetchError(
            f"{key}: sha256 {digest[:16]}… differs from the expected {pinned[:16]}…; the "
            f"publisher may have released a new vintage. Kept aside as {rejected.name}; run "
            "fetch with --update to accept it"
        )
    part.replace(target)
    manifest["files"][key] = {
        "source": source.name,
        "vintage": source.vintage,
        "licence": source.licence,
        "publisher": source.publisher,
        "url": remote.url,
        "origin": origin,
        "path": str(target.relative_to(raw_dir)),
        "size": target.stat().st_size,
        "sha256": digest,
        "retrieved": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return FetchResult(source.name, remote.name, target, status, digest, target.stat().st_size)
