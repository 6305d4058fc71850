"""Request bodies. National field names verbatim where they come from the HIS."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from remote_care.domain.filings import FilingRequest, FilingType

_ADMDVS = ADMDVS = r"^\d{6}$"
PERIOD = r"^\d{4}-\d{2}$"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FilingIn(_Body):
    """A filing as a person, a desk or a partner province states it."""

    psn_no: str = Field(min_length=1, max_length=30)
    filing_type: FilingType
    target_admdvs: str = Field(pattern=_ADMDVS, description="city pool (xxxx00) or whole province (xx0000)")
    begndate: date
    enddate: date | None = Field(default=None, description="temporary filings only; at most 6 months are kept")
    insutype: str | None = Field(default=None, pattern=r"^\d{3}$")
    admission_date: date | None = Field(default=None, description="for a filing made during a stay: its admission day")
    mdtrt_id: str | None = Field(default=None, max_length=30)
    diag_code: str | None = Field(default=None, max_length=30)
    diag_name: str | None = Field(default=None, max_length=100)
    refl_fixmedins_code: str | None = Field(default=None, max_length=30, description="referring institution")
    refl_fixmedins_name: str | None = Field(default=None, max_length=200)
    memo: str | None = Field(default=None, max_length=200)

    def to_request(self, psn_no: str | None = None) -> FilingRequest:
        details = {
            k: v
            for k, v in self.model_dump(
                include={"diag_code", "diag_name", "refl_fixmedins_code", "refl_fixmedins_name"}
            ).items()
            if v
        }
        return FilingRequest(
            psn_no=psn_no or self.psn_no,
            filing_type=self.filing_type,
            target_admdvs=self.target_admdvs,
            begndate=self.begndate,
            enddate=self.enddate,
            insutype=self.insutype,
            admission_date=self.admission_date,
            details=details,
        )


class MobileFilingIn(FilingIn):
    psn_no: str = Field(default="", max_length=30, description="optional; always the signed-in person")


class RevokeIn(_Body):
    memo: str | None = Field(default=None, max_length=200)


class ChangeIn(_Body):
    target_admdvs: str | None = Field(default=None, pattern=_ADMDVS)
    enddate: date | None = None


class ReferralIn(BaseModel):
    """2501 refmedin as the settlement front door forwards it, plus insuplc_admdvs and fixmedins_code."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    psn_no: str = Field(min_length=1, max_length=30)
    insutype: str | None = Field(default=None, pattern=r"^\d{3}$")
    tel: str | None = None
    addr: str | None = None
    insu_optins: str | None = None
    diag_code: str = Field(min_length=1, max_length=30)
    diag_name: str = Field(min_length=1, max_length=100)
    dise_cond_dscr: str | None = None
    reflin_medins_no: str = Field(min_length=1, max_length=30, description="the institution the patient goes to")
    reflin_medins_name: str = Field(min_length=1, max_length=200)
    mdtrtarea_admdvs: str = Field(pattern=_ADMDVS, description="admdvs of the institution the patient goes to")
    hosp_agre_refl_flag: str | None = None
    refl_type: str = Field(min_length=1, max_length=30)
    refl_date: date
    refl_rea: str = Field(min_length=1, max_length=100)
    refl_opnn: str = Field(min_length=1, max_length=200)
    begndate: date | None = None
    enddate: date | None = None
    refl_used_flag: str | None = None
    insuplc_admdvs: str = Field(pattern=_ADMDVS)
    fixmedins_code: str = Field(min_length=1, max_length=30, description="the referring institution")
    mdtrt_id: str | None = Field(default=None, max_length=30)
    admission_date: date | None = None

    def to_request(self) -> FilingRequest:
        kept = (
            "diag_code",
            "diag_name",
            "reflin_medins_no",
            "reflin_medins_name",
            "refl_type",
            "refl_rea",
            "refl_opnn",
            "dise_cond_dscr",
            "hosp_agre_refl_flag",
        )
        details = {k: str(v) for k, v in self.model_dump(include=set(kept)).items() if v}
        details.update(refl_fixmedins_code=self.fixmedins_code, refl_date=self.refl_date.isoformat())
        return FilingRequest(
            psn_no=self.psn_no,
            filing_type=FilingType.REFERRAL,
            target_admdvs=self.mdtrtarea_admdvs,
            begndate=self.begndate or self.refl_date,
            enddate=self.enddate,
            insutype=self.insutype,
            insuplc_admdvs=self.insuplc_admdvs,
            admission_date=self.admission_date,
            details=details,
        )


class ReferralRevokeIn(BaseModel):
    """2502 as the settlement front door forwards it: who the person is, and which institution asks."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    psn_no: str = Field(min_length=1, max_length=30)
    fixmedins_code: str = Field(
        min_length=1, max_length=30, description="the signed-in institution revoking; only the one that filed may"
    )
    memo: str | None = Field(default=None, max_length=200)


class ClearingRunIn(_Body):
    period: str = Field(pattern=r"^\d{4}-\d{2}$", description="the closed month, yyyy-MM")


class DisputeIn(_Body):
    reason: str = Field(min_length=1, max_length=500)
