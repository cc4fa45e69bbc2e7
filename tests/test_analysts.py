"""Analysts' text: the fixed file set, the front matter of methode.md, French dates, escaping."""

import re
import warnings
from datetime import date

import nbformat
import pytest

from bassin_lib.errors import BassinWarning, DataFormatError, ParameterError
from bassin_lib.inputs import datasets
from bassin_lib.paths import DATA_DIR
from bassin_lib.rendering import analysts, blocks, french, page

METHOD = """---
dates: [2024-04-04, 2024-03-12, 2024-03-12, 2024-03-28]
entretiens: 8
personnes: 11
structures:
  - agences d'emploi
  - mission locale
---
Texte libre sur la méthode.
"""


def _folder(tmp_path, files: dict[str, str], territory="ZZ01"):
    folder = tmp_path / territory
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def test_front_matter_fields_are_read_sorted_and_checked():
    method = analysts.parse_method(METHOD)
    # the repeated date counts once; dates are sorted
    assert method.dates == (date(2024, 3, 12), date(2024, 3, 28), date(2024, 4, 4))
    assert (method.interviews, method.people) == (8, 11)
    assert method.organisations == ("agences d'emploi", "mission locale")
    assert method.text == "Texte libre sur la méthode."


def test_method_without_front_matter_is_only_text():
    method = analysts.parse_method("Entretiens menés en 2024.\n")
    assert method.dates == () and method.interviews is None
    assert method.text == "Entretiens menés en 2024."


@pytest.mark.parametrize(
    "text, message",
    [
        ("---\nentretiens: 8\n", r"methode\.md, line 1: front matter opened by '---' is never"),
        ("---\nentretiens: 8\nlieu: Valdieu\n---\n", r"methode\.md, line 3: unknown field 'lieu'"),
        ("---\ndates: [2024-03-12,\n  2024-13-01]\n---\n", r"methode\.md, line 3: date '2024-13"),
        ("---\ndates: 12/03/2024\n---\n", r"methode\.md, line 2: date '12/03/2024' is not"),
        ("---\npersonnes: onze\n---\n", r"methode\.md, line 2: 'personnes' must be a whole"),
        ("---\nentretiens: 8\nentretiens: 9\n---\n", r"line 3: field 'entretiens' given twice"),
        ("---\nentretiens: [8\n---\n", r"methode\.md, line \d: invalid front matter"),
        ("---\n- 8\n---\n", r"methode\.md, line 2: the front matter must be fields"),
    ],
)
def test_malformed_front_matter_names_file_and_line(text, message):
    with pytest.raises(DataFormatError, match=message):
        analysts.parse_method(text, "methode.md")


