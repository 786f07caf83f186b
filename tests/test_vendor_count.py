"""The README's count of supported HR systems is the registry's, not a number typed once."""

from __future__ import annotations

import re
from pathlib import Path

from rostersync.connectors.providers import PROVIDERS

README = Path(__file__).parent.parent / "README.md"
WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
]


def test_the_readme_names_as_many_hr_systems_as_the_registry_holds() -> None:
    intro = " ".join(README.read_text().split("\n\n", 2)[1].split())
    found = re.search(r"their HRIS \(([^()]*?) and (\w+) more", intro)
    assert found, "the README's first paragraph names the HR systems and how many more"
    named = [name.strip() for name in found.group(1).split(",")]
    displayed = {p.display_name for p in PROVIDERS.values()}
    assert set(named) <= displayed, set(named) - displayed
    assert len(named) + WORDS.index(found.group(2)) == len(PROVIDERS)
