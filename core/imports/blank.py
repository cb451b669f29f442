"""A blank spreadsheet for an import kind: the columns it reads, and what each accepts.

``template_workbook(spec)`` is the XLSX offered on the upload page ("Download a template"):
a "Fill in" sheet whose header row is every field's own label (so it maps with no help) and a
"What to put in each column" sheet listing each column, whether it is required and the values
it accepts (the field's ``help``). Written with openpyxl in write-only mode.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font


def template_workbook(spec):
    book = Workbook(write_only=True)
    data = book.create_sheet(_("Fill in")[:31])
    bold = Font(bold=True)
    header = []
    for f in spec.fields:
        cell = WriteOnlyCell(data, value=str(f.label))
        cell.font = bold
        header.append(cell)
    data.freeze_panes = "A2"
    for i, _f in enumerate(spec.fields):
        data.column_dimensions[chr(65 + i) if i < 26 else "A" + chr(65 + i - 26)].width = 22
    data.append(header)
    guide = book.create_sheet(_("What to put in each column")[:31])
    guide.column_dimensions["A"].width = 24
    guide.column_dimensions["B"].width = 12
    guide.column_dimensions["C"].width = 90
    wrap = Alignment(wrap_text=True, vertical="top")
    titles = []
    for text in (_("Column"), _("Required"), _("What to put in it")):
        cell = WriteOnlyCell(guide, value=text)
        cell.font = bold
        titles.append(cell)
    guide.append(titles)
    for f in spec.fields:
        row = []
        for value in (str(f.label), _("Yes") if f.required else _("No"), str(f.help) if f.help else _("Text.")):
            cell = WriteOnlyCell(guide, value=value)
            cell.alignment = wrap
            row.append(cell)
        guide.append(row)
    guide.append([])
    guide.append([_("Other names for a column are recognised too, and you can choose which column is which after uploading. Nothing is written until the file has been checked and you choose to import it.")])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
