"""Why an uploaded document could not be turned into text, in words its uploader can act on.

Each error carries a stable ``code`` for API clients and a message meant for an end user.
"""

from __future__ import annotations


class DocumentError(Exception):
    code: str = "document_error"
    message: str = "The document could not be read."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)


class EmptyDocument(DocumentError):
    code = "empty_document"
    message = "The document is empty: it contains no text."


class UnreadablePdf(DocumentError):
    code = "unreadable_pdf"
    message = "The file is not a readable PDF: it is corrupt, truncated or not a PDF at all."


class EncryptedPdf(DocumentError):
    code = "encrypted_pdf"
    message = "The PDF is password-protected; upload a copy without a password."


class NoTextLayer(DocumentError):
    code = "no_text_layer"
    message = (
        "The PDF has no text layer: it is probably a scanned document (page images only), and OCR is off here. "
        "Install Tesseract (apt-get install tesseract-ocr tesseract-ocr-fra) and leave ANCOLS_OCR on to have "
        "scans read, or upload the original text version of the report."
    )

    @classmethod
    def unread(cls, why: str) -> NoTextLayer:
        """Refused because its scanned pages could not be read though OCR is on, for ``why`` (``unread.WHY``)."""
        return cls(f"The PDF has no text layer: it is probably a scanned document (page images only), and its pages "
                   f"could not be read: {why}. Upload it again once OCR can run, or upload the original text version "
                   "of the report.")


class OcrFailed(DocumentError):
    code = "ocr_failed"
    message = "OCR of a scanned page failed."


class TooManyPages(DocumentError):
    code = "too_many_pages"
    message = "The PDF has too many pages."

    def __init__(self, pages: int, max_pages: int) -> None:
        super().__init__(f"The PDF has {pages} pages; at most {max_pages} are accepted.")
        self.pages, self.max_pages = pages, max_pages

    def __reduce__(self):
        """Rebuilt from its two numbers when it crosses from the PDF reader process."""
        return type(self), (self.pages, self.max_pages)


class UnreadableFile(DocumentError):
    code = "unreadable_file"
    message = "The file could not be read from disk."


class UnsupportedType(DocumentError):
    code = "unsupported_type"
    message = "This file type is not supported; upload a PDF, .docx, .odt, .html, .txt or .md file."


class UnreadableOffice(DocumentError):
    code = "unreadable_office"
    message = "The file is not a readable Word (.docx) or OpenDocument (.odt) document: it is corrupt or truncated."


class EncryptedOffice(DocumentError):
    code = "encrypted_office"
    message = "The document is password-protected; save a copy without a password and upload it."


class OfficeTooLarge(DocumentError):
    code = "office_too_large"
    message = "The document unpacks to more data than the service reads (a zip bomb, or a document far too large)."


class UndecodableText(DocumentError):
    code = "undecodable_text"
    message = "The document's text could not be decoded; save it as UTF-8 and upload it again."


class ParagraphTooLong(DocumentError):
    code = "paragraph_too_long"

    def __init__(self, chars: int, max_chars: int) -> None:
        super().__init__(f"The document holds a paragraph of {chars:,} characters with no line break; the sentence "
                         f"splitter reads at most {max_chars:,}. Keep the text's line breaks (a .txt export on one "
                         "line loses them) and upload it again.")
        self.chars, self.max_chars = chars, max_chars

    def __reduce__(self):
        """Rebuilt from its two numbers when it crosses from a Ray worker."""
        return type(self), (self.chars, self.max_chars)


class PdfTooComplex(DocumentError):
    code = "pdf_too_complex"
    message = "The PDF is too large or too complex to read within the service's time and memory limits."


class DocumentTooComplex(DocumentError):
    code = "document_too_complex"
    message = "The document is too large or too complex to read within the service's time and memory limits."
