"""Portal pages. Each view checks the form's shape, calls one service or selector, and renders;
a service's refusal (`ApplicationError`) is shown on the form's fields."""

from __future__ import annotations

from decimal import Decimal

from allauth.account.views import SignupView as AllauthSignupView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from clients.kyc_fields import module_fields
from clients.models import EVerifySession, KycField, KycModule, KycStatus, QuestionnaireQuestion
from clients.selectors import (
    client_profile_of,
    e_verify_status_of,
    kyc_not_editable,
    kyc_overview,
    module_is_complete,
    questionnaire_answer_record_of,
    template_module,
)
from clients.services.everify import e_verify_session_create
from clients.services.kyc import kyc_data_save, kyc_submit
from clients.trading import selectors as trading_selectors
from clients.trading import services as trading_services
from crm.api.languages import django_language_for, localized, request_language
from crm.configuration.selectors import countries_enabled
from crm.errors import ApplicationError, NotFound
from crm.files.models import StoredFile
from crm.files.services import file_store, private_url
from crm.inbox import selectors as inbox_selectors
from crm.inbox import services as inbox_services
from crm.users.models import User
from crm.users.services import user_language_set

from .forms import (
    INVITE_SESSION_KEY,
    AccountApplicationForm,
    KycModuleForm,
    LanguageForm,
    LeverageChangeForm,
    QuestionnaireForm,
    TradingPasswordForm,
    add_service_errors,
)

LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
# Files stored for a KYC step whose other fields the service refused: {module: {field: file id}}.
KYC_UPLOADS_SESSION_KEY = "portal_kyc_uploads"


class ClientRequiredMixin(LoginRequiredMixin):
    """Signed in (else to the login page) as a portal user. Staff work in the back office; IBs have
    the client portal too (as in `crm.permissions`)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_portal_user(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def is_portal_user(user) -> bool:
    return user.role in (User.Role.CLIENT, User.Role.IB)


def root(request):
    if request.user.is_authenticated:
        return redirect("portal:dashboard")
    return redirect("account_login")


class SignupView(AllauthSignupView):
    """allauth's sign-up, keeping `?invite=CODE` in the session until the client signs up."""

    def get(self, request, *args, **kwargs):
        invite_code = request.GET.get("invite", "").strip()[:64]
        if invite_code:
            request.session[INVITE_SESSION_KEY] = invite_code
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        return {**super().get_initial(), "invite_code": self.request.session.get(INVITE_SESSION_KEY, "")}

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ApplicationError as error:
            add_service_errors(form, error, field_names={"password": "password1"})
            return self.form_invalid(form)


class LanguageView(View):
    """The language switcher: remembered in a cookie, and on the user when signed in."""

    def post(self, request):
        form = LanguageForm(request.POST)
        next_url = request.POST.get("next") or reverse("portal:root")
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            next_url = reverse("portal:root")
        response = HttpResponseRedirect(next_url)
        if form.is_valid():
            language = form.cleaned_data["language"]
            if request.user.is_authenticated:
                user_language_set(user=request.user, language=language)
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                django_language_for(language),
                max_age=LANGUAGE_COOKIE_AGE,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response


class DashboardView(ClientRequiredMixin, TemplateView):
    template_name = "portal/dashboard.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        profile = client_profile_of(user=user)
        accounts = list(trading_selectors.trading_accounts_of(user=user))
        live = [account for account in accounts if not account.is_demo]
        states = trading_selectors.account_snapshots_of(live)
        balances: dict[str, Decimal] = {}
        for account in live:
            if (state := states.get(account.pk)) is not None:
                balances[account.currency] = balances.get(account.currency, Decimal(0)) + state.balance
        return {
            **super().get_context_data(**kwargs),
            "kyc": {
                "status": profile.kyc_status,
                "status_label": KycStatus(profile.kyc_status).label,
                "reason": profile.kyc_reason if profile.kyc_status == KycStatus.DISAPPROVED else "",
                "is_editable": profile.is_editable,
            },
            "accounts": {
                "live_count": len(live),
                "demo_count": len(accounts) - len(live),
                "live_balances": [(currency, trading_selectors.money(total)) for currency, total in balances.items()],
            },
            "latest_messages": [inbox_row(message) for message in inbox_selectors.messages_for(user=user)[:3]],
        }


