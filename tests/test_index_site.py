"""The index page of an edition (bassin_lib.rendering.index_site: render_index,
territory_shapes, index_map): map links, status, escaping, numeric sort keys, columns from the
registry and page size, without a browser."""

import math
import re
import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from bassin_lib.analysis import registry
from bassin_lib.errors import BassinWarning
from bassin_lib.inputs import datasets
from bassin_lib.rendering import changes, index_site

SVG = "{http://www.w3.org/2000/svg}"
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def demo_cube():
    return datasets.build("demo")


def _shapes(rows, crs=None):
    """GeoDataFrame of the map from ``(territory, label, kind, geometry)`` rows."""
    frame = pd.DataFrame([r[:3] for r in rows], columns=["territory", "label", "kind"])
    return gpd.GeoDataFrame(frame, geometry=[r[3] for r in rows], crs=crs)


def _record(territory, status="ok", label=None, **extra):
    rendered = status in ("ok", "cached")
    return {
        "territory": territory,
        "label": label or f"Zone {territory}",
        "status": status,
        "seconds": 2.0 if rendered else None,
        "error": "",
        "report": f"{territory}/diagnostic.html" if rendered else "",
        **extra,
    }


def _svg(page_or_map) -> ET.Element:
    """The map's SVG element, parsed as XML (which also proves it is well-formed)."""
    text = page_or_map if isinstance(page_or_map, str) else index_site.render_map(page_or_map)
    return ET.fromstring(text[text.index("<svg") : text.index("</svg>") + len("</svg>")])


def _links(svg: ET.Element) -> dict[str, str]:
    """href → tooltip of every link of the map."""
    return {a.get("href"): a.find(f"{SVG}title").text for a in svg.iter(f"{SVG}a")}


def _fills(svg: ET.Element) -> dict[str, str]:
    """Tooltip's first word (the label) → fill colour of every zone of the map."""
    out = {}
    for element in svg.iter():
        title = element.find(f"{SVG}title")
        path = element if element.tag == f"{SVG}path" else element.find(f"{SVG}path")
        if title is not None and path is not None:
            out[title.text.split(" (")[0]] = path.get("fill")
    return out


FOUR_SQUARES = [
    ("A", "Zone A", "zone", box(0, 0, 10, 10)),
    ("B", "Zone B", "zone", box(10, 0, 20, 10)),
    ("C", "Zone C", "zone", box(0, 10, 10, 20)),
    ("D", "Zone D", "zone", box(10, 10, 20, 20)),
    ("G", "Groupe G", "group", box(0, 0, 20, 10)),
]


# --- territory_shapes -----------------------------------------------------------------------


def test_territory_shapes_are_the_regions_zones_then_dissolved_groups(demo_cube):
    shapes = index_site.territory_shapes(demo_cube, ["DA01", "DB03", "pole-fictif-alpha"])
    zones = [f"D{r}{i:02d}" for r in "AB" for i in range(1, 11)]  # regions RA and RB only
    assert list(shapes["territory"]) == [*zones, "pole-fictif-alpha"]
    assert list(shapes["kind"]) == ["zone"] * 20 + ["group"]
    assert shapes["label"].iloc[-1] == "Pôle fictif Alpha (DA01 + DA02)"
    assert shapes["label"].iloc[0] == demo_cube.referentiel.zones.at["DA01", "label"]
    # the group is the union of two Voronoi cells that do not overlap: its area is their sum
    geometry = demo_cube.geometry.set_index("zone").geometry
    group = shapes.geometry.iloc[-1]
    assert group.area == pytest.approx(geometry["DA01"].area + geometry["DA02"].area)
    assert group.covers(geometry["DA01"]) and group.covers(geometry["DA02"])


def test_territory_shapes_without_rendered_territory_draw_every_zone(demo_cube):
    shapes = index_site.territory_shapes(demo_cube, [])
    assert len(shapes) == 30 and set(shapes["kind"]) == {"zone"}


