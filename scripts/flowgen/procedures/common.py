"""Names shared by several flows: the counters a contract lot can span, sections, staff types."""

from __future__ import annotations

from flowgen.spec import Evidence

# Counters (窓口) shared across flows: the same lane name in every flow served at that counter.
IDO_COUNTER = ("窓口受付（住民異動）", "Counter: residence changes")
"""The moves counter of 市民課 住民記録係: 転入届, 転出届, 転居届・世帯変更届, 印鑑登録."""
SHOMEI_COUNTER = ("窓口受付（証明発行）", "Counter: certificates")
"""The certificate counter of 市民課 証明係: 住民票の写し, 印鑑登録証明書, 戸籍証明書."""

SHIMIN = "市民課"
JUKI = "住民記録係"
SHOMEI = "証明係"
KOSEKI = "戸籍係"

REGULAR = "正規"
PART_TIME = "会計年度任用"
REHIRED = "再任用"
CONTRACTOR = "委託"

MOVES_PEAK = (2.0, 1.7)
"""3月・4月 as multiples of the monthly average for moves (counter-procedures.md §1: peak in March–April)."""
CERT_PEAK = (1.25, 1.3)
"""3月・4月 multiples for certificates (moves drive 住民票 requests; milder peak)."""


def peak(annual: int, factors: tuple[float, float]) -> tuple[int, int]:
    """March and April counts from the annual count and the peak multiples, rounded to tens."""
    monthly = annual / 12
    return (int(round(monthly * factors[0], -1)), int(round(monthly * factors[1], -1)))


def estimate(*sources: str, note: str = "") -> Evidence:
    return Evidence("推計", tuple(sources), note)


def quoted(*sources: str, note: str = "") -> Evidence:
    return Evidence("出典あり", tuple(sources), note)
