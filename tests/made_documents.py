"""Small PDF and Word files made on the spot, for the tests that read them (no PDF writer needed)."""

from __future__ import annotations

import io

import docx


def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal PDF (one page per list of lines, in Helvetica), written by hand: no PDF writer is needed."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for lines in pages:
        shown = " ".join(
            "({}) Tj T*".format(line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")) for line in lines
        )
        stream = f"BT /F1 12 Tf 14 TL 72 720 Td {shown} ET"
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        objects.append(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
            f"/Contents {len(objects)} 0 R >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    table = "".join(f"{offset:010d} 00000 n \n" for offset in offsets)
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{len(out)}\n%%EOF\n"
    return out + f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n{table}{trailer}".encode()


def make_docx() -> bytes:
    document = docx.Document()
    document.add_heading("Field guide", 0)
    document.add_heading("Install", 1)
    document.add_paragraph("Run the installer. It takes a minute.")
    document.add_heading("Linux", 2)
    document.add_paragraph("On Linux, use the script.")
    table = document.add_table(rows=2, cols=2)
    for row, cells in enumerate((("OS", "Version"), ("Ubuntu", "22.04"))):
        for column, text in enumerate(cells):
            table.cell(row, column).text = text
    document.add_heading("Windows", 1)
    document.add_paragraph("Double-click setup.exe.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
