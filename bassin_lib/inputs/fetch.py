"""Download official files into ``data/raw/<source>/<vintage>/`` and keep a manifest.

``data/raw/manifest.json`` has one entry per file and vintage: source, vintage, licence, URL
(and the address it redirected to), file path (relative to ``data/raw``), size, sha256 and
retrieval date. Raw files are never edited.

- **Vintages**: by default each dataset's declared vintage (:attr:`Source.vintage`), or, for a
  dataset whose publisher replaces the file every release (:attr:`Source.newest_from_page`: the
  INSEE unemployment workbook), the newest file linked from its page. ``vintage=`` takes another
  one: a declared :class:`~bassin_lib.inputs.sources.Vintage`, any vintage the dataset's naming
  rule (:class:`~bassin_lib.inputs.sources.FilePattern`) covers, or ``"latest"`` (the newest
  linked from the page). ``url=`` gives the address of a file no public evidence confirms.
- **Checksums**: each vintage's checksum is kept in the manifest. A vintage seen for the first
  time is recorded with its sha256; a file whose sha256 differs from the one recorded for its
  vintage (or known for it: :attr:`RemoteFile.sha256`) is refused and left aside as
  ``<file>.rejected`` unless ``update=True``; the manifest then records the new checksum.
- **Resume**: a partial download (``<file>.part``) is continued with an HTTP ``Range`` request
  when the server supports it, restarted otherwise. Redirects are followed (data.gouv.fr's
  stable ``/datasets/r/<resource id>`` addresses answer with one).
- **Proxy**: the standard ``http_proxy`` / ``https_proxy`` / ``no_proxy`` variables are honoured
  (urllib's environment proxy handling).
- **Offline**: ``from_dir`` imports the files from a local folder (searched as
  ``<dir>/<source>/<vintage>/<file>``, ``<dir>/<source>/<file>``, ``<dir>/<file>``, then anywhere
  below ``<dir>`` when the name is found once; a file's other names
  (:attr:`RemoteFile.also`) are tried too) instead of the network, with the same checks and
  manifest. Every vintage of every dataset found is imported; the datasets not found are
  reported (status ``absent``) and only a missing zoning (:attr:`RemoteFile.required`) is an
  error.
- A failure (HTTP error, truncated body, a file that is not what its name says — an HTML error
  page for an ``.xlsx``/``.zip``/``.csv``, a refused checksum) does not stop the other files: all
  are tried, then one :class:`~bassin_lib.errors.FetchError` names every failure.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlparse

from bassin_lib.errors import FetchError, ParameterError
from bassin_lib.files import write_atomic
from bassin_lib.inputs.sources import RemoteFile, Source, vintage_key
from bassin_lib.paths import DATA_DIR

RAW_DIR = DATA_DIR / "raw"
CHUNK = 1 << 16
PAGE_LIMIT = 8 << 20
"""Bytes read at most from a publisher's HTML page (looking for the newest file)."""
LATEST = "latest"
"""The ``vintage`` that means: the newest file linked from the dataset's page."""
_MAGIC = {".zip": b"PK\x03\x04", ".xlsx": b"PK\x03\x04", ".xls": b"\xd0\xcf\x11\xe0"}
_TEXT = (".csv", ".txt", ".json", ".geojson")
_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


@dataclass
class FetchResult:
    """Outcome for one file.

    ``status`` is ``downloaded``, ``imported``, ``unchanged`` or (``from_dir`` only) ``absent``
    (``path`` is then the name looked for, ``sha256`` empty and ``size`` 0).
    """

    source: str
    name: str
    path: Path
    status: str
    sha256: str
    size: int
    vintage: str = ""
    required: bool = False


class _Absent(Exception):
    """A file ``from_dir`` does not hold (reported, not an error)."""


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
    page = head.lstrip().lower().startswith((b"<!doctype html", b"<html"))
    if expected and not head.startswith(expected):
        hint = " (an HTML page, probably an error page)" if b"<html" in head.lower() else ""
        raise FetchError(f"{url}: received content is not a {suffix} file{hint}")
    if suffix.lower() in _TEXT and page:
        raise FetchError(f"{url}: received an HTML page, probably an error page, not a {suffix}")