def test_territory_shapes_leave_out_unknown_ids_with_a_warning(demo_cube):
    with pytest.warns(BassinWarning, match="unknown territory 'ZZ99'"):
        shapes = index_site.territory_shapes(demo_cube, ["DA01", "ZZ99"])
    assert "ZZ99" not in set(shapes["territory"]) and "DA01" in set(shapes["territory"])


def test_territory_shapes_none_without_geometry(tiny_cube):
    assert tiny_cube.geometry is None
    assert index_site.territory_shapes(tiny_cube, ["0051", "duo"]) is None


# --- the map --------------------------------------------------------------------------------


def test_map_links_rendered_territories_only_and_outlines_groups():
    records = [_record("A"), _record("B", "cached"), _record("C", "failed"), _record("G")]
    records[2]["report"] = "C/diagnostic.html"  # a failed run's folder is never linked
    headline = {"A": {"unemployment_rate": 6.0}, "B": {"unemployment_rate": 8.0}}
    drawn = index_site.index_map(_shapes(FOUR_SQUARES), records, headline)
    svg = _svg(drawn)
    links = _links(svg)
    assert set(links) == {"A/diagnostic.html", "B/diagnostic.html", "G/diagnostic.html"}
    assert drawn.links == 3
    assert links["G/diagnostic.html"] == (
        "Groupe G (groupe de zones) : diagnostic disponible, taux de chômage non disponible"
    )
    fills = _fills(svg)
    assert fills["Zone C"] == fills["Zone D"] == index_site.MAP_NO_REPORT
    titles = [t.text for t in svg.iter(f"{SVG}title")]
    assert "Zone C (C) : échec du diagnostic" in titles
    assert "Zone D (D) : pas de diagnostic dans cette édition" in titles
    # the group is drawn last (on top), as an outline
    last = list(svg)[-1]
    assert last.get("href") == "G/diagnostic.html"
    assert last.find(f"{SVG}path").get("fill") == "none"
    assert ("group", "groupe de zones (contour)") in drawn.legend


def test_map_colours_by_unemployment_rate_in_equal_intervals():
    records = [_record(t) for t in "ABCD"]
    headline = {
        "A": {"unemployment_rate": 6.0, "unemployment_period": "2024Q4"},
        "B": {"unemployment_rate": 8.0},
        "C": {"unemployment_rate": 10.0},
        "D": {"employment_change_pct": 1.0},  # rendered, but without the map's figure
    }
    drawn = index_site.index_map(_shapes(FOUR_SQUARES[:4]), records, headline)
    # three distinct values → three classes of width (10 - 6) / 3 = 1.333..., bounds 6, 7.33,
    # 8.67, 10; the palette's 5 steps are spread as steps 0, 2 and 4; 8 falls in class
    # int((8 - 6) / 4 * 3) = 1 and 10 in the last class
    palette = index_site.MAP_PALETTE
    assert _fills(_svg(drawn)) == {
        "Zone A": palette[0],
        "Zone B": palette[2],
        "Zone C": palette[4],
        "Zone D": index_site.MAP_NO_FIGURE,
    }
    assert drawn.title == "Taux de chômage (dernier trimestre) des territoires rendus"
    assert drawn.legend[:4] == [
        (palette[0], f"de 6,0{NBSP}% à 7,3{NBSP}%"),
        (palette[2], f"de 7,3{NBSP}% à 8,7{NBSP}%"),
        (palette[4], f"de 8,7{NBSP}% à 10,0{NBSP}%"),
        (index_site.MAP_NO_FIGURE, "diagnostic rendu, chiffre non disponible"),
    ]
    links = _links(_svg(drawn))
    assert links["A/diagnostic.html"] == f"Zone A (A) : taux de chômage 6,0{NBSP}% (T4 2024)"


