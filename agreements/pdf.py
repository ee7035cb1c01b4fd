"""The agreement as a PDF: the template's terms with the parties, the price and the subject filled in.

WeasyPrint renders an HTML template (agreements/agreement_pdf.html) with the system's Pango; the result is a
normal, text-searchable PDF.
"""

from django.template.loader import render_to_string
from django.utils import translation


def agreement_pdf_render(*, context: dict, language: str) -> bytes:
    import weasyprint  # imported here: loading Pango costs time that only this path needs

    with translation.override(language):
        html = render_to_string("agreements/agreement_pdf.html", context)
    return weasyprint.HTML(string=html).write_pdf()
