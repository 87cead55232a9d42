"""
Dated missions of the directory's programs, and the impact figures that organizations and
the society publish. A mission or a figure is public only through a published program
(`Mission.objects.published()`, `ImpactFigure.objects.published()`).
"""

from .choices import Basis, Coverage, DatePrecision, Metric, MissionStatus, Scope
from .impact import Campaign, ImpactFigure
from .missions import Mission, MissionRole, MissionStatusError

__all__ = [
    "Basis",
    "Campaign",
    "Coverage",
    "DatePrecision",
    "ImpactFigure",
    "Metric",
    "Mission",
    "MissionRole",
    "MissionStatus",
    "MissionStatusError",
    "Scope",
]
