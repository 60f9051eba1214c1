"""The home agent's own pages. Every view works on request.user's profile only."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from agents import enrolment
from agents.attestations import ATTESTATIONS
from agents.decorators import agent_profile_required
from agents.documents import document_response, document_upload
from agents.forms import (
    AttestationForm,
    AvailabilityForm,
    BankForm,
    DocumentForm,
    LanguageForm,
    PanForm,
    PhoneCodeForm,
    PhoneForm,
    ProfileForm,
    SkillForm,
)
from agents.gazetteer import place_find, place_search
from agents.models import AgentDocument, AgentProfile
from agents.panels import home_panels
from agents.selectors import (
    agent_decision_latest,
    agent_missing_items,
    agent_next_steps,
    agent_reapply_refusal,
    attestations_outstanding,
    enrolment_steps,
)
from agents.services import (
    agent_duty_set,
    agent_reapply,
    agent_submit_for_review,
    attestation_accept,
    availability_set,
)
from agents.uploads import upload_refusal
from common.errors import ApplicationError
from common.views import errors_to_form, errors_to_message


def _page(request, template, agent, **context):
    steps = enrolment_steps(agent=agent)
    done = sum(1 for s in steps if s["done"])
    context.update(agent=agent, profile=agent, steps=steps, steps_done=done, steps_total=len(steps))
    return render(request, template, context)


@agent_profile_required
def home(request):
    agent = request.agent
    applied = agent.status == AgentProfile.Status.APPLIED
    decided = agent.status in (AgentProfile.Status.REJECTED, AgentProfile.Status.SUSPENDED)
    rejected = agent.status == AgentProfile.Status.REJECTED
    return _page(
        request,
        "agents/home.html",
        agent,
        missing=agent_missing_items(agent=agent) if applied else [],
        checks=agent.checks.all() if not applied else [],
        decision=agent_decision_latest(agent=agent, action=agent.status) if decided else None,
        next_steps=agent_next_steps(agent=agent) if not applied else [],
        reapply_refusal=agent_reapply_refusal(agent=agent) if rejected else "",
        vetting_email=settings.VETTING_CONTACT_EMAIL,
        panels=home_panels(request, agent),
    )


@agent_profile_required
def profile(request):
    agent = request.agent
    initial = {
        "full_name": agent.full_name,
        "former_employer": agent.former_employer,
        "city": f"{agent.city}, {agent.state}".strip(", "),
        "geoname_id": agent.geoname_id,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with errors_to_form(form):
            enrolment.profile_update(
                agent=agent,
                full_name=d["full_name"],
                former_employer=d["former_employer"],
                geoname_id=d["geoname_id"] or _city_id(d["city"]),
            )
            messages.success(request, "Profile saved.")
            return redirect("agents:phone")
    return _page(request, "agents/profile.html", agent, form=form)


def _city_id(label: str) -> int | None:
    """'Madurai, Tamil Nadu' typed without picking from the list: match it exactly."""
    name, _, state = label.partition(",")
    place = place_find(name, country_code="IN", state=state.strip())
    if place is None:
        return -1  # no such place: the service says "choose your city from the list"
    return place.geoname_id


@require_GET
@agent_profile_required
def city_options(request):
    places = place_search(request.GET.get("city", ""))
    return render(request, "agents/_city_options.html", {"places": places})


@agent_profile_required
def phone(request):
    agent = request.agent
    send_form = PhoneForm(request.POST if request.POST.get("step") == "send" else None)
    code_form = PhoneCodeForm(request.POST if request.POST.get("step") == "confirm" else None)
    if request.method == "POST" and send_form.is_bound and send_form.is_valid():
        with errors_to_form(send_form):
            enrolment.phone_code_send(agent=agent, phone=send_form.cleaned_data["phone"])
            messages.success(request, "We have sent you a code by SMS.")
            return redirect(reverse("agents:phone") + "?sent=1")
    if request.method == "POST" and code_form.is_bound and code_form.is_valid():
        with errors_to_form(code_form):
            enrolment.phone_code_confirm(agent=agent, code=code_form.cleaned_data["code"])
            messages.success(request, "Your phone number is confirmed.")
            return redirect("agents:skills")
    sent = request.GET.get("sent") or code_form.is_bound
    return _page(
        request,
        "agents/phone.html",
        agent,
        send_form=send_form,
        code_form=code_form,
        sent=sent,
        step_send=("step", "send"),
        step_confirm=("step", "confirm"),
    )


@agent_profile_required
def skills(request):
    agent = request.agent
    action = request.POST.get("action")
    language_form = LanguageForm(request.POST if action == "language" else None)
    skill_form = SkillForm(request.POST if action == "skill" else None)
    if action == "language" and language_form.is_valid():
        with errors_to_form(language_form):
            code = language_form.cleaned_data["language"]
            had = agent.languages.filter(language=code).first()
            row = enrolment.language_set(agent=agent, **language_form.cleaned_data)
            if had and had.proficiency != row.proficiency:
                name = row.get_language_display()
                messages.success(
                    request, f"{name}: proficiency {had.proficiency}/5 → {row.proficiency}/5."
                )
            return redirect("agents:skills")
    elif action == "skill" and skill_form.is_valid():
        with errors_to_form(skill_form):
            enrolment.skill_set(agent=agent, **skill_form.cleaned_data)
            return redirect("agents:skills")
    elif action == "remove_language":
        enrolment.language_remove(agent=agent, language_id=_pk(request))
        return redirect("agents:skills")
    elif action == "remove_skill":
        enrolment.skill_remove(agent=agent, skill_id=_pk(request))
        return redirect("agents:skills")
    return _page(
        request,
        "agents/skills.html",
        agent,
        language_form=language_form,
        skill_form=skill_form,
        action_language=("action", "language"),
        action_skill=("action", "skill"),
        languages=agent.languages.all(),
        skill_rows=agent.skills.all(),
    )


def _pk(request) -> int | None:
    pk = request.POST.get("pk", "")
    return int(pk) if pk.isdigit() else None  # not a row id: nothing to remove


@agent_profile_required
def bank(request):
    agent = request.agent
    form = BankForm(request.POST or None, initial={"holder_name": agent.bank_holder_name})
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            enrolment.bank_details_set(agent=agent, **form.cleaned_data)
            messages.success(request, "Bank details saved. We show only the last four digits.")
            return redirect("agents:documents")
    return _page(request, "agents/bank.html", agent, form=form)


@agent_profile_required
def pan(request):
    """The agent's PAN, for the tax withheld from their payouts: shown masked here."""
    agent = request.agent
    form = PanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            enrolment.agent_pan_set(agent=agent, **form.cleaned_data)
            messages.success(request, "PAN saved. Your statements and TDS certificates carry it.")
            return redirect("agents:bank")
    return _page(request, "agents/pan.html", agent, form=form)