def test_load_reads_the_fixed_files_in_report_order(tmp_path):
    _folder(
        tmp_path,
        {
            "methode.md": METHOD,
            "preconisations.md": "Former.",
            "synthese.md": "Synthèse.",
            "secteurs.md": "Vue d'ensemble.",
            "secteurs/b-logistique.md": "# Logistique\n\nTexte.",
            "secteurs/a-batiment_travaux.md": "Sans titre.",
            "enjeux.md": "   \n",  # empty: as if absent
            ".DS_Store": "x",  # hidden: skipped without a word
        },
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = analysts.load("ZZ01", tmp_path)
    assert loaded.exists and not loaded.empty
    assert [name for name, _ in loaded.sectors] == [
        "secteurs.md",
        "secteurs/a-batiment_travaux.md",
        "secteurs/b-logistique.md",
    ]
    # a story without a heading gets one from its file name
    assert loaded.sectors[1][1].startswith("# A batiment travaux\n")
    assert list(loaded.sections) == ["synthese.md", "preconisations.md"]
    assert [p.name for p in loaded.files] == [
        "methode.md",
        "preconisations.md",
        "a-batiment_travaux.md",
        "b-logistique.md",
        "secteurs.md",
        "synthese.md",
    ]


def test_unknown_files_are_ignored_with_a_warning_naming_them(tmp_path):
    _folder(tmp_path, {"synthese.md": "Texte.", "notes.txt": "brouillon", "secteurs/x.docx": "?"})
    with pytest.warns(BassinWarning, match=r"not an analysts' file, ignored") as seen:
        loaded = analysts.load("ZZ01", tmp_path)
    named = sorted(str(w.message).split(":")[0].split("ZZ01/")[1] for w in seen)
    assert named == ["notes.txt", "secteurs/x.docx"]
    assert all("synthese.md" in str(w.message) for w in seen)  # the accepted names are listed
    assert list(loaded.sections) == ["synthese.md"]


def test_non_utf8_file_is_an_error_naming_it(tmp_path):
    folder = _folder(tmp_path, {})
    folder.mkdir()
    (folder / "synthese.md").write_bytes("ligne 1\nd\xe9but".encode("latin-1"))
    with pytest.raises(DataFormatError, match=r"synthese\.md, line 2: not UTF-8"):
        analysts.load("ZZ01", tmp_path)


def test_missing_root_folder_is_a_parameter_error(tmp_path):
    with pytest.raises(ParameterError, match="analyses_dir .*no such folder"):
        analysts.load("ZZ01", tmp_path / "absent")


def test_territory_without_folder_says_so_and_invents_no_method():
    loaded = analysts.load("XX99")
    assert not loaded.exists and loaded.empty
    section = analysts.stakes_section(loaded).data
    assert section == (
        "*Aucun texte d'analyste n'a été déposé pour ce territoire (dossier "
        "data/analyses/XX99/) : cette partie du diagnostic n'est pas renseignée.*"
    )
    method = analysts.method(loaded).data
    assert "Aucun entretien n'est consigné pour ce territoire" in method
    assert "Dates" not in method and "personnes" not in method
    assert analysts.sector_stories(loaded) is None


def test_method_block_in_french():
    loaded = analysts.Analyses(
        territory="ZZ01", folder=DATA_DIR, exists=True, method=analysts.parse_method(METHOD)
    )
    text = analysts.method(loaded).data
    assert "- Entretiens : 8 entretiens avec 11 personnes" in text
    assert "- Dates des entretiens : 12 et 28 mars 2024 et 4 avril 2024" in text
    assert "- Structures rencontrées : agences d'emploi et mission locale" in text


def test_french_dates():
    assert french.french_date(date(2024, 3, 12)) == "12 mars 2024"
    assert french.french_date(date(2024, 4, 1)) == "1er avril 2024"
    assert (
        french.french_dates((date(2024, 3, 1), date(2024, 3, 14), date(2024, 4, 4)))
        == "1er et 14 mars 2024 et 4 avril 2024"
    )
    many = tuple(date(2024, 3, d) for d in range(2, 20, 2)) + (date(2024, 4, 4),)
    assert french.french_dates(many) == "du 2 mars 2024 au 4 avril 2024 (10 journées)"


def test_headings_go_under_the_report_headings_outside_code():
    text = "# Titre\n\n## Sous-titre\n\n```\n# pas un titre\n```\n#sans espace"
    assert analysts.shift_headings(text) == (
        "#### Titre\n\n##### Sous-titre\n\n```\n# pas un titre\n```\n#sans espace"
    )


def test_links_other_than_web_and_mail_are_made_inert():
    text = (
        "[a](javascript:alert(1)) [b](https://www.insee.fr) [c]( JavaScript:x) "
        "![d](data:text/html;base64,xx) [e](mailto:x@y.fr) [f](#ancre)\n[g]: vbscript:x"
    )
    assert blocks.safe_links(text) == (
        "[a](#) [b](https://www.insee.fr) [c]( #) ![d](#) [e](mailto:x@y.fr) [f](#ancre)\n[g]: #"
    )


def _html(outputs) -> str:
    """Export Markdown display outputs as a report page (no kernel needed)."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("display(...)")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/markdown": out.data}) for out in outputs
    ]
    nb.cells = [cell]
    return page.notebook_to_html(nb, "Essai")


SCRIPT = "<script>alert(1)</script>"


def test_script_in_an_analysts_file_is_text_in_the_html(tmp_path):
    _folder(
        tmp_path,
        {
            "methode.md": f"---\nstructures: ['{SCRIPT}']\n---\nMéthode {SCRIPT}",
            "synthese.md": f"# Titre {SCRIPT}\n\n> « {SCRIPT} »",
            "secteurs/auto.md": f"[lien](javascript:alert(1)) {SCRIPT}",
        },
    )
    loaded = analysts.load("ZZ01", tmp_path)
    html = _html(
        [
            analysts.method(loaded),
            analysts.sector_stories(loaded),
            analysts.stakes_section(loaded),
        ]
    )
    body = html[html.index("<main") :]
    assert "<script>alert(1)" not in body and 'href="javascript:' not in body
    assert body.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 5
    assert "<blockquote>" in body  # quotes keep their Markdown


def test_script_in_a_group_label_from_yaml_is_text_in_the_html(tmp_path):
    groups = tmp_path / "groups.yaml"
    groups.write_text(
        f'groups:\n  piege:\n    label: "Pôle {SCRIPT}"\n    zones: ["DA01", "DA02"]\n',
        encoding="utf-8",
    )
    cube = datasets.build("demo", groups_file=groups)
    t = cube.territory("piege")
    html = _html(
        [
            blocks.title_block(cube, t, "essai"),
            blocks.identity(cube, t),
            analysts.stakes_section(analysts.load(t.id)),
        ]
    )
    body = html[html.index("<main") :]
    assert "<script>alert(1)" not in body
    assert len(re.findall(r"Pôle &lt;script&gt;alert\(1\)&lt;/script&gt;", body)) == 2


def test_the_demo_example_folder_is_marked_fictitious_and_reads_cleanly():
    folder = analysts.ANALYSES_DIR / "DA01"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = analysts.load("DA01")
    assert loaded.method.interviews == 7 and loaded.method.people == 10
    assert len(loaded.method.dates) == 5 and len(loaded.sectors) == 3
    assert list(loaded.sections) == list(analysts.SECTION_FILES)
    for path in folder.rglob("*.md"):
        assert "xemple fictif" in path.read_text(encoding="utf-8"), path