def test_map_falls_back_to_employment_change_when_no_rate_is_known():
    headline = {
        "A": {"employment_change_pct": -4.93, "employment_window": "2019Q4-2020Q4"},
        "B": {"employment_change_pct": 2.0},
    }
    drawn = index_site.index_map(_shapes(FOUR_SQUARES[:2]), [_record("A"), _record("B")], headline)
    assert drawn.title.startswith("Évolution de l'emploi salarié privé")
    assert _links(_svg(drawn))["A/diagnostic.html"] == (
        f"Zone A (A) : évolution de l'emploi salarié privé -{NBSP}4,9{NBSP}% (T4 2019 – T4 2020)"
    )


def test_map_projection_flips_y_and_fits_the_view_box():
    # 10 × 20 units, taller than wide: the longer side becomes MAP_WIDTH = 1000 units, so the
    # scale is 50 and the drawing 500 × 1000, in a view box with a margin of 4 on each side;
    # north (y = 20) is at the top (SVG y = 0)
    shapes = _shapes(
        [("S", "Sud", "zone", box(0, 0, 10, 10)), ("N", "Nord", "zone", box(0, 10, 10, 20))]
    )
    svg = _svg(index_site.index_map(shapes, [], {}))
    assert svg.get("viewBox") == "-4 -4 508 1008"
    paths = {p.find(f"{SVG}title").text.split(" ")[0]: p.get("d") for p in svg.iter(f"{SVG}path")}

    def points(d):  # absolute start, then relative steps
        numbers = [float(n) for n in re.findall(r"-?\d*\.?\d+", d)]
        xy = np.cumsum(np.reshape(numbers, (-1, 2)), axis=0)
        return xy

    north, south = points(paths["Nord"]), points(paths["Sud"])
    assert north[:, 1].min() == 0 and north[:, 1].max() == 500
    assert south[:, 1].min() == 500 and south[:, 1].max() == 1000
    assert sorted(set(north[:, 0])) == [0, 500]


def test_far_shapes_are_drawn_in_an_inset_and_longitudes_shrink_with_latitude():
    mainland = [(f"M{i}", f"Continent {i}", "zone", box(i, 45, i + 1, 47)) for i in range(2)]
    island = [("I1", "Île", "zone", box(55, -21.5, 55.5, -21))]
    drawn = index_site.index_map(_shapes(mainland + island, crs="EPSG:4326"), [], {})
    svg = _svg(drawn)
    # mainland 2° × 2° at 46° N: width 2 · cos(46°) = 1.389 « degrees », height 2, so the scale
    # is 1000 / 2 = 500 and the panel 694.7 × 1000; the island's inset column (180 + gap 12)
    # comes first: 192 + 694.66 = 886.66, plus the margins (4 on each side)
    width = 192 + 2 * math.cos(math.radians(46)) * 500 + 8
    assert svg.get("viewBox") == f"-4 -4 {width:.1f} 1008"
    island_path = next(p for p in svg.iter(f"{SVG}path") if p.find(f"{SVG}title").text[:3] == "Île")
    start_x = float(re.match(r"M([\d.]+),", island_path.get("d")).group(1))
    assert start_x < 180
    # a group spanning the mainland and the island is drawn in both panels, moving neither
    group = [("G", "Groupe", "group", shapely.union_all([mainland[0][3], island[0][3]]))]
    svg = _svg(index_site.index_map(_shapes(mainland + island + group, crs="EPSG:4326"), [], {}))
    assert svg.get("viewBox") == f"-4 -4 {width:.1f} 1008"
    outline = list(svg)[-1].get("d")
    starts = sorted(float(x) for x in re.findall(r"M([\d.]+),", outline))
    assert len(starts) == 2 and starts[0] < 180 < 192 <= starts[1]


# --- the page -------------------------------------------------------------------------------