@agent_profile_required
def documents(request):
    agent = request.agent
    form = DocumentForm(
        request.POST or None, request.FILES or None, refused=upload_refusal(request)
    )
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            document_upload(agent=agent, **form.cleaned_data)
            messages.success(request, "Document uploaded.")
            return redirect("agents:documents")
    return _page(
        request, "agents/documents.html", agent, form=form, documents=agent.documents.all()
    )


@require_GET
@agent_profile_required
def document_download(request, pk: int):
    # Only the owner's own documents: any other id is a 404, never a 403 that confirms it exists.
    document = get_object_or_404(AgentDocument, pk=pk, agent__user=request.user)
    return document_response(document)


@agent_profile_required
def attestations(request):
    agent = request.agent
    outstanding = attestations_outstanding(agent=agent)
    form = AttestationForm(request.POST or None, outstanding=outstanding)
    if request.method == "POST" and outstanding and form.is_valid():
        with errors_to_form(form):
            ip = request.META.get("REMOTE_ADDR")
            attestation_accept(agent=agent, kinds=outstanding, ip_address=ip)
            messages.success(request, "Thank you: your attestations are recorded.")
            return redirect("agents:availability")
    accepted = {(a.kind, a.version): a for a in agent.attestations.all()}
    rows = [(a, accepted.get((a.kind, a.version))) for a in ATTESTATIONS]
    return _page(
        request, "agents/attestations.html", agent, form=form, rows=rows, outstanding=outstanding
    )


@agent_profile_required
def availability(request):
    agent = request.agent
    initial = {}
    for window in agent.availability.all():
        initial[f"start_{window.weekday}"], initial[f"end_{window.weekday}"] = (
            window.start,
            window.end,
        )
    form = AvailabilityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        windows = form.windows()
        if form.is_valid():  # windows() adds an error for a day with only one of its times
            with errors_to_form(form):
                availability_set(agent=agent, windows=windows)
                messages.success(request, "Availability saved.")
                return redirect("agents:home")
    return _page(request, "agents/availability.html", agent, form=form)


@require_POST
@agent_profile_required
@errors_to_message("agents:home")
def reapply(request):
    agent_reapply(agent=request.agent)
    messages.success(request, "Sent again. Our vetting team will review your application.")
    return redirect("agents:home")


@require_POST
@agent_profile_required
@errors_to_message("agents:home")
def submit(request):
    agent_submit_for_review(agent=request.agent)
    messages.success(request, "Submitted. Our vetting team will review your application.")
    return redirect("agents:home")


def _duty_panel(request, agent: AgentProfile, error: str = "") -> HttpResponse:
    if request.headers.get("HX-Request"):  # htmx swaps the panel in, the error inside it
        return render(request, "agents/_duty.html", {"agent": agent, "duty_error": error})
    if error:
        messages.error(request, error)
    return redirect("agents:home")


def _duty_refused(request, error: ApplicationError) -> HttpResponse:
    return _duty_panel(request, request.agent, error.message)


@require_POST
@agent_profile_required
@errors_to_message(_duty_refused)
def duty(request):
    agent = agent_duty_set(agent=request.agent, available=request.POST.get("available") == "1")
    return _duty_panel(request, agent)