def _opener():
    return urllib.request.build_opener(urllib.request.ProxyHandler())  # env proxies, redirects


def _failure(url: str, exc: Exception) -> FetchError:
    if isinstance(exc, urllib.error.HTTPError):
        return FetchError(f"{url}: HTTP {exc.code} {exc.reason}")
    reason = getattr(exc, "reason", exc)
    return FetchError(
        f"{url}: download interrupted or impossible ({reason}); run fetch again to resume, or "
        "use --from DIR"
    )


def _download(url: str, part: Path, timeout: float) -> str:
    """Download ``url`` into ``part``, resuming from its current size when possible.

    Returns the address finally read (after redirects).
    """
    start = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"User-Agent": "bassin_lib"})
    if start:
        request.add_header("Range", f"bytes={start}-")
    try:
        with _opener().open(request, timeout=timeout) as response:
            final = response.geturl()
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
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        raise _failure(url, exc) from None
    if announced is not None and received < int(announced):
        raise FetchError(
            f"{url}: truncated body ({received} of {announced} bytes); run fetch again to resume"
        )
    return final


def _page_links(page: str, timeout: float) -> list[str]:
    """Absolute addresses of the links of an HTML page."""
    request = urllib.request.Request(page, headers={"User-Agent": "bassin_lib"})
    try:
        with _opener().open(request, timeout=timeout) as response:
            final = response.geturl()
            text = response.read(PAGE_LIMIT).decode("utf-8", errors="replace")
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        raise _failure(page, exc) from None
    return [urljoin(final, html.unescape(link)) for link in _HREF.findall(text)]


def _basename(url: str) -> str:
    return unquote(PurePosixPath(urlparse(url).path).name)


def knows(source: Source, vintage: str) -> bool:
    """Whether ``source`` can be fetched at ``vintage`` (declared, covered by its naming rule,
    or ``"latest"`` for a dataset whose files follow a naming rule)."""
    if vintage == LATEST:
        return bool(source.patterns)
    normal = source.normalize(vintage)
    declared = {v.vintage for v in source.known()}
    return normal in declared or bool(
        source.patterns and all(p.normalize(vintage) for p in source.patterns)
    )


def describe(sources: list[Source]) -> list[str]:
    """What ``fetch --list`` prints: each dataset, its licence and page, and its vintages.

    The default vintage is starred; a vintage whose files no public evidence names says that
    ``--url`` or ``--from`` must provide them.
    """
    lines: list[str] = []
    by_name: dict[str, list[Source]] = {}
    for source in sources:
        by_name.setdefault(source.name, []).append(source)
    for name, entries in by_name.items():
        first = entries[0]
        defaults = {s.vintage for s in entries}
        lines.append(f"{name}: {first.publisher}, {first.title}")
        lines.append(f"  licence: {first.licence}")
        lines.append(f"  page: {first.page}")
        if first.newest_from_page:
            lines.append(
                "  default: the newest file linked from the page (readers written for "
                f"{', '.join(sorted(defaults, key=vintage_key))})"
            )
        known = {v.vintage: v for s in entries for v in s.known()}
        for vintage in sorted(known, key=vintage_key):
            target = next((s for s in entries if s.vintage == vintage), first).at(vintage)
            star = "*" if vintage in defaults and not first.newest_from_page else " "
            if target.files:
                files = ", ".join(
                    f.name
                    + (" (sha256 known)" if f.sha256 else "")
                    + ("" if f.url else " (no confirmed address)")
                    for f in target.files
                )
            else:
                files = "no confirmed file address: use --url URL or --from DIR"
            note = f" — {known[vintage].note}" if known[vintage].note else ""
            lines.append(f"  {star} {vintage:8} {files}{note}")
        for pattern in first.patterns:
            form = "YYYYTq" if pattern.quarterly else "YYYY"
            lines.append(f"    any vintage {form}: {pattern.url.replace('{name}', pattern.name)}")
    return lines