def test_labels_and_messages_from_data_are_escaped_in_map_and_table():
    evil = "<script>alert(1)</script>"
    shapes = _shapes(
        [("A", evil, "zone", box(0, 0, 1, 1)), ("B", "B & fils", "zone", box(1, 0, 2, 1))]
    )
    records = [
        _record("A", label=evil),
        _record(
            "B",
            "failed",
            label="B & fils",
            failure="cell_error",
            cell=3,
            error='<img src=x onerror="alert(2)">',
        ),
    ]
    page = index_site.render_index(records, "essai", "<b>note</b>", {}, shapes=shapes)
    assert page.count("<script") == 1  # the page's own sorting script, nothing else
    assert "<img" not in page and "<b>note" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in page
    titles = [t.text for t in _svg(page).iter(f"{SVG}title")]
    assert f"{evil} (A) : diagnostic disponible" in titles
    assert "B & fils (B) : échec du diagnostic" in titles


def test_table_keeps_status_failure_cell_message_and_seconds():
    records = [
        _record("A"),
        _record("B", "failed", failure="cell_error", cell=3, error="NameError: x"),
        _record("C", "failed", failure="timeout", cell="", error="cell timed out"),
        _record("XX", "rejected", label="territoire inconnu", failure="unknown_territory"),
    ]
    records[0]["seconds"] = 12.34
    page = index_site.render_index(records, "essai", None, {})
    assert "erreur dans une cellule (cellule 3) : NameError: x" in page
    assert "délai dépassé : cell timed out" in page and "territoire inconnu" in page
    assert ">12,3</td>" in page and 'data-sort="12.34"' in page
    assert "1 réussi · 0 à jour · 2 échec · 1 refusé" in page
    assert page.count('href="') == 1  # only A's report; no map without shapes
    assert "<svg" not in page


def test_numeric_cells_carry_their_raw_value_for_sorting():
    headline = {
        "A": {"employment_change_pct": -4.93, "unemployment_rate": 10.25, "poverty_rate": None},
        "B": {"employment_change_pct": 12.0, "unemployment_rate": 9.5, "poverty_rate": 14.0},
    }
    page = index_site.render_index([_record("A"), _record("B")], "essai", None, headline)
    rows = re.findall(r"<tr>(.*?)</tr>", page, flags=re.S)[1:]
    keys = [re.findall(r'class="num" data-sort="([^"]*)"', row) for row in rows]
    # employment, unemployment, poverty, seconds: raw numbers, "" when missing
    assert keys == [["-4.93", "10.25", "", "2.0"], ["12.0", "9.5", "14.0", "2.0"]]
    assert f">10,2{NBSP}%<" in page or f">10,3{NBSP}%<" in page  # shown in French
    assert page.count('<th data-type="number"') == 5 and page.count("<button") == 7


def test_demo_page_is_tens_of_kilobytes(demo_cube):
    ids = list(demo_cube.referentiel.ids)
    shapes = index_site.territory_shapes(demo_cube, ids)
    headline = {t: {"unemployment_rate": 5 + i / 10} for i, t in enumerate(ids)}
    page = index_site.render_index([_record(t) for t in ids], "demo", None, headline, shapes=shapes)
    assert len(_links(_svg(page))) == len(ids) == 32
    assert len(page.encode()) < 60_000


def test_page_of_300_detailed_zones_stays_well_under_a_megabyte():
    rng = np.random.default_rng(0)
    frame = box(0, 0, 1000, 1000)
    points = shapely.MultiPoint(rng.uniform(0, 1000, (300, 2)))
    cells = [c.intersection(frame) for c in shapely.voronoi_polygons(points, extend_to=frame).geoms]

    def wiggle(coords):  # a smooth function of position: shared borders stay shared
        x, y = coords[:, 0], coords[:, 1]
        return np.column_stack([x + 3 * np.sin(y / 2.0), y + 3 * np.sin(x / 2.5)])

    cells = [shapely.transform(shapely.segmentize(c, 0.2), wiggle) for c in cells]
    assert sum(shapely.get_num_coordinates(c) for c in cells) > 300_000
    ids = [f"Z{i:03d}" for i in range(300)]
    shapes = _shapes([(t, f"Zone {t}", "zone", c) for t, c in zip(ids, cells, strict=True)])
    headline = {t: {"unemployment_rate": float(i % 17)} for i, t in enumerate(ids)}
    page = index_site.render_index(
        [_record(t) for t in ids], "grand", None, headline, shapes=shapes
    )
    assert len(_links(_svg(page))) == 300
    assert len(page.encode()) < 700_000


