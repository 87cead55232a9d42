"""bench/RESULTS.md holds one section per benchmark script; each run replaces its own section
and keeps the others."""

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
TITLE = "# Benchmark results"


def write_section(heading, body):
    """Replace the section whose `## ` heading starts with `heading` (or add it)."""
    text = RESULTS.read_text() if RESULTS.exists() else TITLE + "\n"
    sections = re.split(r"(?m)^(?=## )", text)
    head, rest = sections[0], sections[1:]
    new = f"## {heading}\n\n{body.strip()}\n\n"
    rest = [section.rstrip() + "\n\n" for section in rest]
    for index, section in enumerate(rest):
        if section.startswith(f"## {heading.split(',')[0]}"):
            rest[index] = new
            break
    else:
        rest.append(new)
    RESULTS.write_text(head.rstrip() + "\n\n" + "".join(rest).rstrip() + "\n")