def newest_on_page(source: Source, timeout: float = 60.0) -> Source:
    """``source`` at the newest vintage whose file its page links to (named by its patterns).

    Raises
    ------
    FetchError
        When the page cannot be read or links to no such file.
    """
    if not source.patterns:
        raise ParameterError(f"{source.name}: no naming rule to find its newest file on a page")
    found: dict[str, dict[str, str]] = {}
    for link in _page_links(source.page, timeout):
        name = _basename(link)
        vintage = next(filter(None, (p.vintage_of(name) for p in source.patterns)), None)
        if vintage is not None:
            found.setdefault(vintage, {})[name.lower()] = link
    wanted = [p for p in source.patterns if p.required] or list(source.patterns[:1])
    complete = [
        v for v, links in found.items() if all(p.file(v).name.lower() in links for p in wanted)
    ]
    if not complete:
        raise FetchError(
            f"{source.page}: the page links to no file named like {wanted[0].name}; give "
            "--vintage, or --url with the file's address"
        )
    newest = max(complete, key=vintage_key)
    target = source.at(newest)
    links = found[newest]
    files = tuple(replace(f, url=links.get(f.name.lower(), f.url)) for f in target.files)
    return replace(target, files=files)


def _resolve(source: Source, vintage: str | None, url: str | None, timeout: float) -> Source:
    """The dataset at the vintage to download, with its files' addresses."""
    if vintage is None and source.newest_from_page and url is None:
        return newest_on_page(source, timeout)
    if vintage == LATEST:
        return newest_on_page(source, timeout)
    if vintage is not None and not knows(source, vintage):
        raise ParameterError(
            f"{source.name}: unknown vintage {vintage!r}; known: "
            f"{', '.join(v.vintage for v in source.known())} (see 'fetch --list')"
        )
    target = source.at(vintage) if vintage is not None else source
    if url is None:
        return target
    if len(target.files) > 1:
        raise ParameterError(
            f"--url: {source.name} {target.vintage} has {len(target.files)} files "
            f"({', '.join(f.name for f in target.files)}); use --from DIR"
        )
    if target.files:
        return replace(target, files=(replace(target.files[0], url=url),))
    name = _basename(url)
    if not PurePosixPath(name).suffix:  # a stable address (data.gouv.fr /r/<id>): follow it
        name = _basename(_final_address(url, timeout))
    if not PurePosixPath(name).suffix:
        raise ParameterError(f"--url {url}: no file name with an extension in the address")
    return replace(target, files=(RemoteFile(name, url),))


def _final_address(url: str, timeout: float) -> str:
    """The address ``url`` redirects to (its body is not read)."""
    request = urllib.request.Request(url, headers={"User-Agent": "bassin_lib"})
    try:
        with _opener().open(request, timeout=timeout) as response:
            return response.geturl()
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        raise _failure(url, exc) from None


def fetch(
    sources: list[Source],
    raw_dir: str | Path = RAW_DIR,
    *,
    update: bool = False,
    from_dir: str | Path | None = None,
    vintage: str | None = None,
    url: str | None = None,
    timeout: float = 60.0,
    log=lambda _line: None,
) -> list[FetchResult]:
    """Download (or import) the files of ``sources`` and update the manifest.

    Parameters
    ----------
    sources : list of Source
        Datasets (several entries may share a name: one per declared vintage).
    raw_dir : path, default ``data/raw``
    update : bool
        Accept a file whose checksum differs from the one known for its vintage.
    from_dir : path, optional
        Import from this folder instead of the network: every vintage found of every dataset
        (or only ``vintage``).
    vintage : str, optional
        Vintage to take instead of each dataset's default (see the module docstring).
    url : str, optional
        Address of the file (a dataset of one file).
    timeout : float
        Seconds before a silent connection is abandoned.
    log : callable
        Called with one line per step (the command line prints them on stderr).

    Returns
    -------
    list of FetchResult
        One per file (``absent`` ones for ``from_dir``).

    Raises
    ------
    FetchError
        After every file was tried, naming each file that could not be had or accepted (files
        done are kept and recorded in the manifest); with ``from_dir``, also when the zoning
        (a :attr:`RemoteFile.required` file) or every file is absent.
    ParameterError
        For a vintage a dataset does not know, or ``url`` for a dataset of several files.
    """
    raw_dir = Path(raw_dir)
    raw_dir.mkdir(parents=True, exist_ok=True)
    manifest = load_manifest(raw_dir)
    results: list[FetchResult] = []
    failures: list[str] = []
    try:
        if from_dir is not None:
            folder = Path(from_dir)
            _import_all(
                sources, folder, raw_dir, manifest, update, vintage, timeout, results, failures, log
            )
        else:
            _download_all(
                sources, raw_dir, manifest, update, vintage, url, timeout, results, failures, log
            )
    finally:
        _save_manifest(raw_dir, manifest)
    if from_dir is not None and (missing := _missing_zoning(Path(from_dir), results)):
        failures.append(missing)
    if len(failures) == 1:
        raise FetchError(failures[0])
    if failures:
        raise FetchError(f"{len(failures)} problems: " + "; ".join(failures))
    return results


