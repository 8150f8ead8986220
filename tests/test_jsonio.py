"""Strict JSON input: duplicate keys, deep nesting, huge values, non-UTF-8 bytes and wrapped configs each get one line."""

from __future__ import annotations

import json

import pytest

from bench.errors import ConfigError, DataError
from bench.examples import config_from_document, load_example, read_config
from bench.jsonio import loads_strict, read_json
from bench.space import parse_config
from bench.tables.manifest import TableError, read_manifest

CONFIG = load_example("harmonic_avmnist_1").to_dict()


def test_duplicate_keys_are_refused_naming_the_source():
    with pytest.raises(DataError, match=r"^doc: duplicate key 'task'"):
        loads_strict('{"task": "soundmnist", "task": "avmnist"}', "doc")
    text = json.dumps(CONFIG)[:-1] + ', "task": "avmnist"}'
    with pytest.raises(ConfigError, match="^config: duplicate key 'task'"):
        parse_config(text)


def test_deep_nesting_is_refused_without_a_traceback():
    with pytest.raises(DataError, match="nested deeper than 64 levels"):
        loads_strict("[" * 100 + "]" * 100, "doc")
    with pytest.raises(DataError, match="nested deeper than 64 levels"):
        loads_strict("[" * 100_000 + "]" * 100_000, "doc")  # beyond Python's recursion limit


def test_oversized_input_and_values_are_never_echoed_whole(tmp_path):
    huge = "x" * 5_000_000
    with pytest.raises(ConfigError) as info:
        parse_config({**CONFIG, "task": huge})
    assert str(info.value).startswith("config.task: got 'xxx") and len(str(info.value)) < 300
    with pytest.raises(ConfigError, match="bytes, more than the 1048576 allowed"):
        parse_config(json.dumps({**CONFIG, "note": huge}))
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"config": CONFIG, "note": huge}))
    with pytest.raises(ConfigError, match=f"^{path}: .* bytes, more than"):
        read_config(path)


def test_non_utf8_bytes_name_the_file(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_bytes(b'{"schema_version": 1, "files": {"\xff": 1}}')
    with pytest.raises(TableError, match=f"{path}: not UTF-8 text"):
        read_manifest(tmp_path)
    with pytest.raises(DataError, match="cannot be read"):
        read_json(tmp_path / "missing.json")


def test_wrapped_configs_are_read_strictly():
    assert config_from_document({"config": CONFIG, "name": "x", "note": "y"}) == load_example("harmonic_avmnist_1")
    with pytest.raises(ConfigError, match=r"unknown key\(s\) \['evil', 'task'\] beside 'config'"):
        config_from_document({"config": CONFIG, "task": "cifar", "evil": 1})
    with pytest.raises(ConfigError, match="got a JSON string, expected an object"):
        config_from_document(json.dumps(CONFIG))
    with pytest.raises(ConfigError, match="is not the id of its config"):
        config_from_document({"config": CONFIG, "id": "0" * 16})
    good = load_example("harmonic_avmnist_1")
    assert config_from_document({"config": CONFIG, "id": good.id}) == good


def test_a_self_checksummed_document_is_refused_once_edited():
    from bench.jsonio import checked, with_checksum

    document = with_checksum({"ref_point": [1.1, 1.1], "front": [[0.5, 0.2]]})
    assert checked(document, "doc") == document and checked({"no": "checksum"}, "old doc") == {"no": "checksum"}
    edited = {**document, "ref_point": [2.0, 2.0]}
    with pytest.raises(DataError, match="problems.json: its content does not match its checksum"):
        checked(edited, "problems.json")
    assert with_checksum(with_checksum(document)) == document  # the checksum covers the rest only
