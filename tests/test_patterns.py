"""The pattern vocabulary: loaded and validated; a bad file is an error naming file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from disclosure_extract import PatternError, load_patterns
from disclosure_extract.patterns import PATTERN_FILES, default_patterns_dir


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "patterns"
    shutil.copytree(default_patterns_dir(), target)
    return target


def test_bundled_vocabulary_loads() -> None:
    patterns = load_patterns()
    assert {r.id for r in patterns.table_labels} >= {"t_income_total", "t_sangong_reception"}
    assert patterns.changes["expenditure.total"] == "expenditure.total_change"
    assert all(f in PATTERN_FILES for f in (p.name for p in patterns.directory.glob("*.yml")))


def test_bad_regex_names_file_and_line(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    fields = folder / "fields.yml"
    lines = fields.read_text(encoding="utf-8").splitlines()
    n = next(i for i, line in enumerate(lines) if "id: t_income_business" in line)
    lines[n] = "  - {id: t_income_business, field: income.business, label: '事业收入('}"
    fields.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(PatternError) as info:
        load_patterns(folder)
    assert info.value.line == n + 1
    assert str(info.value).startswith(f"{fields}:{n + 1}: label: bad regex")


def test_unknown_field_id_is_rejected(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    fields = folder / "fields.yml"
    text = fields.read_text(encoding="utf-8").replace("field: income.business,", "field: income.bussiness,")
    fields.write_text(text, encoding="utf-8")
    with pytest.raises(PatternError, match=r"unknown field id 'income\.bussiness'"):
        load_patterns(folder)


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "outline.yml").write_text("headings:\n  - id: x\n    level: [1\n", encoding="utf-8")
    with pytest.raises(PatternError, match=r"outline\.yml:\d+: invalid YAML"):
        load_patterns(folder)


def test_missing_file_is_named(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "html.yml").unlink()
    with pytest.raises(PatternError, match=r"html\.yml: pattern file is missing"):
        load_patterns(folder)


def test_empty_regex_is_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    indicators = folder / "indicators.yml"
    lines = indicators.read_text(encoding="utf-8").splitlines()
    emptied = ["level1_re: ''" if line.startswith("level1_re:") else line for line in lines]
    assert emptied != lines  # the key is there to empty
    indicators.write_text("\n".join(emptied), encoding="utf-8")
    with pytest.raises(PatternError, match="level1_re: empty regex"):
        load_patterns(folder)


@pytest.mark.parametrize(
    ("file", "edit", "message"),
    [
        ("tables.yml", ("default_unit: 万元\n", ""), r"tables\.yml:\d+: missing key 'default_unit'"),
        ("indicators.yml", ("level1_re:", "levelone_re:"), r"indicators\.yml:\d+: unknown key 'levelone_re'"),
        ("meta.yml", ("  any_re:", "  anyyear_re:"), r"meta\.yml:\d+: unknown key 'year\.anyyear_re'"),
        (
            "tables.yml",
            ("max_caption_chars: 60", "max_caption_chars: '60'"),
            r"'max_caption_chars' must be int",
        ),
        ("html.yml", ("deepest_share: 0.85", "deepest_share: high"), r"'deepest_share' must be int or float"),
    ],
)
def test_tree_files_reject_missing_and_unknown_keys(
    tmp_path: Path, file: str, edit: tuple[str, str], message: str
) -> None:
    copy = _copy(tmp_path)
    text = (copy / file).read_text(encoding="utf-8")
    assert edit[0] in text
    (copy / file).write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(PatternError, match=message):
        load_patterns(copy)


def test_known_fields_are_the_field_vocabulary_of_fields_md() -> None:
    """patterns/fields.yml names exactly the money and count ids docs/FIELDS.md defines."""
    import regex

    doc = (Path(__file__).resolve().parents[1] / "docs" / "FIELDS.md").read_text(encoding="utf-8")
    documented = regex.findall(r"^\| ([a-z_]+\.[a-z_]+) \|", doc, flags=regex.MULTILINE)
    assert len(documented) == len(set(documented))
    known = load_patterns().known_fields
    assert len(known) == len(set(known))
    assert set(known) == {f for f in documented if not f.startswith("meta.")}
    assert set(load_patterns().meta_fields) == {f for f in documented if f.startswith("meta.")}


def test_rule_entries_reject_unknown_keys(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    fields = folder / "fields.yml"
    text = fields.read_text(encoding="utf-8")
    misspelt = text.replace(
        "{id: t_income_total, field: income.total, label:", "{id: t_income_total, field: income.total, lable:"
    )
    assert misspelt != text
    fields.write_text(misspelt, encoding="utf-8")
    with pytest.raises(PatternError, match=r"fields\.yml:\d+: unknown key 'lable' in table_labels"):
        load_patterns(folder)


def test_a_source_group_must_name_a_table_scope(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "fields.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("(?P<gov_fund>", "(?P<gov_fnd>", 1), encoding="utf-8")
    with pytest.raises(PatternError, match=r"fields\.yml:\d+: .*'gov_fnd' names no table_scopes entry"):
        load_patterns(folder)
