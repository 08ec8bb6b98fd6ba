"""Exceptions raised by disclosure-extract.

Every exception the package raises on purpose derives from one root::

    DisclosureError                 root: catch this to catch everything of ours
    ├── PatternError                a patterns/*.yml file is malformed (names file and line)
    │   └── SourcesError            a sources.yml is malformed (fetch.sources)
    ├── LoadError                   a document could not be read into the document model
    │   ├── EmptyDocumentError      zero bytes, or nothing but white space / markup
    │   ├── UnsupportedFormatError  content is not a format we read (zip, images …)
    │   │   └── BinaryContentError  binary noise where text was expected
    │   ├── TooComplexError         far larger in structure than any disclosure (a huge sheet range)
    │   ├── TooLargeError           a part inflates far past any disclosure's size (a ZIP bomb)
    │   ├── DamagedFileError        an Office file (.xls, .xlsx, .docx) whose structure is corrupt
    │   ├── UnsafeXmlError          an Office file whose XML declares entities (XXE, billion laughs)
    │   ├── DecodeError             bytes that no supported text encoding decodes cleanly
    │   ├── EncryptedPdfError       a PDF that needs a password
    │   ├── TruncatedPdfError       a PDF whose end is missing (interrupted download)
    │   ├── DamagedPdfError         a PDF whose structure is corrupt
    │   ├── NoTextLayerError        a PDF whose pages are images (scans) with no text
    │   ├── ConverterMissingError   a .doc/.wps/.rtf/.et needs LibreOffice, which is not installed
    │   └── ConversionError         LibreOffice failed or timed out converting a file
    ├── OutputError                 an output file could not be written
    │   └── UnfitValueError         a document's value its output column cannot hold (that document fails)
    ├── FolderLockedError           another run is writing the output folder (common.lock)
    ├── ClusterError                the Dask cluster of --dask cannot be started or reached
    ├── FetchRefusedError           a URL the crawler must not fetch (fetch.safety)
    ├── TruthError                  a truth or output file given to evaluate is malformed
    ├── RecordsError                a documents.jsonl given to report is not ours, or damaged
    ├── _Retryable                  the HTTP client's signal to retry (fetch.client; never escapes it)
    └── _Failed                     the HTTP client's signal of a final failure (likewise)

Backend errors (lxml, pdfminer, python-docx, LibreOffice) are wrapped at the loader
boundary into a ``LoadError`` carrying the source and, where known, the page. Loaders
raise; the pipeline turns each raised error into an entry in the document's ``issues``
list so a batch goes on.
"""

from __future__ import annotations


class DisclosureError(Exception):
    """Root of every exception disclosure-extract raises on purpose."""


class PatternError(DisclosureError):
    """A pattern file is malformed; the message names the file and line."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")


class LoadError(DisclosureError):
    """A document could not be read.

    ``code`` is the stable issue code written to the output (e.g. ``empty_document``).
    """

    code = "load_failed"

    def __init__(self, source: str, message: str, page: int | None = None) -> None:
        self.source = source
        self.page = page
        self.message = message
        where = f"{source} (page {page})" if page is not None else source
        super().__init__(f"{where}: {message}")


class EmptyDocumentError(LoadError):
    """The document holds no content at all."""

    code = "empty_document"


class UnsupportedFormatError(LoadError):
    """The bytes are not a format disclosure-extract reads."""

    code = "unsupported_format"


class BinaryContentError(UnsupportedFormatError):
    """Bytes that are no text at all (random data, a damaged file) named as text."""

    code = "binary_content"


class TooComplexError(LoadError):
    """The document's structure is far larger than any disclosure's (a sheet's used range of
    millions of cells): reading it would take minutes and gigabytes."""

    code = "too_complex"


class TooLargeError(LoadError):
    """A part of the document inflates far past any disclosure's size (a ZIP bomb)."""

    code = "too_large"


class DamagedFileError(LoadError):
    """An Office file (.xls, .xlsx, .docx) whose structure is corrupt (truncated, overwritten)."""

    code = "damaged_file"


class UnsafeXmlError(LoadError):
    """An Office file whose XML declares a DTD or entities: no office program writes one, and
    reading it could read local files (XXE) or expand without bound (a billion laughs)."""

    code = "unsafe_xml"


class DecodeError(LoadError):
    """The bytes look like text but decode cleanly in no supported encoding."""

    code = "undecodable_text"


class EncryptedPdfError(LoadError):
    """The PDF is encrypted."""

    code = "encrypted_pdf"


class TruncatedPdfError(LoadError):
    """The PDF's end is missing (an interrupted download)."""

    code = "truncated_pdf"


class NoTextLayerError(LoadError):
    """No page carries readable text (a scan)."""

    code = "no_text_layer"


class DamagedPdfError(LoadError):
    """The PDF's structure is broken (truncated, corrupt)."""

    code = "damaged_pdf"


class ConverterMissingError(LoadError):
    """The format is read through LibreOffice, which is not installed."""

    code = "converter_missing"


class ConversionError(LoadError):
    """LibreOffice could not convert the file, or did not finish in time."""

    code = "conversion_failed"


class OutputError(DisclosureError):
    """An output file could not be written."""


class UnfitValueError(OutputError):
    """A document's row holds a value its column's declared type cannot (the writers would
    fail on it): the document fails, not the batch."""


class ClusterError(DisclosureError):
    """The Dask cluster of ``--dask`` cannot be started or reached (or Dask is not installed)."""


class RecordsError(DisclosureError):
    """A documents.jsonl to read back is not one this tool wrote, or is damaged."""
