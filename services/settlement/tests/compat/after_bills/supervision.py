"""3101 / 3102 fund-supervision advice, as a HIS calls them around a visit.

The input is the shape deployed HIS send (input.data.patient_dtos[].fsi_encounter_dtos[] with
fsi_diagnose_dtos and fsi_order_dtos, trig_scen, rule_ids, task_id): field names as public HIS
code found through the code search sends them (a Python client's pydantic models PatientDtos /
FsiEncounterDtos / ShiQianFenXiXinXi; a Java EMR client's MedicareAuditPatientDtosReq, which sends
fsi_encounter_dtos as one object; a C# client's InputData3101 with trig_scen "1"); their repositories
were not named by the search, so none is cited here. 扎西 (male) is ordered trastuzumab, which the demo rule
SUP-GEN-001 restricts to women; the spec lists no output fields for 3101/3102, and the answer's
result[] rows are checked field by field in tests/api/test_supervision_calls.py.
"""

from __future__ import annotations

from typing import Any

from support import supervision_analysis as analysis

COVERED: set[str] = {"3101", "3102"}


def run(s: Any) -> None:
    """Call each infno of COVERED once, successfully, through s.step(infno, input)."""
    s.step("3101", analysis("2"))
    s.step("3102", analysis("7", as_object=True))