def _download_all(
    sources, raw_dir, manifest, update, vintage, url, timeout, results, failures, log
):
    done: set[tuple[str, str]] = set()
    for source in sources:
        if (vintage is not None or url is not None) and source.name in {n for n, _ in done}:
            continue  # one entry per dataset when a vintage or an address is given
        try:
            target = _resolve(source, vintage, url, timeout)
        except FetchError as exc:
            failures.append(str(exc))
            log(f"failed: {exc}")
            continue
        if (target.name, target.vintage) in done:
            continue
        done.add((target.name, target.vintage))
        if not target.files:
            missing = (
                f"{target.name} {target.vintage}: no confirmed file address; give --url (see "
                f"{target.page}) or use --from DIR"
            )
            if vintage is not None:  # asked for by name: a failure
                failures.append(missing)
            log(f"skipped: {missing}")
            continue
        for remote in target.files:
            if remote.url is None:
                missing = (
                    f"{target.name} {target.vintage}: no confirmed address for {remote.name}; "
                    f"give --url (see {target.page}) or use --from DIR"
                )
                if vintage is not None:  # asked for by name: a failure
                    failures.append(missing)
                log(f"skipped: {missing}")
                continue
            try:
                results.append(
                    _fetch_one(target, remote, raw_dir, manifest, update, None, timeout, log)
                )
            except FetchError as exc:
                failures.append(str(exc))
                log(f"failed: {exc}")


def _local_index(folder: Path) -> dict[str, list[Path]]:
    """Files below ``folder`` by lower-case name."""
    index: dict[str, list[Path]] = {}
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                index.setdefault(path.name.lower(), []).append(path)
    return index


def _find_local(folder: Path, index, source: Source, remote: RemoteFile) -> Path:
    for name in (remote.name, *remote.also):
        candidates = [
            folder / source.name / source.vintage / name,
            folder / source.name / name,
            folder / name,
        ]
        for candidate in candidates:
            if candidate.is_file():
                return candidate
        anywhere = index.get(name.lower(), [])
        if len(anywhere) == 1:
            return anywhere[0]
        if len(anywhere) > 1:
            raise FetchError(
                f"{name} of {source.name} found {len(anywhere)} times under "
                f"{folder}: {', '.join(str(p) for p in anywhere)}; keep one"
            )
    raise _Absent(remote.name)


def _import_all(
    sources, folder, raw_dir, manifest, update, vintage, timeout, results, failures, log
):
    index = _local_index(folder)
    by_name: dict[str, list[Source]] = {}
    for source in sources:
        by_name.setdefault(source.name, []).append(source)
    for name, entries in by_name.items():
        first = entries[0]
        if vintage is not None and vintage != LATEST and not knows(first, vintage):
            raise ParameterError(
                f"{name}: unknown vintage {vintage!r}; known: "
                f"{', '.join(v.vintage for v in first.known())} (see 'fetch --list')"
            )
        vintages = {v.vintage: s for s in entries for v in s.known()}
        for filename in index:
            for pattern in first.patterns:
                if (found := pattern.vintage_of(filename)) is not None:
                    vintages.setdefault(found, first)
        if vintage == LATEST:
            present = [v for v in vintages if _located(folder, index, vintages[v].at(v))]
            chosen = [max(present, key=vintage_key)] if present else []
        elif vintage is not None:
            chosen = [first.normalize(vintage)]
            vintages.setdefault(chosen[0], first)
        else:
            chosen = sorted(vintages, key=vintage_key)
        any_found = False
        for each in chosen:
            target = vintages[each].at(each)
            located = _located(folder, index, target)
            if not located:
                continue
            any_found = True
            for remote in target.files:
                place = located.get(remote.name)
                if isinstance(place, FetchError):
                    failures.append(str(place))
                    log(f"failed: {place}")
                elif place is None:
                    results.append(_absent(target, remote))
                else:
                    try:
                        results.append(
                            _fetch_one(
                                target, remote, raw_dir, manifest, update, place, timeout, log
                            )
                        )
                    except FetchError as exc:
                        failures.append(str(exc))
                        log(f"failed: {exc}")
        if not any_found:
            shown = first.at(chosen[0]) if vintage not in (None, LATEST) and chosen else first
            for remote in shown.files:
                results.append(_absent(shown, remote))


