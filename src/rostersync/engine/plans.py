"""A plan as JSON, so a held run can be applied later exactly as it was planned.

The JSON carries names and emails, so it is only ever stored encrypted (sync_runs.held_plan).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from rostersync.engine.lifecycle import Plan, PlannedAction
from rostersync.model import Action, Employee, Group, Location, StoredPerson


def _person(person: StoredPerson) -> dict[str, Any]:
    return {
        "employee": person.employee.model_dump(mode="json"),
        "provisioned": person.provisioned,
        "remote_was_deleted": person.remote_was_deleted,
        "account_id": person.account_id,
        "deprovisioned_on": person.deprovisioned_on.isoformat()
        if person.deprovisioned_on
        else None,
        "account_deleted": person.account_deleted,
        "access_seq": person.access_seq,
        "missing_since": person.missing_since.isoformat() if person.missing_since else None,
    }


def dump(plan: Plan, groups: dict[str, Group], locations: dict[str, Location]) -> str:
    return json.dumps(
        {
            "actions": [
                {
                    "action": p.action.as_json(),
                    "employee": p.employee.model_dump(mode="json"),
                }
                for p in plan.actions
            ],
            "people": [_person(p) for p in plan.next_state.values()],
            "groups": [g.model_dump(mode="json") for g in groups.values()],
            "locations": [loc.model_dump(mode="json") for loc in locations.values()],
        }
    )


def load(text: str) -> tuple[Plan, dict[str, Group], dict[str, Location]]:
    data = json.loads(text)
    people = {}
    for item in data["people"]:
        employee = Employee.model_validate(item["employee"])
        gone, missed = item["deprovisioned_on"], item["missing_since"]
        people[employee.remote_id] = StoredPerson(
            employee,
            item["provisioned"],
            item["remote_was_deleted"],
            item["account_id"],
            date.fromisoformat(gone) if gone else None,
            item["account_deleted"],
            item["access_seq"],
            datetime.fromisoformat(missed) if missed else None,
        )
    actions = tuple(
        PlannedAction(Action.from_json(a["action"]), Employee.model_validate(a["employee"]))
        for a in data["actions"]
    )
    groups = {g["remote_id"]: Group.model_validate(g) for g in data["groups"]}
    locations = {loc["remote_id"]: Location.model_validate(loc) for loc in data["locations"]}
    return Plan(actions, people), groups, locations
