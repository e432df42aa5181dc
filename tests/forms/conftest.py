import pytest

TEMPLATE = "https://dichvucong.caobang.gov.vn/tra-cuu?mahs={code}"
SURVEY = "https://dichvucong.caobang.gov.vn/danh-gia?mahs={code}"


@pytest.fixture
def dossier(desk, intake_json):
    """A received dossier (fee-free birth registration) on a desk with a tracking URL set."""
    desk.printing.configure(tracking_url_template=TEMPLATE)
    return desk.intake.intake(intake_json)


@pytest.fixture
def fee_dossier(desk, intake_json):
    """A dossier whose procedure has a fee, on a desk with survey and bank account set."""
    desk.printing.configure(
        tracking_url_template=TEMPLATE,
        survey_url_template=SURVEY,
        bank_bin="970415",
        bank_account="113366668888",
        bank_account_name="UBND PHUONG THUC PHAN",
    )
    fee_proc = next(p for p in desk.catalogue.list() if p.fee > 0 and p.processing_days > 0)
    return desk.intake.intake({**intake_json, "procedure_code": fee_proc.code})
