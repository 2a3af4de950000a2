"""A week of demo clients at every KYC stage, made through the same services the portal and the back
office call, so what a newcomer approves behaves like the real thing.

The cast (`CLIENTS`) is shared with `clients.trading.demo_week` and `funds.demo_week`, which give the
approved clients accounts, money and trades. Running it again changes nothing: a client who exists
already is left as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile

from clients.models import KycModule, Questionnaire, RegistrationTemplate
from clients.selectors import client_profile_of
from clients.services.kyc import kyc_approve, kyc_modules_save, kyc_reject, kyc_submit
from crm.files.models import StoredFile
from crm.files.services import file_store
from crm.users.models import User

DOMAIN = "clients.broker.example"
REVIEWER_EMAIL = "finance@broker.example"  # a second staff user, made by the demo command

# A 1×1 PNG: what the demo clients "scan" as their documents.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


class Stage:
    NOT_STARTED = "not_started"  # signed up, nothing filled in
    IN_PROGRESS = "in_progress"  # some modules saved
    PENDING = "pending"  # sent for review: waits for staff
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class DemoClient:
    slug: str
    first_name: str
    last_name: str
    country: str
    stage: str

    @property
    def email(self) -> str:
        return f"{self.slug}@{DOMAIN}"

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


A, P, R, F, N = Stage.APPROVED, Stage.PENDING, Stage.REJECTED, Stage.IN_PROGRESS, Stage.NOT_STARTED
CLIENTS = [
    DemoClient("wei.zhang", "Wei", "Zhang", "CN", A),
    DemoClient("li.na", "Na", "Li", "CN", A),
    DemoClient("chen.jie", "Jie", "Chen", "CN", A),
    DemoClient("wang.fang", "Fang", "Wang", "CN", A),
    DemoClient("liu.yang", "Yang", "Liu", "CN", A),
    DemoClient("tan.mei.ling", "Mei Ling", "Tan", "SG", A),
    DemoClient("lim.wei.jie", "Wei Jie", "Lim", "SG", A),
    DemoClient("nguyen.van.an", "Van An", "Nguyen", "VN", A),
    DemoClient("somchai.p", "Somchai", "Prasert", "TH", A),
    DemoClient("hiroshi.sato", "Hiroshi", "Sato", "JP", A),
    DemoClient("kim.minjun", "Minjun", "Kim", "KR", A),
    DemoClient("ahmed.hassan", "Ahmed", "Hassan", "AE", A),
    DemoClient("zhou.xin", "Xin", "Zhou", "CN", P),
    DemoClient("huang.lei", "Lei", "Huang", "CN", P),
    DemoClient("ong.kah.hui", "Kah Hui", "Ong", "MY", P),
    DemoClient("tran.thi.mai", "Thi Mai", "Tran", "VN", P),
    DemoClient("maria.santos", "Maria", "Santos", "PH", P),
    DemoClient("arjun.mehta", "Arjun", "Mehta", "IN", P),
    DemoClient("zhao.ming", "Ming", "Zhao", "CN", R),
    DemoClient("budi.santoso", "Budi", "Santoso", "ID", R),
    DemoClient("sun.li", "Li", "Sun", "CN", R),
    DemoClient("xu.hao", "Hao", "Xu", "CN", F),
    DemoClient("lee.jiwoo", "Jiwoo", "Lee", "KR", F),
    DemoClient("yamamoto.yui", "Yui", "Yamamoto", "JP", F),
    DemoClient("siti.rahman", "Siti", "Rahman", "MY", F),
    DemoClient("gao.peng", "Peng", "Gao", "CN", N),
    DemoClient("ma.lin", "Lin", "Ma", "CN", N),
    DemoClient("david.wong", "David", "Wong", "HK", N),
    DemoClient("priya.nair", "Priya", "Nair", "IN", N),
    DemoClient("tom.becker", "Tom", "Becker", "DE", N),
]
REJECTION_REASONS = [
    "The proof of address is older than three months; please upload a recent utility bill or bank statement.",
    "The photo of the ID document is blurred; please upload a sharp photo of the whole page.",
    "The name on the ID document does not match the name you registered with.",
]
CITIES = {
    "CN": ("Shanghai", "200120", "+86 138 0013 8000"),
    "SG": ("Singapore", "048616", "+65 6123 4567"),
    "VN": ("Ho Chi Minh City", "700000", "+84 28 3823 4567"),
    "TH": ("Bangkok", "10110", "+66 2 123 4567"),
    "JP": ("Tokyo", "100-0005", "+81 3 1234 5678"),
    "KR": ("Seoul", "04524", "+82 2 1234 5678"),
    "AE": ("Dubai", "00000", "+971 4 123 4567"),
    "MY": ("Kuala Lumpur", "50450", "+60 3 2123 4567"),
    "PH": ("Manila", "1000", "+63 2 8123 4567"),
    "IN": ("Mumbai", "400001", "+91 22 2123 4567"),
    "ID": ("Jakarta", "10110", "+62 21 123 4567"),
    "HK": ("Hong Kong", "000000", "+852 2123 4567"),
    "DE": ("Frankfurt", "60311", "+49 69 1234 5678"),
}


def clients_at(stage: str) -> list[DemoClient]:
    return [client for client in CLIENTS if client.stage == stage]


def demo_user(client: DemoClient) -> User | None:
    return User.objects.filter(email=client.email).first()


def _personal_data(client: DemoClient, index: int) -> dict:
    city, postcode, phone = CITIES[client.country]
    return {
        KycModule.IDENTITY: {
            "first_name": client.first_name,
            "last_name": client.last_name,
            "birth_date": f"{1965 + index % 35}-{1 + index % 12:02d}-{1 + index % 28:02d}",
            "nationality": client.country,
            "id_type": "passport",
            "id_number": f"E{4100000 + index * 7919}",
        },
        KycModule.CONTACT: {
            "address": f"{10 + index} Harbour Road",
            "city": city,
            "postcode": postcode,
            "country": client.country,
            "phone": phone,
        },
    }


def _full_data(client: DemoClient, index: int, user: User, questionnaire: Questionnaire) -> dict:
    def document(name: str) -> int:
        upload = ContentFile(PNG, name=f"{name}.png")
        return file_store(owner=user, upload=upload, purpose=StoredFile.Purpose.KYC_DOCUMENT).pk

    questions = questionnaire.questions.order_by("position")
    return {
        **_personal_data(client, index),
        KycModule.JOB: {
            "employment_status": ["employed", "self_employed", "employed", "retired"][index % 4],
            "employer": "",
            "occupation": ["Engineer", "Trader", "Accountant", "Teacher", "Doctor"][index % 5],
            "annual_income": ["25k_100k", "over_100k", "under_25k"][index % 3],
            "source_of_funds": ["salary", "business", "investments", "savings"][index % 4],
        },
        KycModule.QUESTIONNAIRE: {
            "questionnaire_id": questionnaire.pk,
            "answers": [
                {"question_id": question.pk, "option_ids": [options[(index + at) % len(options)]["id"]]}
                for at, (question, options) in enumerate((question, question.options) for question in questions)
            ],
        },
        KycModule.AUTHENTICATION_ACCESSORY: {
            "id_front": document("id_front"),
            "proof_of_address": document("proof_of_address"),
            "selfie": document("selfie"),
        },
        KycModule.AGREEMENT: {"client_agreement": True, "risk_disclosure": True, "privacy_policy": True},
    }


def _client_user(client: DemoClient, password_hash: str) -> User:
    user = User.objects.create_user(email=client.email, name=client.name, role=User.Role.CLIENT)
    # One hash for every demo client: hashing thirty passwords would be most of the command's time.
    user.password = password_hash
    user.save(update_fields=["password"])
    return user


def load_demo_week(*, password: str) -> None:
    template = RegistrationTemplate.objects.get(is_default=True)
    questionnaire = template.questionnaire
    reviewer = User.objects.get(email=REVIEWER_EMAIL)
    password_hash = make_password(password)
    for index, client in enumerate(CLIENTS):
        if demo_user(client) is not None:
            continue
        user = _client_user(client, password_hash)
        profile = client_profile_of(user=user)
        if client.stage == Stage.NOT_STARTED:
            continue
        if client.stage == Stage.IN_PROGRESS:
            kyc_modules_save(profile=profile, kyc_data=_personal_data(client, index))
            continue
        kyc_submit(profile=profile, kyc_data=_full_data(client, index, user, questionnaire))
        if client.stage == Stage.APPROVED:
            kyc_approve(profile=profile, by=reviewer)
        elif client.stage == Stage.REJECTED:
            kyc_reject(profile=profile, by=reviewer, reason=REJECTION_REASONS[index % len(REJECTION_REASONS)])