# --- Messages --------------------------------------------------------------------------------


def inbox_row(message) -> dict:
    language = request_language()
    return {
        "id": message.id,
        "title": localized(message.title_i18n, language),
        "content": localized(message.content_i18n, language),
        "sender": message.sender,
        "published_at": message.published_at,
        "is_read": message.is_read,
    }


class MessageListView(ClientRequiredMixin, TemplateView):
    template_name = "portal/messages/list.html"
    page_size = 20

    def get_context_data(self, **kwargs):
        page = Paginator(inbox_selectors.messages_for(user=self.request.user), self.page_size).get_page(
            self.request.GET.get("page")
        )
        return {**super().get_context_data(**kwargs), "page": page, "rows": [inbox_row(m) for m in page]}


class MessageDetailView(ClientRequiredMixin, View):
    """Opening a message is reading it: the unread badge goes down."""

    def get(self, request, message_id: int):
        try:
            inbox_services.message_mark_read(user=request.user, message_id=message_id)
            message = inbox_selectors.message_of(user=request.user, message_id=message_id)
        except NotFound:
            raise Http404 from None
        return render(request, "portal/messages/detail.html", {"message": inbox_row(message)})


class MessageHideView(ClientRequiredMixin, View):
    def post(self, request, message_id: int):
        try:
            inbox_services.message_hide(user=request.user, message_id=message_id)
        except NotFound:
            raise Http404 from None
        messages.success(request, _("The message was removed from your inbox."))
        return redirect("portal:messages")


# --- KYC wizard ------------------------------------------------------------------------------
# One step per module of the client's registration template, in its order, then "submit for review".
# Saving a step is client.user.save_kyc_data's service (`kyc_data_save`); sending is `kyc_submit`.


def module_title(row, language: str) -> str:
    return localized(row.title_i18n, language) or str(KycModule(row.module).label)


