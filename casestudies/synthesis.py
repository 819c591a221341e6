"""The synthesis across case studies: barriers and drivers by category and tandem.

:func:`synthesis` reads everything in four queries, whatever the number of case studies
and items, and builds the matrix (categories x case studies), the item lists behind its
cells and the chart from them; :func:`export_rows` walks the same structure, so the page
and the downloads always agree. Drafts count: the page is for researchers and staff
(``casestudies.view_synthesis``).
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casestudies.enums import ItemKind
from casestudies.models import CaseStudy, Category, CodedItem
from core.downloads import Sheet, csv_text, xlsx_bytes
from tandems.models import Membership

CHART_LABEL_WIDTH = 250  # the category names left of the bars
CHART_BAR_AREA = 380  # the longest bar
CHART_BAR_HEIGHT = 16
CHART_ROW_HEIGHT = 48  # a category: its barrier bar above its driver bar, then a gap
CHART_TOP = 8
CHART_NUMBER_SPACE = 48  # right of the longest bar, for its number


@dataclass(frozen=True)
class Count:
    barriers: int = 0
    drivers: int = 0

    def __add__(self, other: "Count") -> "Count":
        return Count(self.barriers + other.barriers, self.drivers + other.drivers)

    @property
    def total(self) -> int:
        return self.barriers + self.drivers

    @property
    def barriers_text(self) -> str:
        return ngettext("%(count)s barrier", "%(count)s barriers",
                        self.barriers) % {"count": self.barriers}

    @property
    def drivers_text(self) -> str:
        return ngettext("%(count)s driver", "%(count)s drivers",
                        self.drivers) % {"count": self.drivers}

    @classmethod
    def of(cls, items) -> "Count":
        barriers = sum(item.kind == ItemKind.BARRIER for item in items)
        return cls(barriers, len(items) - barriers)


@dataclass(frozen=True)
class Column:
    """A case study, named by its tandem."""

    case_study: CaseStudy
    name: str


@dataclass(frozen=True)
class Cell:
    column: Column
    items: list[CodedItem]  # barriers first, each kind in the order of its case study
    count: Count
    anchor: str  # the id of the list of the cell's items on the page


@dataclass(frozen=True)
class Row:
    category: Category
    cells: list[Cell]
    count: Count
    anchor: str

    @property
    def filled(self) -> list[Cell]:
        return [cell for cell in self.cells if cell.items]


@dataclass(frozen=True)
class Bar:
    value: int
    x: int
    y: int
    width: int
    text_x: int
    text_y: int


@dataclass(frozen=True)
class ChartRow:
    label: str
    label_y: int
    barriers: Bar
    drivers: Bar


@dataclass(frozen=True)
class Synthesis:
    columns: list[Column]
    rows: list[Row]
    column_totals: list[Count]
    total: Count
    chart: dict


def synthesis() -> Synthesis:
    """The matrix of all categories in use or with items x all case studies, in four queries."""
    case_studies = list(CaseStudy.objects.select_related("tandem").prefetch_related(
        Prefetch("tandem__memberships", queryset=Membership.objects.select_related("city"))))
    columns = [Column(case_study, str(case_study.tandem)) for case_study in case_studies]
    grouped = defaultdict(list)
    for item in CodedItem.objects.order_by("kind", "order", "pk"):
        grouped[item.category_id, item.case_study_id].append(item)
    rows = []
    for category in Category.objects.all():
        cells = []
        for column in columns:
            items = grouped[category.pk, column.case_study.pk]
            for item in items:  # spare the export a query per item
                item.category, item.case_study = category, column.case_study
            cells.append(Cell(column, items, Count.of(items),
                              f"items-{category.slug}-{column.case_study.pk}"))
        count = sum((cell.count for cell in cells), Count())
        if category.is_active or count.total:
            rows.append(Row(category, cells, count, f"items-{category.slug}"))
    column_totals = [sum((row.cells[index].count for row in rows), Count())
                     for index in range(len(columns))]
    return Synthesis(columns, rows, column_totals, sum(column_totals, Count()), chart(rows))


def chart(rows: list[Row]) -> dict:
    """Lay out a pair of horizontal bars per category: barriers above, drivers below."""
    peak = max((max(row.count.barriers, row.count.drivers) for row in rows), default=0) or 1

    def bar(value: int, y: int) -> Bar:
        width = round(value * CHART_BAR_AREA / peak)
        return Bar(value, CHART_LABEL_WIDTH, y, width, CHART_LABEL_WIDTH + width + 6,
                   y + CHART_BAR_HEIGHT - 3)

    chart_rows = []
    for index, row in enumerate(rows):
        y = CHART_TOP + index * CHART_ROW_HEIGHT
        chart_rows.append(ChartRow(
            label=row.category.name, label_y=y + CHART_BAR_HEIGHT + 5,
            barriers=bar(row.count.barriers, y),
            drivers=bar(row.count.drivers, y + CHART_BAR_HEIGHT + 4)))
    return {"rows": chart_rows, "label_x": CHART_LABEL_WIDTH - 10,
            "axis_x": CHART_LABEL_WIDTH, "bar_height": CHART_BAR_HEIGHT,
            "width": CHART_LABEL_WIDTH + CHART_BAR_AREA + CHART_NUMBER_SPACE,
            "height": CHART_TOP * 2 + len(rows) * CHART_ROW_HEIGHT}


# -- the export ---------------------------------------------------------------------------

def export_header() -> list[str]:
    return [_("Case study"), _("Tandem"), _("Status"), _("Kind"), _("Category"), _("Level"),
            _("Text")]


def export_rows(data: Synthesis | None = None) -> list[list[str]]:
    """Every coded item, by category then tandem as on the page, in the active language."""
    data = data or synthesis()
    return [[cell.column.case_study.title, cell.column.name,
             capfirst(cell.column.case_study.get_status_display()),
             capfirst(item.get_kind_display()), row.category.name,
             capfirst(item.get_level_display()), item.text]
            for row in data.rows for cell in row.filled for item in cell.items]


def items_csv() -> str:
    """All coded items as CSV."""
    return csv_text(export_header(), export_rows())


def items_xlsx() -> bytes:
    """All coded items as a workbook of one sheet."""
    return xlsx_bytes([Sheet(_("Coded items"), export_header(), export_rows(), wrap=True,
                             widths=(40, 28, 16, 12, 28, 12, 80))])
