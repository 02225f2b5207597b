"""JSON Schemas of every content file kind, for editors (YAML language servers) and the docs:
generated from the model, committed in docs/schemas/ (a test keeps them current)."""
from __future__ import annotations

import json
from typing import Annotated, Union

from pydantic import Field, TypeAdapter

from .model import BulletinSeriesSource, NoticeSource, PlanSource, QuarterNotes, SettingsSource

KINDS = {  # file kind → its schema
    "action-plan": PlanSource,
    "notice": NoticeSource,
    "bulletin-series": BulletinSeriesSource,
    "settings": SettingsSource,
    "quarter-notes": QuarterNotes,  # progress/YYYY-Qn.yaml
}
DOCUMENT = Annotated[Union[PlanSource, NoticeSource, BulletinSeriesSource, SettingsSource], Field(discriminator="kind")]


def schema(kind: str | None = None) -> dict:
    """The schema of one file kind, or (None) of any content document, chosen by its `kind`."""
    if kind is not None:
        return KINDS[kind].model_json_schema()
    out = TypeAdapter(DOCUMENT).json_schema()
    out["title"] = "reportgen content document"
    out["description"] = "A YAML document of a reportgen content folder; its `kind` says which (docs/content-format.md)."
    return out


def text(kind: str | None = None) -> str:
    return json.dumps(schema(kind), ensure_ascii=False, indent=2) + "\n"
