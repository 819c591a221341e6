"""Read-side queries for staff: the review list with scores, and its export."""

from django.db.models import Avg, Count, Max, Min, Q

EXPORT_COLUMNS = [
    ("reference", "Reference"), ("municipality", "Municipality"), ("ags", "AGS"),
    ("land", "Land"), ("status", "Status"), ("population", "Population"),
    ("contact_name", "Contact"), ("contact_email", "E-mail"), ("topics", "Topics"),
    ("submitted_at", "Submitted at"), ("score_average", "Score average"),
    ("score_min", "Score min"), ("score_max", "Score max"), ("reviewers", "Reviewers"),
]


def with_scores(queryset, *, reviewer=None):
    """Annotate the average, lowest and highest score, the reviewers, and the viewer's own."""
    queryset = queryset.annotate(
        score_average=Avg("scores__value"), score_min=Min("scores__value"),
        score_max=Max("scores__value"),
        reviewers=Count("scores__reviewer", distinct=True),
    )
    if reviewer is not None:
        queryset = queryset.annotate(
            scored_by_me=Count("scores", filter=Q(scores__reviewer=reviewer)))
    return queryset


def export_rows(queryset):
    """One dict per expression of interest, in EXPORT_COLUMNS order, for CSV and XLSX."""
    queryset = with_scores(queryset).select_related("city").prefetch_related(
        "topic_interests__topic")
    for eoi in queryset.order_by("reference", "pk"):
        yield {
            "reference": eoi.reference or "", "municipality": eoi.city.name,
            "ags": eoi.city.ags or "", "land": str(eoi.city.land or ""),
            "status": eoi.get_status_display(), "population": eoi.population,
            "contact_name": eoi.contact_name, "contact_email": eoi.contact_email,
            "topics": "; ".join(f"{t.topic.slug}:{t.role}" for t in eoi.topic_interests.all()),
            "submitted_at": eoi.submitted_at.isoformat() if eoi.submitted_at else "",
            "score_average": round(eoi.score_average, 2) if eoi.score_average else "",
            "score_min": eoi.score_min or "", "score_max": eoi.score_max or "",
            "reviewers": eoi.reviewers,
        }