class KycMixin(ClientRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated or not is_portal_user(request.user):
            return super().dispatch(request, *args, **kwargs)
        self.language = request_language()
        self.profile = client_profile_of(user=request.user)
        self.overview = kyc_overview(profile=self.profile)
        return super().dispatch(request, *args, **kwargs)

    def steps(self, current: str | None = None) -> list[dict]:
        if self.overview.template is None:
            return []
        completed = set(self.overview.completed_modules)
        return [
            {
                "module": row.module,
                "title": module_title(row, self.language),
                "is_required": row.is_required,
                "is_complete": row.module in completed,
                "is_current": row.module == current,
                "status": self.overview.module_status(row.module) if row.module in completed else "",
                "status_label": KycStatus(self.overview.module_status(row.module)).label,
                "reason": getattr(self.overview.submissions.get(row.module), "reason", ""),
                "url": reverse("portal:kyc_step", args=[row.module]),
            }
            for row in self.overview.template.modules.all()
        ]

    def next_url(self, module: str) -> str:
        modules = self.overview.modules
        index = modules.index(module)
        if index + 1 < len(modules):
            return reverse("portal:kyc_step", args=[modules[index + 1]])
        return reverse("portal:kyc_submit")

    def base_context(self, **extra) -> dict:
        profile = self.profile
        return {
            "profile": profile,
            "kyc_status_label": KycStatus(profile.kyc_status).label,
            "is_editable": profile.is_editable,
            "template": self.overview.template,
            "remark": localized(self.overview.template.remark_i18n, self.language) if self.overview.template else "",
            **extra,
        }


class KycOverviewView(KycMixin, View):
    def get(self, request):
        steps = self.steps()
        first_open = next((step for step in steps if not step["is_complete"]), None)
        return render(
            request,
            "portal/kyc/overview.html",
            self.base_context(steps=steps, first_open=first_open),
        )


class KycStepView(KycMixin, View):
    def setup_step(self, module: str):
        template = self.overview.template
        row = template_module(template, module) if template is not None else None
        if row is None:
            raise Http404
        self.module_row = row

    def get(self, request, module: str):
        self.setup_step(module)
        return self.render_step(self.form_for(data=None, files=None))

    def post(self, request, module: str):
        self.setup_step(module)
        row = self.module_row
        if row.module == KycModule.E_VERIFY:  # the service says when a session may start
            return self.start_e_verification()
        if not self.profile.is_editable:
            messages.error(request, str(kyc_not_editable(self.profile).message))
            return redirect("portal:kyc")
        form = self.form_for(data=request.POST, files=request.FILES)
        if not form.is_valid():
            return self.render_step(form)
        if row.module == KycModule.QUESTIONNAIRE:
            data = {"questionnaire_id": self.overview.template.questionnaire_id, "answers": form.answers()}
            field_names = {
                f"kyc_data.questionnaire.answers.{index}.{part}": form.field_name(question)
                for index, question in enumerate(form.questions)
                for part in ("option_ids", "text", "question_id")
            }
        else:
            data = self.module_values(form)
            if form.errors:
                return self.render_step(form)
            field_names = {f"kyc_data.{row.module}.{spec.name}": spec.name for spec in form.specs}
        try:
            kyc_data_save(profile=self.profile, current_module=row.module, kyc_data={row.module: data})
        except ApplicationError as error:
            add_service_errors(form, error, field_names=field_names)
            return self.render_step(form)
        self.forget_uploads()
        messages.success(request, _("Saved."))
        return redirect(self.next_url(row.module))

    def module_values(self, form: KycModuleForm) -> dict:
        """What the client entered, as client.user.save_kyc_data takes it. New files are checked (type,
        size) and stored privately first; their ids are what the module keeps. A file stored in an
        attempt the service then refused is remembered in the session, so it is not asked for again."""
        kept = self.kept_files()
        values = {name: form.cleaned_data.get(name) for name in form.visible_field_names()}
        for spec in form.file_specs:
            upload = form.cleaned_data.get(spec.name)
            values[spec.name] = kept.get(spec.name)
            if not upload:
                continue
            try:
                stored = file_store(owner=self.request.user, upload=upload, purpose=StoredFile.Purpose.KYC_DOCUMENT)
            except ApplicationError as error:
                add_service_errors(form, error, field_names={"file": spec.name})
            else:
                values[spec.name] = stored.pk
                self.remember_upload(spec.name, stored.pk)
        return values

    def saved_data(self) -> dict:
        submission = self.overview.submissions.get(self.module_row.module)
        return dict(submission.data) if submission is not None else {}

    def unsaved_uploads(self) -> dict:
        return self.request.session.get(KYC_UPLOADS_SESSION_KEY, {}).get(self.module_row.module, {})

    def remember_upload(self, name: str, file_id: int) -> None:
        uploads = self.request.session.get(KYC_UPLOADS_SESSION_KEY, {})
        uploads.setdefault(self.module_row.module, {})[name] = file_id
        self.request.session[KYC_UPLOADS_SESSION_KEY] = uploads

    def forget_uploads(self) -> None:
        uploads = self.request.session.get(KYC_UPLOADS_SESSION_KEY, {})
        if uploads.pop(self.module_row.module, None) is not None:
            self.request.session[KYC_UPLOADS_SESSION_KEY] = uploads

    def kept_files(self) -> dict:
        """Per file field, the id of the file the step has: uploaded but not saved yet, else saved."""
        saved, unsaved = self.saved_data(), self.unsaved_uploads()
        return {
            spec.name: unsaved.get(spec.name) or saved.get(spec.name)
            for spec in module_fields(self.module_row)
            if spec.kind == KycField.Kind.FILE
        }

    def form_for(self, *, data, files):
        row = self.module_row
        if row.module == KycModule.E_VERIFY:
            return None
        if row.module == KycModule.QUESTIONNAIRE:
            questionnaire = self.overview.template.questionnaire
            questions = questionnaire.questions.all() if questionnaire is not None else []
            return QuestionnaireForm(
                data, questions=questions, language=self.language, initial=self.saved_answers(questions)
            )
        countries = [
            (country.code, localized(country.name_i18n, self.language) or country.code)
            for country in countries_enabled()
        ]
        specs = module_fields(row)
        saved = self.saved_data()
        initial = {
            spec.name: saved[spec.name] for spec in specs if spec.kind != KycField.Kind.FILE and spec.name in saved
        }
        return KycModuleForm(data, files, specs=specs, language=self.language, countries=countries, initial=initial)

    def saved_answers(self, questions) -> dict:
        record_id = self.saved_data().get("record_id")
        if not record_id:
            return {}
        try:
            record = questionnaire_answer_record_of(profile=self.profile, record_id=record_id)
        except NotFound:
            return {}
        by_question = {answer.get("question_id"): answer for answer in record.answers}
        initial = {}
        for question in questions:
            answer = by_question.get(question.pk)
            if answer is None:
                continue
            name = QuestionnaireForm.field_name(question)
            if question.kind == QuestionnaireQuestion.Kind.TEXT:
                initial[name] = answer.get("text", "")
            elif question.kind == QuestionnaireQuestion.Kind.MULTIPLE:
                initial[name] = answer.get("option_ids", [])
            else:
                initial[name] = (answer.get("option_ids") or [None])[0]
        return initial

    def stored_files(self) -> dict:
        """Per file field, the file the step keeps, with a signed link to look at it."""
        ids = {name: file_id for name, file_id in self.kept_files().items() if isinstance(file_id, int)}
        found = StoredFile.objects.filter(pk__in=ids.values(), owner=self.request.user).in_bulk()
        return {
            name: {
                "name": found[file_id].original_name or _("Document"),
                "url": private_url(stored_file=found[file_id]),
            }
            for name, file_id in ids.items()
            if file_id in found
        }

    def render_step(self, form):
        row = self.module_row
        if isinstance(form, KycModuleForm):
            for name, stored_file in self.stored_files().items():
                form.fields[name].stored_file = stored_file
        context = self.base_context(
            steps=self.steps(current=row.module),
            module=row.module,
            title=module_title(row, self.language),
            description=localized(row.description_i18n, self.language),
            form=form,
            e_verify=self.e_verify_context() if row.module == KycModule.E_VERIFY else None,
            next_url=self.next_url(row.module),
            reason=getattr(self.overview.submissions.get(row.module), "reason", ""),
        )
        status = 400 if form is not None and form.errors else 200
        return render(self.request, "portal/kyc/step.html", context, status=status)

    # E-verification: the step sends the client to the provider and back.

    def e_verify_context(self) -> dict:
        submission = self.overview.submissions.get(KycModule.E_VERIFY)
        session = self.profile.e_verify_sessions.first()
        return {
            "status": submission.status if submission is not None else "",
            "is_passed": module_is_complete(submission),
            "session_status": e_verify_status_of(session) if session is not None else "",
            "session_status_label": EVerifySession.Status(e_verify_status_of(session)).label if session else "",
            "reason": session.reason_msg if session is not None else "",
        }

    def start_e_verification(self):
        back = self.request.build_absolute_uri(reverse("portal:kyc_step", args=[KycModule.E_VERIFY]))
        try:
            session = e_verify_session_create(profile=self.profile, success_url=back, failed_url=back)
        except ApplicationError as error:
            messages.error(self.request, error.message)
            return redirect("portal:kyc_step", module=KycModule.E_VERIFY)
        return redirect(session.redirect_url)


class KycSubmitView(KycMixin, View):
    """The last step: send the whole application for review."""

    def get(self, request):
        return render(request, "portal/kyc/submit.html", self.base_context(steps=self.steps(), problems=[]))

    def post(self, request):
        try:
            kyc_submit(profile=self.profile)
        except ApplicationError as error:
            problems = [message for messages_ in error.fields.values() for message in messages_]
            missing = error.extra.get("missing_modules", [])
            context = self.base_context(steps=self.steps(), problems=problems, error=error.message, missing=missing)
            return render(request, "portal/kyc/submit.html", context, status=error.status)
        messages.success(request, _("Your application was sent for review."))
        return redirect("portal:kyc")


# --- Trading accounts ------------------------------------------------------------------------


def account_row(account, state, language: str) -> dict:
    return {
        "account": account,
        "type_name": account.account_type.name(language),
        "balance": None if state is None else trading_selectors.money(state.balance),
        "equity": None if state is None else trading_selectors.money(state.equity),
        "free_margin": None if state is None else trading_selectors.money(state.free_margin),
    }


class TradingAccountListView(ClientRequiredMixin, TemplateView):
    template_name = "portal/trading/list.html"

    def get_context_data(self, **kwargs):
        language = request_language()
        accounts = list(trading_selectors.trading_accounts_of(user=self.request.user))
        states = trading_selectors.account_snapshots_of(accounts)
        rows = [account_row(account, states.get(account.pk), language) for account in accounts]
        return {
            **super().get_context_data(**kwargs),
            "live_rows": [row for row in rows if not row["account"].is_demo],
            "demo_rows": [row for row in rows if row["account"].is_demo],
            "platform_unavailable": any(row["balance"] is None for row in rows),
        }


class AccountApplicationView(ClientRequiredMixin, View):
    """Open a live or demo account: client.trading_account.apply_for_account's service."""

    def form_for(self, data=None):
        user = self.request.user
        account_types = list(trading_selectors.account_types_offered_to(user=user))
        for account_type in account_types:
            account_type.leverage_options = trading_selectors.leverage_options_of(account_type)
        is_demo = self.request.GET.get("demo") == "1"
        return AccountApplicationForm(
            data,
            account_types=account_types,
            platforms=trading_selectors.platforms_offered_to(user=user),
            language=request_language(),
            initial={"is_demo": "true" if is_demo else "false"},
        )

    def render_form(self, form, status=200):
        return render(self.request, "portal/trading/open.html", {"form": form}, status=status)

    def get(self, request):
        return self.render_form(self.form_for())

    def post(self, request):
        form = self.form_for(request.POST)
        if not form.is_valid():
            return self.render_form(form, status=400)
        try:
            data = dict(form.cleaned_data)
            application = trading_services.account_application_create(
                user=request.user, account_type_id=data.pop("trading_account_type_id"), **data
            )
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.render_form(form, status=error.status)
        if application.status == application.Status.PENDING:
            messages.success(request, _("Your application was received; we will tell you when the account is open."))
        else:
            messages.success(request, _("Your account is being opened; it appears here as soon as it is ready."))
        return redirect("portal:trading_accounts")


class TradingAccountMixin(ClientRequiredMixin):
    def account(self, account_id: int):
        try:
            return trading_selectors.trading_account_of(user=self.request.user, account_id=account_id)
        except ApplicationError as error:
            if error.status == 404:  # unknown, or someone else's
                raise Http404 from None
            raise


class LeverageChangeView(TradingAccountMixin, View):
    """client.trading_account.update_leverage's service; staff decide."""

    def render_form(self, account, form, status=200):
        context = {
            "account": account,
            "form": form,
            "latest_change": trading_selectors.leverage_change_latest(account=account),
        }
        return render(self.request, "portal/trading/leverage.html", context, status=status)

    def form_for(self, account, data=None):
        options = trading_selectors.leverage_options_of(account.account_type)
        return LeverageChangeForm(data, options=options, initial={"leverage": account.leverage})

    def get(self, request, account_id: int):
        account = self.account(account_id)
        return self.render_form(account, self.form_for(account))

    def post(self, request, account_id: int):
        account = self.account(account_id)
        form = self.form_for(account, request.POST)
        if not form.is_valid():
            return self.render_form(account, form, status=400)
        try:
            trading_services.leverage_change_request(user=request.user, account_id=account.pk, **form.cleaned_data)
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.render_form(account, form, status=error.status)
        messages.success(request, _("Your leverage change was sent for review."))
        return redirect("portal:trading_accounts")


class TradingPasswordView(TradingAccountMixin, View):
    """client.trading_account.update_password's service: the platform gets it through the outbox."""

    def render_form(self, account, form, status=200):
        return render(self.request, "portal/trading/password.html", {"account": account, "form": form}, status=status)

    def get(self, request, account_id: int):
        return self.render_form(self.account(account_id), TradingPasswordForm())

    def post(self, request, account_id: int):
        account = self.account(account_id)
        form = TradingPasswordForm(request.POST)
        if not form.is_valid():
            return self.render_form(account, form, status=400)
        try:
            trading_services.trading_password_change(
                user=request.user,
                account_id=account.pk,
                type=form.cleaned_data["type"],
                password=form.cleaned_data["password"],
            )
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.render_form(account, form, status=error.status)
        messages.success(request, _("The new password is being set on the platform; we will tell you when it is."))
        return redirect("portal:trading_accounts")
