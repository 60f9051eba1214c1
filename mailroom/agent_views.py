"""The agent's email pages: the inbox (open conversations with their first-response timers,
the queues' waiting count, the capacity setting) and one conversation (its thread, the reply
form with the firm's templates, close). Every lookup is by (agent, pk): another agent's
conversation is a 404, in the selector and again in the reply service."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agents.decorators import agent_profile_required
from agents.documents import document_response
from common.views import errors_to_form
from mailroom import assignment, replies, selectors
from mailroom.agent_forms import CapacityForm, ReplyForm


@require_GET
@agent_profile_required
def inbox(request):
    agent = request.agent
    context = {
        "conversations": selectors.agent_conversations_open(agent=agent),
        "waiting": selectors.agent_waiting_count(agent=agent),
        "capacity_form": CapacityForm(initial={"email_capacity": agent.email_capacity}),
    }
    return render(request, "mailroom/agent_inbox.html", context)


@require_POST
@agent_profile_required
def capacity(request):
    form = CapacityForm(request.POST)
    if form.is_valid():
        with errors_to_form(form):
            assignment.agent_email_capacity_set(
                agent=request.agent, capacity=form.cleaned_data["email_capacity"]
            )
            messages.success(request, "Your email capacity is saved.")
            return redirect("mail_agent:inbox")
    agent = request.agent
    context = {
        "conversations": selectors.agent_conversations_open(agent=agent),
        "waiting": selectors.agent_waiting_count(agent=agent),
        "capacity_form": form,
    }
    return render(request, "mailroom/agent_inbox.html", context, status=400)


@require_http_methods(["GET", "POST"])
@agent_profile_required
def conversation(request, pk: int):
    conv = selectors.agent_conversation_get(agent=request.agent, pk=pk)
    templates = selectors.templates_for(conversation=conv)
    if request.method == "POST":
        form = ReplyForm(request.POST, templates=templates)
        if form.is_valid():
            with errors_to_form(form):
                replies.reply_send(
                    actor_user=request.user,
                    conversation=conv,
                    body=form.cleaned_data["body"],
                    template=form.cleaned_data["template"],
                )
                messages.success(request, "Your reply is on its way.")
                return redirect("mail_agent:conversation", pk=conv.pk)
    else:
        form = ReplyForm(templates=templates, initial=_from_template(request, conv, templates))
    context = {"conv": conv, "form": form, "templates": templates}
    return render(request, "mailroom/agent_conversation.html", context)


def _from_template(request, conv, templates) -> dict:
    """The picker (GET ?template=<id>): the template's text filled in, for the agent to edit."""
    picked = request.GET.get("template", "")
    chosen = (
        templates.filter(pk=int(picked)).first() if picked.isdigit() and len(picked) < 19 else None
    )
    if chosen is None:
        return {}
    body = replies.template_render(
        template=chosen, conversation=conv, agent_name=request.agent.full_name
    )
    return {"template": chosen.pk, "body": body}


@require_POST
@agent_profile_required
def close(request, pk: int):
    conv = selectors.agent_conversation_get(agent=request.agent, pk=pk)
    replies.conversation_close(actor_user=request.user, conversation=conv)
    messages.success(request, "Conversation closed.")
    return redirect("mail_agent:inbox")


@require_GET
@agent_profile_required
def attachment(request, pk: int):
    found = selectors.agent_attachment_get(agent=request.agent, pk=pk)
    return document_response(found)
