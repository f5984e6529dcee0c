"""Every scoring-profile parameter has a Japanese and English label, meaning and unit (issue 10 item 4).

The test reads the default profile, so a parameter added to it without words in
reports/parameters.toml fails here instead of reaching the 前提条件 page as a bare key.
"""

from __future__ import annotations

import re

from reports.parameters import describe, parameter_texts
from scoring.profile import load_profile

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def test_every_default_profile_parameter_is_described_in_both_languages() -> None:
    keys = set(load_profile(None).sources)
    assert len(keys) > 150
    missing = sorted(k for k in keys if describe(k) is None)
    assert not missing, f"describe these in reports/parameters.toml: {missing}"
    for key in keys:
        words = describe(key)
        assert words is not None
        for part in (words.label, words.meaning, words.unit):
            assert part.ja.strip() and part.en.strip(), key
        assert JAPANESE.search(words.label.ja) and JAPANESE.search(words.meaning.ja), key
        assert words.label.ja != key and words.label.en != key, key
        assert words.meaning.ja.endswith(("。", "）")), key  # a sentence, not a fragment


def test_no_stale_descriptions() -> None:
    """A description whose key left the profile would mislead whoever edits the file."""
    assert set(parameter_texts()) == set(load_profile(None).sources)


def test_labels_are_unique_so_rows_can_be_told_apart() -> None:
    for lang in ("ja", "en"):
        labels = [getattr(w.label, lang) for w in parameter_texts().values()]
        assert len(labels) == len(set(labels)), [x for x in labels if labels.count(x) > 1][:5]
