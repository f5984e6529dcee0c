"""Click's own texts — usage, errors, --help headings — in Japanese under a Japanese run (issue 10 item 4).

Click marks its strings for gettext; bpm/messages.py binds gettext's default domain to
bpm/locale/ja/LC_MESSAGES/bpm-click.mo.  These tests check the compiled catalogue matches its .po source,
that every text it translates is still one click says, and the real command end to end.
"""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import click
from locale_runs import JAPANESE, run_bpm

from bpm.messages import CLICK_DOMAIN, LOCALE_DIR

CATALOGUE = LOCALE_DIR / "ja" / "LC_MESSAGES"


def _po_entries() -> dict[str, str]:
    """msgid (or msgid_plural's singular) → its Japanese, read from the .po source (plain strings, no flags)."""
    entries: dict[str, str] = {}
    current: dict[str, str] = {}
    field = ""
    for line in [*(CATALOGUE / f"{CLICK_DOMAIN}.po").read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("#"):
            continue
        if not line.strip():
            if current.get("msgid"):
                entries[current["msgid"]] = current.get("msgstr", current.get("msgstr[0]", ""))
            current, field = {}, ""
            continue
        if line.startswith('"'):
            current[field] += ast.literal_eval(line)
            continue
        field, _, value = line.partition(" ")
        current[field] = ast.literal_eval(value)
    return entries


def _click_texts() -> set[str]:
    """Every string click passes to gettext (singular forms)."""
    texts = set()
    for path in Path(click.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext")
                    and node.args and isinstance(node.args[0], ast.Constant)):
                texts.add(node.args[0].value)
    return texts


def test_the_compiled_catalogue_matches_its_source() -> None:
    with open(CATALOGUE / f"{CLICK_DOMAIN}.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    entries = _po_entries()
    assert len(entries) > 30
    for msgid, japanese in entries.items():
        assert compiled.gettext(msgid) == japanese, msgid
        assert JAPANESE.search(japanese), msgid


def test_every_translated_text_is_one_click_says() -> None:
    """A click upgrade that rewords a text shows up here instead of silently falling back to English."""
    assert set(_po_entries()) - _click_texts() == {"required"}  # click passes it through a variable: _(extra[...])
    assert {"Usage:", "Options", "Commands", "Error: {message}", "No such option {name!r}.", "Missing argument",
            "Show this message and exit.", "Try '{command} {option}' for help."} <= set(_po_entries())


def test_click_speaks_japanese_in_a_japanese_run_and_english_when_asked() -> None:
    bogus = run_bpm("--no-such-option", LANG="C.UTF-8")
    assert bogus.returncode == 2
    assert re.search(r"^使い方: .* \[OPTIONS\] COMMAND \[ARGS\]\.\.\.$", bogus.stderr, re.M), bogus.stderr
    assert "エラー: '--no-such-option' というオプションはありません。" in bogus.stderr
    assert " --help' でヘルプを表示します。" in bogus.stderr
    missing = run_bpm("inspect", LANG="C.UTF-8")
    assert missing.returncode == 2 and "エラー: 引数がありません 'FILES...'." in missing.stderr
    helped = run_bpm("inspect", "--help", LANG="C.UTF-8")
    assert helped.returncode == 0
    assert helped.stdout.startswith("使い方: ") and "inspect [OPTIONS] FILES..." in helped.stdout
    assert "オプション:" in helped.stdout and "このヘルプを表示して終了します。" in helped.stdout
    assert "Usage:" not in helped.stdout and "Options:" not in helped.stdout
    english = run_bpm("--lang", "en", "inspect", LANG="ja_JP.UTF-8", LANGUAGE="ja")
    assert "Error: Missing argument 'FILES...'." in english.stderr and "Usage: " in english.stderr
    assert not JAPANESE.search(english.stderr)
