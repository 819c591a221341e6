"""Read-side queries for staff: the review list with scores, and its export."""

from django.db.models import Avg, Count, FloatField, IntegerField, Max, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

EXPORT_COLUMNS = [
    ("reference", "Reference"), ("municipality", "Municipality"), ("ags", "AGS"),
    ("land", "Land"), ("status", "Status"), ("population", "Population"),
    ("contact_name", "Contact"), ("contact_email", "E-mail"), ("topics", "Topics"),
    ("submitted_at", "Submitted at"), ("score_average", "Score average"),
    ("score_min", "Score min"), ("score_max", "Score max"), ("reviewers", "Reviewers"),
]


def with_scores(queryset, *, reviewer=None):
    """Annotate the average, lowest and highest score, the reviewers, and the viewer's own.

    Subqueries, not a join with GROUP BY: the database then scores only the rows a page
    shows (100 of 10,000 in the admin list), not all of them before the limit.
    """
    from applications.models import Score

    def scores(aggregate, output_field, **filters):
        rows = Score.objects.filter(eoi=OuterRef("pk"), **filters).order_by().values("eoi")
        return Subquery(rows.annotate(figure=aggregate).values("figure"),
                        output_field=output_field)

    queryset = queryset.annotate(
        score_average=scores(Avg("value"), FloatField()),
        score_min=scores(Min("value"), IntegerField()),
        score_max=scores(Max("value"), IntegerField()),
        reviewers=Coalesce(scores(Count("reviewer", distinct=True), IntegerField()), 0),
    )
    if reviewer is not None:
        queryset = queryset.annotate(scored_by_me=Coalesce(
            scores(Count("pk"), IntegerField(), reviewer=reviewer), 0))
    return queryset


def export_rows(queryset, *, reviewer):
    """One dict per expression of interest, in EXPORT_COLUMNS order, for CSV and XLSX.

    Blind review, as in the list: where ``reviewer`` has not scored an entry, its scores and
    reviewers are left out ("score first" if others have scored it).
    """
    queryset = with_scores(queryset, reviewer=reviewer).select_related("city").prefetch_related(
        "topic_interests__topic")
    for eoi in queryset.order_by("reference", "pk"):
        row = {
            "reference": eoi.reference or "", "municipality": eoi.city.name,
            "ags": eoi.city.ags or "", "land": str(eoi.city.land or ""),
            "status": eoi.get_status_display(), "population": eoi.population,
            "contact_name": eoi.contact_name, "contact_email": eoi.contact_email,
            "topics": "; ".join(f"{t.topic.slug}:{t.role}" for t in eoi.topic_interests.all()),
            "submitted_at": eoi.submitted_at,
            "score_average": (round(eoi.score_average, 2) if eoi.score_average is not None
                              else None),
            "score_min": eoi.score_min, "score_max": eoi.score_max, "reviewers": eoi.reviewers,
        }
        if not eoi.scored_by_me:
            row.update(score_average=_("score first") if eoi.reviewers else None,
                       score_min=None, score_max=None, reviewers=None)
        yield row


BAR_HEIGHT, BAR_GAP, CHART_WIDTH, LABEL_WIDTH = 22, 8, 640, 220


def bar_chart(rows: list[tuple[str, int]]) -> dict:
    """Lay out a horizontal bar chart for an SVG template: positions, widths, labels."""
    top = max((value for _label, value in rows), default=0) or 1
    span = CHART_WIDTH - LABEL_WIDTH - 60
    bars = [{"label": label, "value": value, "y": i * (BAR_HEIGHT + BAR_GAP),
             "text_y": i * (BAR_HEIGHT + BAR_GAP) + round(BAR_HEIGHT * 0.7),
             "width": max(1, round(span * value / top)) if value else 0,
             "value_x": LABEL_WIDTH + max(1, round(span * value / top)) + 6}
            for i, (label, value) in enumerate(rows)]
    return {"bars": bars, "height": len(rows) * (BAR_HEIGHT + BAR_GAP), "width": CHART_WIDTH,
            "label_width": LABEL_WIDTH, "bar_height": BAR_HEIGHT}


def dashboard_figures() -> dict:
    """Counts for the staff dashboard: real calls only, submitted or later (no drafts)."""
    from django.db.models.functions import Substr

    from applications.enums import EoiStatus
    from applications.models import ExpressionOfInterest, Score, TopicInterest
    from programme.lands import LANDS
    from programme.models import Topic

    entries = ExpressionOfInterest.objects.filter(call__is_practice=False).exclude(
        status=EoiStatus.DRAFT)
    by_status = dict(entries.values_list("status").annotate(n=Count("pk")))
    by_land = dict(entries.annotate(land=Substr("city__ags", 1, 2)).values_list("land")
                   .annotate(n=Count("pk")))
    by_topic = dict(TopicInterest.objects.filter(eoi__in=entries).values_list("topic")
                    .annotate(n=Count("pk")))
    by_score = dict(Score.objects.filter(eoi__in=entries).values_list("value")
                    .annotate(n=Count("pk")))
    topics = Topic.objects.all()
    return {
        "total": sum(by_status.values()),
        "status": bar_chart([(label, by_status.get(value, 0)) for value, label in
                             EoiStatus.choices if value != EoiStatus.DRAFT]),
        "land": bar_chart([(str(name), by_land.get(code, 0)) for code, name in LANDS.items()]),
        "topic": bar_chart([(t.name, by_topic.get(t.pk, 0)) for t in topics]),
        "score": bar_chart([(str(v), by_score.get(v, 0)) for v in range(1, 6)]),
    }