def _located(folder, index, target: Source) -> dict:
    """``{file name: local path or FetchError}`` of the files of ``target`` found below
    ``folder`` (empty when none is)."""
    located: dict = {}
    for remote in target.files:
        try:
            located[remote.name] = _find_local(folder, index, target, remote)
        except _Absent:
            located[remote.name] = None
        except FetchError as exc:
            located[remote.name] = exc
    return located if any(v is not None for v in located.values()) else {}


def _absent(source: Source, remote: RemoteFile) -> FetchResult:
    return FetchResult(
        source.name,
        remote.name,
        Path(remote.name),
        "absent",
        "",
        0,
        source.vintage,
        remote.required,
    )


def _missing_zoning(folder: Path, results: list[FetchResult]) -> str | None:
    """What is wrong when every file, or the zoning (a required file), is absent from
    ``folder``; None when nothing is."""
    present = [r for r in results if r.status != "absent"]
    if not present:
        names = sorted({r.name for r in results})
        looked = f" (looked for {', '.join(names)})" if names else ""
        return f"nothing imported: the official files are not found under {folder}{looked}"
    needed = {r.source for r in results if r.required}
    missing = needed - {r.source for r in present if r.required}
    if not missing:
        return None
    names = sorted({r.name for r in results if r.required and r.source in missing})
    return (
        f"the zoning ({' or '.join(names)}) is not found under {folder}: nothing can be "
        "rendered without it (the other files found were imported)"
    )


def _fetch_one(source, remote, raw_dir, manifest, update, local, timeout, log):
    """Download ``remote`` (or copy ``local``) into ``data/raw`` and record it."""
    name = local.name if local is not None else remote.name
    target = raw_dir / source.name / source.vintage / name
    key = f"{source.name}/{source.vintage}/{name}"
    target.parent.mkdir(parents=True, exist_ok=True)
    known = manifest["files"].get(key, {})
    expected = (remote.sha256 if name == remote.name else None) or known.get("sha256")
    if target.exists() and not update and known.get("sha256") == sha256_of(target):
        log(f"unchanged: {key}")
        return FetchResult(
            source.name,
            name,
            target,
            "unchanged",
            known["sha256"],
            target.stat().st_size,
            source.vintage,
            remote.required,
        )
    part = target.with_name(target.name + ".part")
    final = None
    if local is not None:
        shutil.copyfile(local, part)
        origin, status = str(local), "imported"
    else:
        log(f"downloading: {remote.url}")
        final = _download(remote.url, part, timeout)
        origin, status = remote.url, "downloaded"
    try:
        _check_content(part, target.suffix, origin)
    except FetchError:
        part.unlink(missing_ok=True)
        raise
    digest = sha256_of(part)
    if expected and digest != expected and not update:
        rejected = target.with_name(target.name + ".rejected")
        part.replace(rejected)
        raise FetchError(
            f"{key}: sha256 {digest[:16]}… differs from the expected {expected[:16]}… for this "
            f"vintage; the publisher may have replaced the file. Kept aside as {rejected.name}; "
            "run fetch with --update to accept it"
        )
    part.replace(target)
    entry = {
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
    if final and final != remote.url:
        entry["resolved_url"] = final
    manifest["files"][key] = entry
    log(f"{'imported' if local is not None else 'downloaded'}: {key}")
    size = target.stat().st_size
    return FetchResult(
        source.name, name, target, status, digest, size, source.vintage, remote.required
    )