def test_employment_column_names_the_window_of_the_reports():
    records = [
        {"territory": "DA01", "label": "Valdieu", "status": "ok", "seconds": 1.0, "error": "",
         "report": "DA01/diagnostic.html", "failure": "", "cell": ""},
    ]  # fmt: skip
    headline = {
        "DA01": {
            "employment_change_pct": -1.2,
            "employment_window": "2019Q4-2020Q4",
            "unemployment_rate": 7.1,
            "unemployment_period": "2024Q4",
        }
    }
    html = index_site.render_index(records, "essai", None, headline)
    assert "Évolution de l&#39;emploi salarié privé T4 2019 – T4 2020<" in html
    # a level keeps its title, whatever its quarter
    assert "Taux de chômage (dernier trimestre)<" in html and "T4 2024" not in html
    # reports of two windows: the column names none
    other = dict(headline["DA01"], employment_window="2018Q4-2020Q4")
    html = index_site.render_index(
        [*records, _record("DA02")], "essai", None, {"DA01": headline["DA01"], "DA02": other}
    )
    assert "Évolution de l&#39;emploi salarié privé<" in html


# --- columns and map follow the registry ------------------------------------------------------


def _with_extra_headline(monkeypatch, map_rank=None):
    """The registry's headlines plus one more (a job-seekers change), as a new entry would."""
    extra = registry.Indicator(
        "E1",
        "jobseekers_change",
        "Évolution des demandeurs d'emploi",
        "%",
        "jobseekers",
        "100 × (DE_fin − DE_début) / DE_début",
        "down",
        headline=registry.Headline(
            key="jobseekers_change_pct",
            compute="jobseekers_change_pct",
            title="Demandeurs d'emploi, évolution",
            short="évolution des demandeurs d'emploi",
            description="évolution des demandeurs d'emploi",
            signed=True,
            period_key="jobseekers_window",
            map_rank=map_rank,
        ),
    )
    monkeypatch.setattr(registry, "HEADLINES", (*registry.HEADLINES, extra))


def test_a_headline_added_to_the_registry_adds_a_column(monkeypatch):
    _with_extra_headline(monkeypatch)
    headline = {
        "A": {"unemployment_rate": 8.0, "jobseekers_change_pct": -3.26,
              "jobseekers_window": "2023Q4-2024Q4"},
        "B": {"unemployment_rate": 9.0, "jobseekers_change_pct": None,
              "jobseekers_window": "2023Q4-2024Q4"},
    }  # fmt: skip
    page = index_site.render_index([_record("A"), _record("B")], "essai", None, headline)
    headers = re.findall(r'<th data-type="number" class="num"><button type="button">(.*?)<', page)
    assert headers == [
        "Évolution de l&#39;emploi salarié privé",
        "Taux de chômage (dernier trimestre)",
        "Taux de pauvreté",
        "Demandeurs d&#39;emploi, évolution T4 2023 – T4 2024",
        "Durée (s)",
    ]
    rows = re.findall(r"<tr>(.*?)</tr>", page, flags=re.S)[1:]
    cells = [re.findall(r'<td class="num" data-sort="([^"]*)">([^<]*)</td>', row) for row in rows]
    assert cells[0][3] == ("-3.26", f"-{NBSP}3,3{NBSP}%")
    assert cells[1][3] == ("", "–")
    # not on the map without a map_rank
    shapes = _shapes(FOUR_SQUARES[:2])
    drawn = index_site.index_map(shapes, [_record("A"), _record("B")], headline)
    assert drawn.title.startswith("Taux de chômage")


