import bassin_lib.analysis as ind
from bassin_lib.analysis import registry
from bassin_lib.inputs import schemas


def test_every_indicator_function_has_an_entry_and_every_entry_a_function():
    functions = set(ind.__all__)
    declared = {entry.function for entry in registry.REGISTRY}
    assert functions - declared == set(), "functions without registry entry"
    assert declared - functions == set(), "registry entries without function"
    assert all(callable(getattr(ind, name)) for name in declared)


def test_entries_are_complete_and_unique():
    ids = [entry.id for entry in registry.REGISTRY]
    assert len(ids) == len(set(ids))
    for entry in registry.REGISTRY:
        assert entry.label and entry.formula and entry.unit
        assert entry.favourable in {"up", "down", "neutral"}
        assert entry.source in schemas.SCHEMAS


def test_glossary_lists_every_indicator_in_french():
    text = registry.glossary_markdown()
    assert text.count("\n") == len(registry.REGISTRY) + 1
    assert "Taux de chômage localisé" in text and "Sens favorable" in text


def test_glossary_renders_as_one_table_row_per_indicator():
    import mistune  # the Markdown renderer nbconvert uses

    html = mistune.create_markdown(plugins=["table"])(registry.glossary_markdown())
    assert html.count("<tr>") == len(registry.REGISTRY) + 1


def test_glossary_names_each_dataset_in_french_not_by_its_table_id():
    from bassin_lib.rendering import blocks

    assert {entry.source for entry in registry.REGISTRY} <= set(blocks.TABLE_SUBJECTS)
    text = registry.glossary_markdown(blocks.TABLE_SUBJECTS)
    for entry in registry.REGISTRY:
        if "_" in entry.source:
            assert f"| {entry.source} |" not in text
    assert "| emploi salarié privé |" in text


def test_every_headline_is_computed_by_its_declared_function(demo_cube):
    from bassin_lib.analysis import headlines

    keys = [entry.headline.key for entry in registry.HEADLINES]
    assert keys and len(keys) == len(set(keys))
    for entry in registry.HEADLINES:
        assert callable(getattr(headlines, entry.headline.compute))
    numbers = headlines.compute(demo_cube, demo_cube.territory("DA01"))
    assert list(numbers)[:2] == ["territory", "label"]
    assert set(numbers) == {"territory", "label", *keys, *headlines.context_keys()}


def test_a_headline_matches_its_indicator(demo_cube):
    """The headline numbers are the indicators' own figures, not a second computation."""
    from bassin_lib.analysis import headlines

    t = demo_cube.territory("DA01")
    numbers = headlines.compute(demo_cube, t, "2019Q4", "2020Q4")
    change = ind.employment_change(demo_cube, t, "2019Q4", "2020Q4")
    own = change[change["role"] == "territory"]["change_pct"].iloc[0]
    assert numbers["employment_change_pct"] == round(own, 3)
    assert numbers["employment_window"] == "2019Q4-2020Q4"
    rates = ind.unemployment_rate_series(demo_cube, t).dropna(subset=["value"])
    rates = rates[rates["role"] == "territory"]
    assert numbers["unemployment_rate"] == rates["value"].iloc[-1]
    assert numbers["unemployment_period"] == str(rates["period"].iloc[-1])


def test_the_crisis_reading_follows_the_registry_favourable_direction(demo_cube, monkeypatch):
    from dataclasses import replace

    t = demo_cube.territory("DA01")
    before = ind.crisis_reading(demo_cube, t, "2019Q4", "2020Q4")
    flipped = replace(registry.BY_FUNCTION["crisis_reading"], favourable="down")
    monkeypatch.setitem(registry.BY_FUNCTION, "crisis_reading", flipped)
    after = ind.crisis_reading(demo_cube, t, "2019Q4", "2020Q4")
    ties = before["local"] == before["national"]
    swap = {"good": "weak", "weak": "good"}
    expected = before["reading"].str.replace(r"^(good|weak)", lambda m: swap[m[1]], regex=True)
    assert (after["reading"][~ties] == expected[~ties]).all()
