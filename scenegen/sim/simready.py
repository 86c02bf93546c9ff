"""NVIDIA's Asset Validator (omniverse-asset-validator, with the SimReady foundation requirements) on a stage:
the capabilities a sim-ready room needs, every error, failure and warning a finding.

It is the `sim` extra. It registers its rules when it is first imported, and logs each step as it goes:
that chatter is kept to warnings here, since every issue it finds becomes a finding of its own.
"""

from __future__ import annotations

import logging

from scenegen.engine.usd import USD_LOCK
from scenegen.sim.stage_checks import Finding

CAPABILITIES = ("units", "hierarchy", "geometry", "physics_rigid_bodies", "physics_joints", "materials")


def simready_findings(stage) -> list[Finding]:
    """Every issue of CAPABILITIES, whatever its severity but info, naming the prim it is at."""
    logging.getLogger("omni.asset_validator").setLevel(logging.WARNING)
    with USD_LOCK:
        logging.disable(logging.INFO)  # its plugins announce every rule they register, at import
        try:
            from omni.asset_validator import CapabilityRegistry, IssueSeverity, ValidationEngine
        finally:
            logging.disable(logging.NOTSET)

        registry = CapabilityRegistry()
        engine = ValidationEngine(init_rules=False)
        for capability in CAPABILITIES:
            engine.enable_capability(registry.find(capability))
        results = engine.validate(stage)
        findings = []
        for issue in results.issues():
            if issue.severity == IssueSeverity.INFO:
                continue
            where = issue.at.as_str() if issue.at is not None and not isinstance(issue.at, tuple) else ""
            code = issue.requirement.code if getattr(issue, "requirement", None) else "rule"
            findings.append(Finding("simready", (where,) if where else (), f"[{code}] {issue.message}"))
        return findings