def test_the_map_shows_the_known_headline_of_lowest_map_rank(monkeypatch):
    _with_extra_headline(monkeypatch, map_rank=0)
    headline = {
        "A": {"unemployment_rate": 8.0, "jobseekers_change_pct": -3.0,
              "jobseekers_window": "2023Q4-2024Q4"},
        "B": {"unemployment_rate": 9.0, "jobseekers_change_pct": 2.0},
    }  # fmt: skip
    drawn = index_site.index_map(_shapes(FOUR_SQUARES[:2]), [_record("A"), _record("B")], headline)
    assert drawn.title == "Demandeurs d'emploi, évolution des territoires rendus"
    assert _links(_svg(drawn))["A/diagnostic.html"] == (
        f"Zone A (A) : évolution des demandeurs d'emploi -{NBSP}3,0{NBSP}% (T4 2023 – T4 2024)"
    )
    assert drawn.legend[0][1] == f"de -{NBSP}3,0{NBSP}% à -{NBSP}0,5{NBSP}%"
    # unknown for every rendered zone: the next one by rank is used
    for figures in headline.values():
        figures["jobseekers_change_pct"] = None
    drawn = index_site.index_map(_shapes(FOUR_SQUARES[:2]), [_record("A"), _record("B")], headline)
    assert drawn.title.startswith("Taux de chômage")


def test_map_falls_back_to_poverty_then_to_no_figure():
    records = [_record("A"), _record("B")]
    drawn = index_site.index_map(_shapes(FOUR_SQUARES[:2]), records, {"A": {"poverty_rate": 14.0}})
    assert drawn.title == "Taux de pauvreté des territoires rendus"
    assert _links(_svg(drawn))["A/diagnostic.html"] == f"Zone A (A) : taux de pauvreté 14,0{NBSP}%"
    assert _links(_svg(drawn))["B/diagnostic.html"] == (
        "Zone B (B) : diagnostic disponible, taux de pauvreté non disponible"
    )
    drawn = index_site.index_map(_shapes(FOUR_SQUARES[:2]), records, {})
    assert drawn.title == "Territoires rendus dans cette édition"
    assert drawn.legend[0] == (index_site.MAP_PALETTE[2], "diagnostic disponible")


# --- an edition compared with the previous one ------------------------------------------------


def _figures(territory, label=None, **figures):
    """An indicators.json record of the index: the territory and its headline figures."""
    base = {"employment_change_pct": -1.0, "unemployment_rate": 7.0, "poverty_rate": 14.0}
    return {"territory": territory, "label": label or f"Zone {territory}", **base, **figures}


def _compared():
    """Edition 2024T4 against 2024T3: A moved 0,5 point, B 2,0 points, N is new, Z absent."""
    previous = {t: _figures(t) for t in ("A", "B", "Z")}
    current = {
        "A": _figures("A", unemployment_rate=7.5),
        "B": _figures("B", poverty_rate=12.0),
        "N": _figures("N"),
    }
    return current, changes.compare_editions(previous, current, previous_edition="2024T3")


def test_a_compared_edition_has_an_evolution_column_and_links_its_changes_page():
    current, compared = _compared()
    records = [_record("A"), _record("B"), _record("N"), _record("F", "failed")]
    page = index_site.render_index(records, "2024T4", None, current, changes=compared)
    assert page.count('<th data-type="number"') == 6  # status, 3 figures, evolution, seconds
    assert "Évolution depuis l'édition 2024T3<span" in page.replace("&#39;", "'")
    assert 'href="changes.html"' in page.replace("&#39;", "'")
    rows = {
        re.search(r'<td data-sort="(\w)">\1</td>', row).group(1): row
        for row in re.findall(r"<tr>(.*?)</tr>", page, flags=re.S)[1:]
    }
    cells = {t: re.search(r'<td class="change" data-sort="([^"]*)">([^<]*)</td>', row).groups()
             for t, row in rows.items()}  # fmt: skip
    assert cells["A"] == ("0.5", f"taux de chômage +{NBSP}0,5{NBSP}point")
    assert cells["B"] == ("2.0", f"taux de pauvreté -{NBSP}2,0{NBSP}points")
    assert cells["N"] == ("", "nouveau territoire")  # no movement: sorted last
    assert cells["F"] == ("", "–")  # failed: nothing compared


