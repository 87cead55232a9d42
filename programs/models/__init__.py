"""
The directory: organizations, the programs they run, and what each program needs.
One module per concern; import models from here.
"""

from .choices import Frequency, Period, ProgramStatus, Role
from .details import Contact, Place, StaffingRequirement
from .entries import FilterCount, SearchEntry
from .lexicon import SearchLexeme, SearchWord
from .organizations import Organization
from .programs import Program
from .taxonomy import Specialty

__all__ = [
    "Contact",
    "FilterCount",
    "Frequency",
    "Organization",
    "Period",
    "Place",
    "Program",
    "ProgramStatus",
    "Role",
    "SearchEntry",
    "SearchLexeme",
    "SearchWord",
    "Specialty",
    "StaffingRequirement",
]
