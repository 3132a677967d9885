"""XML from other people's machines (ELAN files, Word documents), parsed so it cannot attack
this one, with errors that say where the XML is broken.

Why defusedxml and no DTD at all: a DTD can declare entities that expand to gigabytes
("billion laughs") or that name a file or URL to read (external entities). Python's expat
(2.4.1 and newer) limits the expansion, but that depends on the expat the interpreter was
built with, and entity declarations would still be honoured. Neither ELAN nor Word writes a
DTD, so any ``<!DOCTYPE ...>`` is refused outright (defusedxml's ``forbid_dtd``), and with it
every entity declaration; external entities are never resolved (``forbid_external``).
"""

from __future__ import annotations

import io
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import InputSource, Locator

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import ParseError, fromstring
from defusedxml.expatreader import DefusedExpatParser

from ..errors import MalformedError

#: What a DTD was refused for, said once for both readers.
_DTD_PROBLEM = ("it declares a DTD or entities (<!DOCTYPE ...>), which {writer} never writes; "
                "refused because such declarations can make a file expand to gigabytes or "
                "read other files of this machine")


def _problem(message: str) -> str:
    """Expat's words, said as the JSON reader says them (a cut-off file is the usual case)."""
    if message.startswith(("no element found", "unclosed token")):
        return "the XML ends too early (the file is cut off)"
    return f"the XML is not well-formed ({message})"


class LineHandler(ContentHandler):
    """A SAX handler that knows the line it is at (``self.line``), for ``parse_lines``."""

    locator: Locator | None = None

    def setDocumentLocator(self, locator: Locator) -> None:  # noqa: N802 (SAX's name)
        self.locator = locator

    @property
    def line(self) -> int | None:
        return self.locator.getLineNumber() if self.locator is not None else None


def parse_lines(path, text: str, handler: LineHandler, *, writer: str, hint: str) -> None:
    """Parse ``text`` (the decoded file) with ``handler``; malformed XML or a DTD is a
    ``MalformedError`` (E104) with the line (and column) of the problem and ``hint``."""
    parser = DefusedExpatParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    parser.setContentHandler(handler)
    source = InputSource()
    source.setCharacterStream(io.StringIO(text))
    try:
        parser.parse(source)
    except SAXParseException as exc:
        raise MalformedError(str(path), _problem(exc.getMessage()), line=exc.getLineNumber(),
                             where=f"column {exc.getColumnNumber() + 1}", hint=hint) from None
    except DefusedXmlException as exc:
        raise MalformedError(str(path), _DTD_PROBLEM.format(writer=writer), line=handler.line,
                             hint=_dtd_hint(exc)) from None


def parse_tree(path, data: bytes, part: str, *, writer: str, hint: str):
    """``data`` (one XML part of a package, e.g. ``word/document.xml``) as an ElementTree
    element; a broken part is a ``MalformedError`` naming the part, its line and column."""
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except ParseError as exc:
        line, column = exc.position
        message = str(exc).split(":")[0]
        raise MalformedError(str(path), _problem(message),
                             where=f"{part} line {line}, column {column + 1}", hint=hint) from None
    except DefusedXmlException as exc:
        raise MalformedError(str(path), f"{part}: " + _DTD_PROBLEM.format(writer=writer),
                             hint=_dtd_hint(exc)) from None


def _dtd_hint(exc: DefusedXmlException) -> str:
    what = "<!DOCTYPE ...> block" if isinstance(exc, DTDForbidden) else "entity declarations"
    return (f"remove the {what} (the file was not written by the program it claims to come "
            "from, or was edited); if you did not expect it, do not open the file elsewhere "
            "either")


__all__ = ["LineHandler", "parse_lines", "parse_tree"]