def test_an_edition_compared_with_none_has_neither_column_nor_link():
    current, _ = _compared()
    page = index_site.render_index([_record("A")], "2024T4", None, current)
    assert "Évolution depuis" not in page and "changes.html" not in page
    assert 'class="change"' not in page


def test_the_changes_page_ranks_territories_by_movement_and_lists_new_and_absent_ones():
    current, compared = _compared()
    current["A"]["label"] = "<script>alert(1)</script>"  # labels come from data
    compared = changes.compare_editions(
        {t: _figures(t) for t in ("A", "B", "Z")}, current, previous_edition="2024T3"
    )
    records = [_record("A"), _record("B"), _record("N")]
    page = index_site.render_changes(compared, "2024T4", "Données synthétiques", records,
                                     previous_dir="2024T3")  # fmt: skip
    text = page.replace("&#39;", "'")
    assert "<title>Ce qui a changé depuis l'édition 2024T3 – édition 2024T4</title>" in text
    assert '<a href="index.html">' in page and "Données synthétiques" in page
    body = page.split('<table id="changements" class="sortable">')[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)[1:]
    # B moved 2,0 points (poverty 14,0 → 12,0), A 0,5 point (unemployment 7,0 → 7,5)
    assert [re.findall(r'<td data-sort="(\w)">\1</td>', row) for row in rows] == [["B"], ["A"]]
    assert 'data-sort="2.0">2,0</td>' in rows[0] and 'data-sort="0.5">0,5</td>' in rows[1]
    assert f'data-sort="-2.0">14,0{NBSP}% → 12,0{NBSP}%</td>' in rows[0]
    assert f">7,0{NBSP}% → 7,5{NBSP}%</td>" in rows[1]
    assert '<a href="B/diagnostic.html">Zone B</a>' in rows[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rows[1] and page.count("<script") == 1
    new = page.split('id="nouveaux"')[1].split("</ul>")[0]
    assert '<a href="N/diagnostic.html">Zone N</a> (N)' in new
    absent = page.split('id="absents"')[1].split("</ul>")[0]
    assert "Territoires de l'édition 2024T3 sans diagnostic dans cette édition" in absent.replace(
        "&#39;", "'"
    )
    assert '<a href="../2024T3/Z/diagnostic.html">Zone Z</a> (Z)' in absent


def test_the_changes_page_says_when_there_is_nothing_new_nor_absent():
    previous = {"A": _figures("A")}
    compared = changes.compare_editions(previous, previous, previous_edition="2024T3")
    page = index_site.render_changes(compared, "2024T4", None, [_record("A")])
    text = page.replace("&#39;", "'")
    assert "Aucun : chaque territoire de cette édition figurait dans l'édition 2024T3." in text
    assert "Aucun : chaque territoire de l'édition 2024T3 a son diagnostic" in text
    assert ">aucun changement</td>" in page


def test_the_index_reads_only_the_headline_figures_of_a_record():
    """indicators.json also keeps the edition, the series, the qualifiers and the failed checks:
    the table's columns are the registry's headline figures, whatever else a record holds."""
    record = _figures(
        "A",
        edition="2024T4",
        data_source="demo",
        series={"employment": {"2024Q4": 12345.0}},
        qualifiers={"crisis": {"emploi salarié privé, France": "comparable"}},
        checks_failed=[{"section": "jobseekers", "check": "abc_sum", "detail": "..."}],
    )
    page = index_site.render_index([_record("A")], "2024T4", None, {"A": record})
    assert page.count('<th data-type="number"') == 5 and page.count('<td class="num"') == 4
    assert "12345" not in page and "comparable" not in page and "abc_sum" not in page
