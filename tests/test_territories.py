import pandas as pd
import pytest
from conftest import TINY_GROUPS, TINY_ZONES

from bassin_lib.errors import DataFormatError, ParameterError, UnknownTerritoryError
from bassin_lib.inputs.territories import Referentiel, load_groups


@pytest.fixture
def referentiel():
    return Referentiel(TINY_ZONES.copy(), TINY_GROUPS)


def test_zone_resolves_with_its_region_and_departements(referentiel):
    t = referentiel.resolve("2705")
    assert (t.kind, t.label, t.zones, t.region, t.departements) == (
        "zone",
        "Zone Deux",
        ("2705",),
        "R1",
        ("01", "02"),
    )


def test_group_resolves_to_member_zones_and_majority_region(referentiel):
    t = referentiel.resolve("duo")
    assert t.kind == "group" and t.zones == ("0051", "2705") and t.region == "R1"


def test_unknown_id_lists_close_matches(referentiel):
    with pytest.raises(
        UnknownTerritoryError, match=r"unknown territory '2750'.*2705 \(Zone Deux\)"
    ):
        referentiel.resolve("2750")


def test_label_search_finds_the_zone(referentiel):
    assert referentiel.suggestions("trois")[0] == "2714 (Zone Trois)"


def test_integer_code_is_refused_with_the_string_to_use(referentiel):
    with pytest.raises(ParameterError, match=r"must be a string.*'0051'"):
        referentiel.resolve(51)


def test_validate_splits_valid_and_unknown_and_drops_duplicates(referentiel):
    valid, errors = referentiel.validate(["0051", "nope", "0051", "duo"])
    assert [t.id for t in valid] == ["0051", "duo"]
    assert len(errors) == 1 and errors[0].territory == "nope"


def test_groups_yaml_keeps_codes_as_strings(tmp_path):
    path = tmp_path / "groups.yaml"
    # unquoted 0051 would be the number 41 (octal) or 51 with a default YAML loader
    path.write_text(
        "groups:\n  pair: [0051, 2705]\n  named:\n    label: Nommé\n    zones: ['2714']\n"
    )
    groups = load_groups(path, TINY_ZONES)
    assert groups["pair"] == {"label": "Zone Un + Zone Deux", "zones": ("0051", "2705")}
    assert groups["named"]["label"] == "Nommé"


@pytest.mark.parametrize(
    "content, message",
    [
        ("groups:\n  pair: ['0051', '9999']\n", r"group 'pair': unknown zone '9999'"),
        ("groups:\n  Bad_Id: ['0051']\n", r"lower-case slug"),
        ("groups:\n  pair: ['0051', '0051']\n", r"listed twice"),
        ("groups:\n  pair: {label: x}\n", r"list of zone codes"),
        ("groups: [\n", r"not valid YAML"),
    ],
)
def test_bad_groups_file_names_file_and_problem(tmp_path, content, message):
    path = tmp_path / "groups.yaml"
    path.write_text(content)
    with pytest.raises(DataFormatError, match=message):
        load_groups(path, TINY_ZONES)


def test_zone_codes_must_be_four_character_strings():
    zones = TINY_ZONES.copy()
    zones["zone"] = zones["zone"].astype(object)
    zones.loc[0, "zone"] = 51
    with pytest.raises(DataFormatError, match=r"row 0, column 'zone': 51"):
        Referentiel(zones)


def test_group_id_may_not_shadow_a_zone_code():
    with pytest.raises(DataFormatError, match="also zone codes"):
        Referentiel(TINY_ZONES.copy(), {"0051": {"label": "x", "zones": ("2705",)}})


def test_project_groups_files_parse(demo_data):
    from bassin_lib.paths import GROUPS_FILES

    demo_groups = load_groups(GROUPS_FILES["demo"], demo_data.zones)
    assert demo_groups
    real_zones = pd.DataFrame(
        {
            "zone": ["2705", "2714"],
            "label": ["Belfort", "Montbéliard"],
            "region": ["27", "27"],
            "region_label": ["BFC", "BFC"],
            "departements": ["90,70", "25,70,90"],
        }
    )
    assert load_groups(GROUPS_FILES["real"], real_zones)["nord-franche-comte"]["zones"] == (
        "2705",
        "2714",
    )
