"""Sandbox: emulators of vendor HRIS APIs over deterministic synthetic people.

Used by the demo, by staging connections and by tests. It imports nothing else of
rostersync (an import-linter contract): an emulator written from the connector's own mapping
would prove nothing, so each one is written from the vendor's public docs.

- :class:`SyntheticCompany` — a vendor-neutral company (people, departments, teams, sites)
  with mutations (hire, terminate, move, rename, remove...) for tests and the demo; each
  mutation moves its ``version``, which emulators' :class:`~rostersync.sandbox.memo.CompanyMemo`
  watches so a page costs its own size, not the company's.
- :class:`Faults` — errors, slowness, truncated bodies, revoked credentials and sensitive
  field leaks, injected into any emulator.
- :data:`EMULATORS` — ``slug -> create_app``; e.g. ``EMULATORS["hibob"]``; and
  :data:`EMULATOR_CREDENTIALS` — ``slug ->`` the credential names that emulator accepts.
- :class:`ServerThread` — serve an emulator on loopback over real HTTP.
"""

from rostersync.sandbox.company import (
    SENSITIVE_FIELDS,
    Department,
    HomeAddress,
    PersonStatus,
    Site,
    SyntheticCompany,
    SyntheticPerson,
    Team,
)
from rostersync.sandbox.faults import Fault, FaultKind, Faults
from rostersync.sandbox.registry import EMULATOR_CREDENTIALS, EMULATORS, EmulatorFactory
from rostersync.sandbox.server import ServerThread

__all__ = [
    "EMULATORS",
    "EMULATOR_CREDENTIALS",
    "SENSITIVE_FIELDS",
    "Department",
    "EmulatorFactory",
    "Fault",
    "FaultKind",
    "Faults",
    "HomeAddress",
    "PersonStatus",
    "ServerThread",
    "Site",
    "SyntheticCompany",
    "SyntheticPerson",
    "Team",
]
