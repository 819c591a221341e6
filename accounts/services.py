from accounts.models import User


def user_delete(*, user: User) -> None:
    """Delete a person's account and everything that only identifies them.

    Records that belong to a municipality (expressions of interest) stay; they keep the
    contact details typed into them, which the municipality answers for.
    """
    user.delete()


def user_data_export(*, user: User) -> dict:
    """Everything the platform stores about a person (GDPR Art. 15 and 20), as plain data."""
    from allauth.account.models import EmailAddress

    from applications.models import ExpressionOfInterest

    cities = list(user.city_contacts.select_related("city"))
    expressions = (ExpressionOfInterest.objects
                   .filter(city__in=[contact.city for contact in cities])
                   .select_related("call", "city").prefetch_related("topic_interests__topic"))
    return {
        "account": {"email": user.email, "name": user.name, "language": user.language,
                    "date_joined": user.date_joined, "last_login": user.last_login},
        "email_addresses": list(EmailAddress.objects.filter(user=user).values(
            "email", "verified", "primary")),
        "speaks_for": [{"city": c.city.name, "ags": c.city.ags, "function": c.function,
                        "verified_at": c.verified_at} for c in cities],
        "requests_to_join": list(user.join_requests.values(
            "city__name", "created_at", "approved", "decided_at")),
        "expressions_of_interest": [{
            "municipality": e.city.name, "ags": e.city.ags, "reference": e.reference,
            "status": e.status, "call_closes_at": e.call.closes_at,
            "population": e.population, "contact_name": e.contact_name,
            "contact_function": e.contact_function, "contact_department": e.contact_department,
            "contact_email": e.contact_email, "contact_phone": e.contact_phone,
            "experience": e.experience, "motivation": e.motivation,
            "preferred_countries": e.preferred_countries,
            "working_languages": e.working_languages, "meeting_years": e.meeting_years,
            "consent_at": e.consent_at, "submitted_at": e.submitted_at,
            "topics": [{"topic": t.topic.slug, "role": t.role}
                       for t in e.topic_interests.all()],
        } for e in expressions],
        "emails_sent_to_you": list(user.messages.values(
            "kind", "subject", "state", "created_at", "sent_at")),
        "reminders_switched_off": list(user.reminder_opt_outs.values_list("kind", flat=True)),
    }
