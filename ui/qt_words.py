"""Qt's own dialogs in the reader's language.

Qt ships catalogs (``qtbase_*.qm`` in PySide6's translations folder) for Czech and Chinese (Taiwan), installed
by the window on a language switch; for Vietnamese it ships none, so the dialogs Qt builds for us get our own
words here: file dialogs (labels and buttons), message boxes (their button). Qt's date and number widgets
follow :func:`qt_locale`, set as the default on a language switch.
"""

from __future__ import annotations

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from pos_returns.i18n import N_

QT_CATALOG = {"cs": "qtbase_cs", "zh_Hant": "qtbase_zh_TW"}  # Qt ships no Vietnamese catalog
QT_LOCALE = {"en": "en_US", "vi": "vi_VN", "cs": "cs_CZ", "zh_Hant": "zh_TW"}

FILE_WORDS = {QFileDialog.DialogLabel.LookIn: N_("Look in:"), QFileDialog.DialogLabel.FileName: N_("File name:"),
              QFileDialog.DialogLabel.FileType: N_("Files of type:"), QFileDialog.DialogLabel.Reject: N_("Cancel")}


def qt_locale(lang: str) -> QLocale:
    return QLocale(QT_LOCALE.get(lang, "en_US"))


def qt_translator(lang: str, parent=None) -> QTranslator | None:
    """Qt's own catalog for ``lang``, loaded, or None where Qt has none."""
    catalog = QT_CATALOG.get(lang)
    if not catalog:
        return None
    translator = QTranslator(parent)
    if translator.load(catalog, QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        return translator
    return None


def file_dialog(gettext, parent: QWidget | None, title: str, name: str, filters: str, *, save: bool) -> str:
    """A file to save or open, chosen in Qt's own dialog with every word in the reader's language; '' if none."""
    dialog = QFileDialog(parent, title, name, filters)
    dialog.setObjectName("fileDialog")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)  # a native one speaks the desktop's language
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave if save else QFileDialog.AcceptMode.AcceptOpen)
    if save:
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    else:
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    for label, words in FILE_WORDS.items():
        dialog.setLabelText(label, gettext(words))
    dialog.setLabelText(QFileDialog.DialogLabel.Accept, gettext(N_("Save")) if save else gettext(N_("Open")))
    if dialog.exec() and dialog.selectedFiles():
        return dialog.selectedFiles()[0]
    return ""


def ok_box(gettext, parent: QWidget | None, title: str, text: str) -> QMessageBox:
    """A warning with one OK button in the reader's words."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.addButton(gettext(N_("OK")), QMessageBox.ButtonRole.AcceptRole)
    return box
