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
    from bassin_lib.rendering import blocks as report

    assert {entry.source for entry in registry.REGISTRY} <= set(report.TABLE_SUBJECTS)
    text = registry.glossary_markdown(report.TABLE_SUBJECTS)
    for entry in registry.REGISTRY:
        if "_" in entry.source:
            assert f"| {entry.source} |" not in text
    assert "| emploi salarié privé |" in text
